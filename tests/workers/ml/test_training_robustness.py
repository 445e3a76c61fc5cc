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
