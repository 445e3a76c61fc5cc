"""The default queue's periodic work."""

from celery import shared_task

from qa.services.processing import jobs_requeue_stuck
from qa.services.training_runs import training_runs_requeue_stuck


@shared_task(acks_late=True)
def requeue_stuck_jobs() -> list[int]:
    return jobs_requeue_stuck()


@shared_task(acks_late=True)
def requeue_stuck_training_runs() -> list[int]:
    return training_runs_requeue_stuck()
