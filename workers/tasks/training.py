"""The gpu queue's training entry point: run one training run (docs/retraining.md)."""

import os
import socket

from celery import shared_task
from django.conf import settings

from qa.services.training_runs import training_run_execute

# Deterministic cuBLAS on a CUDA worker (same data and parameters → same weights); read when cuBLAS starts.
os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    # A run that fails says why in its row; it is never retried by Celery. A dead worker's run is taken
    # back by the sweeper (qa.services.training_runs.training_runs_requeue_stuck) and resumes.
    soft_time_limit=settings.FUSQA_TRAINING_TIME_LIMIT,
    time_limit=settings.FUSQA_TRAINING_TIME_LIMIT + 60,
)
def train_model(self, training_run_id: int) -> str:
    return training_run_execute(training_run_id=training_run_id, worker=self.request.hostname or socket.gethostname())
