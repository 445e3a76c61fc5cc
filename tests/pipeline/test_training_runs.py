"""Training runs on real Celery worker processes, a real Redis and the real PostgreSQL test database: a tiny
run end to end (training set → run → candidate → activate → a new frame judged by it), a run whose worker
is SIGKILLed resumes from its checkpoint to the same weights, a running run is cancelled."""

import time
from pathlib import Path

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from qa.models import Assessment, ModelKind, ModelStatus, ModelVersion, RunStatus, TrainingRun
from qa.services.model_registry import file_sha256, model_cache, model_version_register
from qa.services.training_runs import training_runs_requeue_stuck
from tests.factories import HospitalFactory, UserFactory, png_bytes
from tests.pipeline.models import activate_tiny_models
from tests.pipeline.processes import Worker, wait_until
from tests.pipeline.trainable_models import trainable_checkpoint
from tests.training_set_zips import tiny_items, training_set_create
from workers.ml.train.finetune import finetune

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

TINY = {"epochs": 2, "batch_size": 8, "synthetic_base": 2, "synthetic_test": 2}


@pytest.fixture
def folders(tmp_path, settings):
    """Weights and checkpoints where this test and its workers both find them."""
    settings.FUSQA_WEIGHTS_DIR = tmp_path / "weights"
    settings.FUSQA_TRAINING_DIR = tmp_path / "training"
    return {
        "FUSQA_WEIGHTS_DIR": str(settings.FUSQA_WEIGHTS_DIR),
        "FUSQA_TRAINING_DIR": str(settings.FUSQA_TRAINING_DIR),
    }


@pytest.fixture
def workers(broker, tmp_path, folders):
    started = []

    def start(**env) -> Worker:
        worker = Worker(broker.url, tmp_path / "worker.log", **folders, **env)
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def parent(tmp_path, folders):
    """Active models: the pipeline's constant segmenter, and a small FUSQA classifier with weights to tune."""
    activate_tiny_models(tmp_path / "shipped")
    weights = trainable_checkpoint(tmp_path / "shipped", "fusqa")
    model_cache.clear()
    return model_version_register(kind=ModelKind.FUSQA, version="parent", weights_file=str(weights), activate=True)


@pytest.fixture
def admin_client():
    client = APIClient()
    client.force_authenticate(UserFactory(role="admin"))
    return client


def start_run(client, training_set, **parameters) -> dict:
    response = client.post(
        "/api/training-runs/",
        {"kind": "fusqa", "training_set": training_set.id, "parameters": {**TINY, **parameters}},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def run_ended(run_id: int) -> bool:
    return TrainingRun.objects.get(pk=run_id).status in (RunStatus.DONE, RunStatus.FAILED, RunStatus.CANCELLED)


def upload_a_frame() -> int:
    hospital = HospitalFactory()
    client = APIClient()
    client.force_authenticate(UserFactory(role="qa_manager", member_of=[hospital]))
    pixels = np.random.default_rng(7).integers(0, 255, (96, 128), dtype=np.uint8)
    response = client.post(
        "/api/uploads/",
        {
            "file": SimpleUploadedFile("new.png", png_bytes(pixels), content_type="image/png"),
            "hospital": hospital.id,
            "spacing_mm": "0.25",
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return response.json()["frames"][0]["id"]


def test_a_tiny_run_goes_from_training_set_to_a_live_model_judging_new_frames_in_under_a_minute(
    parent, workers, admin_client, settings, tmp_path
):
    began = time.monotonic()
    # The run is held after epoch 1 (FUSQA_TEST_HOLD_DIR) so its progress is certainly seen mid-run; frame
    # batches, which honour the same folder, are released up front.
    hold = tmp_path / "hold"
    hold.mkdir()
    for n in range(1, 9):
        (hold / f"release-{n}").touch()
    workers(FUSQA_TEST_HOLD_DIR=str(hold))
    training_set = training_set_create(tiny_items(12))
    run = start_run(admin_client, training_set)

    wait_until((hold / "training-epoch-1").exists, timeout=40, interval=0.05, what="the end of epoch 1")
    during = admin_client.get(f"/api/training-runs/{run['id']}/").json()
    assert during["status"] == "running" and during["epoch"] == 1 and 0 < during["progress"] < 1, during
    (hold / "training-release-1").touch()
    (hold / "training-release-2").touch()

    seen = []

    def finished() -> bool:
        seen.append(admin_client.get(f"/api/training-runs/{run['id']}/").json())
        return seen[-1]["status"] in ("done", "failed", "cancelled")

    wait_until(finished, timeout=50, interval=0.25, what="the run to end")
    body = seen[-1]
    assert body["status"] == "done", body["log_tail"] + body["error"]
    assert body["progress"] == 1.0 and body["attempts"] == 1
    assert [entry["epoch"] for entry in body["history"]] == [1, 2]
    assert "epoch 2/2: loss" in body["log_tail"]
    candidate = ModelVersion.objects.get(pk=body["candidate"]["id"])
    assert (candidate.status, candidate.version, candidate.parent_id) == (
        ModelStatus.CANDIDATE,
        f"run{run['id']}",
        parent.id,
    )
    assert candidate.training_set_id == training_set.id and candidate.parameters["epochs"] == 2
    assert candidate.sha256 == file_sha256(Path(settings.FUSQA_WEIGHTS_DIR) / candidate.weights_file)
    assert candidate.code_version and "validation_auc" in candidate.metrics
    evaluation = admin_client.get(f"/api/model-versions/{candidate.id}/evaluation/").json()
    assert {row["hospital"] for row in evaluation["hospitals"]} == {"north", "south", "synthetic"}
    assert evaluation["baseline"]["id"] == parent.id

    # The gate's verdict on a two-epoch toy is not this test's business (tests/qa/training is): a reason.
    activated = admin_client.post(
        f"/api/model-versions/{candidate.id}/activate/", {"reason": "end-to-end test"}, format="json"
    )
    assert activated.status_code == 200 and activated.json()["status"] == "active"
    frame_id = upload_a_frame()

    wait_until(lambda: Assessment.objects.filter(mask__frame_id=frame_id).exists(), timeout=30, what="the new frame")
    assert Assessment.objects.get(mask__frame_id=frame_id).model_version_id == candidate.id
    assert time.monotonic() - began < 60


def test_a_run_whose_worker_is_killed_resumes_from_its_checkpoint_and_ends_with_an_unbroken_runs_weights(
    parent, workers, admin_client, settings, tmp_path
):
    settings.FUSQA_HEARTBEAT_SECONDS, settings.FUSQA_HEARTBEAT_MISSES = 1, 2
    hold = tmp_path / "hold"
    hold.mkdir()
    dying = workers(FUSQA_TEST_HOLD_DIR=str(hold), FUSQA_HEARTBEAT_SECONDS="1")
    training_set = training_set_create(tiny_items(12))
    run = start_run(admin_client, training_set, epochs=3)

    wait_until((hold / "training-epoch-1").exists, timeout=40, interval=0.05, what="the checkpoint of epoch 1")
    row = TrainingRun.objects.get(pk=run["id"])
    assert (row.status, row.epoch, len(row.history), row.attempts) == (RunStatus.RUNNING, 1, 1, 1)
    beat = row.heartbeat_at
    wait_until(
        lambda: TrainingRun.objects.get(pk=run["id"]).heartbeat_at > beat, timeout=5, what="the row to be written again"
    )
    dying.kill()

    workers(FUSQA_HEARTBEAT_SECONDS="1")

    def swept_and_done() -> bool:
        training_runs_requeue_stuck()
        return run_ended(run["id"])

    wait_until(swept_and_done, timeout=60, interval=0.5, what="the run to resume and end")
    row = TrainingRun.objects.get(pk=run["id"])
    assert row.status == RunStatus.DONE, row.log + row.error
    assert row.attempts == 2
    assert "resumed from the checkpoint of epoch 1" in row.log
    assert [entry["epoch"] for entry in row.history] == [1, 2, 3]
    unbroken = finetune(
        kind="fusqa",
        parent_weights=Path(parent.weights_file),
        training_set=training_set.archive.path,
        parameters=row.parameters,
        work_dir=tmp_path / "unbroken",
        out_path=tmp_path / "unbroken.pt",
    )
    assert row.model_versions.get().sha256 == file_sha256(unbroken.weights)


def test_cancelling_a_running_run_stops_its_worker_and_leaves_no_candidate(parent, workers, admin_client, tmp_path):
    hold = tmp_path / "hold"
    hold.mkdir()
    workers(FUSQA_TEST_HOLD_DIR=str(hold))
    training_set = training_set_create(tiny_items(12))
    run = start_run(admin_client, training_set, epochs=3)
    wait_until((hold / "training-epoch-1").exists, timeout=40, interval=0.05, what="the checkpoint of epoch 1")

    cancelled = admin_client.post(f"/api/training-runs/{run['id']}/cancel/")
    (hold / "training-release-1").touch()

    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    wait_until(
        lambda: "stopped: the run was cancelled" in TrainingRun.objects.get(pk=run["id"]).log,
        timeout=20,
        what="the worker to stop the run",
    )
    row = TrainingRun.objects.get(pk=run["id"])
    assert row.status == RunStatus.CANCELLED and len(row.history) == 1
    assert not row.model_versions.exists()
    assert not (tmp_path / "weights" / f"runs/fusqa-run{run['id']}.pt").exists()
    again = start_run(admin_client, training_set)  # the kind is free again
    assert admin_client.post(f"/api/training-runs/{again['id']}/cancel/").status_code == 200
