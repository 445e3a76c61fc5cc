"""Processing jobs: created with their frame, queued after the transaction commits."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fusqa_web.celery import app as celery_app
from qa.models import Frame, JobStatus, ProcessingJob

logger = logging.getLogger(__name__)

PROCESS_FRAME_TASK = "workers.tasks.processing.process_frame"
# How long one publish may wait for the broker: to connect, and for each reply. Redis answers in
# milliseconds; a broker slower than this is treated as away, and the sweeper sends what was not sent.
PUBLISH_TIMEOUT_SECONDS = 0.25


def jobs_create_for_frames(*, frames: list[Frame]) -> list[ProcessingJob]:
    """Create a pending job per frame and queue them once the caller's transaction commits."""
    jobs = [ProcessingJob.objects.create(frame=frame, status=JobStatus.PENDING) for frame in frames]
    job_ids = [job.id for job in jobs]
    transaction.on_commit(lambda: jobs_enqueue(job_ids=job_ids))
    return jobs


def jobs_enqueue(*, job_ids: list[int]) -> int:
    """Send each job to the gpu queue, once, with short timeouts and no retries: this runs inside an upload's
    request. A broker that is down or silent is logged, not raised, and the first failure ends the attempt
    (the next send would wait just as long): the upload is stored, its jobs stay pending with no queued_at,
    and the sweeper queues them once the broker is back."""
    sent = 0
    try:
        with _publishing_connection() as connection:
            producer = connection.Producer()
            for job_id in job_ids:
                celery_app.send_task(
                    PROCESS_FRAME_TASK, args=[job_id], queue=settings.FUSQA_GPU_QUEUE, producer=producer, retry=False
                )
                ProcessingJob.objects.filter(id=job_id).update(queued_at=timezone.now())
                sent += 1
    except Exception as exc:  # noqa: BLE001 - any broker failure leaves the jobs pending for the sweeper
        logger.warning("queued %d of %d processing jobs (%s); the sweeper will send the rest", sent, len(job_ids), exc)
    return sent


def _publishing_connection():
    """A connection of its own for this publish, so the request-time limits apply to it alone (the worker's
    long-lived consuming connection keeps the settings' options)."""
    timeout = PUBLISH_TIMEOUT_SECONDS
    options = {"max_retries": 0}  # kombu otherwise retries the connect until broker_connection_timeout
    if celery_app.conf.broker_write_url and str(celery_app.conf.broker_write_url).startswith("redis"):
        options |= {"socket_connect_timeout": timeout, "socket_timeout": timeout, "retry_on_timeout": False}
    return celery_app.connection_for_write(connect_timeout=timeout, transport_options=options)
