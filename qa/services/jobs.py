"""Processing jobs: created with their frame, queued after the transaction commits."""

import logging
import os
import threading

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
    and the sweeper queues them once the broker is back. The connection is kept for the next request (one
    per thread): a new one costs a connect, a handshake and a queue declaration, several times the publish."""
    sent: list[int] = []
    try:
        reused = _cached_producer_exists()
        try:
            _publish(job_ids, sent)
        except Exception:
            _forget_connection()
            if not reused:
                raise
            # The kept connection may have been closed by the broker (a restart, an idle timeout): one fresh try.
            _publish([job_id for job_id in job_ids if job_id not in sent], sent)
    except Exception as exc:  # noqa: BLE001 - any broker failure leaves the jobs pending for the sweeper
        _forget_connection()
        logger.warning(
            "queued %d of %d processing jobs (%s); the sweeper will send the rest", len(sent), len(job_ids), exc
        )
    finally:
        if sent:
            ProcessingJob.objects.filter(id__in=sent).update(queued_at=timezone.now())
    return len(sent)


def _publish(job_ids: list[int], sent: list[int]) -> None:
    producer = _producer()
    for job_id in job_ids:
        celery_app.send_task(
            PROCESS_FRAME_TASK, args=[job_id], queue=settings.FUSQA_GPU_QUEUE, producer=producer, retry=False
        )
        sent.append(job_id)


_kept = threading.local()


def _broker_key() -> tuple:
    # Tests (and a reconfigured app) point Celery at another broker; a fork must not share its parent's socket.
    return (os.getpid(), str(celery_app.conf.broker_write_url or celery_app.conf.broker_url))


def _cached_producer_exists() -> bool:
    return getattr(_kept, "producer", None) is not None and _kept.key == _broker_key()


def _producer():
    if not _cached_producer_exists():
        _forget_connection()
        connection = _publishing_connection()
        _kept.connection, _kept.producer, _kept.key = connection, connection.Producer(), _broker_key()
    return _kept.producer


def _forget_connection() -> None:
    connection = getattr(_kept, "connection", None)
    _kept.connection = _kept.producer = None
    if connection is not None:
        try:
            connection.release()
        except Exception:  # noqa: BLE001, S110 - a broken connection may fail to close; it is dropped either way
            pass


def _publishing_connection():
    """A connection of its own for this publish, so the request-time limits apply to it alone (the worker's
    long-lived consuming connection keeps the settings' options)."""
    timeout = PUBLISH_TIMEOUT_SECONDS
    options = {"max_retries": 0}  # kombu otherwise retries the connect until broker_connection_timeout
    if celery_app.conf.broker_write_url and str(celery_app.conf.broker_write_url).startswith("redis"):
        options |= {"socket_connect_timeout": timeout, "socket_timeout": timeout, "retry_on_timeout": False}
    return celery_app.connection_for_write(connect_timeout=timeout, transport_options=options)
