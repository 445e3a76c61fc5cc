"""Training that cannot lean on one cue: square pixels, label-preserving augmentation, hard negatives."""

import numpy as np
import pytest
import torch

from workers.ml.crl import crl_from_mask
from workers.ml.fusqa.crop import quality_input, square_pixels
from workers.ml.synth.anatomy import TISSUE_FETUS, TISSUE_OTHER, TISSUE_WALL
from workers.ml.train.datasets import _one_frame
from workers.ml.train.hard_negatives import hard_negatives, on_maternal_tissue
from workers.ml.train.quality_augment import augment_quality


def test_anisotropic_pixels_are_resampled_to_square_before_the_crop():
    image = np.zeros((100, 200), np.uint8)
    mask = np.zeros((100, 200), bool)
    mask[40:60, 50:150] = True  # 20 rows x 100 cols, rows twice as tall as cols are wide
    img, msk = square_pixels(image, mask, (0.2, 0.1))
    assert img.shape == (200, 200) and msk.sum() == pytest.approx(2 * mask.sum(), rel=0.02)
    square = quality_input(image, mask, 64, 0.25, spacing_mm=(0.2, 0.1))[1] > 0.5
    as_is = quality_input(image, mask, 64, 0.25)[1] > 0.5
    rows = lambda m: np.flatnonzero(m.any(axis=1)).size  # noqa: E731
    assert rows(square) > 1.6 * rows(as_is)  # the box is 40 x 100 in mm-true shape, not 20 x 100
    assert square_pixels(image, mask, (0.1, 0.1))[0] is image


def _crops(n=8):
    rng = np.random.default_rng(0)
    out = []
    for _ in range(n):
        image = (rng.random((120, 160)) * 255).astype(np.uint8)
        mask = np.zeros((120, 160), bool)
        mask[40:80, 40:120] = True
        out.append(quality_input(image, mask, 64, 0.25))
    return torch.from_numpy(np.stack(out))


def test_augmentation_keeps_the_image_standardised_and_the_mask_a_mask():
    x = _crops()
    y = augment_quality(x, np.random.default_rng(1))
    assert y.shape == x.shape and torch.isfinite(y).all()
    assert torch.allclose(y[:, 0].mean(dim=(-2, -1)), torch.zeros(8), atol=1e-4)
    assert y[:, 1].min() >= 0 and y[:, 1].max() <= 1
    assert not torch.allclose(y, x)
    assert torch.equal(augment_quality(x, np.random.default_rng(1), strength=0.0), x)


def test_rotation_moves_mask_and_image_together():
    x = _crops(2)
    x[:, 0] = x[:, 1] * 2 - 1  # the image is the mask: any change must keep them aligned
    for seed in range(5):
        y = augment_quality(x, np.random.default_rng(seed))
        inside = y[:, 1] > 0.9
        outside = y[:, 1] < 0.1
        assert (y[:, 0][inside].mean() > y[:, 0][outside].mean() + 0.5).item()


@pytest.fixture(scope="module")
def frame():
    return _one_frame(("hospital_a/voluson_e8", 7))


def test_hard_negatives_are_head_only_body_only_maternal_and_merged(frame):
    crl = crl_from_mask(frame.mask, frame.spacing_mm)
    crl_px = float(np.hypot(crl.p1[0] - crl.p2[0], crl.p1[1] - crl.p2[1]))
    found = dict(hard_negatives(frame.labels, frame.tissue, frame.spacing_mm, crl_px, np.random.default_rng(0)))
    assert np.array_equal(found["head_only"], frame.labels == 1)
    assert np.array_equal(found["body_only"], frame.labels == 2)
    assert (found["merge_near"] >= frame.mask).all() and found["merge_near"].sum() > frame.mask.sum()


def test_a_mask_on_maternal_tissue_lies_on_the_wall_and_never_on_the_fetus():
    placed = 0
    for seed in range(6):
        f = _one_frame(("hospital_a/logiq_p9", seed))
        m = on_maternal_tissue(f.labels, f.tissue, np.random.default_rng(seed))
        if m is None:
            continue
        placed += 1
        assert not (f.tissue[m] == TISSUE_FETUS).any()
        assert np.isin(f.tissue[m], [TISSUE_WALL, TISSUE_OTHER]).mean() >= 0.7
    assert placed >= 2


def test_a_frame_of_another_view_shows_a_round_section_where_the_fetus_was(frame):
    from workers.ml.train.other_views import OTHER_VIEW_KINDS, other_view

    for kind in OTHER_VIEW_KINDS:
        view, outline = other_view(frame, np.random.default_rng(1), kind)
        rows, cols = np.nonzero(outline)
        long_axis = max(np.ptp(rows), np.ptp(cols))
        assert outline.sum() > 0.55 * np.pi * (long_axis / 2) ** 2  # round, not a CRL view's elongated body
        assert view.image.shape == frame.image.shape and not np.array_equal(view.image, frame.image)
        fetus_left = frame.mask & ~outline
        assert view.image[fetus_left].mean() < 0.5 * frame.image[fetus_left].mean()  # the embryo is gone


def test_masks_on_another_view_are_poor_whatever_they_overlap(frame):
    from workers.ml.train.candidates import poor_by_definition
    from workers.ml.train.other_views import other_view

    view, outline = other_view(frame, np.random.default_rng(2), "abdomen_section")
    found = poor_by_definition([(view, "other_view", outline), (view, "other_view", frame.mask)], size=64)
    assert found.label.tolist() == [0, 0]  # the reference outline itself included: it is not a CRL view
    assert found.x.shape == (2, 2, 64, 64)


def test_model_output_variants_bracket_the_models_own_mask(frame):
    from workers.ml import segmentation
    from workers.ml.train.model_outputs import perturb_image, threshold_variants

    model = segmentation.load_model()
    own = model.predict([frame.image])[0]
    found = threshold_variants(model, [frame], np.random.default_rng(0))
    assert found["final_loose"][0].sum() > own.sum() > found["final_tight"][0].sum()
    assert (found["final_pieces"][0] >= own).all()  # every piece kept, the largest among them
    harder = perturb_image(frame.image, np.random.default_rng(3))
    assert harder.dtype == np.uint8 and harder.shape == frame.image.shape and not np.array_equal(harder, frame.image)


def test_assess_resamples_non_square_pixels_as_training_does(frame):
    from workers.ml import fusqa

    model = fusqa.load_model()
    stretched = np.repeat(frame.image, 2, axis=0)[: frame.image.shape[0] * 2]  # rows now 2x as fine
    mask = np.repeat(frame.mask, 2, axis=0)
    row_mm, col_mm = frame.spacing_mm
    as_acquired = model.assess([frame.image], [frame.mask], [frame.spacing_mm])[0]
    resampled = model.assess([stretched], [mask], [(row_mm / 2, col_mm)])[0]
    unresampled_input = model.preprocess([stretched], [mask])[0]
    resampled_input = model.preprocess([stretched], [mask], [(row_mm / 2, col_mm)])[0]
    assert not np.allclose(unresampled_input, resampled_input)  # the pixel aspect is undone, not ignored
    assert resampled.p_good == pytest.approx(as_acquired.p_good, abs=0.1)
