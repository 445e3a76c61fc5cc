"""The default queue's periodic work."""

from celery import shared_task

from qa.services.processing import jobs_requeue_stuck
from qa.services.reassessment import reassessments_requeue_stale


@shared_task(acks_late=True)
def requeue_stuck_jobs() -> list[int]:
    reassessments_requeue_stale()
    return jobs_requeue_stuck()
