"""The FUSQA classifier: labels, crops, calibration, training, checkpoints."""

import numpy as np
import pytest
from scipy import ndimage
from scipy.special import expit

from tests.workers.ml.shapes import ellipse_mask, ellipse_scans
from workers.ml import fusqa
from workers.ml.fusqa.calibration import apply_temperature, expected_calibration_error, fit_temperature
from workers.ml.fusqa.crop import crop_box, quality_input
from workers.ml.fusqa.labels import LABEL_THRESHOLDS, dice, quality_label
from workers.ml.train import label_candidates, train_fusqa

TINY = {"widths": [8, 16, 32], "input_size": 32}


def quality_cases(seed, count):
    """Each ellipse scan twice: with its true mask (good) and with a damaged one (poor)."""
    rng = np.random.default_rng(seed + 100)
    out = []
    for image, mask in ellipse_scans(seed, count):
        out.append((image, mask, 1))
        kind = rng.integers(3)
        if kind == 0:
            bad = np.roll(mask, int(rng.choice([-1, 1]) * rng.integers(5, 8)), axis=int(rng.integers(2)))
        elif kind == 1:
            bad = ndimage.binary_dilation(mask, iterations=4)
        else:
            bad = ndimage.binary_erosion(mask, iterations=3)
            bad = bad if bad.any() else mask[::-1].copy()
        out.append((image, bad, 0))
    return out


def test_a_longer_mask_with_high_dice_is_not_good():
    # The reference scan's lesson: Dice 0.95 and yet an 8% longer CRL.
    reference = ellipse_mask((200, 300), (100, 150), (100, 30), 0.0)
    longer = ellipse_mask((200, 300), (100, 150), (108, 30), 0.0)

    verdict = quality_label(longer, reference, 0.3)

    assert verdict.dice > 0.95
    assert verdict.crl_error == pytest.approx(0.08, abs=0.01)
    assert 1.5 < verdict.ga_error_days < 3.0  # about 2.5 days at 60 mm
    assert verdict.label is None  # between good (<= 1.5 d) and poor (> 3 d): dropped from training


def test_labels_follow_the_thresholds():
    reference = ellipse_mask((200, 300), (100, 150), (100, 30), 0.0)
    same = quality_label(reference, reference, 0.3)
    far_too_long = quality_label(ellipse_mask((200, 300), (100, 150), (115, 30), 0.0), reference, 0.3)
    shifted = quality_label(np.roll(reference, 20, axis=0), reference, 0.3)

    assert (same.label, same.dice, same.ga_error_days) == ("good", 1.0, 0.0)
    assert far_too_long.label == "poor" and far_too_long.dice > LABEL_THRESHOLDS.good_min_dice
    assert abs(far_too_long.ga_error_days) > LABEL_THRESHOLDS.poor_above_ga_error_days
    assert shifted.label == "poor" and shifted.dice < LABEL_THRESHOLDS.poor_below_dice
    assert quality_label(np.zeros_like(reference), reference, 0.3).label == "poor"


def test_label_candidates_drops_the_middle_cases():
    image = np.zeros((200, 300), np.uint8)
    reference = ellipse_mask((200, 300), (100, 150), (100, 30), 0.0)
    longer = ellipse_mask((200, 300), (100, 150), (108, 30), 0.0)
    shifted = np.roll(reference, 20, axis=0)

    samples = label_candidates([(image, reference, [reference, longer, shifted], 0.3)])

    assert [label for _, _, label in samples] == [1, 0]


def test_dice_of_two_empty_masks_is_one():
    assert dice(np.zeros((3, 3)), np.zeros((3, 3))) == 1.0


def test_the_crop_centres_on_the_mask_with_context():
    mask = np.zeros((100, 100), bool)
    mask[40:60, 30:70] = True  # 20 x 40 box

    top, left, side = crop_box(mask, margin=0.25)
    x = quality_input(np.full((100, 100), 90, np.uint8), mask, 32, 0.25)

    assert (top, left, side) == (20, 20, 60)
    assert x.shape == (2, 32, 32) and x.dtype == np.float32
    assert 0.0 <= x[1].min() and x[1].max() <= 1.0
    assert x[1, 16, 16] == pytest.approx(1.0) and x[1, 0, 0] == 0.0


def test_an_empty_mask_is_poor_without_asking_the_network():
    model = train_fusqa(quality_cases(0, 2), steps=1, batch_size=4, config=TINY).model

    p = model.predict([np.zeros((30, 40), np.uint8)], [np.zeros((30, 40), bool)])

    assert p.tolist() == [0.0]


def test_temperature_scaling_lowers_ece_on_an_overconfident_set():
    rng = np.random.default_rng(0)
    true_logits = rng.normal(0, 2, 4000)
    labels = rng.random(4000) < expit(true_logits)
    overconfident = 3.0 * true_logits

    temperature = fit_temperature(overconfident, labels)

    assert temperature == pytest.approx(3.0, rel=0.15)
    before = expected_calibration_error(apply_temperature(overconfident, 1.0), labels)
    after = expected_calibration_error(apply_temperature(overconfident, temperature), labels)
    assert after < 0.5 * before


def test_training_learns_good_from_damaged_masks_and_the_checkpoint_keeps_the_temperature(tmp_path):
    val = quality_cases(1, 16)

    result = train_fusqa(
        quality_cases(0, 48),
        steps=80,
        batch_size=16,
        seed=0,
        lr=1e-2,
        config=TINY,
        val_samples=val,
        out_path=tmp_path / "fusqa.pt",
    )

    assert np.mean(result.losses[-10:]) < 0.5 * np.mean(result.losses[:5])
    assert result.metrics["val_balanced_accuracy"] >= 0.8
    assert result.metrics["val_auc"] >= 0.9
    assert 0.0 <= result.metrics["val_auc_mask_only"] <= 1.0
    loaded = fusqa.load_model(result.checkpoint, device="cpu")
    assert loaded.temperature == pytest.approx(result.metrics["temperature"])
    images, masks, _ = zip(*val[:6], strict=True)
    images, masks = list(images), list(masks)
    np.testing.assert_allclose(loaded.predict(images, masks), result.model.predict(images, masks), atol=1e-6)


@pytest.mark.parametrize("architecture", ["densenet121", "resnet18", "efficientnet-b0"])
def test_the_monai_architectures_train_a_step(architecture):
    cases = quality_cases(0, 2)

    result = train_fusqa(cases, steps=1, batch_size=4, architecture=architecture, config={"input_size": 32})

    assert result.metrics["steps"] == 1
    assert result.model.predict([cases[0][0]], [cases[0][1]]).shape == (1,)


def test_missing_weights_name_the_training_command(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m workers.ml.train fusqa"):
        fusqa.load_model(tmp_path / "none.pt")
