"""The gate: a candidate goes live only if no hospital regresses beyond the margin, or with a written
reason; activating an earlier version is the rollback (docs/retraining.md)."""

import pytest

from qa.models import AuditEvent, ModelStatus, ModelVersion
from tests.factories import ModelVersionFactory, UserFactory

pytestmark = pytest.mark.django_db

METRICS = ["accuracy", "auc", "sensitivity_poor", "ece", "ga_error_good_days"]


def scores(accuracy=0.9, auc=0.95, sensitivity_poor=0.85, ece=0.05, ga_error_good_days=1.0, count=20):
    return dict(accuracy=accuracy, auc=auc, sensitivity_poor=sensitivity_poor, ece=ece,
                ga_error_good_days=ga_error_good_days, count=count)  # fmt: skip


@pytest.fixture
def admin():
    return UserFactory(role="admin", username="boss")


@pytest.fixture
def active():
    return ModelVersionFactory(kind="fusqa", version="shipped", status=ModelStatus.ACTIVE)


def candidate_with(baseline, **rows):
    evaluation = {
        "baseline": {"id": baseline.id, "kind": "fusqa", "version": baseline.version},
        "evaluated_at": "2026-11-27T16:00:00+00:00",
        "metrics": METRICS,
        "hospitals": [
            {"hospital": name, "count": 20, "candidate": candidate, "baseline": scores()}
            for name, candidate in rows.items()
        ],
    }
    return ModelVersionFactory(kind="fusqa", version="run7", parent=baseline, evaluation=evaluation)


def activate(client, version, **body):
    return client.post(f"/api/model-versions/{version.id}/activate/", body, format="json")


def test_the_evaluation_shows_candidate_and_active_side_by_side_with_regressions_marked(admin, client_for, active):
    candidate = candidate_with(active, north=scores(auc=0.97), south=scores(auc=0.90, ga_error_good_days=1.8))

    body = client_for(admin).get(f"/api/model-versions/{candidate.id}/evaluation/").json()

    assert body["candidate"]["version"] == "run7" and body["baseline"]["version"] == "shipped"
    assert body["active"]["id"] == active.id and body["baseline_is_active"] is True
    rows = {row["hospital"]: row for row in body["hospitals"]}
    assert rows["north"]["candidate"]["auc"] == 0.97 and rows["north"]["baseline"]["auc"] == 0.95
    assert rows["north"]["regressions"] == []
    assert [r["metric"] for r in rows["south"]["regressions"]] == ["auc", "ga_error_good_days"]
    assert rows["south"]["regressions"][0] == {
        "hospital": "south",
        "metric": "auc",
        "candidate": 0.90,
        "baseline": 0.95,
        "by": pytest.approx(0.05),
    }
    assert body["allowed"] is False
    assert body["margin"] == {"rate": 0.02, "ga_days": 0.5}


def test_a_candidate_no_worse_anywhere_is_activated_and_the_old_version_retired(admin, client_for, active):
    candidate = candidate_with(active, north=scores(auc=0.94), south=scores(accuracy=0.95, ece=0.06))

    response = activate(client_for(admin), candidate)

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "active"
    assert ModelVersion.objects.get(pk=active.pk).status == ModelStatus.RETIRED
    event = AuditEvent.objects.get(action="model.activated")
    assert event.actor_username == "boss"
    assert event.detail["gate"] == {"allowed": True, "regressions": []} and event.detail["override"] is False


def test_a_regressing_candidate_is_refused_naming_each_hospital_and_nothing_changes(admin, client_for, active):
    candidate = candidate_with(active, north=scores(sensitivity_poor=0.7), south=scores(), synthetic=scores(ece=0.2))

    response = activate(client_for(admin), candidate)

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "gate_refused"
    assert error["details"]["hospitals"] == ["north", "synthetic"]
    assert "north (sensitivity_poor 0.850 → 0.700)" in error["message"]
    assert "synthetic (ece 0.050 → 0.200)" in error["message"]
    assert ModelVersion.objects.get(pk=active.pk).status == ModelStatus.ACTIVE
    assert ModelVersion.objects.get(pk=candidate.pk).status == ModelStatus.CANDIDATE
    assert not AuditEvent.objects.filter(action__startswith="model.").exists()


def test_a_written_reason_overrides_the_gate_and_is_audited(admin, client_for, active):
    candidate = candidate_with(active, north=scores(auc=0.80))

    response = activate(client_for(admin), candidate, reason="north's test set is 3 studies; reviewed by hand")

    assert response.status_code == 200, response.content
    assert ModelVersion.objects.get(pk=candidate.pk).status == ModelStatus.ACTIVE
    event = AuditEvent.objects.get(action="model.activated")
    assert event.detail["override"] is True
    assert event.detail["reason"] == "north's test set is 3 studies; reviewed by hand"
    assert [r["hospital"] for r in event.detail["gate"]["regressions"]] == ["north"]


def test_a_blank_reason_is_no_reason(admin, client_for, active):
    candidate = candidate_with(active, north=scores(auc=0.80))

    assert activate(client_for(admin), candidate, reason="   ").status_code == 409


def test_the_margin_comes_from_the_settings(admin, client_for, active, settings):
    settings.FUSQA_GATE_MARGIN = 0.2
    candidate = candidate_with(active, north=scores(auc=0.80))

    assert activate(client_for(admin), candidate).status_code == 200


def test_activating_an_earlier_version_is_the_rollback(admin, client_for, active):
    candidate = candidate_with(active, north=scores())
    client = client_for(admin)
    assert activate(client, candidate).status_code == 200

    response = activate(client, active, reason="new model misbehaves at south")

    assert response.status_code == 200
    assert ModelVersion.objects.get(pk=active.pk).status == ModelStatus.ACTIVE
    assert ModelVersion.objects.get(pk=candidate.pk).status == ModelStatus.RETIRED
    event = AuditEvent.objects.get(action="model.rolled_back")
    assert event.detail["reason"] == "new model misbehaves at south"
    assert event.detail["previous"] == [{"id": candidate.id, "version": "run7"}]


def test_a_candidate_without_an_evaluation_needs_a_reason(admin, client_for, active):
    bare = ModelVersionFactory(kind="fusqa", version="hand-made")
    client = client_for(admin)

    refused = activate(client, bare)

    assert refused.status_code == 409 and refused.json()["error"]["code"] == "gate_unknown"
    assert ModelVersion.objects.get(pk=bare.pk).status == ModelStatus.CANDIDATE
    assert activate(client, bare, reason="trained offline, checked by hand").status_code == 200


def test_a_candidate_evaluated_against_a_version_no_longer_active_needs_a_reason(admin, client_for, active):
    stale = candidate_with(active, north=scores())
    newer = ModelVersionFactory(kind="fusqa", version="other", status=ModelStatus.CANDIDATE)
    activate(client_for(admin), newer, reason="setting the scene")

    response = activate(client_for(admin), stale)

    assert response.status_code == 409
    assert "evaluated against shipped, no longer the active version" in response.json()["error"]["message"]


@pytest.mark.parametrize("role", ["qa_manager", "expert"])
def test_only_admins_see_the_evaluation_or_activate(client_for, active, role):
    candidate = candidate_with(active, north=scores())
    client = client_for(UserFactory(role=role))

    assert client.get(f"/api/model-versions/{candidate.id}/evaluation/").status_code == 403
    assert activate(client, candidate).status_code == 403
    assert ModelVersion.objects.get(pk=candidate.pk).status == ModelStatus.CANDIDATE


def test_model_versions_list_their_lineage(admin, client_for, active):
    candidate = candidate_with(active, north=scores())

    rows = {row["id"]: row for row in client_for(admin).get("/api/model-versions/").json()["results"]}

    assert rows[candidate.id]["parent"] == {"id": active.id, "kind": "fusqa", "version": "shipped"}
    assert rows[candidate.id]["has_evaluation"] is True and rows[active.id]["has_evaluation"] is False


def test_the_admin_has_no_form_to_add_or_edit_training_runs_or_model_versions(client, active):
    client.force_login(UserFactory(role="admin", is_staff=True, is_superuser=True))

    assert client.get("/admin/qa/trainingrun/").status_code == 200
    assert client.get("/admin/qa/trainingrun/add/").status_code == 403
    assert client.get("/admin/qa/modelversion/add/").status_code == 403
    response = client.post(f"/admin/qa/modelversion/{active.id}/change/", {"status": "retired"})
    assert response.status_code in (302, 403) or b"Save" not in response.content
    assert ModelVersion.objects.get(pk=active.pk).status == ModelStatus.ACTIVE
