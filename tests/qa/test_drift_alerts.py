"""The drift watch on the rollups: baselines from the reference period, one alert per episode."""

from datetime import date, timedelta

import pytest

from qa.models import DailyQuality, DriftAlert, DriftSettings
from qa.services.alerts import drift_alerts_evaluate
from tests.factories import HospitalFactory, MachineFactory
from workers.tasks.dashboard import evaluate_drift

pytestmark = pytest.mark.django_db

DAY0 = date(2025, 1, 1)


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def daily(hospital, machine, *stretches: tuple[int, int, int], offset: int = 0) -> None:
    """(days, poor a day, frames a day) stretches from DAY0 + offset; every frame judged good or poor."""
    rows = []
    for length, poor, frames in stretches:
        rows += [
            DailyQuality(hospital=hospital, machine=machine, day=day(offset + i), good=frames - poor, poor=poor)
            for i in range(length)
        ]
        offset += length
    DailyQuality.objects.bulk_create(rows)


@pytest.fixture
def site():
    """M1 doubles its poor rate (2 -> 4 in 40 a day) on day 120, for 20 days; M2 stays at 2 in 40.
    Reference: days 0-89. M1's baseline is 181 / 3602; the hospital's, 361 / 7202."""
    hospital = HospitalFactory()
    m1, m2 = MachineFactory(hospital=hospital), MachineFactory(hospital=hospital)
    DriftSettings.objects.create(hospital=hospital, reference_start=day(0), reference_end=day(89))
    daily(hospital, m1, (120, 2, 40), (20, 4, 40))
    daily(hospital, m2, (140, 2, 40))
    return hospital, m1, m2


def test_a_machine_s_step_change_raises_one_alert_dated_from_the_change(site):
    hospital, m1, _ = site

    raised = drift_alerts_evaluate(today=day(139))

    # 4 poor in 40 adds 0.8115 a day against M1's baseline: the threshold (6) on the 8th day. The hospital as a
    # whole (6 in 80 a day, +0.246 a day) would need 25 days: no hospital-wide alert yet.
    (alert,) = raised
    assert (alert.hospital, alert.machine, alert.rule) == (hospital, m1, "bernoulli_cusum")
    assert (alert.started_on, alert.detected_on, alert.ended_on) == (day(120), day(127), None)
    assert alert.baseline_poor_rate == pytest.approx(181 / 3602)
    assert alert.current_poor_rate == pytest.approx(80 / 800)
    assert alert.acknowledged_at is None


def test_evaluating_again_the_next_day_updates_the_episode_instead_of_raising_it_again(site):
    hospital, m1, m2 = site
    drift_alerts_evaluate(today=day(139))
    daily(hospital, m1, (1, 4, 40), offset=140)
    daily(hospital, m2, (1, 2, 40), offset=140)

    drift_alerts_evaluate(today=day(140))

    alert = DriftAlert.objects.get(machine=m1)
    assert alert.current_poor_rate == pytest.approx(84 / 840)
    assert DriftAlert.objects.count() == 1


def test_a_return_to_baseline_ends_the_episode_and_a_later_shift_is_a_new_alert(site):
    hospital, m1, m2 = site
    drift_alerts_evaluate(today=day(139))
    daily(hospital, m1, (60, 2, 40), (15, 5, 40), offset=140)
    daily(hospital, m2, (75, 2, 40), offset=140)

    drift_alerts_evaluate(today=day(214))

    first, second = DriftAlert.objects.filter(machine=m1).order_by("started_on")
    # 16.23 after the 20 shifted days, -0.5748 a day at baseline: back at zero on the 29th day.
    assert first.ended_on == day(168)
    # 5 in 40 adds 1.5046 a day: the threshold on the 4th day.
    assert (second.started_on, second.detected_on, second.ended_on) == (day(200), day(203), None)


def test_a_series_with_too_few_reference_frames_is_not_watched():
    hospital = HospitalFactory()
    machine = MachineFactory(hospital=hospital)
    DriftSettings.objects.create(hospital=hospital, reference_start=day(0), reference_end=day(6))
    daily(hospital, machine, (120, 2, 40), (30, 10, 40))  # 7 reference days: 280 frames < 300

    assert drift_alerts_evaluate(today=day(149)) == []


def test_a_hospital_with_drift_watch_disabled_raises_nothing(site):
    hospital, _, _ = site
    DriftSettings.objects.filter(hospital=hospital).update(enabled=False)

    assert drift_alerts_evaluate(today=day(139)) == []


def test_without_settings_the_first_90_days_are_the_reference():
    hospital = HospitalFactory()
    machine = MachineFactory(hospital=hospital)
    daily(hospital, machine, (120, 2, 40), (20, 4, 40), offset=10)

    alerts = drift_alerts_evaluate(today=day(149))

    assert [(a.machine_id, a.started_on, a.detected_on) for a in alerts] == [
        (machine.id, day(130), day(137)),
        (None, day(130), day(137)),  # the hospital is this one machine
    ]
    assert alerts[0].baseline_poor_rate == pytest.approx(181 / 3602)


def test_the_beat_task_runs_the_watch_and_answers_the_alert_ids(site, settings):
    hospital, m1, _ = site
    settings.CELERY_TASK_ALWAYS_EAGER = True

    ids = evaluate_drift.apply().get()

    # "today" is the real date, well after day 139: the shift is in the data all the same.
    assert ids == list(DriftAlert.objects.filter(machine=m1).values_list("id", flat=True))
    assert "evaluate-drift" in settings.CELERY_BEAT_SCHEDULE
