"""The model commands: register_models against the real database; the training / evaluation commands
are thin wrappers, so their tests check what they pass to workers.ml and what they print."""

import json
from io import StringIO

import pytest
import torch
from django.core.management import CommandError, call_command

from qa.models import ModelKind, ModelStatus, ModelVersion
from qa.services.model_registry import file_sha256
from workers.ml.networks import DEFAULT_FUSQA_CONFIG, DEFAULT_SEGMENTATION_CONFIG, build_network, save_checkpoint

pytestmark = pytest.mark.django_db

TINY_SEG = {**DEFAULT_SEGMENTATION_CONFIG, "channels": [4, 8], "strides": [2], "input_size": 32}
TINY_QA = {**DEFAULT_FUSQA_CONFIG, "widths": [4, 8], "input_size": 32}


@pytest.fixture
def weights_dir(tmp_path, settings):
    torch.manual_seed(0)
    save_checkpoint(tmp_path / "segmentation.pt", kind="segmentation", config=TINY_SEG, network=build_network(TINY_SEG),
                    metrics={"val_dice": 0.9, "nested": {"dropped": True}})  # fmt: skip
    save_checkpoint(tmp_path / "fusqa.pt", kind="fusqa", config=TINY_QA, network=build_network(TINY_QA))
    settings.FUSQA_WEIGHTS_DIR = tmp_path
    return tmp_path


def test_register_models_registers_and_activates_the_shipped_weights_with_their_sha256(weights_dir):
    call_command("register_models", stdout=StringIO())

    seg = ModelVersion.objects.get(kind=ModelKind.SEGMENTATION)
    qa = ModelVersion.objects.get(kind=ModelKind.FUSQA)
    assert (seg.status, qa.status) == (ModelStatus.ACTIVE, ModelStatus.ACTIVE)
    assert seg.sha256 == file_sha256(weights_dir / "segmentation.pt")
    assert seg.version == seg.sha256[:16] and seg.weights_file == "segmentation.pt"
    assert seg.metrics == {"val_dice": 0.9}


def test_register_models_is_idempotent(weights_dir):
    call_command("register_models", stdout=StringIO())
    first = {v.pk: v.activated_at for v in ModelVersion.objects.all()}

    call_command("register_models", stdout=StringIO())

    assert {v.pk: v.activated_at for v in ModelVersion.objects.all()} == first


def test_new_weights_become_a_new_active_version_and_retire_the_old_one(weights_dir):
    call_command("register_models", stdout=StringIO())
    old = ModelVersion.objects.get(kind=ModelKind.FUSQA)
    torch.manual_seed(1)
    save_checkpoint(weights_dir / "fusqa.pt", kind="fusqa", config=TINY_QA, network=build_network(TINY_QA))

    call_command("register_models", stdout=StringIO())

    old.refresh_from_db()
    assert old.status == ModelStatus.RETIRED
    assert ModelVersion.objects.get(kind=ModelKind.FUSQA, status=ModelStatus.ACTIVE).pk != old.pk


def test_register_models_refuses_missing_weights_and_registers_nothing(tmp_path, settings):
    settings.FUSQA_WEIGHTS_DIR = tmp_path

    with pytest.raises(CommandError, match="segmentation"):
        call_command("register_models", stdout=StringIO())

    assert ModelVersion.objects.count() == 0


def test_train_segmentation_passes_its_options_to_the_recipe(monkeypatch):
    from workers.ml.train import recipes

    seen = {}

    def fake(**kwargs):
        seen.update(kwargs)
        kwargs["progress"]({"stage": "segmentation", "step": 1})
        return {"per_machine": {"hospital_b/epiq_7": {"dice_mean": 0.9}}}

    monkeypatch.setattr(recipes, "run_segmentation", fake)
    out, err = StringIO(), StringIO()

    call_command("train_segmentation", "--seconds", "5", "--seed", "3", "--out", "x.pt", stdout=out, stderr=err)

    assert (seen["seconds"], seen["seed"], seen["out"]) == (5.0, 3, "x.pt")
    assert json.loads(out.getvalue())["per_machine"]["hospital_b/epiq_7"]["dice_mean"] == 0.9
    assert '"step": 1' in err.getvalue()


def test_train_fusqa_compares_architectures_on_request(monkeypatch, tmp_path):
    from workers.ml.train import recipes

    monkeypatch.setattr(
        recipes, "compare_architectures", lambda **kw: [{"architecture": "compact", "s": kw["seconds_each"]}]
    )
    out = StringIO()

    call_command(
        "train_fusqa", "--compare-architectures", "--seconds-each", "7", "--table", str(tmp_path / "t.json"), stdout=out
    )

    assert json.loads(out.getvalue()) == [{"architecture": "compact", "s": 7.0}]
    assert json.loads((tmp_path / "t.json").read_text()) == [{"architecture": "compact", "s": 7.0}]


def test_evaluate_fusqa_prints_the_report_as_json(monkeypatch):
    from workers.ml.train import recipes

    monkeypatch.setattr(recipes, "evaluate_fusqa", lambda **kw: {"accuracy": 0.97, "auc": 0.99})
    out = StringIO()

    call_command("evaluate_fusqa", "--json", stdout=out)

    assert json.loads(out.getvalue()) == {"accuracy": 0.97, "auc": 0.99}


def test_train_fusqa_refits_the_ood_statistics_for_its_new_weights_unless_told_not_to(monkeypatch, tmp_path):
    from workers.ml.fusqa import refit_ood
    from workers.ml.train import recipes

    monkeypatch.setattr(recipes, "run_fusqa", lambda **kw: {"steps": 3, "out": kw["out"]})
    refits = []

    def refit(weights, *, report_path):
        refits.append((weights, report_path))
        return {"sets": {"hospital A": {"unknown": 0.01}}, "threshold": 1.1}

    monkeypatch.setattr(refit_ood, "refit_and_measure", refit)
    out = tmp_path / "fusqa.pt"

    call_command("train_fusqa", "--out", str(out), stdout=StringIO(), stderr=StringIO())
    call_command("train_fusqa", "--out", str(out), "--skip-ood", stdout=StringIO(), stderr=StringIO())

    assert refits == [(str(out), tmp_path / "fusqa_ood_report.json")]  # once: the second run skipped it
    assert json.loads((tmp_path / "fusqa_training.json").read_text())["steps"] == 3
