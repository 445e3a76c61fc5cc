"""Damaged candidate masks for FUSQA training, sized relative to the fetus."""

import numpy as np
import pytest

from tests.workers.ml.shapes import ellipse_mask
from workers.ml.crl import crl_from_mask
from workers.ml.train.phantoms import _stretch, candidate_masks


def test_stretching_along_the_crl_axis_scales_the_crl():
    mask = ellipse_mask((200, 200), (100, 100), (70, 25), 0.6)
    crl = crl_from_mask(mask, 0.2)

    longer = crl_from_mask(_stretch(mask, 1.1, crl.p1, crl.p2), 0.2)

    assert longer.crl_mm / crl.crl_mm == pytest.approx(1.1, abs=0.02)


def test_candidates_start_with_the_true_mask_and_include_a_swap():
    mask = ellipse_mask((120, 160), (60, 80), (50, 18), 0.3)
    other = ellipse_mask((100, 100), (40, 60), (30, 12), 1.2)

    candidates = candidate_masks(mask, 0.25, np.random.default_rng(0), other)

    assert candidates[0] is mask
    assert len(candidates) == 8
    assert all(c.shape == mask.shape and c.dtype == bool and c.any() for c in candidates)
