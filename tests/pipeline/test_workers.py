"""Frames through real Celery worker processes, a real Redis and the real PostgreSQL test database:
end to end, a worker killed mid-batch, the broker down during uploads, a poisoned frame."""

import time
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from qa.models import Assessment, JobStatus, Mask, MaskKind, Measurement, ProcessingJob, WorkerHeartbeat
from tests.factories import HospitalFactory, UserFactory, png_bytes
from tests.pipeline.models import activate_tiny_models
from tests.pipeline.processes import Worker, point_celery_at, wait_until
from tests.services import require

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workers(broker, tmp_path):
    started = []

    def start(*args, **env) -> Worker:
        worker = Worker(broker.url, tmp_path / "worker.log", *args, **env)
        started.append(worker)
        return worker.start()

    start.started = started
    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def uploader(tmp_path):
    activate_tiny_models(tmp_path)
    hospital = HospitalFactory()
    client = APIClient()
    client.force_authenticate(UserFactory(role="qa_manager", member_of=[hospital]))

    def upload(seed: int, shape=(96, 128)) -> int:
        pixels = np.random.default_rng(seed).integers(0, 255, shape, dtype=np.uint8)
        response = client.post(
            "/api/uploads/",
            {"file": _named(png_bytes(pixels), f"scan-{seed}.png"), "hospital": hospital.id, "spacing_mm": "0.25"},
            format="multipart",
        )
        assert response.status_code == 201, response.content
        return response.json()["frames"][0]["id"]

    upload.client = client
    return upload


def _named(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/png")


def all_jobs_finished() -> bool:
    return not ProcessingJob.objects.filter(status__in=[JobStatus.PENDING, JobStatus.RUNNING]).exists()


def test_a_worker_processes_uploaded_frames_end_to_end(uploader, workers):
    frame_ids = [uploader(seed) for seed in range(6)]
    workers()

    wait_until(all_jobs_finished, timeout=60, what="every job to finish")

    assert set(ProcessingJob.objects.values_list("status", flat=True)) == {JobStatus.DONE}
    for frame_id in frame_ids:
        mask = Mask.objects.get(frame_id=frame_id, kind=MaskKind.MODEL)
        assert Assessment.objects.filter(mask=mask).count() == 1
        assert Measurement.objects.get(mask=mask).crl_mm == pytest.approx(np.hypot(96, 128) * 0.25, rel=1e-6)
    detail = uploader.client.get(f"/api/frames/{frame_ids[0]}/").json()
    assert detail["status"] == "done" and detail["latest_measurement"]["formula"] == "robinson"


def kill_with_a_batch_in_flight(worker_start, hold_dir: Path, **env) -> tuple[Worker, set[int]]:
    """Start a worker that waits inside each batch (models run, nothing written) until released; let its
    first batch finish, then SIGKILL it while it holds the second. Returns the dead worker and the jobs it
    held, which are certainly running: the kill cannot race the batch's end."""
    hold_dir.mkdir()
    worker = worker_start(FUSQA_BATCH_SIZE="8", FUSQA_TEST_HOLD_DIR=str(hold_dir), **env)
    wait_until((hold_dir / "held-1").exists, timeout=60, interval=0.01, what="the first batch to be computed")
    (hold_dir / "release-1").touch()
    wait_until((hold_dir / "held-2").exists, timeout=60, interval=0.01, what="the second batch to be computed")
    worker.kill()
    in_flight = set(ProcessingJob.objects.filter(status=JobStatus.RUNNING).values_list("id", flat=True))
    return worker, in_flight


def test_a_worker_killed_mid_batch_loses_no_frame_and_processes_none_twice(uploader, workers, tmp_path):
    # Small and few: the hold, not the size of a batch, keeps the kill mid-batch.
    frame_ids = [uploader(seed) for seed in range(20)]

    _, in_flight = kill_with_a_batch_in_flight(workers, tmp_path / "hold")

    assert in_flight, "the second batch is held: claimed, computed and unwritten"
    assert ProcessingJob.objects.filter(status=JobStatus.DONE).count() == 8
    assert ProcessingJob.objects.filter(status=JobStatus.PENDING).count() == len(frame_ids) - 8 - len(in_flight)
    # A new worker, and the sweeper (as beat would run it) taking back what the dead one held.
    workers(FUSQA_BATCH_SIZE="8", FUSQA_STUCK_JOB_SECONDS="1")
    from fusqa_web.celery import app

    def swept_and_finished() -> bool:
        app.send_task("workers.tasks.maintenance.requeue_stuck_jobs", queue="default")
        return all_jobs_finished()

    wait_until(swept_and_finished, timeout=90, interval=1.5, what="every job to finish after the restart")

    assert ProcessingJob.objects.filter(status=JobStatus.DONE).count() == len(frame_ids)
    for frame_id in frame_ids:
        assert Mask.objects.filter(frame_id=frame_id, kind=MaskKind.MODEL).count() == 1
    assert set(ProcessingJob.objects.filter(id__in=in_flight).values_list("attempts", flat=True)) == {2}


def test_every_frame_of_a_worker_killed_mid_batch_is_done_within_60_s_by_beat_and_heartbeats(
    uploader, workers, tmp_path
):
    """The deployment's defaults: 5 s heartbeats, dead after 3 missed, a sweep every 5 s, and a stuck
    threshold of 300 s that must play no part."""
    # Small and few: the hold, not the size of a batch, keeps the kill mid-batch.
    frame_ids = [uploader(seed) for seed in range(20)]
    dead, in_flight = kill_with_a_batch_in_flight(workers, tmp_path / "hold")
    killed_at = time.monotonic()
    dead_name = ProcessingJob.objects.get(id=min(in_flight)).worker
    assert WorkerHeartbeat.objects.filter(name=dead_name, pid=dead.process.pid).exists()

    workers("--beat", f"--schedule={tmp_path / 'beat-schedule'}", FUSQA_BATCH_SIZE="8")
    wait_until(all_jobs_finished, timeout=60 - (time.monotonic() - killed_at), what="every job, 60 s after the kill")

    assert settings.FUSQA_STUCK_JOB_SECONDS == 300
    assert ProcessingJob.objects.filter(status=JobStatus.DONE).count() == len(frame_ids)
    for frame_id in frame_ids:
        assert Mask.objects.filter(frame_id=frame_id, kind=MaskKind.MODEL).count() == 1
    redone = ProcessingJob.objects.filter(id__in=in_flight)
    assert set(redone.values_list("attempts", flat=True)) == {2}
    # Taken back from the dead process, done by a living one that keeps its heartbeat.
    assert dead_name not in set(redone.values_list("worker", flat=True))
    assert set(WorkerHeartbeat.objects.filter(name__in=redone.values("worker")).values_list("pid", flat=True)) == {
        workers.started[-1].process.pid
    }


def test_uploads_answer_201_while_redis_is_down_and_are_processed_after_it_returns(uploader, broker, workers):
    broker.stop()

    frame_ids = [uploader(seed) for seed in range(3)]  # each asserts 201

    assert ProcessingJob.objects.filter(status=JobStatus.PENDING, queued_at__isnull=True).count() == 3
    broker.start()
    workers()
    from qa.services.processing import jobs_requeue_stuck

    assert sorted(jobs_requeue_stuck(unqueued_grace_seconds=0)) == sorted(
        ProcessingJob.objects.values_list("id", flat=True)
    )
    wait_until(all_jobs_finished, timeout=60, what="the frames sent while Redis was down")
    assert Mask.objects.filter(frame_id__in=frame_ids, kind=MaskKind.MODEL).count() == 3


def test_a_poisoned_frame_fails_alone_with_its_reason_and_blocks_nothing(uploader, workers):
    from qa.models import Frame

    frame_ids = [uploader(seed) for seed in range(4)]
    poisoned = Frame.objects.get(id=frame_ids[1])
    with open(poisoned.pixels.path, "wb") as handle:
        handle.write(b"\x89PNG but not really")
    workers()

    wait_until(all_jobs_finished, timeout=60, what="every job to finish")

    statuses = dict(ProcessingJob.objects.values_list("frame_id", "status"))
    assert statuses == {fid: (JobStatus.FAILED if fid == poisoned.id else JobStatus.DONE) for fid in frame_ids}
    detail = uploader.client.get(f"/api/frames/{poisoned.id}/").json()
    assert detail["status"] == "failed"
    assert "could not read the frame's pixels" in detail["reason"]


def test_the_embedded_broker_of_the_demo_carries_work_to_a_real_worker(uploader, tmp_path):
    require("PostgreSQL", connection.vendor == "postgresql", "run with DATABASE_URL=postgres://… (see .ci/run)")
    url = f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
    point_celery_at(url)
    worker = Worker(url, tmp_path / "worker.log")
    try:
        frame_ids = [uploader(seed) for seed in range(2)]
        worker.start()
        wait_until(all_jobs_finished, timeout=60, what="the frames sent through the embedded broker")
    finally:
        worker.stop()
        point_celery_at(settings.CELERY_BROKER_URL)
    assert Mask.objects.filter(frame_id__in=frame_ids, kind=MaskKind.MODEL).count() == 2
