"""The dashboard's reads on PostgreSQL, against the hand-made data of tests/qa/dashboard_data.py."""

from datetime import date

import pytest
from django.http import Http404

from qa.dashboard_selectors import bucket_starts, dashboard_get
from qa.services.rollups import quality_rollups_rebuild
from tests.qa.dashboard_data import build_dashboard_world

pytestmark = pytest.mark.django_db

MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}


@pytest.fixture
def world():
    built = build_dashboard_world()
    quality_rollups_rebuild()
    return built


def counts(item) -> tuple:
    return item["frames"], item["good"], item["poor"], item["unknown"]


def rate(item) -> tuple:
    return tuple(
        None if v is None else round(v, 5) for v in (item["poor_rate"], item["poor_rate_low"], item["poor_rate_high"])
    )


def test_a_hospital_s_totals_count_each_frame_once_by_its_latest_verdict(world):
    dashboard = dashboard_get(user=world.qa_manager_of_a, hospital_id=world.a.id, bucket="week", **MARCH)

    # Pending frame left out, failed frame unknown, the re-assessed frame good, February outside.
    assert counts(dashboard["totals"]) == (10, 6, 2, 2)
    assert rate(dashboard["totals"]) == (0.25, 0.07148, 0.59072)


def test_the_weekly_series_covers_every_iso_week_of_the_period_empty_ones_too(world):
    dashboard = dashboard_get(user=world.qa_manager_of_a, hospital_id=world.a.id, bucket="week", **MARCH)

    series = dashboard["series"]
    assert [s["bucket_start"] for s in series] == [
        date(2026, 2, 23),
        date(2026, 3, 2),
        date(2026, 3, 9),
        date(2026, 3, 16),
        date(2026, 3, 23),
        date(2026, 3, 30),
    ]
    assert [counts(s) for s in series] == [
        (0, 0, 0, 0),
        (6, 3, 2, 1),
        (4, 3, 0, 1),
        (0, 0, 0, 0),
        (0, 0, 0, 0),
        (0, 0, 0, 0),
    ]
    assert rate(series[1]) == (0.4, 0.11762, 0.76928)
    assert rate(series[2]) == (0.0, 0.0, 0.5615)
    assert rate(series[0]) == (None, None, None)


def test_a_frame_without_an_exam_date_counts_on_its_upload_day(world):
    dashboard = dashboard_get(user=world.qa_manager_of_a, hospital_id=world.a.id, bucket="day", **MARCH)

    by_day = {s["bucket_start"]: counts(s) for s in dashboard["series"]}
    assert by_day[date(2026, 3, 2)] == (3, 2, 1, 0)
    assert by_day[date(2026, 3, 3)] == (1, 1, 0, 0)
    assert by_day[date(2026, 3, 4)] == (2, 0, 1, 1)
    assert len(by_day) == 31


def test_each_machine_has_its_counts_rates_and_series_and_studies_without_a_machine_are_apart(world):
    dashboard = dashboard_get(user=world.qa_manager_of_a, hospital_id=world.a.id, bucket="month", **MARCH)

    machines = {(m["machine"] or {}).get("model_name"): m for m in dashboard["machines"]}
    assert list(machines) == ["Voluson E8", "EPIQ 7", None]
    assert machines["Voluson E8"]["machine"] == {"id": world.m1.id, "manufacturer": "GE", "model_name": "Voluson E8"}
    assert counts(machines["Voluson E8"]) == (5, 2, 2, 1)
    assert rate(machines["Voluson E8"]) == (0.5, 0.15004, 0.84996)
    assert counts(machines["EPIQ 7"]) == (4, 3, 0, 1)
    assert counts(machines[None]) == (1, 1, 0, 0)
    assert [counts(s) for s in machines["EPIQ 7"]["series"]] == [(4, 3, 0, 1)]
    assert {m["hospital"] for m in dashboard["machines"]} == {world.a.id}


def test_ga_discrepancy_is_split_by_verdict_with_frames_lacking_a_ga_counted_apart(world):
    ga = dashboard_get(user=world.qa_manager_of_a, hospital_id=world.a.id, **MARCH)["ga_discrepancy"]

    good, poor = ga["good"], ga["poor"]
    assert good["count"] == 5 and good["mean_abs_days"] == pytest.approx(9.5 / 5)
    assert {(b["low_days"], b["high_days"]): b["count"] for b in good["histogram"] if b["count"]} == {
        (-4, -2): 1,
        (-2, 0): 1,
        (0, 2): 2,
        (4, 6): 1,
    }
    assert (good["without_reported_ga"], good["without_measured_ga"]) == (0, 1)
    assert poor["count"] == 1 and poor["mean_abs_days"] == pytest.approx(15.0)
    assert [b["count"] for b in poor["histogram"]] == [0] * 15 + [1]
    assert (poor["without_reported_ga"], poor["without_measured_ga"]) == (1, 0)


def test_one_machine_alone(world):
    dashboard = dashboard_get(user=world.qa_manager_of_a, machine_id=world.m2.id, **MARCH)

    assert counts(dashboard["totals"]) == (4, 3, 0, 1)
    assert [m["machine"]["id"] for m in dashboard["machines"]] == [world.m2.id]


def test_an_admin_without_a_hospital_gets_every_hospital_side_by_side(world):
    dashboard = dashboard_get(user=world.admin, **MARCH)

    assert [(h["hospital"]["name"], counts(h)) for h in dashboard["hospitals"]] == [
        ("Alpha General", (10, 6, 2, 2)),
        ("Beta Royal", (1, 1, 0, 0)),
    ]
    assert counts(dashboard["totals"]) == (11, 7, 2, 2)
    assert len(dashboard["machines"]) == 4


def test_a_qa_manager_without_a_hospital_gets_only_their_own(world):
    dashboard = dashboard_get(user=world.qa_manager_of_b, **MARCH)

    assert [h["hospital"]["id"] for h in dashboard["hospitals"]] == [world.b.id]
    assert counts(dashboard["totals"]) == (1, 1, 0, 0)


@pytest.mark.parametrize("asked", ["hospital", "machine"])
def test_another_hospital_s_hospital_or_machine_is_a_404(world, asked):
    ask = {"hospital_id": world.a.id} if asked == "hospital" else {"machine_id": world.m1.id}

    with pytest.raises(Http404):
        dashboard_get(user=world.qa_manager_of_b, **ask, **MARCH)


def test_a_machine_of_another_hospital_than_the_one_asked_is_a_404(world):
    with pytest.raises(Http404):
        dashboard_get(user=world.admin, hospital_id=world.a.id, machine_id=world.m3.id, **MARCH)


def test_months_run_from_the_first_of_the_month_of_the_period_s_start():
    assert bucket_starts(date(2026, 1, 31), date(2026, 4, 1), "month") == [
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
        date(2026, 4, 1),
    ]
