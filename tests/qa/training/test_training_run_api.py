"""Admins start, watch and cancel training runs through the API (docs/retraining.md)."""

import pytest

from qa.models import AuditEvent, ModelKind, ModelStatus, RunStatus, TrainingRun
from tests.factories import ModelVersionFactory, TrainingRunFactory, UserFactory
from tests.training_set_zips import tiny_items, training_set_create
from workers.ml.train.finetune_parameters import DEFAULTS

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return UserFactory(role="admin", username="boss")


@pytest.fixture
def training_set():
    return training_set_create(tiny_items(4))


@pytest.fixture
def active_models():
    return {
        kind: ModelVersionFactory(kind=kind, version="shipped", status=ModelStatus.ACTIVE) for kind in ModelKind.values
    }


def start(client, **body):
    return client.post("/api/training-runs/", body, format="json")


def test_an_admin_starts_a_run_and_gets_it_pending_with_every_parameter_filled_in(
    admin, client_for, training_set, active_models
):
    response = start(client_for(admin), kind="fusqa", training_set=training_set.id, parameters={"epochs": 2})

    assert response.status_code == 201, response.content
    body = response.json()
    run = TrainingRun.objects.get()
    assert body["id"] == run.id and body["status"] == "pending" and body["progress"] == 0
    assert body["parameters"] == {**DEFAULTS["fusqa"], "epochs": 2} == run.parameters
    assert body["epochs"] == 2 and body["validation_metric_name"] == "auc"
    assert body["training_set"] == training_set.id and body["candidate"] is None
    assert run.data_snapshot["parent"]["id"] == active_models["fusqa"].id
    event = AuditEvent.objects.get(action="training_run.started")
    assert (event.actor_username, event.target_id) == ("boss", str(run.id))
    assert event.detail["parameters"]["epochs"] == 2


def test_a_second_run_of_the_same_kind_gets_409_naming_the_run_already_going(
    admin, client_for, training_set, active_models
):
    client = client_for(admin)
    first = start(client, kind="fusqa", training_set=training_set.id).json()

    second = start(client, kind="fusqa", training_set=training_set.id)

    assert second.status_code == 409
    error = second.json()["error"]
    assert error["code"] == "run_in_progress"
    assert f"run {first['id']} (pending)" in error["message"]
    assert error["details"] == {"run": first["id"], "status": "pending"}
    assert TrainingRun.objects.count() == 1
    assert start(client, kind="segmentation", training_set=training_set.id).status_code == 201


def test_a_finished_run_does_not_block_the_next(admin, client_for, training_set, active_models):
    TrainingRunFactory(kind="fusqa", status=RunStatus.DONE)
    TrainingRunFactory(kind="fusqa", status=RunStatus.FAILED)

    assert start(client_for(admin), kind="fusqa", training_set=training_set.id).status_code == 201


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "fusqa", "parameters": {"epochz": 3}}, "parameters"),
        ({"kind": "fusqa", "parameters": {"lr": 5}}, "parameters"),
        ({"kind": "fusqa", "parameters": {"batch_size": "big"}}, "parameters"),
        ({"kind": "detector"}, "kind"),
        ({"kind": "fusqa", "training_set": 999999}, "training_set"),
        ({"kind": "fusqa", "colour": "blue"}, "colour"),
    ],
)
def test_bad_input_is_a_400_naming_the_problem_and_stores_nothing(
    admin, client_for, training_set, active_models, body, field
):
    response = start(client_for(admin), **{"training_set": training_set.id, **body})

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert field in (error.get("field"), *error.get("details", {}))
    assert not TrainingRun.objects.exists()
    assert not AuditEvent.objects.filter(action="training_run.started").exists()


def test_an_unknown_parameter_is_named_with_the_known_ones(admin, client_for, training_set, active_models):
    error = start(client_for(admin), kind="fusqa", training_set=training_set.id, parameters={"epochz": 3}).json()

    assert error["error"]["details"]["epochz"].startswith("unknown parameter; known: epochs, lr, batch_size")


def test_without_an_active_model_there_is_nothing_to_fine_tune(admin, client_for, training_set):
    response = start(client_for(admin), kind="fusqa", training_set=training_set.id)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_active_model"
    assert not TrainingRun.objects.exists()


@pytest.mark.parametrize("role", ["qa_manager", "expert"])
def test_only_admins_start_or_cancel_runs(client_for, training_set, active_models, role):
    client = client_for(UserFactory(role=role))
    run = TrainingRunFactory(status=RunStatus.PENDING)

    assert start(client, kind="fusqa", training_set=training_set.id).status_code == 403
    assert client.post(f"/api/training-runs/{run.id}/cancel/").status_code == 403
    assert TrainingRun.objects.count() == 1
    assert TrainingRun.objects.get().status == RunStatus.PENDING


@pytest.mark.parametrize("status", [RunStatus.PENDING, RunStatus.RUNNING])
def test_cancelling_a_going_run_ends_it_at_once_and_is_audited(admin, client_for, status):
    run = TrainingRunFactory(kind="fusqa", status=status, progress=0.3, epoch=2)

    response = client_for(admin).post(f"/api/training-runs/{run.id}/cancel/")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED and run.finished_at is not None
    event = AuditEvent.objects.get(action="training_run.cancelled")
    assert event.target_id == str(run.id) and event.detail["was"] == status


def test_cancelling_a_finished_run_is_a_409(admin, client_for):
    run = TrainingRunFactory(status=RunStatus.DONE)

    response = client_for(admin).post(f"/api/training-runs/{run.id}/cancel/")

    assert response.status_code == 409 and response.json()["error"]["code"] == "run_finished"
    assert not AuditEvent.objects.filter(action="training_run.cancelled").exists()


def test_a_run_shows_its_progress_history_and_the_tail_of_its_log(admin, client_for):
    log = "".join(f"16:00:{i:02d} line {i}\n" for i in range(60))
    history = [{"epoch": 1, "loss": 0.5, "validation_metric": 0.8}]
    run = TrainingRunFactory(
        kind="fusqa", status=RunStatus.RUNNING, progress=0.4, epoch=2, loss=0.41, validation_metric=0.8,
        eta_seconds=12.5, history=history, log=log, parameters={"epochs": 5},
    )  # fmt: skip

    body = client_for(admin).get(f"/api/training-runs/{run.id}/").json()

    assert (body["progress"], body["epoch"], body["epochs"], body["loss"]) == (0.4, 2, 5, 0.41)
    assert (body["validation_metric"], body["eta_seconds"], body["history"]) == (0.8, 12.5, history)
    tail = body["log_tail"].splitlines()
    assert len(tail) == 40 and tail[0] == "16:00:20 line 20" and tail[-1] == "16:00:59 line 59"
    assert body["log"] == log
