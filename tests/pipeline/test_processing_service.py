"""The processing service in-process, on the real database: claim, segment → assess → measure, write."""

import math
from pathlib import Path

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from qa.models import Assessment, DailyQuality, JobStatus, Mask, MaskKind, Measurement, ProcessingJob, WorkerHeartbeat
from qa.services.ingest import ingest_upload
from qa.services.processing import jobs_claim, jobs_process, jobs_requeue_stuck
from tests.factories import HospitalFactory, UserFactory, png_bytes
from tests.pipeline.models import activate_tiny_models

pytestmark = pytest.mark.django_db


@pytest.fixture
def models(tmp_path):
    return activate_tiny_models(tmp_path)


def upload_png(hospital, user, *, seed: int, shape=(60, 80), spacing=(0.3, 0.2)):
    pixels = np.random.default_rng(seed).integers(0, 255, shape, dtype=np.uint8)
    result = ingest_upload(
        user=user,
        hospital=hospital,
        uploaded_file=SimpleUploadedFile(f"scan{seed}.png", png_bytes(pixels), content_type="image/png"),
        spacing_mm=spacing,
    )
    return result.frames[0]


@pytest.fixture
def uploader():
    hospital = HospitalFactory()
    return hospital, UserFactory(role="qa_manager", member_of=[hospital])


def test_a_frame_gets_a_model_mask_an_assessment_and_a_measurement(models, uploader):
    frame = upload_png(*uploader, seed=1)
    job = ProcessingJob.objects.get(frame=frame)

    outcome = jobs_process(job_ids=[job.id], worker="test")

    job.refresh_from_db()
    assert outcome.done == [job.id] and job.status == JobStatus.DONE and job.attempts == 1
    mask = Mask.objects.get(frame=frame)
    assert (mask.kind, mask.version, mask.model_version) == (MaskKind.MODEL, 1, models[0])
    assert mask.area_px == 60 * 80  # the tiny model calls every pixel fetus
    assessment = Assessment.objects.get(mask=mask)
    assert assessment.model_version == models[1]
    assert assessment.p_good == pytest.approx(1 / (1 + math.exp(-3.0)), abs=1e-5)
    assert assessment.label == "good"
    measurement = Measurement.objects.get(mask=mask)
    assert measurement.crl_mm == pytest.approx(math.hypot(60 * 0.3, 80 * 0.2), rel=1e-6)
    assert measurement.formula == "robinson"
    assert measurement.ga_days == pytest.approx(8.052 * math.sqrt(measurement.crl_mm) + 23.73)


def test_a_redelivered_job_never_makes_a_second_model_mask(models, uploader):
    frame = upload_png(*uploader, seed=2)
    job = ProcessingJob.objects.get(frame=frame)
    jobs_process(job_ids=[job.id], worker="first")

    again = jobs_process(job_ids=[job.id], worker="second")

    assert again.skipped == [job.id] and again.done == []
    assert Mask.objects.filter(frame=frame).count() == 1


def test_one_task_takes_waiting_frames_into_its_batch(models, uploader):
    frames = [upload_png(*uploader, seed=s) for s in range(5)]
    first_job = ProcessingJob.objects.get(frame=frames[0])

    outcome = jobs_process(job_ids=[first_job.id], worker="w", batch_size=4)

    assert len(outcome.done) == 4
    assert ProcessingJob.objects.filter(status=JobStatus.DONE).count() == 4
    assert ProcessingJob.objects.filter(status=JobStatus.PENDING).count() == 1


def test_a_job_claimed_elsewhere_is_not_claimed_twice(models, uploader):
    frame = upload_png(*uploader, seed=3)
    job = ProcessingJob.objects.get(frame=frame)

    assert [j.id for j in jobs_claim(job_ids=[job.id], worker="a")] == [job.id]
    assert jobs_claim(job_ids=[job.id], worker="b") == []
    job.refresh_from_db()
    assert job.worker == "a" and job.attempts == 1


def test_a_poisoned_frame_fails_alone_with_its_reason(models, uploader):
    good = upload_png(*uploader, seed=4)
    poisoned = upload_png(*uploader, seed=5)
    with open(poisoned.pixels.path, "wb") as handle:
        handle.write(b"this is not an image")
    job_ids = list(ProcessingJob.objects.order_by("id").values_list("id", flat=True))

    outcome = jobs_process(job_ids=job_ids, worker="w")

    assert outcome.done == [ProcessingJob.objects.get(frame=good).id]
    failed = ProcessingJob.objects.get(frame=poisoned)
    assert failed.status == JobStatus.FAILED
    assert "could not read the frame's pixels" in failed.reason
    assert not Mask.objects.filter(frame=poisoned).exists()


def test_without_an_active_model_nothing_is_claimed_away(uploader):
    frame = upload_png(*uploader, seed=6)
    job = ProcessingJob.objects.get(frame=frame)

    with pytest.raises(Exception, match="no active segmentation model"):
        jobs_process(job_ids=[job.id], worker="w")

    job.refresh_from_db()
    assert job.status == JobStatus.PENDING


def test_the_sweeper_requeues_stuck_and_never_queued_jobs(models, uploader):
    frames = [upload_png(*uploader, seed=s) for s in (7, 8, 9)]
    stuck, never_queued, fresh = (ProcessingJob.objects.get(frame=f) for f in frames)
    ProcessingJob.objects.filter(id=stuck.id).update(status=JobStatus.RUNNING, started_at="2020-01-01T00:00Z")
    ProcessingJob.objects.filter(id=never_queued.id).update(queued_at=None, created_at="2020-01-01T00:00Z")
    ProcessingJob.objects.filter(id=fresh.id).update(queued_at=None)

    requeued = jobs_requeue_stuck(older_than_seconds=60)

    assert requeued == [stuck.id, never_queued.id]
    stuck.refresh_from_db()
    assert stuck.status == JobStatus.PENDING and stuck.queued_at is not None


def test_promoting_a_new_model_version_takes_effect_without_a_restart(tmp_path, uploader):
    first_seg, first_qa = activate_tiny_models(tmp_path / "v1", version="v1", fusqa_logit=3.0)
    before = upload_png(*uploader, seed=10)
    jobs_process(job_ids=[ProcessingJob.objects.get(frame=before).id], worker="w")

    _, second_qa = activate_tiny_models_keeping_cache(tmp_path / "v2", version="v2", fusqa_logit=-3.0)
    after = upload_png(*uploader, seed=11)
    jobs_process(job_ids=[ProcessingJob.objects.get(frame=after).id], worker="w")

    old, new = (Assessment.objects.get(mask__frame=f) for f in (before, after))
    assert (old.model_version, old.label) == (first_qa, "good")
    assert (new.model_version, new.label) == (second_qa, "poor")
    first_qa.refresh_from_db()
    assert first_qa.status == "retired"


def activate_tiny_models_keeping_cache(folder, **kwargs):
    """Like activate_tiny_models, but leaves the worker's cache alone: the switch must be noticed."""
    from qa.services import model_registry

    cache = model_registry.model_cache
    loaded = dict(cache._loaded)
    result = activate_tiny_models(folder, **kwargs)
    cache._loaded.update(loaded)
    return result


def test_a_batch_holding_an_already_processed_frame_stores_the_rest_and_no_second_mask(
    models, uploader, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    done_before = upload_png(*uploader, seed=12)
    fresh = upload_png(*uploader, seed=13)
    first_job = ProcessingJob.objects.get(frame=done_before)
    jobs_process(job_ids=[first_job.id], worker="w", batch_size=1)
    # As if the sweeper had taken the job back from a worker that died after storing its results.
    ProcessingJob.objects.filter(id=first_job.id).update(status=JobStatus.PENDING)

    fresh_job = ProcessingJob.objects.get(frame=fresh)
    # Both named: a job on its second try would otherwise run alone (see the poison-frame rule).
    outcome = jobs_process(job_ids=[first_job.id, fresh_job.id], worker="w2", batch_size=2)

    assert sorted(outcome.done) == sorted([first_job.id, fresh_job.id])
    assert Mask.objects.filter(frame=done_before).count() == 1
    assert Mask.objects.filter(frame=fresh).count() == 1
    # The rolled-back batch took its files with it: one file per stored mask of these frames.
    for frame in (done_before, fresh):
        files = {p.name for p in Path(settings.MEDIA_ROOT, "masks").rglob(f"frame{frame.id}-*.png")}
        assert files == {Path(m.data.name).name for m in Mask.objects.filter(frame=frame)}


def test_older_than_zero_seconds_takes_back_a_job_that_started_a_moment_ago(models, uploader):
    job = ProcessingJob.objects.get(frame=upload_png(*uploader, seed=14))
    jobs_claim(job_ids=[job.id], worker="w")

    assert jobs_requeue_stuck(older_than_seconds=0) == [job.id]

    job.refresh_from_db()
    assert (job.status, job.worker) == (JobStatus.PENDING, "")


def beating(name: str, *, seconds_ago: float) -> WorkerHeartbeat:
    at = timezone.now() - timezone.timedelta(seconds=seconds_ago)
    return WorkerHeartbeat.objects.create(name=name, hostname="h", pid=1, started_at=at, beat_at=at)


def test_a_job_whose_worker_missed_its_heartbeats_is_taken_back_long_before_the_stuck_threshold(
    models, uploader, settings
):
    settings.FUSQA_STUCK_JOB_SECONDS = 300
    dead, alive, unknown = (ProcessingJob.objects.get(frame=upload_png(*uploader, seed=s)) for s in (15, 16, 17))
    beating("dead", seconds_ago=3 * settings.FUSQA_HEARTBEAT_SECONDS + 2)
    beating("alive", seconds_ago=1)
    for job, worker in ((dead, "dead"), (alive, "alive"), (unknown, "a worker with no heartbeat row")):
        jobs_claim(job_ids=[job.id], worker=worker)

    assert jobs_requeue_stuck() == [dead.id]

    statuses = dict(ProcessingJob.objects.values_list("id", "status"))
    assert statuses == {dead.id: JobStatus.PENDING, alive.id: JobStatus.RUNNING, unknown.id: JobStatus.RUNNING}


def test_a_job_whose_worker_died_max_attempts_times_fails_with_that_reason_and_is_not_queued(
    models, uploader, settings
):
    settings.FUSQA_MAX_ATTEMPTS = 3
    beating("dead", seconds_ago=60)
    poison, second_try = (ProcessingJob.objects.get(frame=upload_png(*uploader, seed=s)) for s in (18, 19))
    ProcessingJob.objects.filter(id=poison.id).update(status=JobStatus.RUNNING, worker="dead", attempts=3)
    ProcessingJob.objects.filter(id=second_try.id).update(status=JobStatus.RUNNING, worker="dead", attempts=2)

    assert jobs_requeue_stuck() == [second_try.id]

    poison.refresh_from_db()
    assert (poison.status, poison.reason) == (JobStatus.FAILED, "the worker died 3 times on this frame")
    assert poison.finished_at is not None
    second_try.refresh_from_db()
    assert second_try.status == JobStatus.PENDING


def test_a_job_stuck_past_the_threshold_with_99_attempts_fails_instead_of_looping(models, uploader):
    job = ProcessingJob.objects.get(frame=upload_png(*uploader, seed=20))
    ProcessingJob.objects.filter(id=job.id).update(
        status=JobStatus.RUNNING, worker="gone", attempts=99, started_at="2020-01-01T00:00Z"
    )

    assert jobs_requeue_stuck() == []

    job.refresh_from_db()
    assert (job.status, job.reason) == (JobStatus.FAILED, "the worker died 99 times on this frame")
    # The dashboard counts the frame as unknown at once, not after the next rollup rebuild.
    assert list(DailyQuality.objects.filter(hospital=job.frame.hospital).values_list("good", "poor", "unknown")) == [
        (0, 0, 1)
    ]


def test_a_job_on_its_second_try_runs_alone_and_no_batch_takes_it_in(models, uploader):
    retried, fresh, other = (ProcessingJob.objects.get(frame=upload_png(*uploader, seed=s)) for s in (21, 22, 23))
    ProcessingJob.objects.filter(id=retried.id).update(attempts=1)

    alone = jobs_process(job_ids=[retried.id], worker="w", batch_size=4)
    assert alone.done == [retried.id]

    ProcessingJob.objects.filter(id=retried.id).update(status=JobStatus.PENDING)  # as if taken back again
    batch = jobs_process(job_ids=[fresh.id], worker="w", batch_size=4)
    assert sorted(batch.done) == sorted([fresh.id, other.id])
