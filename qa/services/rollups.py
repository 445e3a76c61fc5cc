"""The dashboard's rollups (qa.models.DailyQuality): one row per hospital x machine x day, rewritten for the
days a write touches, in the same transaction as that write, so a new result shows on the very next request.

Which verdict a frame counts with (the same rule everywhere, `frame_verdicts`):
- its latest assessment of a model mask (latest by creation: each was made by the FUSQA model active at the
  time, and a re-assessment after a new model's activation replaces the older verdict), labelled good, poor
  or unknown;
- no assessment and its latest processing job failed: unknown;
- no assessment otherwise (pending, running, never queued): not counted at all.
A frame's day is its study's exam date, or the frame's upload date (UTC) when the exam date is missing.

Every write that changes a frame's verdict must call `quality_rollups_refresh` (processing does, for results
and failures); anything else is put right by `manage.py rebuild_rollups`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from qa.models import Assessment, DailyQuality, Frame, Hospital, JobStatus, MaskKind, Measurement, ProcessingJob
from qa.quality_math import ga_bin

Key = tuple[int, int | None, date]  # hospital, machine (None: unknown machine), day

# First half of the two-int advisory lock key: "rollups". The second is the hospital's id.
_LOCK_NAMESPACE = 0x524F4C4C


@dataclass(frozen=True)
class FrameVerdict:
    frame_id: int
    key: Key
    label: str | None  # good, poor, unknown; None: not counted
    measured_ga_days: float | None
    reported_ga_days: float | None


def _day_of(exam_date: date | None, uploaded_at: datetime) -> date:
    return exam_date if exam_date is not None else uploaded_at.astimezone(UTC).date()


def _frame_keys(frame_ids: Iterable[int]) -> dict[int, tuple[Key, float | None]]:
    # Phantom known-answer frames (Study.known_answer) are never counted: no rollup, so no drift alert either.
    rows = Frame.objects.filter(id__in=list(frame_ids), study__known_answer=False).values_list(
        "id", "hospital_id", "study__machine_id", "study__exam_date", "created_at", "study__reported_ga_days"
    )
    return {
        frame_id: ((hospital_id, machine_id, _day_of(exam_date, created_at)), reported)
        for frame_id, hospital_id, machine_id, exam_date, created_at, reported in rows
    }


def _first_per(rows) -> dict:
    """The first row per leading value of rows already ordered by it (latest first within each)."""
    first: dict = {}
    for lead, *rest in rows:
        first.setdefault(lead, rest)
    return first


def frame_verdicts(frame_ids: Iterable[int]) -> list[FrameVerdict]:
    """The verdict each frame counts with on the dashboard (see the module's docstring), in four queries."""
    keys = _frame_keys(frame_ids)
    ids = list(keys)
    latest = _first_per(
        Assessment.objects.filter(mask__frame_id__in=ids, mask__kind=MaskKind.MODEL)
        .order_by("mask__frame_id", "-created_at", "-id")
        .values_list("mask__frame_id", "mask_id", "label")
    )
    ga_by_mask = _first_per(
        Measurement.objects.filter(mask_id__in=[mask_id for mask_id, _ in latest.values()])
        .order_by("mask_id", "-created_at", "-id")
        .values_list("mask_id", "ga_days")
    )
    unassessed = [frame_id for frame_id in ids if frame_id not in latest]
    latest_job = _first_per(
        ProcessingJob.objects.filter(frame_id__in=unassessed)
        .order_by("frame_id", "-created_at", "-id")
        .values_list("frame_id", "status")
    )
    verdicts = []
    for frame_id, (key, reported) in keys.items():
        if frame_id in latest:
            mask_id, label = latest[frame_id]
            measured = ga_by_mask.get(mask_id, [None])[0]
        else:
            failed = latest_job.get(frame_id, [None])[0] == JobStatus.FAILED
            label, measured = (Assessment.Label.UNKNOWN if failed else None), None
        verdicts.append(FrameVerdict(frame_id, key, label, measured, reported))
    return verdicts


def _row(key: Key) -> DailyQuality:
    hospital_id, machine_id, day = key
    return DailyQuality(hospital_id=hospital_id, machine_id=machine_id, day=day)


def rollups_add(rows: dict[Key, DailyQuality], verdicts: Iterable[FrameVerdict]) -> None:
    """Count the verdicts into the rows of their keys (made as needed)."""
    for verdict in verdicts:
        if verdict.label is None:
            continue
        row = rows.get(verdict.key)
        if row is None:
            row = rows[verdict.key] = _row(verdict.key)
        label = verdict.label
        setattr(row, label, getattr(row, label) + 1)
        if label == Assessment.Label.UNKNOWN:
            continue
        if verdict.reported_ga_days is None:
            setattr(row, f"{label}_without_reported_ga", getattr(row, f"{label}_without_reported_ga") + 1)
        elif verdict.measured_ga_days is None:
            setattr(row, f"{label}_without_measured_ga", getattr(row, f"{label}_without_measured_ga") + 1)
        else:
            discrepancy = verdict.measured_ga_days - verdict.reported_ga_days
            setattr(row, f"ga_{label}_count", getattr(row, f"ga_{label}_count") + 1)
            setattr(row, f"ga_{label}_abs_sum", getattr(row, f"ga_{label}_abs_sum") + abs(discrepancy))
            row.ga_histogram[label][ga_bin(discrepancy)] += 1


def _lock_hospitals(hospital_ids: Iterable[int]) -> None:
    """Writers of one hospital's rollups take turns until their transaction ends, so each recount reads the
    other's committed rows (READ COMMITTED takes a new snapshot per statement). Sorted: no deadlock.
    SQLite (the demo) has one writer at a time anyway."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for hospital_id in sorted(set(hospital_ids)):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, hospital_id])


def frames_of_days(keys: set[Key]) -> list[int]:
    """Every frame counted on these days (hospital x machine x day), whatever its verdict."""
    condition = Q()
    for hospital_id, machine_id, day in keys:
        machine = Q(study__machine_id=machine_id) if machine_id is not None else Q(study__machine__isnull=True)
        start = datetime.combine(day, time.min, tzinfo=UTC)
        on_day = Q(study__exam_date=day) | Q(
            study__exam_date__isnull=True, created_at__gte=start, created_at__lt=start + timedelta(days=1)
        )
        condition |= Q(hospital_id=hospital_id) & machine & on_day
    return list(Frame.objects.filter(condition, study__known_answer=False).values_list("id", flat=True))


def _rewrite(keys: set[Key]) -> int:
    rows: dict[Key, DailyQuality] = {}
    rollups_add(rows, frame_verdicts(frames_of_days(keys)))
    stale = Q()
    for hospital_id, machine_id, day in keys:
        stale |= Q(hospital_id=hospital_id, day=day) & (
            Q(machine_id=machine_id) if machine_id is not None else Q(machine__isnull=True)
        )
    DailyQuality.objects.filter(stale).delete()
    DailyQuality.objects.bulk_create(rows.values())
    return len(keys)


def quality_rollups_refresh(*, frame_ids: Iterable[int]) -> int:
    """Recount the days (hospital x machine x day) of these frames from the stored rows. The cost is that of
    the frames of those days, whatever the history. Returns how many days were rewritten."""
    keys = {key for key, _ in _frame_keys(frame_ids).values()}
    if not keys:
        return 0
    with transaction.atomic():
        _lock_hospitals(hospital_id for hospital_id, _, _ in keys)
        return _rewrite(keys)


def quality_rollups_rebuild(*, chunk_size: int = 20_000) -> int:
    """Every rollup row from scratch, reading frames in id order a chunk at a time. Results written while it
    runs are recounted at the end (their days are rewritten under the lock). Returns the rows written."""
    started = timezone.now()
    rows: dict[Key, DailyQuality] = {}
    last_id = 0
    while True:
        ids = list(Frame.objects.filter(id__gt=last_id).order_by("id").values_list("id", flat=True)[:chunk_size])
        if not ids:
            break
        rollups_add(rows, frame_verdicts(ids))
        last_id = ids[-1]
    with transaction.atomic():
        _lock_hospitals(Hospital.objects.values_list("id", flat=True))
        DailyQuality.objects.all().delete()
        DailyQuality.objects.bulk_create(rows.values(), batch_size=5_000)
        # Three plain queries rather than one OR across joins, which would read every frame again.
        touched = set(Frame.objects.filter(id__gt=last_id).values_list("id", flat=True))
        touched |= set(Assessment.objects.filter(created_at__gte=started).values_list("mask__frame_id", flat=True))
        touched |= set(ProcessingJob.objects.filter(finished_at__gte=started).values_list("frame_id", flat=True))
        late_keys = {key for key, _ in _frame_keys(touched).values()}
        if late_keys:
            _rewrite(late_keys)
        return DailyQuality.objects.count()
