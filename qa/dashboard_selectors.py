"""Reads of the dashboard and its drift alerts, scoped by qa.permissions; nothing here writes.

The dashboard reads only the rollups (qa.models.DailyQuality, one row per hospital x machine x day), in one
query, so its cost follows the period and the number of machines asked for, never the frames stored.
Counted verdicts: see qa.services.rollups (pending frames are not counted; failed ones count as unknown).
The poor rate is poor / (good + poor): of the masks FUSQA could judge, the share judged poor; unknown
verdicts (out of distribution, implausible mask, failed processing) are counted apart, not in the rate.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import F, JSONField, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from qa.frame_quality import with_verdict
from qa.models import Assessment, DailyQuality, DriftAlert, Frame, Hospital, Machine, User
from qa.permissions import hospitals_visible_to, scope_to_user
from qa.quality_math import GA_BIN_COUNT, ga_bin_bounds, wilson_interval

BUCKETS = ("day", "week", "month")


def bucket_start(day: date, bucket: str) -> date:
    """Days, ISO weeks (from Monday) or calendar months."""
    if bucket == "day":
        return day
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    raise ValueError(f"unknown bucket {bucket!r}")


def bucket_starts(start: date, end: date, bucket: str) -> list[date]:
    """Every bucket that overlaps [start, end], empty ones too, so a chart has no holes. The first may
    begin before `start`; it then holds only the days from `start` on."""
    starts, current = [], bucket_start(start, bucket)
    while current <= end:
        starts.append(current)
        if bucket == "day":
            current += timedelta(days=1)
        elif bucket == "week":
            current += timedelta(days=7)
        else:
            current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
    return starts


@dataclass
class Tally:
    good: int = 0
    poor: int = 0
    unknown: int = 0

    def add(self, good: int, poor: int, unknown: int) -> None:
        self.good += good
        self.poor += poor
        self.unknown += unknown

    def as_dict(self) -> dict:
        rate = wilson_interval(self.poor, self.good + self.poor)
        return {
            "frames": self.good + self.poor + self.unknown,
            "good": self.good,
            "poor": self.poor,
            "unknown": self.unknown,
            "poor_rate": rate.value,
            "poor_rate_low": rate.low,
            "poor_rate_high": rate.high,
        }


@dataclass
class SeriesTally:
    starts: list[date]
    bucket: str
    total: Tally = field(default_factory=Tally)
    buckets: dict[date, Tally] = field(default_factory=dict)

    def add(self, day: date, good: int, poor: int, unknown: int) -> None:
        self.total.add(good, poor, unknown)
        self.buckets.setdefault(bucket_start(day, self.bucket), Tally()).add(good, poor, unknown)

    def as_dict(self) -> dict:
        series = [{"bucket_start": s, **self.buckets.get(s, Tally()).as_dict()} for s in self.starts]
        return {**self.total.as_dict(), "series": series}


@dataclass
class GaTally:
    count: int = 0
    abs_sum: float = 0.0
    histogram: list[int] = field(default_factory=lambda: [0] * GA_BIN_COUNT)
    without_reported_ga: int = 0
    without_measured_ga: int = 0

    def as_dict(self) -> dict:
        return {
            "count": self.count,
            "mean_abs_days": self.abs_sum / self.count if self.count else None,
            "histogram": [
                {"low_days": low, "high_days": high, "count": n}
                for (low, high), n in zip(ga_bin_bounds(), self.histogram, strict=True)
            ],
            "without_reported_ga": self.without_reported_ga,
            "without_measured_ga": self.without_measured_ga,
        }


_ROLLUP_FIELDS = (
    "hospital_id",
    "machine_id",
    "day",
    "good",
    "poor",
    "unknown",
    "ga_good_count",
    "ga_good_abs_sum",
    "ga_poor_count",
    "ga_poor_abs_sum",
    "ga_histogram",
    "good_without_reported_ga",
    "poor_without_reported_ga",
    "good_without_measured_ga",
    "poor_without_measured_ga",
)


def _machine_ref(machine: Machine | None) -> dict | None:
    if machine is None:
        return None
    return {"id": machine.id, "manufacturer": machine.manufacturer, "model_name": machine.model_name}


def dashboard_get(
    *,
    user: User,
    hospital_id: int | None = None,
    machine_id: int | None = None,
    start: date,
    end: date,
    bucket: str = "week",
) -> dict:
    """Counts, poor rates with 95 % Wilson intervals and GA discrepancy over [start, end] (both included):
    for the whole selection, per bucket, per machine and per hospital (each with its own series).

    Without `hospital_id` the selection is every hospital the user sees (every hospital for an admin), side
    by side in `hospitals`. A hospital or machine the user does not see answers 404, as one that does not
    exist. Machines without results in the period are listed with zero counts; frames whose study names no
    machine are grouped under `machine: null`."""
    hospitals = hospitals_visible_to(user)
    if hospital_id is not None:
        hospitals = hospitals.filter(pk=hospital_id)
    hospital_list = list(hospitals.order_by("name", "id"))
    if hospital_id is not None and not hospital_list:
        raise Http404(f"No hospital with id {hospital_id}.")
    machine_list = list(
        Machine.objects.filter(hospital__in=[h.id for h in hospital_list]).order_by(
            "hospital__name", "manufacturer", "model_name", "id"
        )
    )
    if machine_id is not None:
        machine_list = [m for m in machine_list if m.id == machine_id]
        if not machine_list:
            raise Http404(f"No machine with id {machine_id}.")

    rows = DailyQuality.objects.filter(hospital__in=[h.id for h in hospital_list], day__gte=start, day__lte=end)
    if machine_id is not None:
        rows = rows.filter(machine_id=machine_id)
    # One pass over the rows into (hospital, machine, bucket) cells, plain sums and the histograms; the
    # series, machines and hospitals are then built from the few cells (this loop is the request's cost).
    cells: dict[tuple[int, int | None, date], list[int]] = {}
    bucket_of: dict[date, date] = {}
    sums = [0] * 4  # GA count and |sum| of good, then of poor
    lacking = [0] * 4  # good and poor without a reported GA, then without a measured one
    histograms: dict[str, list[list[int]]] = {"good": [], "poor": []}
    for hospital, machine, day, good, poor, unknown, *ga, histogram, g_rep, p_rep, g_meas, p_meas in rows.values_list(
        *_ROLLUP_FIELDS
    ):
        first_day = bucket_of.get(day)
        if first_day is None:
            first_day = bucket_of[day] = bucket_start(day, bucket)
        cell = cells.get((hospital, machine, first_day))
        if cell is None:
            cell = cells[(hospital, machine, first_day)] = [0, 0, 0]
        cell[0] += good
        cell[1] += poor
        cell[2] += unknown
        sums[0] += ga[0]
        sums[1] += ga[1]
        sums[2] += ga[2]
        sums[3] += ga[3]
        lacking[0] += g_rep
        lacking[1] += p_rep
        lacking[2] += g_meas
        lacking[3] += p_meas
        histograms["good"].append(histogram["good"])
        histograms["poor"].append(histogram["poor"])

    starts = bucket_starts(start, end, bucket)
    overall = SeriesTally(starts, bucket)
    per_hospital = {h.id: SeriesTally(starts, bucket) for h in hospital_list}
    per_machine = {(m.hospital_id, m.id): SeriesTally(starts, bucket) for m in machine_list}
    for (hospital, machine, first_day), counts in cells.items():
        overall.add(first_day, *counts)
        per_hospital[hospital].add(first_day, *counts)
        if (hospital, machine) not in per_machine:  # studies without a machine
            per_machine[(hospital, machine)] = SeriesTally(starts, bucket)
        per_machine[(hospital, machine)].add(first_day, *counts)
    ga = {
        label: GaTally(
            count=sums[2 * i],
            abs_sum=sums[2 * i + 1],
            histogram=[sum(column) for column in zip(*histograms[label], strict=True)] or [0] * GA_BIN_COUNT,
            without_reported_ga=lacking[i],
            without_measured_ga=lacking[2 + i],
        )
        for i, label in enumerate(("good", "poor"))
    }

    machine_by_id = {m.id: m for m in machine_list}
    hospital_by_id = {h.id: h for h in hospital_list}
    return {
        "period": {"from": start, "to": end, "bucket": bucket},
        "totals": overall.total.as_dict(),
        "series": overall.as_dict()["series"],
        "machines": [
            {"hospital": hospital, "machine": _machine_ref(machine_by_id.get(machine)), **tally.as_dict()}
            for (hospital, machine), tally in sorted(
                per_machine.items(), key=lambda item: (_hospital_order(hospital_list, item[0][0]), item[0][1] is None)
            )
        ],
        "hospitals": [
            {"hospital": _hospital_ref(hospital_by_id[h]), **tally.as_dict()} for h, tally in per_hospital.items()
        ],
        "ga_discrepancy": {label: tally.as_dict() for label, tally in ga.items()},
    }


def _hospital_order(hospitals: list[Hospital], hospital_id: int) -> int:
    return next(i for i, h in enumerate(hospitals) if h.id == hospital_id)


def _hospital_ref(hospital: Hospital) -> dict:
    return {"id": hospital.id, "name": hospital.name, "slug": hospital.slug}


# The frames behind a point or a row


def dashboard_frame_list(
    *,
    user: User,
    hospital_id: int | None = None,
    machine_id: int | None = None,
    no_machine: bool = False,
    start: date,
    end: date,
    verdict: str | None = None,
) -> QuerySet[Frame]:
    """The counted frames of [start, end] (days as the dashboard counts them), worst first: lowest p(good)
    first, then unknown verdicts (no p(good)), then newest day first. The same scoping and 404s as
    `dashboard_get`; `no_machine` keeps only studies that name no machine (the dashboard's `machine: null`)."""
    hospitals = hospitals_visible_to(user)
    if hospital_id is not None:
        if not hospitals.filter(pk=hospital_id).exists():
            raise Http404(f"No hospital with id {hospital_id}.")
        hospitals = hospitals.filter(pk=hospital_id)
    frames = with_verdict(
        Frame.objects.filter(hospital__in=hospitals, study__known_answer=False).select_related(
            "hospital", "study", "study__machine"
        )
    ).filter(_counted_between(start, end), verdict__isnull=False)
    if machine_id is not None:
        if not Machine.objects.filter(pk=machine_id, hospital__in=hospitals).exists():
            raise Http404(f"No machine with id {machine_id}.")
        frames = frames.filter(study__machine_id=machine_id)
    elif no_machine:
        frames = frames.filter(study__machine__isnull=True)
    if verdict is not None:
        frames = frames.filter(verdict=verdict)
    reasons = Assessment.objects.filter(mask_id=OuterRef("verdict_mask_id"), label=Assessment.Label.UNKNOWN)
    frames = frames.annotate(
        verdict_reasons=Subquery(reasons.order_by("-created_at", "-id").values("reasons")[:1], output_field=JSONField())
    )
    return frames.order_by(F("verdict_p_good").asc(nulls_last=True), "-counted_on", "-id")


def _counted_between(start: date, end: date) -> Q:
    """Frames counted on days start..end, as conditions the indexes serve (study_hospital_exam_date,
    frame_hospital_created) rather than on the computed day."""
    first = datetime.combine(start, time.min, tzinfo=UTC)
    after = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    return Q(study__exam_date__gte=start, study__exam_date__lte=end) | Q(
        study__exam_date__isnull=True, created_at__gte=first, created_at__lt=after
    )


# Drift alerts


def alert_list(*, user: User, hospital_id: int | None = None, state: str | None = None) -> QuerySet[DriftAlert]:
    """`state`: open (not yet acknowledged) or acknowledged; newest first."""
    alerts = scope_to_user(DriftAlert.objects.select_related("hospital", "machine", "acknowledged_by"), user)
    if hospital_id is not None:
        alerts = alerts.filter(hospital_id=hospital_id)
    if state == "open":
        alerts = alerts.filter(acknowledged_at__isnull=True)
    elif state == "acknowledged":
        alerts = alerts.filter(acknowledged_at__isnull=False)
    return alerts.order_by("-detected_at", "-id")


def alert_get(*, user: User, alert_id: int) -> DriftAlert:
    try:
        return alert_list(user=user).get(pk=alert_id)
    except DriftAlert.DoesNotExist:
        raise Http404(f"No alert with id {alert_id}.") from None
