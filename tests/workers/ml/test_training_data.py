"""Phantom caches, FUSQA candidates, segmentation snapshots and the calibration bias."""

import numpy as np
import pytest
from scipy.special import expit

from tests.workers.ml.shapes import ellipse_scans
from workers.ml.fusqa.calibration import apply_temperature, fit_temperature
from workers.ml.train import datasets
from workers.ml.train.candidates import CandidateSet, build_candidates, uniform
from workers.ml.train.segmentation import train_segmentation

TINY = {"channels": [8, 16, 32], "strides": [2, 2], "num_res_units": 1, "input_size": 32}


@pytest.fixture(scope="module")
def two_frames():
    return datasets.generate_frames(["hospital_a/voluson_e8"], [424_300, 424_301])


def test_a_split_is_generated_once_then_read_from_the_cache(tmp_path, monkeypatch):
    split = datasets.Split("tiny", "hospital_a", 424_400, 2)
    first = datasets.cached_frames(split, cache_dir=tmp_path)
    monkeypatch.setattr(datasets, "generate_frames", lambda *a, **k: pytest.fail("regenerated"))

    again = datasets.cached_frames(split, cache_dir=tmp_path)

    assert [f.seed for f in again] == [424_400, 424_401]
    assert [f.profile for f in again] == datasets.profiles_of("hospital_a")
    np.testing.assert_array_equal(first[1].image, again[1].image)
    assert datasets.cache_fingerprint(split, cache_dir=tmp_path) == datasets.synth_fingerprint()


def test_candidates_carry_labels_kinds_and_the_ga_each_mask_gives(two_frames):
    model_masks = {"final": [f.mask for f in two_frames]}

    c = build_candidates(
        two_frames, seed=0, kinds=("shift", "swap", "erode"), severity=uniform, model_masks=model_masks, size=32
    )

    assert len(c) == 2 * (1 + 3 + 2 + 1)  # reference, 3 kinds, 2 stretches, 1 model
    assert c.x.shape == (len(c), 2, 32, 32) and c.x.dtype == np.float16
    ref = c.kind == "reference"
    assert np.all(c.label[ref] == 1) and np.all(c.dice[ref] == 1.0)
    np.testing.assert_allclose(c.ga_days[ref], c.ga_days_reference[ref])
    assert set(c.kind.tolist()) == {"reference", "shift", "swap", "erode", "stretch", "seg_final"}
    assert set(np.unique(c.label).tolist()) <= {-1, 0, 1}
    labelled = c.labelled()
    assert isinstance(labelled, CandidateSet) and np.all(labelled.label >= 0)


def test_segmentation_training_writes_its_snapshots(tmp_path):
    result = train_segmentation(
        ellipse_scans(0, 16), steps=20, batch_size=4, config=TINY, snapshots=(0.25, 0.5), snapshot_dir=tmp_path
    )

    assert result.metrics["steps"] == 20
    assert sorted(p.name for p in tmp_path.iterdir()) == ["segmentation_p25.pt", "segmentation_p50.pt"]


def test_platt_calibration_removes_a_shifted_prior():
    rng = np.random.default_rng(0)
    true_logits = rng.normal(0, 2, 4000)
    labels = rng.random(4000) < expit(true_logits)
    shifted = 2.0 * (true_logits + 1.5)  # overconfident and biased towards good

    temperature, bias = fit_temperature(shifted, labels, with_bias=True)

    assert temperature == pytest.approx(2.0, rel=0.15)
    assert bias == pytest.approx(-1.5, abs=0.2)
    np.testing.assert_allclose(apply_temperature(shifted, temperature, bias), expit(true_logits), atol=0.05)
