"""GET /api/alerts/ and POST /api/alerts/{id}/acknowledge/: scoped reads, and who may acknowledge."""

from datetime import date

import pytest

from qa.models import AuditAction, AuditEvent, DriftAlert, Role
from tests.factories import HospitalFactory, MachineFactory, UserFactory

pytestmark = pytest.mark.django_db


def alert_of(hospital, machine=None, **fields) -> DriftAlert:
    values = {
        "rule": "bernoulli_cusum",
        "started_on": date(2026, 3, 2),
        "detected_on": date(2026, 3, 9),
        "baseline_poor_rate": 0.05,
        "current_poor_rate": 0.1,
        "statistic": 6.5,
    }
    return DriftAlert.objects.create(hospital=hospital, machine=machine, **{**values, **fields})


@pytest.fixture
def alerts():
    a, b = HospitalFactory(name="Alpha"), HospitalFactory(name="Beta")
    machine = MachineFactory(hospital=a, manufacturer="GE", model_name="Voluson E8")
    admin = UserFactory(role=Role.ADMIN)
    return {
        "a": a,
        "b": b,
        "of_a": alert_of(a, machine),
        "a_whole": alert_of(a, None, acknowledged_by=admin, acknowledged_at="2026-03-10T08:00:00Z"),
        "of_b": alert_of(b),
        "qa_a": UserFactory(role=Role.QA_MANAGER, member_of=[a]),
        "expert_a": UserFactory(role=Role.EXPERT, member_of=[a]),
        "qa_b": UserFactory(role=Role.QA_MANAGER, member_of=[b]),
        "admin": admin,
    }


def listed(client, **query) -> list[int]:
    response = client.get("/api/alerts/", query)
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


def test_each_user_lists_only_the_alerts_of_their_hospitals(alerts, client_for):
    ids = {name: alerts[name].id for name in ("of_a", "a_whole", "of_b")}

    assert listed(client_for(alerts["qa_a"])) == sorted([ids["of_a"], ids["a_whole"]])
    assert listed(client_for(alerts["expert_a"])) == sorted([ids["of_a"], ids["a_whole"]])
    assert listed(client_for(alerts["qa_b"])) == [ids["of_b"]]
    assert listed(client_for(alerts["admin"])) == sorted(ids.values())
    assert listed(client_for(alerts["admin"]), hospital=alerts["b"].id) == [ids["of_b"]]


def test_open_and_acknowledged_alerts_are_listed_apart(alerts, client_for):
    client = client_for(alerts["qa_a"])

    assert listed(client, state="open") == [alerts["of_a"].id]
    assert listed(client, state="acknowledged") == [alerts["a_whole"].id]


def test_an_alert_carries_what_a_reader_needs(alerts, client_for):
    rows = client_for(alerts["qa_a"]).get("/api/alerts/", {"state": "acknowledged"}).json()["results"]

    (row,) = rows
    assert row["hospital"]["id"] == alerts["a"].id and row["machine"] is None
    assert (row["started_on"], row["detected_on"], row["ended_on"]) == ("2026-03-02", "2026-03-09", None)
    assert (row["baseline_poor_rate"], row["current_poor_rate"], row["rule"]) == (0.05, 0.1, "bernoulli_cusum")
    assert row["acknowledged_by"]["id"] == alerts["admin"].id
    assert row["acknowledged_at"] == "2026-03-10T08:00:00Z"
    assert row["detected_at"]


def test_a_qa_manager_of_the_hospital_acknowledges_an_alert(alerts, client_for):
    response = client_for(alerts["qa_a"]).post(f"/api/alerts/{alerts['of_a'].id}/acknowledge/")

    assert response.status_code == 200, response.content
    assert response.json()["acknowledged_by"]["id"] == alerts["qa_a"].id
    alert = DriftAlert.objects.get(pk=alerts["of_a"].id)
    assert alert.acknowledged_by == alerts["qa_a"] and alert.acknowledged_at is not None
    (event,) = AuditEvent.objects.filter(action=AuditAction.ALERT_ACKNOWLEDGED)
    assert (event.actor, event.hospital, event.target_id) == (alerts["qa_a"], alert.hospital, str(alert.id))


def test_an_admin_acknowledges_any_hospital_s_alert(alerts, client_for):
    response = client_for(alerts["admin"]).post(f"/api/alerts/{alerts['of_b'].id}/acknowledge/")

    assert response.status_code == 200
    assert DriftAlert.objects.get(pk=alerts["of_b"].id).acknowledged_by == alerts["admin"]


@pytest.mark.parametrize(("who", "status"), [("expert_a", 403), ("qa_b", 404)])
def test_an_expert_or_another_hospital_s_manager_cannot_acknowledge_and_nothing_changes(
    alerts, client_for, who, status
):
    response = client_for(alerts[who]).post(f"/api/alerts/{alerts['of_a'].id}/acknowledge/")

    assert response.status_code == status
    alert = DriftAlert.objects.get(pk=alerts["of_a"].id)
    assert (alert.acknowledged_by, alert.acknowledged_at) == (None, None)
    assert not AuditEvent.objects.filter(action=AuditAction.ALERT_ACKNOWLEDGED).exists()


def test_acknowledging_twice_is_a_409_that_keeps_the_first_acknowledgement(alerts, client_for):
    first = DriftAlert.objects.get(pk=alerts["a_whole"].id)

    response = client_for(alerts["qa_a"]).post(f"/api/alerts/{first.id}/acknowledge/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_acknowledged"
    again = DriftAlert.objects.get(pk=first.id)
    assert (again.acknowledged_by, again.acknowledged_at) == (first.acknowledged_by, first.acknowledged_at)
