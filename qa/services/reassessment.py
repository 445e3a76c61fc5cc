"""Re-judging the recent frames after a model version is activated, in the background, with progress.

`reassessment_start` (called by the activation, qa.services.model_registry.model_version_activate) records which
frames: those counted on one of the last FUSQA_REASSESS_DAYS days (exam date, else upload day; the dashboard's
day) that existed then. A task on the gpu queue (workers.tasks.reassessment) then takes them in batches of
FUSQA_REASSESS_BATCH, oldest id first, each batch one `reassessment_step`, and queues the next:

- a FUSQA version: the frame's latest model mask gets an Assessment by the new version, marked with this
  re-assessment (one per mask and re-assessment, so a re-delivered batch adds nothing; a version rolled back to
  judges again), which from then on is the verdict the frame counts with (qa.services.rollups: the latest
  assessment of a model mask), rollups refreshed in the same transaction;
- a segmentation version: the frame goes through the whole pipeline again as a processing job (a new model
  mask by the new version, assessed by the active FUSQA version, measured), claimed by this task itself.

Progress (`done` of `total`, `changed`: frames whose verdict changed) is written after every batch. Frames that
arrive meanwhile are judged by the new version anyway. When another version of the same kind is activated
before the end, this re-assessment stops as `superseded`: the newer one re-judges the same frames.
"""

import datetime as dt
import io
import logging

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.db.models.functions import Coalesce, Least, TruncDate
from django.utils import timezone
from PIL import Image

from qa.models import (
    Assessment,
    Frame,
    JobStatus,
    Mask,
    MaskKind,
    ModelKind,
    ModelStatus,
    ModelVersion,
    ProcessingJob,
    Reassessment,
    ReassessmentStatus,
)

logger = logging.getLogger(__name__)

REASSESS_TASK = "workers.tasks.reassessment.reassess_batch"
OPEN = (ReassessmentStatus.PENDING, ReassessmentStatus.RUNNING)


def reassessment_frames(*, since: dt.date, last_frame: int):
    """The frames a re-assessment covers: counted on `since` or later, up to id `last_frame`, with a result."""
    return (
        Frame.objects.filter(id__lte=last_frame, masks__kind=MaskKind.MODEL)
        .annotate(day=Coalesce("study__exam_date", TruncDate("created_at", tzinfo=dt.UTC)))
        .filter(day__gte=since)
        .distinct()
    )


def reassessment_start(model_version: ModelVersion, *, days: int | None = None) -> Reassessment:
    """Record the re-assessment of the recent frames by `model_version` (just activated) and queue its first
    batch once the caller's transaction commits. Open re-assessments of the same kind are superseded."""
    days = settings.FUSQA_REASSESS_DAYS if days is None else days
    Reassessment.objects.filter(model_version__kind=model_version.kind, status__in=OPEN).update(
        status=ReassessmentStatus.SUPERSEDED, finished_at=timezone.now()
    )
    since = timezone.localdate() - dt.timedelta(days=max(days, 1) - 1)
    last_frame = Frame.objects.aggregate(m=Max("id"))["m"] or 0
    reassessment = Reassessment.objects.create(
        model_version=model_version,
        since=since,
        last_frame=last_frame,
        total=reassessment_frames(since=since, last_frame=last_frame).count(),
    )
    transaction.on_commit(lambda: reassessment_enqueue(reassessment_id=reassessment.pk))
    return reassessment


def reassessment_enqueue(*, reassessment_id: int) -> None:
    from fusqa_web.celery import app as celery_app

    try:
        celery_app.send_task(REASSESS_TASK, args=[reassessment_id], queue=settings.FUSQA_GPU_QUEUE)
    except Exception as exc:  # noqa: BLE001 - the activation stands; the re-assessment waits for a resume
        logger.warning("could not queue re-assessment %s: %s", reassessment_id, exc)


def reassessment_progress(*, model_version: ModelVersion) -> dict | None:
    """The latest re-assessment by this version: {id, status, since, total, done, changed, progress, ...}."""
    reassessment = model_version.reassessments.order_by("-created_at", "-id").first()
    return None if reassessment is None else reassessment_as_dict(reassessment)


def reassessment_as_dict(reassessment: Reassessment) -> dict:
    return {
        "id": reassessment.pk,
        "model_version": reassessment.model_version_id,
        "status": reassessment.status,
        "since": reassessment.since,
        "total": reassessment.total,
        "done": reassessment.done,
        "changed": reassessment.changed,
        "progress": reassessment.progress,
        "error": reassessment.error,
        "created_at": reassessment.created_at,
        "started_at": reassessment.started_at,
        "finished_at": reassessment.finished_at,
    }


def reassessments_requeue_stale(*, older_than_seconds: int | None = None) -> list[int]:
    """The sweeper's part: an open re-assessment with no batch written for `older_than_seconds` (default
    FUSQA_STUCK_JOB_SECONDS) lost its task (never queued, or its worker and the redelivery are gone): queue its
    next batch again. Steps are idempotent, so a task that was only slow costs one duplicate batch at most."""
    seconds = settings.FUSQA_STUCK_JOB_SECONDS if older_than_seconds is None else older_than_seconds
    now = timezone.now()
    bound = now - dt.timedelta(seconds=seconds)
    stale = Reassessment.objects.filter(status__in=OPEN).filter(
        Q(heartbeat_at__lt=bound) | Q(heartbeat_at__isnull=True, created_at__lt=bound)
    )
    ids = []
    for pk in stale.values_list("pk", flat=True):
        # Conditional, like a claim: two sweepers re-queue it once.
        if stale.filter(pk=pk).update(heartbeat_at=now):
            reassessment_enqueue(reassessment_id=pk)
            ids.append(pk)
    return ids


def reassessment_step(*, reassessment_id: int, worker: str = "reassessment", batch_size: int | None = None) -> bool:
    """Re-judge the next batch; True while more remain (the task then queues the next step)."""
    batch_size = batch_size or settings.FUSQA_REASSESS_BATCH
    reassessment = Reassessment.objects.select_related("model_version").get(pk=reassessment_id)
    if reassessment.status not in OPEN:
        return False
    version = reassessment.model_version
    if not ModelVersion.objects.filter(pk=version.pk, status=ModelStatus.ACTIVE).exists():
        _finish(reassessment, ReassessmentStatus.SUPERSEDED)
        return False
    Reassessment.objects.filter(pk=reassessment.pk, status=ReassessmentStatus.PENDING).update(
        status=ReassessmentStatus.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now()
    )
    frame_ids = list(
        reassessment_frames(since=reassessment.since, last_frame=reassessment.last_frame)
        .filter(id__gt=reassessment.cursor)
        .order_by("id")
        .values_list("id", flat=True)[:batch_size]
    )
    if not frame_ids:
        _finish(reassessment, ReassessmentStatus.DONE)
        return False
    try:
        before = _verdicts(frame_ids)
        if version.kind == ModelKind.FUSQA:
            _assess_again(frame_ids, reassessment)
        else:
            _segment_again(frame_ids, worker)
        after = _verdicts(frame_ids)
    except Exception as exc:
        logger.exception("re-assessment %s failed", reassessment.pk)
        _finish(reassessment, ReassessmentStatus.FAILED, error=str(exc)[:2000])
        raise
    changed = sum(1 for frame_id in frame_ids if before.get(frame_id) != after.get(frame_id))
    # Conditional on the cursor: a re-delivered step that raced this one counts its batch once.
    Reassessment.objects.filter(pk=reassessment.pk, cursor=reassessment.cursor).update(
        cursor=frame_ids[-1],
        heartbeat_at=timezone.now(),
        done=Least(F("done") + len(frame_ids), reassessment.total),
        changed=F("changed") + changed,
    )
    return True


def _finish(reassessment: Reassessment, status: str, *, error: str = "") -> None:
    fields = {"status": status, "finished_at": timezone.now(), "error": error}
    if status == ReassessmentStatus.DONE:
        fields["done"] = F("total")
    Reassessment.objects.filter(pk=reassessment.pk, status__in=OPEN).update(**fields)


def _verdicts(frame_ids: list[int]) -> dict[int, str]:
    """Each frame's counted verdict now (its latest assessment of a model mask)."""
    verdicts: dict[int, str] = {}
    rows = (
        Assessment.objects.filter(mask__frame_id__in=frame_ids, mask__kind=MaskKind.MODEL)
        .order_by("mask__frame_id", "-created_at", "-id")
        .values_list("mask__frame_id", "label")
    )
    for frame_id, label in rows:
        verdicts.setdefault(frame_id, label)
    return verdicts


def _latest_model_masks(frame_ids: list[int]) -> list[Mask]:
    latest: dict[int, Mask] = {}
    for mask in (
        Mask.objects.filter(frame_id__in=frame_ids, kind=MaskKind.MODEL)
        .select_related("frame")
        .order_by("frame_id", "-version")
    ):
        latest.setdefault(mask.frame_id, mask)
    return list(latest.values())


def _assess_again(frame_ids: list[int], reassessment: Reassessment) -> None:
    from qa.services.model_registry import model_cache
    from qa.services.processing import frame_pixels
    from qa.services.rollups import quality_rollups_refresh

    version = reassessment.model_version
    judged_already = set(
        reassessment.assessments.filter(mask__frame_id__in=frame_ids).values_list("mask_id", flat=True)
    )
    masks = [mask for mask in _latest_model_masks(frame_ids) if mask.pk not in judged_already]
    if not masks:
        return
    assessor = model_cache.get(ModelKind.FUSQA)
    if assessor.model_version.pk != version.pk:
        return  # another version became active meanwhile: the next step notices and stops
    images = [frame_pixels(mask.frame) for mask in masks]
    arrays = [_mask_array(mask) for mask in masks]
    spacings = [(mask.frame.spacing_row_mm, mask.frame.spacing_col_mm) for mask in masks]
    judged = assessment_judge(assessor.model, images, arrays, spacings)
    with transaction.atomic():
        for mask, (p_good, label) in zip(masks, judged, strict=True):
            try:
                with transaction.atomic():
                    Assessment.objects.create(
                        mask=mask, model_version=version, p_good=p_good, label=label, reassessment=reassessment
                    )
            except IntegrityError:
                pass  # a re-delivered step judged it already
        quality_rollups_refresh(frame_ids=[mask.frame_id for mask in masks])


def assessment_judge(assessor, images, masks, spacings) -> list[tuple[float, str]]:
    """(p_good, label) per pair, by the same rule as processing: the model's own verdict where it gives one
    (good / poor / unknown), else good at FUSQA_GOOD_THRESHOLD."""
    threshold = settings.FUSQA_GOOD_THRESHOLD
    if hasattr(assessor, "assess"):
        return [(float(a.p_good), a.verdict) for a in assessor.assess(images, masks, spacings, threshold=threshold)]
    return [
        (float(p), Assessment.Label.GOOD if p >= threshold else Assessment.Label.POOR)
        for p in assessor.predict(images, masks)
    ]


def _mask_array(mask: Mask) -> np.ndarray:
    with mask.data.open("rb") as handle:
        return np.asarray(Image.open(io.BytesIO(handle.read())).convert("L")) > 0


def _segment_again(frame_ids: list[int], worker: str) -> None:
    """The frames through the whole pipeline again, as processing jobs this step claims itself (a frame with a
    job still open is left to it: it will be judged by the active versions anyway)."""
    from qa.services.processing import jobs_process

    busy = set(
        ProcessingJob.objects.filter(frame_id__in=frame_ids)
        .filter(Q(status=JobStatus.PENDING) | Q(status=JobStatus.RUNNING))
        .values_list("frame_id", flat=True)
    )
    jobs = []
    for frame_id in frame_ids:
        if frame_id in busy:
            continue
        try:
            with transaction.atomic():
                jobs.append(ProcessingJob.objects.create(frame_id=frame_id, status=JobStatus.PENDING))
        except IntegrityError:
            pass  # a job opened meanwhile
    if jobs:
        jobs_process(job_ids=[job.id for job in jobs], worker=worker, batch_size=len(jobs))
