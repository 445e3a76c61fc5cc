"""Processing jobs: created with their frame, queued after the transaction commits."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fusqa_web.celery import app as celery_app
from qa.models import Frame, JobStatus, ProcessingJob

logger = logging.getLogger(__name__)

PROCESS_FRAME_TASK = "workers.tasks.processing.process_frame"


def jobs_create_for_frames(*, frames: list[Frame]) -> list[ProcessingJob]:
    """Create a pending job per frame and queue them once the caller's transaction commits."""
    jobs = [ProcessingJob.objects.create(frame=frame, status=JobStatus.PENDING) for frame in frames]
    job_ids = [job.id for job in jobs]
    transaction.on_commit(lambda: jobs_enqueue(job_ids=job_ids))
    return jobs


def jobs_enqueue(*, job_ids: list[int]) -> int:
    """Send each job to the gpu queue. A broker that is down is logged, not raised: the upload has
    already been stored, and the sweeper re-queues pending jobs once the broker is back."""
    sent = 0
    for job_id in job_ids:
        try:
            celery_app.send_task(PROCESS_FRAME_TASK, args=[job_id], queue=settings.FUSQA_GPU_QUEUE, retry=False)
        except Exception as exc:  # noqa: BLE001 - any broker failure leaves the job pending for the sweeper
            logger.warning("could not queue processing job %s (%s); the sweeper will retry", job_id, exc)
            continue
        ProcessingJob.objects.filter(id=job_id).update(queued_at=timezone.now())
        sent += 1
    return sent
