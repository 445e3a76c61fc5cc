"""GET /api/studies/: quality and status of each study, its filters, latest exam date first."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.qa.dashboard_data import build_dashboard_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_dashboard_world()


def studies_of(client, **query):
    response = client.get("/api/studies/", query)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_studies_come_latest_exam_first_with_their_quality_and_status(world, client_for):
    studies = studies_of(client_for(world.qa_manager_of_a))

    assert [(s["exam_date"], s["quality"], s["status"], s["lowest_p_good"]) for s in studies] == [
        ("2026-03-10", "unknown", None, 0.5),
        ("2026-03-04", "poor", "pending", 0.1),
        ("2026-03-02", "poor", None, 0.1),
        ("2026-02-20", "good", None, 0.9),
        (None, "good", None, 0.9),
    ]
    tuesday = studies[0]
    # The reassessed frame counts good (its newer assessment), as on the dashboard.
    assert (tuesday["good_frames"], tuesday["poor_frames"], tuesday["unknown_frames"]) == (3, 0, 1)
    wednesday = studies[1]
    assert (wednesday["poor_frames"], wednesday["unknown_frames"], wednesday["in_flight_frames"]) == (1, 1, 1)


def test_filters_by_machine_exam_dates_quality_status_and_p_range(world, client_for):
    client = client_for(world.qa_manager_of_a)

    def dates(**query):
        return [s["exam_date"] for s in studies_of(client, **query)]

    assert dates(machine=world.m1.id) == ["2026-03-04", "2026-03-02", "2026-02-20"]
    assert dates(**{"from": "2026-03-01", "to": "2026-03-05"}) == ["2026-03-04", "2026-03-02"]
    assert dates(quality="poor") == ["2026-03-04", "2026-03-02"]
    assert dates(status="pending") == ["2026-03-04"]
    assert dates(p_min="0.4", p_max="0.6") == ["2026-03-10"]
    assert dates(p_max="0.2", machine=world.m1.id, **{"from": "2026-03-03"}) == ["2026-03-04"]


def test_a_qa_manager_sees_only_their_hospitals_studies(world, client_for):
    assert [s["hospital"]["id"] for s in studies_of(client_for(world.qa_manager_of_b))] == [world.b.id]


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"quality": "bad"}, "quality"),
        ({"status": "running"}, "status"),
        ({"p_min": "2"}, "p_min"),
        ({"p_min": "0.8", "p_max": "0.2"}, "p_min"),
        ({"from": "2026-03-05", "to": "2026-03-01"}, "from"),
    ],
)
def test_bad_filters_are_a_400_naming_the_parameter(world, client_for, query, named):
    response = client_for(world.admin).get("/api/studies/", query)

    assert response.status_code == 400
    assert named in response.json()["error"]["message"]


def test_a_page_of_studies_reads_quality_for_its_own_rows_only(world, client_for):
    client = client_for(world.qa_manager_of_a)

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/studies/", {"limit": 2}).status_code == 200

    [listing] = [q["sql"] for q in queries.captured_queries if "LIMIT 2" in q["sql"]]
    assert "qa_assessment" not in listing
    [summaries] = [q["sql"] for q in queries.captured_queries if "qa_assessment" in q["sql"]]
    assert " IN (" in summaries
