"""Drift alerts: evaluate the rule on every hospital's rollups (a beat job), and acknowledge an alert.

Per hospital, the rule (qa.drift_rules: Bernoulli CUSUM on the poor rate) watches each machine and the
hospital as a whole (studies without a machine count only there). Each series' baseline is its own poor
rate over the reference period (DriftSettings; by default the first `reference_days` days with results at
the hospital); a series with fewer than `min_reference_frames` judged frames there is not watched. The days
after the reference period are evaluated in full on every run, so a run is idempotent and late results are
taken into account; an episode is stored once and updated while it lasts.
"""

from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from qa.dashboard_selectors import alert_get
from qa.drift_rules import DayCount, Episode, baseline_rate, bernoulli_cusum_episodes
from qa.errors import FusqaError, NotAllowed
from qa.models import AuditAction, DailyQuality, DriftAlert, DriftRule, DriftSettings, Hospital, User
from qa.permissions import can_acknowledge_alerts_in
from qa.services.audit import audit_record

HOSPITAL_WIDE = None  # the machine of a hospital-wide series


def drift_settings_for(hospital: Hospital) -> DriftSettings:
    """The hospital's settings, or the defaults (unsaved) when it has none."""
    try:
        return hospital.drift_settings
    except DriftSettings.DoesNotExist:
        return DriftSettings(hospital=hospital)


def _reference_period(settings: DriftSettings, first_day: date) -> tuple[date, date]:
    start = settings.reference_start or first_day
    end = settings.reference_end or start + timedelta(days=settings.reference_days - 1)
    return start, end


def drift_alerts_evaluate(*, today: date | None = None) -> list[DriftAlert]:
    """Run the rule for every hospital; returns the alerts raised or updated."""
    today = today or timezone.localdate()
    touched: list[DriftAlert] = []
    for hospital in Hospital.objects.select_related("drift_settings").order_by("id"):
        touched += drift_alerts_evaluate_hospital(hospital=hospital, today=today)
    return touched


def drift_alerts_evaluate_hospital(*, hospital: Hospital, today: date) -> list[DriftAlert]:
    settings = drift_settings_for(hospital)
    if not settings.enabled:
        return []
    rows = list(
        DailyQuality.objects.filter(hospital=hospital, day__lte=today)
        .order_by("day")
        .values_list("machine_id", "day", "good", "poor")
    )
    if not rows:
        return []
    reference = _reference_period(settings, rows[0][1])
    # Per series: day -> [poor, judged]. The hospital-wide series sums every machine, and unknown machines.
    series: dict[int | None, dict[date, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for machine_id, day, good, poor in rows:
        # A tuple, not a set: the series (and so the alerts) come out in the same order every run.
        for key in (machine_id, HOSPITAL_WIDE) if machine_id is not None else (HOSPITAL_WIDE,):
            series[key][day][0] += poor
            series[key][day][1] += good + poor
    touched = []
    for machine_id, days in series.items():
        ref_poor = sum(p for d, (p, _) in days.items() if reference[0] <= d <= reference[1])
        ref_judged = sum(n for d, (_, n) in days.items() if reference[0] <= d <= reference[1])
        if ref_judged < settings.min_reference_frames:
            continue
        p0 = baseline_rate(ref_poor, ref_judged)
        watched = [DayCount(d, p, n) for d, (p, n) in sorted(days.items()) if d > reference[1]]
        for episode in bernoulli_cusum_episodes(
            watched, p0=p0, shift_ratio=settings.shift_ratio, threshold=settings.threshold
        ):
            touched.append(_alert_record(hospital=hospital, machine_id=machine_id, episode=episode, p0=p0))
    return touched


@transaction.atomic
def _alert_record(*, hospital: Hospital, machine_id: int | None, episode: Episode, p0: float) -> DriftAlert:
    """One row per episode: an alert of the same series whose episode overlaps this one is this one (late
    results may move an episode's start), and is updated rather than raised again."""
    same_series = DriftAlert.objects.select_for_update().filter(
        hospital=hospital, rule=DriftRule.BERNOULLI_CUSUM, machine_id=machine_id
    )
    overlapping = same_series.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=episode.started_on), started_on__lte=episode.detected_on
    ).first()
    values = {
        "ended_on": episode.ended_on,
        "current_poor_rate": episode.poor_rate,
        "statistic": episode.statistic,
        "baseline_poor_rate": p0,
    }
    if overlapping is not None:
        DriftAlert.objects.filter(pk=overlapping.pk).update(**values)
        overlapping.refresh_from_db()
        return overlapping
    return DriftAlert.objects.create(
        hospital=hospital,
        machine_id=machine_id,
        rule=DriftRule.BERNOULLI_CUSUM,
        started_on=episode.started_on,
        detected_on=episode.detected_on,
        **values,
    )


def alert_acknowledge(*, user: User, alert_id: int, source: str = "") -> DriftAlert:
    """Marks the alert seen by this user. An alert of a hospital the user does not see is a 404; an expert
    who sees it may not acknowledge it (403); an alert already acknowledged stays as it was (409)."""
    alert = alert_get(user=user, alert_id=alert_id)
    if not can_acknowledge_alerts_in(user, alert.hospital):
        raise NotAllowed("Only a QA manager of this hospital, or an admin, may acknowledge its alerts.")
    with transaction.atomic():
        # Conditional, so two people acknowledging at once cannot both succeed.
        taken = DriftAlert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_by=user, acknowledged_at=timezone.now()
        )
        if not taken:
            raise FusqaError("This alert was already acknowledged.", code="already_acknowledged", status_code=409)
        audit_record(
            actor=user,
            action=AuditAction.ALERT_ACKNOWLEDGED,
            target=alert,
            hospital=alert.hospital,
            source=source,
            detail={"machine": alert.machine_id, "rule": alert.rule, "started_on": str(alert.started_on)},
        )
    return alert_get(user=user, alert_id=alert_id)
