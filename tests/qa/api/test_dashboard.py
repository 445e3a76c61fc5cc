"""GET /api/dashboard/: the contract other clients use, its validation and its scoping."""

import json

import pytest

from qa.services.rollups import quality_rollups_rebuild
from tests.qa.dashboard_data import build_dashboard_world

pytestmark = pytest.mark.django_db

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture
def world():
    built = build_dashboard_world()
    quality_rollups_rebuild()
    return built


def test_the_dashboard_answers_totals_series_machines_and_ga_discrepancy(world, client_for):
    response = client_for(world.qa_manager_of_a).get("/api/dashboard/", {"hospital": world.a.id, **MARCH})

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"period", "totals", "series", "machines", "hospitals", "ga_discrepancy"}
    assert body["period"] == {"from": "2026-03-01", "to": "2026-03-31", "bucket": "week"}
    assert body["totals"] == {
        "frames": 10,
        "good": 6,
        "poor": 2,
        "unknown": 2,
        "poor_rate": 0.25,
        "poor_rate_low": pytest.approx(0.07148, abs=1e-5),
        "poor_rate_high": pytest.approx(0.59072, abs=1e-5),
    }
    week = body["series"][1]
    assert (week["bucket_start"], week["frames"], week["poor_rate"]) == ("2026-03-02", 6, 0.4)
    e8 = body["machines"][0]
    assert e8["machine"] == {"id": world.m1.id, "manufacturer": "GE", "model_name": "Voluson E8"}
    assert (e8["frames"], e8["poor_rate"], len(e8["series"])) == (5, 0.5, 6)
    assert body["ga_discrepancy"]["good"]["count"] == 5
    assert body["ga_discrepancy"]["poor"]["without_reported_ga"] == 1


def test_monthly_buckets(world, client_for):
    body = client_for(world.admin).get("/api/dashboard/", {"hospital": world.a.id, "bucket": "month", **MARCH}).json()

    assert [(s["bucket_start"], s["frames"]) for s in body["series"]] == [("2026-03-01", 10)]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-04-01", "to": "2026-03-01"}, "from"),
        ({"bucket": "year"}, "bucket"),
        ({"from": "1 March"}, "from"),
        ({"from": "2000-01-01", "to": "2026-03-01"}, "from"),
    ],
)
def test_a_bad_period_or_bucket_is_a_400_that_names_the_field(world, client_for, query, field):
    response = client_for(world.admin).get("/api/dashboard/", query)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error.get("field") == field or field in error.get("details", {})


def test_another_hospital_is_a_404_for_a_qa_manager_and_an_expert(world, client_for):
    for user in (world.qa_manager_of_b, world.expert_of_a):
        other = world.a if user is world.qa_manager_of_b else world.b
        response = client_for(user).get("/api/dashboard/", {"hospital": other.id, **MARCH})

        assert response.status_code == 404


def test_an_expert_reads_their_own_hospital(world, client_for):
    body = client_for(world.expert_of_a).get("/api/dashboard/", MARCH).json()

    assert [h["hospital"]["slug"] for h in body["hospitals"]] == ["alpha"]


def test_without_a_login_the_dashboard_is_refused(world, api_client):
    assert api_client.get("/api/dashboard/").status_code in (401, 403)


def test_the_answer_is_exactly_what_the_published_schema_s_serializer_makes_of_it(world, client_for):
    from datetime import date

    from rest_framework.renderers import JSONRenderer

    from qa.apis.dashboard import DashboardSerializer
    from qa.dashboard_selectors import dashboard_get

    body = client_for(world.admin).get("/api/dashboard/", {"bucket": "day", **MARCH}).json()

    selected = dashboard_get(user=world.admin, start=date(2026, 3, 1), end=date(2026, 3, 31), bucket="day")
    assert body == json.loads(JSONRenderer().render(DashboardSerializer(selected).data))
