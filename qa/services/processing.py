"""A frame's trip through the ML core: claim jobs, segment → assess → measure, write the results.

Every step assumes it runs concurrently with itself: jobs are claimed with a conditional UPDATE (a job
another worker claimed is skipped), results are written in one transaction per frame, and a model mask
is unique per (frame, model version), so a re-delivered task never makes a second one.
"""

import io
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.db.models.functions import Now
from django.utils import timezone
from PIL import Image

from qa.models import (
    Assessment,
    Frame,
    JobStatus,
    Mask,
    MaskKind,
    Measurement,
    ModelKind,
    ProcessingJob,
    WorkerHeartbeat,
)
from qa.services.model_registry import model_cache
from qa.services.rollups import quality_rollups_refresh

logger = logging.getLogger(__name__)


@dataclass
class BatchOutcome:
    done: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    skipped: list[int] = field(default_factory=list)


def jobs_claim(*, job_ids: list[int], worker: str, fill_to: int = 0) -> list[ProcessingJob]:
    """Claim the given pending jobs, and other waiting ones up to `fill_to` (micro-batching).

    One conditional UPDATE is the lock: a row another process claimed first is no longer pending and is
    left alone. The rows this call took are then recognised by its worker name and claim time."""
    candidates = list(job_ids)
    # A job on its second try may be the frame that killed the last worker: it runs alone, and a batch
    # fills only with first tries, so a poison frame takes down no innocent frame's attempts twice.
    retried = ProcessingJob.objects.filter(id__in=job_ids, status=JobStatus.PENDING, attempts__gt=0).exists()
    if fill_to > len(candidates) and not retried:
        candidates += list(
            ProcessingJob.objects.filter(status=JobStatus.PENDING, attempts=0)
            .exclude(id__in=job_ids)
            .order_by("created_at", "id")
            .values_list("id", flat=True)[: fill_to - len(candidates)]
        )
    claimed_at = timezone.now()
    ProcessingJob.objects.filter(id__in=candidates, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING, started_at=claimed_at, worker=worker[:200], attempts=F("attempts") + 1
    )
    return list(
        ProcessingJob.objects.filter(
            id__in=candidates, status=JobStatus.RUNNING, worker=worker[:200], started_at=claimed_at
        )
        .select_related("frame")
        .order_by("id")
    )


def jobs_process(*, job_ids: list[int], worker: str, batch_size: int | None = None) -> BatchOutcome:
    """Claim, run the ML core once for the whole batch, write each frame's results."""
    batch_size = batch_size or settings.FUSQA_BATCH_SIZE
    # Models first: without an active model nothing is claimed, and the jobs wait for one.
    segmenter = model_cache.get(ModelKind.SEGMENTATION)
    assessor = model_cache.get(ModelKind.FUSQA)
    jobs = jobs_claim(job_ids=job_ids, worker=worker, fill_to=batch_size)
    outcome = BatchOutcome(skipped=[j for j in job_ids if j not in {job.id for job in jobs}])
    if not jobs:
        return outcome

    images: dict[int, np.ndarray] = {}
    for job in jobs:
        try:
            images[job.id] = frame_pixels(job.frame)
        except Exception as exc:  # noqa: BLE001 - an unreadable frame fails alone
            _job_fail(job, f"could not read the frame's pixels: {exc}", outcome)

    ready = [job for job in jobs if job.id in images]
    results = _run_models(ready, images, segmenter.model, assessor.model, outcome)
    _hold_while_a_test_asks()
    versions = {"segmentation_version": segmenter.model_version, "fusqa_version": assessor.model_version}
    try:
        _results_write_batch(results=results, **versions)
        outcome.done.extend(job.id for job in results)
        return outcome
    except Exception:  # noqa: BLE001 - e.g. a re-delivered frame in the batch: store frame by frame
        logger.info("batch write of %d results failed; writing them one by one", len(results), exc_info=True)
    for job, result in results.items():
        try:
            _results_write(job=job, result=result, **versions)
            outcome.done.append(job.id)
        except Exception as exc:  # noqa: BLE001 - one frame's failure must not block the batch
            logger.exception("job %s failed while writing results", job.id)
            _job_fail(job, f"could not store the results: {exc}", outcome)
    return outcome


_batches_held = 0


def _hold_while_a_test_asks() -> None:
    """Tests only (FUSQA_TEST_HOLD_DIR, never set in a deployment): with the batch claimed and computed but
    nothing written, announce `held-<n>` (n counts this process's batches) and wait for `release-<n>`, so a
    test can kill the worker with a batch certainly in flight."""
    global _batches_held
    folder = getattr(settings, "FUSQA_TEST_HOLD_DIR", "")
    if not folder:
        return
    _batches_held += 1
    Path(folder, f"held-{_batches_held}").touch()
    while not Path(folder, f"release-{_batches_held}").exists():
        time.sleep(0.01)


def _results_write_batch(*, results: dict, segmentation_version, fusqa_version) -> None:
    """The whole batch's masks, assessments and measurements in one transaction with a handful of
    queries. Any failure (a mask that already exists, say) rolls it all back; the caller then writes
    frame by frame."""
    if not results:
        return
    jobs = list(results)
    stored_names: list[str] = []
    masks = []
    storage = Mask._meta.get_field("data").storage
    try:
        with transaction.atomic():
            latest = dict(
                Mask.objects.filter(frame__in=[job.frame_id for job in jobs])
                .values("frame")
                .annotate(v=Max("version"))
                .values_list("frame", "v")
            )
            for job in jobs:
                mask = np.asarray(results[job].mask, dtype=bool)
                name = storage.save(
                    Mask._meta.get_field("data").generate_filename(
                        None, f"frame{job.frame_id}-{segmentation_version.pk}.png"
                    ),
                    ContentFile(mask_png(mask)),
                )
                stored_names.append(name)
                masks.append(
                    Mask(
                        frame_id=job.frame_id,
                        kind=MaskKind.MODEL,
                        version=(latest.get(job.frame_id) or 0) + 1,
                        model_version=segmentation_version,
                        area_px=int(mask.sum()),
                        data=name,
                    )
                )
            Mask.objects.bulk_create(masks)
            Assessment.objects.bulk_create(
                Assessment(
                    mask=mask,
                    model_version=fusqa_version,
                    p_good=float(results[job].p_good),
                    label=_label(results[job]),
                    reasons=list(results[job].reasons),
                    ood_score=results[job].ood_score,
                )
                for job, mask in zip(jobs, masks, strict=True)
            )
            Measurement.objects.bulk_create(
                _measurement(mask, results[job]) for job, mask in zip(jobs, masks, strict=True) if results[job].crl
            )
            now = timezone.now()
            found = [job.id for job in jobs if results[job].crl is not None]
            empty = [job.id for job in jobs if results[job].crl is None]
            running = ProcessingJob.objects.filter(status=JobStatus.RUNNING)
            running.filter(id__in=found).update(status=JobStatus.DONE, reason="", finished_at=now)
            running.filter(id__in=empty).update(status=JobStatus.DONE, reason=NO_FETUS, finished_at=now)
            quality_rollups_refresh(frame_ids=[job.frame_id for job in jobs])
    except BaseException:
        for name in stored_names:
            storage.delete(name)
        raise


NO_FETUS = "the model found no fetus in this frame"


def _label(result) -> str:
    """Unknown when the ML core says so (an implausible mask, or a pair unlike the training data), else
    good or poor at the configured threshold."""
    if result.verdict == Assessment.Label.UNKNOWN:
        return Assessment.Label.UNKNOWN
    return Assessment.Label.GOOD if result.p_good >= settings.FUSQA_GOOD_THRESHOLD else Assessment.Label.POOR


def _measurement(mask: Mask, result) -> Measurement:
    return measurement_row(mask=mask, crl=result.crl, ga=result.ga)


def measurement_row(*, mask: Mask, crl, ga) -> Measurement:
    """The unsaved Measurement of a mask's CRL (workers.ml.crl) and GA (workers.ml.ga)."""
    return Measurement(
        mask=mask,
        crl_mm=crl.crl_mm,
        p1_row=crl.p1[0],
        p1_col=crl.p1[1],
        p2_row=crl.p2[0],
        p2_col=crl.p2[1],
        ga_days=ga.days,
        formula=ga.formula,
        in_formula_range=ga.in_range,
    )


def _run_models(jobs, images, segmenter, assessor, outcome) -> dict:
    """One forward pass for the batch; if the batch fails, frame by frame, so a poisoned frame fails alone."""
    from workers.ml.inference import FramePipeline

    if not jobs:
        return {}
    pipeline = FramePipeline(
        segmenter, assessor, formula=settings.FUSQA_GA_FORMULA, threshold=settings.FUSQA_GOOD_THRESHOLD
    )
    spacing = {job.id: (job.frame.spacing_row_mm, job.frame.spacing_col_mm) for job in jobs}
    try:
        results = pipeline.run([images[job.id] for job in jobs], [spacing[job.id] for job in jobs])
        return dict(zip(jobs, results, strict=True))
    except Exception:  # noqa: BLE001
        logger.warning("batch of %d failed; retrying its frames one by one", len(jobs), exc_info=True)
    results = {}
    for job in jobs:
        try:
            results[job] = pipeline.run([images[job.id]], [spacing[job.id]])[0]
        except Exception as exc:  # noqa: BLE001
            _job_fail(job, f"the models could not process this frame: {exc}", outcome)
    return results


def frame_pixels(frame: Frame) -> np.ndarray:
    with frame.pixels.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    array = np.asarray(image.convert("L"), dtype=np.uint8)
    if array.shape != (frame.height, frame.width):
        raise ValueError(f"stored pixels are {array.shape[1]}x{array.shape[0]}, expected {frame.width}x{frame.height}")
    return array


def mask_png(mask: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(mask, dtype=bool).astype(np.uint8) * 255).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _results_write(*, job, result, segmentation_version, fusqa_version) -> None:
    """The model mask, its assessment and its measurement, in one transaction with the job's end."""
    frame = job.frame
    mask = np.asarray(result.mask, dtype=bool)
    p_good = float(result.p_good)
    label = _label(result)
    crl = result.crl

    if _model_mask_exists(frame, segmentation_version):
        # A re-delivered task: the results are already there; only the job needs closing.
        _job_finish(job, JobStatus.DONE, "")
        return
    stored = Mask(frame=frame, kind=MaskKind.MODEL, model_version=segmentation_version, area_px=int(mask.sum()))
    stored.data.save(f"frame{frame.pk}-{segmentation_version.pk}.png", ContentFile(mask_png(mask)), save=False)
    try:
        with transaction.atomic():
            stored.version = (Mask.objects.filter(frame=frame).aggregate(v=Max("version"))["v"] or 0) + 1
            stored.save(force_insert=True)
            Assessment.objects.create(
                mask=stored,
                model_version=fusqa_version,
                p_good=p_good,
                label=label,
                reasons=list(result.reasons),
                ood_score=result.ood_score,
            )
            if crl is not None:
                _measurement(stored, result).save()
            _job_finish(job, JobStatus.DONE, "" if crl is not None else NO_FETUS)
            quality_rollups_refresh(frame_ids=[frame.pk])
    except IntegrityError:
        # Another delivery of the same job stored its mask first: keep theirs, drop our file.
        stored.data.storage.delete(stored.data.name)
        if not _model_mask_exists(frame, segmentation_version):
            raise
        _job_finish(job, JobStatus.DONE, "")
    except BaseException:
        stored.data.storage.delete(stored.data.name)
        raise


def _model_mask_exists(frame: Frame, segmentation_version) -> bool:
    return Mask.objects.filter(frame=frame, kind=MaskKind.MODEL, model_version=segmentation_version).exists()


def _job_finish(job: ProcessingJob, status: str, reason: str) -> None:
    ProcessingJob.objects.filter(id=job.id, status=JobStatus.RUNNING).update(
        status=status, reason=reason, finished_at=timezone.now()
    )


def _job_fail(job: ProcessingJob, reason: str, outcome: BatchOutcome) -> None:
    with transaction.atomic():  # a failed frame counts as unknown on the dashboard
        _job_finish(job, JobStatus.FAILED, reason)
        quality_rollups_refresh(frame_ids=[job.frame_id])
    outcome.failed[job.id] = reason


def jobs_requeue_stuck(*, older_than_seconds: int | None = None, unqueued_grace_seconds: int = 5) -> list[int]:
    """The sweeper: jobs that never reached the broker, or whose worker is gone, go back to pending and are
    queued again. A running job is taken back as soon as the process that claimed it has missed
    FUSQA_HEARTBEAT_MISSES heartbeats (it died); failing that, once it has run longer than
    `older_than_seconds` (default FUSQA_STUCK_JOB_SECONDS), the last resort for a hung but living worker.
    A job taken back FUSQA_MAX_ATTEMPTS times fails instead: a frame that kills its worker must not loop.
    Claiming is conditional, so queuing a job twice never processes it twice."""
    from qa.services.jobs import jobs_enqueue

    now = timezone.now()
    if older_than_seconds is None:
        older_than_seconds = settings.FUSQA_STUCK_JOB_SECONDS
    bound = now - timezone.timedelta(seconds=older_than_seconds)
    lost = _jobs_lost_by_their_worker(bound)
    taken_back = []
    for job_id, attempts, frame_id in lost.values_list("id", "attempts", "frame_id"):
        # Conditional, like a claim: a worker finishing the job right now keeps it.
        if attempts >= settings.FUSQA_MAX_ATTEMPTS:
            reason = f"the worker died {attempts} times on this frame"
            with transaction.atomic():
                # The failed frame now counts as unknown on the dashboard: its rollup in the same transaction.
                if lost.filter(id=job_id).update(status=JobStatus.FAILED, reason=reason, finished_at=now):
                    quality_rollups_refresh(frame_ids=[frame_id])
                    logger.warning("job %s failed: %s", job_id, reason)
        elif lost.filter(id=job_id).update(status=JobStatus.PENDING, worker=""):
            taken_back.append(job_id)
    never_queued = Q(queued_at__isnull=True, created_at__lt=now - timezone.timedelta(seconds=unqueued_grace_seconds))
    stale = ProcessingJob.objects.filter(status=JobStatus.PENDING).filter(
        never_queued | Q(queued_at__lt=bound) | Q(id__in=taken_back)
    )
    job_ids = list(stale.order_by("id").values_list("id", flat=True))
    if job_ids:
        jobs_enqueue(job_ids=job_ids)
    _heartbeats_prune()
    return job_ids


def _jobs_lost_by_their_worker(bound):
    """Running jobs whose claiming process is silent, or that have run since before `bound`."""
    silent_for = timezone.timedelta(seconds=settings.FUSQA_HEARTBEAT_SECONDS * settings.FUSQA_HEARTBEAT_MISSES)
    # The database's clock on both sides: the heartbeat is written with Now() too.
    silent = WorkerHeartbeat.objects.filter(name=OuterRef("worker"), beat_at__lt=Now() - silent_for)
    return ProcessingJob.objects.filter(status=JobStatus.RUNNING).filter(Q(started_at__lt=bound) | Exists(silent))


def _heartbeats_prune() -> None:
    """Forget processes silent for a day that hold no job; the rows are only there for the join above."""
    holding = ProcessingJob.objects.filter(status=JobStatus.RUNNING).values("worker")
    WorkerHeartbeat.objects.filter(beat_at__lt=Now() - timezone.timedelta(days=1)).exclude(name__in=holding).delete()
