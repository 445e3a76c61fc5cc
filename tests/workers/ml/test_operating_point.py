"""FUSQA's operating threshold is chosen on hospital A's validation split by a fixed rule (operating_point.py)."""

import numpy as np
import pytest

from workers.ml.fusqa.operating_point import figures_at, operating_threshold, store_threshold


def _validation(seed=0):
    """Synthetic calibrated scores: plenty of synthetic damage, easy to tell; the model outputs' poor masks
    sit higher (plausible-looking), so a threshold above 0.5 catches more of them."""
    rng = np.random.default_rng(seed)
    good = np.r_[rng.uniform(0.85, 1.0, 600), rng.uniform(0.88, 1.0, 100)]
    poor = np.r_[rng.uniform(0.0, 0.3, 600), rng.uniform(0.4, 0.8, 100)]
    p = np.r_[good, poor]
    labels = np.r_[np.ones(700), np.zeros(700)]
    seg = np.r_[np.zeros(600), np.ones(100), np.zeros(600), np.ones(100)].astype(bool)
    return p, labels, seg


def test_the_threshold_maximises_balanced_accuracy_on_model_outputs_above_the_accuracy_floor():
    p, labels, seg = _validation()

    threshold = operating_threshold(p, labels, seg)

    assert 0.8 <= threshold <= 0.88  # all the model outputs' poor masks lie below, their good ones above
    at = figures_at(p, labels, seg, threshold)
    assert at["model_outputs_sensitivity_poor"] == 1.0 and at["accuracy"] >= 0.95
    assert figures_at(p, labels, seg, 0.5)["model_outputs_sensitivity_poor"] < 0.5


def test_the_accuracy_floor_binds():
    p, labels, seg = _validation()
    p = p.copy()
    p[:600] = np.random.default_rng(1).uniform(0.7, 1.0, 600)  # synthetic good masks now spread down to 0.7

    threshold = operating_threshold(p, labels, seg, min_accuracy=0.95)

    assert ((p >= threshold) == (labels > 0)).mean() >= 0.95
    assert threshold < 0.8


def test_without_model_outputs_of_both_labels_the_threshold_stays_at_half():
    p, labels, seg = _validation()
    assert operating_threshold(p, labels, np.zeros_like(seg)) == 0.5
    assert operating_threshold(p, labels, seg & (labels > 0)) == 0.5


def test_the_threshold_is_stored_in_the_checkpoint_and_used_by_assess(tmp_path):
    import shutil

    from workers.ml import fusqa
    from workers.ml.train.datasets import _one_frame

    weights = tmp_path / "fusqa.pt"
    shutil.copyfile(fusqa.DEFAULT_WEIGHTS, weights)
    frame = _one_frame(("hospital_a/voluson_e8", 7))
    p = float(fusqa.load_model(weights).predict([frame.image], [frame.mask])[0])

    assert p < 0.9999
    store_threshold(weights, 0.9999)
    model = fusqa.load_model(weights)

    assert model.threshold == pytest.approx(0.9999)
    [answer] = model.assess([frame.image], [frame.mask], [frame.spacing_mm])
    assert answer.verdict in ("poor", "unknown")  # p(good) below its own threshold
    [answer] = model.assess([frame.image], [frame.mask], [frame.spacing_mm], threshold=p - 0.01)
    assert answer.verdict in ("good", "unknown")
