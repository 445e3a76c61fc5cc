"""The gpu queue's re-assessment after an activation: one batch per task, then the next batch is queued."""

import socket

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from qa.services.heartbeats import worker_heartbeat_name
from qa.services.reassessment import reassessment_enqueue, reassessment_step


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    max_retries=8,
    soft_time_limit=settings.FUSQA_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.FUSQA_TASK_TIME_LIMIT,
)
def reassess_batch(self, reassessment_id: int) -> bool:
    # One batch at a time, so frames arriving meanwhile wait behind one batch, not the whole window.
    worker = worker_heartbeat_name(hostname=self.request.hostname or socket.gethostname())
    more = reassessment_step(reassessment_id=reassessment_id, worker=worker)
    if more:
        reassessment_enqueue(reassessment_id=reassessment_id)
    return more
