"""GET /api/audit-events/ and its CSV twin: admins only, filtered exactly, newest first."""

import csv
import io
from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from qa.models import AuditEvent, Role
from tests.factories import HospitalFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/audit-events/"
CSV_URL = "/api/audit-events/export.csv"


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


@pytest.fixture
def log():
    """Five events over three days in two hospitals, created out of order."""
    alpha, beta = HospitalFactory(name="Alpha", slug="alpha"), HospitalFactory(name="Beta", slug="beta")
    maria = UserFactory(username="maria", role=Role.QA_MANAGER, member_of=[alpha])
    rows = {
        "upload_alpha": AuditEvent.objects.create(
            at=at(2, 9), actor=maria, actor_username="maria", action="upload.stored", hospital=alpha,
            target_type="study", target_id="17", source="203.0.113.9", detail={"frames": [5]},
        ),
        "login": AuditEvent.objects.create(
            at=at(1, 8), actor=maria, actor_username="maria", action="auth.login", target_type="user",
            target_id=str(maria.id), source="203.0.113.9",
        ),
        "failed": AuditEvent.objects.create(
            at=at(1, 7), actor_username='=HYPERLINK("http://evil")', action="auth.login_failed",
            source="198.51.100.4",
        ),
        "refused_beta": AuditEvent.objects.create(
            at=at(3, 23), actor=maria, actor_username="maria", action="upload.refused", hospital=beta,
            source="203.0.113.9", detail={"code": "forbidden"},
        ),
        "logout": AuditEvent.objects.create(
            at=at(2, 18), actor=maria, actor_username="maria", action="auth.logout", target_type="user",
            target_id=str(maria.id), source="203.0.113.9",
        ),
    }  # fmt: skip
    return {"alpha": alpha, "beta": beta, "maria": maria, **rows}


@pytest.fixture
def admin_client(client_for):
    return client_for(UserFactory(username="root", role=Role.ADMIN))


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [event["id"] for event in response.json()["results"]]


def test_an_admin_reads_every_event_newest_first_with_every_field(admin_client, log):
    response = admin_client.get(LIST_URL)

    order = ["refused_beta", "logout", "upload_alpha", "login", "failed"]
    assert ids(response) == [log[name].id for name in order]
    assert response.json()["count"] == 5
    assert response.json()["results"][2] == {
        "id": log["upload_alpha"].id,
        "at": "2026-03-02T09:00:00Z",
        "actor": log["maria"].id,
        "actor_username": "maria",
        "action": "upload.stored",
        "hospital": {"id": log["alpha"].id, "name": "Alpha", "slug": "alpha"},
        "target_type": "study",
        "target_id": "17",
        "source": "203.0.113.9",
        "detail": {"frames": [5]},
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("actor=maria", ["refused_beta", "logout", "upload_alpha", "login"]),
        ("action=auth.login", ["login"]),
        ("action=auth", ["logout", "login", "failed"]),
        ("action=upload.", ["refused_beta", "upload_alpha"]),
        ("target_type=study&target_id=17", ["upload_alpha"]),
        ("from=2026-03-02", ["refused_beta", "logout", "upload_alpha"]),
        ("to=2026-03-02", ["logout", "upload_alpha", "login", "failed"]),
        ("from=2026-03-02&to=2026-03-02", ["logout", "upload_alpha"]),
        ("from=2026-03-01T07:30:00Z&to=2026-03-02T09:00:00Z", ["upload_alpha", "login"]),
        ("from=2026-03-02T10:00:00%2B01:00", ["refused_beta", "logout", "upload_alpha"]),
        ("actor=maria&action=upload&to=2026-03-02", ["upload_alpha"]),
        ("actor=&action=&from=", ["refused_beta", "logout", "upload_alpha", "login", "failed"]),
    ],
)
def test_filters_select_exactly_the_matching_events(admin_client, log, query, expected):
    assert ids(admin_client.get(f"{LIST_URL}?{query}")) == [log[name].id for name in expected]


def test_the_hospital_filter_selects_that_hospitals_events(admin_client, log):
    assert ids(admin_client.get(LIST_URL, {"hospital": log["beta"].id})) == [log["refused_beta"].id]


def test_pages_follow_each_other_without_gaps(admin_client, log):
    first = admin_client.get(LIST_URL, {"limit": 2}).json()
    second = admin_client.get(LIST_URL, {"limit": 2, "offset": 2}).json()

    assert first["count"] == 5 and first["next"].endswith("limit=2&offset=2")
    assert [e["id"] for e in first["results"] + second["results"]] == [
        log[name].id for name in ["refused_beta", "logout", "upload_alpha", "login"]
    ]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"action": "uploads"}, "action: 'uploads' is neither an action nor an action prefix"),
        ({"from": "yesterday"}, "from: Give a date (YYYY-MM-DD) or a date and time"),
        ({"to": "2026-02-30"}, "to: Give a date (YYYY-MM-DD) or a date and time"),
        ({"from": "2026-03-03", "to": "2026-03-02"}, "to: The end of the period comes before its start."),
        ({"hospital": "999999"}, "hospital: No hospital with id 999999."),
        ({"hospital": "alpha"}, "hospital: A valid integer is required."),
    ],
)
def test_a_bad_filter_answers_400_naming_it(admin_client, log, params, message):
    for url in (LIST_URL, CSV_URL):
        response = admin_client.get(url, params)

        assert response.status_code == 400
        assert response.json()["error"]["message"].startswith(message)
    assert AuditEvent.objects.filter(action="audit.exported").count() == 0


@pytest.mark.parametrize("role", [Role.QA_MANAGER, Role.EXPERT])
def test_anyone_but_an_admin_is_refused_and_no_export_is_recorded(client_for, log, role):
    user = UserFactory(role=role, member_of=[log["alpha"]])

    for url in (LIST_URL, CSV_URL):
        response = client_for(user).get(url)

        assert response.status_code == 403
        assert response.json()["error"]["message"] == "Only an admin may do this."
    assert AuditEvent.objects.count() == 5


def test_without_a_login_the_log_is_refused(log):
    for url in (LIST_URL, CSV_URL):
        assert APIClient().get(url).status_code in (401, 403)


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="fusqa-audit-')
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_csv_export_holds_exactly_the_filtered_events_newest_first(admin_client, log):
    rows = read_csv(admin_client.get(CSV_URL, {"actor": "maria", "action": "upload"}))

    assert rows == [
        ["id", "at", "actor", "action", "hospital_id", "hospital", "target_type", "target_id", "source", "detail"],
        [str(log["refused_beta"].id), "2026-03-03T23:00:00+00:00", "maria", "upload.refused", str(log["beta"].id),
         "Beta", "", "", "203.0.113.9", '{"code": "forbidden"}'],
        [str(log["upload_alpha"].id), "2026-03-02T09:00:00+00:00", "maria", "upload.stored", str(log["alpha"].id),
         "Alpha", "study", "17", "203.0.113.9", '{"frames": [5]}'],
    ]  # fmt: skip


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_exported_as_text(admin_client, log):
    rows = read_csv(admin_client.get(CSV_URL, {"action": "auth.login_failed"}))

    assert rows[1][2] == '\'=HYPERLINK("http://evil")'


def test_the_export_is_itself_recorded_with_who_asked_from_where_and_the_filters(admin_client, log):
    read_csv(admin_client.get(CSV_URL, {"action": "auth", "from": "2026-03-01"}, REMOTE_ADDR="192.0.2.1"))

    event = AuditEvent.objects.get(action="audit.exported")
    assert (event.actor_username, event.source) == ("root", "192.0.2.1")
    assert event.detail == {"action": "auth", "from": "2026-03-01T00:00:00+00:00"}


def test_the_csv_export_answers_a_browser_that_asks_for_html(admin_client, log):
    response = admin_client.get(CSV_URL, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")

    assert len(read_csv(response)) == 1 + 5
