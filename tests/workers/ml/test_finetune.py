"""Fine-tuning from a frozen training set: reproducible to the byte, resumable to the byte, cancellable,
judged per hospital on held-out cases it never trained on."""

import shutil

import pytest

from tests.pipeline.trainable_models import trainable_checkpoint
from tests.training_set_zips import tiny_items, write_training_set
from workers.ml.train.finetune import Callbacks, TrainingCancelled, file_sha256, finetune
from workers.ml.train.finetune_parameters import DEFAULTS, ParameterError, finetune_parameters

TINY = {"epochs": 3, "batch_size": 8, "synthetic_base": 2, "synthetic_test": 2}


@pytest.fixture(scope="module")
def material(tmp_path_factory):
    folder = tmp_path_factory.mktemp("finetune")
    return {
        "folder": folder,
        "training_set": write_training_set(folder / "set.zip", tiny_items(16)),
        "fusqa": trainable_checkpoint(folder, "fusqa"),
        "segmentation": trainable_checkpoint(folder, "segmentation"),
        "cache": folder / "phantoms",
    }


def run(material, kind, name, callbacks=None, **parameters):
    return finetune(
        kind=kind,
        parent_weights=material[kind],
        training_set=material["training_set"],
        parameters={**TINY, **parameters},
        work_dir=material["folder"] / f"work-{name}",
        out_path=material["folder"] / f"{name}.pt",
        callbacks=callbacks,
        cache_dir=material["cache"],
    )


@pytest.mark.parametrize("kind", ["fusqa", "segmentation"])
def test_two_runs_on_the_same_data_and_parameters_write_identical_weights(material, kind):
    first = run(material, kind, f"{kind}-first")
    second = run(material, kind, f"{kind}-second")

    assert file_sha256(first.weights) == file_sha256(second.weights)
    assert first.history == second.history
    assert [entry["epoch"] for entry in first.history] == [1, 2, 3]
    assert file_sha256(first.weights) != file_sha256(material[kind])  # it did learn something


def test_another_seed_gives_other_weights(material):
    assert file_sha256(run(material, "fusqa", "seed-0").weights) != file_sha256(
        run(material, "fusqa", "seed-1", seed=1).weights
    )


class WorkerDied(Exception):
    pass


def die_after_epoch(n):
    def hook(epoch):
        if epoch == n:
            raise WorkerDied

    return hook


def test_a_run_that_died_resumes_from_its_last_checkpoint_and_ends_with_the_same_weights(material):
    uninterrupted = run(material, "fusqa", "whole")
    shutil.rmtree(material["folder"] / "work-resumed", ignore_errors=True)
    lines = []
    with pytest.raises(WorkerDied):
        run(material, "fusqa", "resumed", Callbacks(epoch_done=die_after_epoch(2)))

    resumed = run(material, "fusqa", "resumed", Callbacks(log=lines.append))

    assert resumed.resumed_from_epoch == 2
    assert "resumed from the checkpoint of epoch 2" in lines
    assert file_sha256(resumed.weights) == file_sha256(uninterrupted.weights)
    assert resumed.history == uninterrupted.history


def test_a_cancelled_run_stops_between_batches_and_writes_no_weights(material):
    asked = []

    def should_stop():
        asked.append(1)
        return len(asked) > 2

    with pytest.raises(TrainingCancelled, match="epoch 1, before step 3"):
        run(material, "fusqa", "cancelled", Callbacks(should_stop=should_stop))
    assert not (material["folder"] / "cancelled.pt").exists()


def test_progress_comes_every_batch_and_each_epoch_brings_its_history(material):
    seen = []
    run(material, "segmentation", "progress", Callbacks(progress=seen.append), epochs=2)

    batches = [info for info in seen if info["stage"] == "train"]
    epochs = [info for info in seen if info["stage"] == "epoch"]
    assert len(batches) >= 2 and all(0 < info["progress"] < 1 for info in batches)
    assert [len(info["history"]) for info in epochs] == [1, 2]
    assert seen[-1] == {"stage": "done", "progress": 1.0, "eta_seconds": 0.0}


def test_the_comparison_has_candidate_and_parent_per_hospital_and_the_synthetic_set(material):
    result = run(material, "fusqa", "compared")

    rows = {row["hospital"]: row for row in result.comparison}
    assert set(rows) == {"north", "south", "synthetic"}
    for row in rows.values():
        assert row["count"] > 0
        assert set(row["candidate"]) == {"accuracy", "auc", "sensitivity_poor", "ece", "ga_error_good_days", "count"}
        assert row["baseline"]["count"] == row["candidate"]["count"]


def test_parameters_are_filled_with_defaults_and_unknown_keys_are_named():
    assert finetune_parameters("fusqa", {"epochs": 2}) == {**DEFAULTS["fusqa"], "epochs": 2}
    with pytest.raises(ParameterError) as refused:
        finetune_parameters("fusqa", {"epochz": 2, "lr": -1, "batch_size": 2.5, "reference_candidates": "yes"})
    assert set(refused.value.problems) == {"epochz", "lr", "batch_size", "reference_candidates"}
    assert "unknown parameter" in refused.value.problems["epochz"]


def test_a_segmentation_run_is_judged_on_dice_and_the_ga_error_of_masks_the_active_fusqa_calls_good(material):
    result = finetune(
        kind="segmentation",
        parent_weights=material["segmentation"],
        training_set=material["training_set"],
        parameters={**TINY, "epochs": 1},
        work_dir=material["folder"] / "work-segmentation-judged",
        out_path=material["folder"] / "segmentation-judged.pt",
        assessor_weights=material["fusqa"],
        cache_dir=material["cache"],
    )

    rows = {row["hospital"]: row for row in result.comparison}
    assert set(rows) == {"north", "south", "synthetic"}
    for row in rows.values():
        assert set(row["candidate"]) == {"dice", "ga_error_days", "ga_error_good_days", "count"}
        assert 0 <= row["candidate"]["dice"] <= 1 and 0 <= row["baseline"]["dice"] <= 1
