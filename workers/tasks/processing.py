"""The gpu queue's entry point: process a frame's job (and up to a batch of waiting ones)."""

import socket

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from qa.services.heartbeats import worker_heartbeat_name
from qa.services.pacs_forward import dicom_sends_create
from qa.services.processing import jobs_process


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    # Only transient trouble is retried: the database going away. Model errors fail the job with a reason.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=8,
    soft_time_limit=settings.FUSQA_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.FUSQA_TASK_TIME_LIMIT,
)
def process_frame(self, job_id: int) -> dict:
    worker = worker_heartbeat_name(hostname=self.request.hostname or socket.gethostname())
    outcome = jobs_process(job_ids=[job_id], worker=worker)
    # Results back to the hospitals' PACS: only queued here, sent by the default queue's task.
    dicom_sends_create(job_ids=outcome.done)
    return {"done": outcome.done, "failed": outcome.failed, "skipped": outcome.skipped}
