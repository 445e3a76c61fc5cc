"""FUSQA's assess(): good, poor or unknown, with the reasons for an unknown and an OOD score."""

import json

import numpy as np
import pytest

from tests.workers.ml.shapes import ellipse_mask
from workers.ml import fusqa
from workers.ml.fusqa.ood import OodStats, fit_gaussians, load_ood, side_file
from workers.ml.fusqa.plausibility import mask_check
from workers.ml.segmentation import Letterbox, logits_to_mask
from workers.ml.train.datasets import TRAIN_HOSPITAL, generate_frames, profiles_of

SHAPE = (200, 240)
SPACING = 0.2  # mm per pixel: a 150 px long fetus is 30 mm


def frame_with_sector() -> np.ndarray:
    image = np.zeros(SHAPE, np.uint8)
    image[10:190, 10:230] = 60  # the imaging sector: grey, never exactly 0
    return image


def fetus(centre=(100, 120), axes=(32, 75)) -> np.ndarray:
    return ellipse_mask(SHAPE, centre, axes, 0.0)


def test_a_plausible_fetus_has_no_reason_to_be_unknown():
    check = mask_check(frame_with_sector(), fetus(), SPACING)

    assert check.reasons == []
    assert check.pieces == 1 and check.crl_mm == pytest.approx(30.2, abs=0.5)


@pytest.mark.parametrize(
    ("mask", "reason"),
    [
        (np.zeros(SHAPE, bool), "the mask is empty: no fetus found"),
        (
            fetus() | ellipse_mask(SHAPE, (40, 40), (12, 12), 0.0),
            "fragmented: 2 pieces, 6% of the mask outside the largest",
        ),
        (fetus(centre=(40, 120)), "the mask touches the image border: the fetus may be cut off"),
        (fetus(axes=(20, 20)), "CRL 8.3 mm is outside a CRL view's 10-90 mm"),
        (fetus(axes=(60, 62)), "not a fetus's shape: area / CRL² = 0.75 (a fetus: 0.12-0.55)"),
    ],
    ids=["empty", "fragmented", "border", "too small", "round"],
)
def test_an_implausible_mask_is_named_for_what_is_wrong(mask, reason):
    assert reason in mask_check(frame_with_sector(), mask, SPACING).reasons


def test_a_mask_outside_the_imaging_sector_is_named():
    mask = fetus(centre=(100, 16), axes=(40, 14))  # its left part beyond the sector's edge at column 10

    reasons = mask_check(frame_with_sector(), mask, SPACING).reasons

    assert any(r.endswith("of the mask lies outside the imaging sector") for r in reasons)


def test_specks_of_outline_noise_do_not_make_a_mask_fragmented():
    mask = fetus()
    mask[20, 20] = True  # one pixel: 0.01 % of the mask

    assert mask_check(frame_with_sector(), mask, SPACING).reasons == []


def test_the_pipelines_postprocessing_keeps_every_piece_the_network_found():
    score = np.full((2, 16, 16), -5.0, np.float32)
    score[1, 2:5, 2:5] = score[1, 9:14, 9:14] = 5.0
    box = Letterbox(height=64, width=64, side=64, top=0, left=0)

    kept = logits_to_mask(score, box, keep_largest=False)
    largest = logits_to_mask(score, box)

    from scipy import ndimage

    assert ndimage.label(kept)[1] == 2 and ndimage.label(largest)[1] == 1
    assert kept.sum() > largest.sum()


@pytest.fixture(scope="module")
def shipped():
    return fusqa.load_model()


@pytest.fixture(scope="module")
def phantoms():
    return generate_frames(profiles_of(TRAIN_HOSPITAL), list(range(280_000, 280_012)))


def test_assess_answers_p_good_verdict_reasons_and_ood_score_per_pair(shipped, phantoms):
    images, masks = [f.image for f in phantoms], [f.mask for f in phantoms]

    answers = shipped.assess(images, masks, [f.spacing_mm for f in phantoms])

    assert set(answers[0].as_dict()) == {"p_good", "verdict", "reasons", "ood_score"}
    assert [a.p_good for a in answers] == pytest.approx(list(shipped.predict(images, masks)), abs=1e-5)
    verdicts = [a.verdict for a in answers]
    assert verdicts.count("good") >= 10, verdicts  # reference masks of the training hospital
    assert all(a.ood_score is not None and a.ood_score < shipped.ood.threshold for a in answers if a.verdict == "good")


def test_an_empty_mask_is_unknown_with_p_good_zero(shipped, phantoms):
    [answer] = shipped.assess([phantoms[0].image], [np.zeros_like(phantoms[0].mask)], phantoms[0].spacing_mm)

    assert (answer.p_good, answer.verdict, answer.reasons) == (0.0, "unknown", ["the mask is empty: no fetus found"])


@pytest.mark.parametrize("kind", ["constant grey", "noise"])
def test_a_frame_unlike_any_ultrasound_under_a_fetus_mask_is_unknown(shipped, phantoms, kind):
    rng = np.random.default_rng(0)
    images = [
        np.full_like(f.image, 128) if kind == "constant grey" else rng.integers(1, 256, f.image.shape).astype(np.uint8)
        for f in phantoms
    ]

    answers = shipped.assess(images, [f.mask for f in phantoms], [f.spacing_mm for f in phantoms])

    assert not any(a.verdict == "good" for a in answers)
    unknown = [a for a in answers if a.verdict == "unknown"]
    assert len(unknown) >= 0.6 * len(answers), [a.ood_score for a in answers]
    assert any("unlike the training data" in r for a in unknown for r in a.reasons)


def test_gaussians_fitted_on_features_put_a_shifted_cloud_far_and_survive_json():
    rng = np.random.default_rng(1)
    features = rng.normal(0, 1, (400, 24))
    classes = (features[:, 0] > 0).astype(int)
    stage = fit_gaussians(features, classes, (0, 24), components=6)
    stats = OodStats.from_dict(json.loads(json.dumps(OodStats([stage], 1.5).to_dict())))

    near = stats.distances(rng.normal(0, 1, (200, 24)))
    far = stats.distances(rng.normal(0, 1, (200, 24)) + 3.0)

    assert np.median(near) < 1.2 < np.median(far)


def test_the_shipped_weights_have_ood_statistics_made_for_them():
    assert load_ood(fusqa.DEFAULT_WEIGHTS, {}) is not None, (
        "workers/weights/fusqa.ood.json is missing or was made for other weights: after retraining fusqa.pt run "
        "`.venv/bin/python -m workers.ml.fusqa.refit_ood` and commit fusqa.ood.json and fusqa_ood_report.json"
    )


def test_statistics_fitted_for_other_weights_are_ignored(tmp_path):
    weights = tmp_path / "fusqa.pt"
    weights.write_bytes(b"new weights")
    shipped_stats = json.loads(side_file(fusqa.DEFAULT_WEIGHTS).read_text())
    side_file(weights).write_text(json.dumps(shipped_stats))  # made for the shipped weights' sha256

    assert load_ood(weights, {}) is None
    assert load_ood(fusqa.DEFAULT_WEIGHTS, {}) is not None
