"""The evaluation metrics of the FUSQA protocol, on constructed data with known answers."""

import numpy as np
import pytest

from workers.ml import evaluate
from workers.ml.fusqa.calibration import expected_calibration_error


def test_sensitivity_and_specificity_are_for_poor_masks():
    # labels: 1 good, 0 poor. 4 poor (3 caught), 6 good (5 passed).
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
    p_good = np.array([0.1, 0.2, 0.3, 0.9, 0.8, 0.7, 0.6, 0.9, 0.95, 0.2])

    r = evaluate.poor_detection(p_good, labels)

    assert r["sensitivity_poor"] == pytest.approx(3 / 4)
    assert r["specificity_poor"] == pytest.approx(5 / 6)
    assert r["accuracy"] == pytest.approx(8 / 10)
    assert r["balanced_accuracy"] == pytest.approx((3 / 4 + 5 / 6) / 2)
    assert (r["count"], r["good"], r["poor"]) == (10, 6, 4)


def test_the_threshold_is_inclusive_for_good():
    assert evaluate.poor_detection([0.5], [1])["accuracy"] == 1.0


def test_ece_of_a_perfectly_calibrated_set_is_zero_and_of_a_confident_wrong_one_is_large():
    # In the bin [0.2, 0.3) every p is 0.25 and a quarter of the cases are good.
    p = np.full(8, 0.25)
    y = np.array([1, 0, 0, 0, 1, 0, 0, 0])
    assert expected_calibration_error(p, y) == pytest.approx(0.0)
    assert expected_calibration_error(np.full(4, 0.95), np.zeros(4)) == pytest.approx(0.95)


def test_ece_weighs_each_bin_by_its_share():
    # half the cases at p=0.9 all good (gap 0.1), half at p=0.1 all good (gap 0.9)
    p = np.array([0.9, 0.9, 0.1, 0.1])
    y = np.ones(4)

    assert expected_calibration_error(p, y) == pytest.approx(0.5 * 0.1 + 0.5 * 0.9)


def test_auc_matches_the_pairwise_definition_with_ties():
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 5, 60).astype(float)  # many ties
    labels = rng.random(60) < 0.4
    pos, neg = scores[labels], scores[~labels]
    pairwise = ((pos[:, None] > neg).sum() + 0.5 * (pos[:, None] == neg).sum()) / (len(pos) * len(neg))

    assert evaluate.binary_auc(scores, labels) == pytest.approx(pairwise)
    assert evaluate.binary_auc([0.3, 0.4], [1, 1]) is None


def test_accuracy_is_reported_per_kind_of_damage():
    kinds = np.array(["erode", "erode", "shift", "shift", "shift", "reference"])
    labels = np.array([0, 1, 0, 0, 0, 1])
    p_good = np.array([0.2, 0.3, 0.1, 0.6, 0.2, 0.9])

    r = evaluate.accuracy_by_kind(p_good, labels, kinds)

    assert r["erode"] == {"count": 2, "good": 1, "poor": 1, "accuracy": 0.5}
    assert r["shift"]["accuracy"] == pytest.approx(2 / 3)
    assert r["reference"] == {"count": 1, "good": 1, "poor": 0, "accuracy": 1.0}


def test_the_ga_table_splits_by_the_classifiers_call_and_gives_the_ratio():
    p_good = np.array([0.9, 0.8, 0.1, 0.2, 0.3])
    ga = np.array([70.0, 71.0, 80.0, 60.0, np.nan])  # the last mask was empty
    reported = np.array([71.0, 70.0, 70.0, 70.0, 70.0])
    reference = np.array([70.0, 70.0, 70.0, 70.0, 70.0])

    t = evaluate.ga_error_table(p_good, ga, reported, reference)

    assert t["called_good"] == {"count": 2, "mae_vs_reported_days": 1.0, "mae_vs_reference_days": 0.5}
    assert t["called_poor"] == {"count": 2, "mae_vs_reported_days": 10.0, "mae_vs_reference_days": 10.0}
    assert t["ratio_poor_to_good_vs_reported_days"] == pytest.approx(10.0)
    assert t["without_ga"] == 1
    assert t["noise_floor_days"] == pytest.approx(0.2)


def test_reliability_bins_and_the_diagram(tmp_path):
    p = np.array([0.05, 0.15, 0.15, 0.95, 1.0])
    y = np.array([0, 0, 1, 1, 1])

    bins = evaluate.reliability_bins(p, y, n_bins=10)
    png = evaluate.draw_reliability_diagram(bins, tmp_path / "r.png", title="test", ece=0.1)

    assert [b["count"] for b in bins] == [1, 2, 0, 0, 0, 0, 0, 0, 0, 2]
    assert bins[1]["good_rate"] == 0.5 and bins[1]["mean_p"] == pytest.approx(0.15)
    assert np.isnan(bins[2]["mean_p"])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
