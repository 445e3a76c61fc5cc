"""The gpu queue's entry point: process a frame's job (and up to a batch of waiting ones)."""

import socket

from celery import shared_task

from qa.services.heartbeats import worker_heartbeat_name
from qa.services.pacs_forward import dicom_sends_create
from qa.services.processing import jobs_process
from workers.tasks.gpu_options import GPU_TASK_OPTIONS


@shared_task(**GPU_TASK_OPTIONS, retry_backoff_max=60, retry_jitter=True)
def process_frame(self, job_id: int) -> dict:
    worker = worker_heartbeat_name(hostname=self.request.hostname or socket.gethostname())
    outcome = jobs_process(job_ids=[job_id], worker=worker)
    # Results back to the hospitals' PACS: only queued here, sent by the default queue's task.
    dicom_sends_create(job_ids=outcome.done)
    return {"done": outcome.done, "failed": outcome.failed, "skipped": outcome.skipped}
