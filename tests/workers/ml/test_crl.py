"""CRL as the maximum Feret diameter, in mm, of the largest fetal component."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage.measure import label, regionprops

from workers.ml.crl import EmptyMaskError, crl_from_mask

REFERENCE = Path("/work/shared/reference/first-trimester-crl")


def _disk(shape, centre, radius):
    rows, cols = np.ogrid[: shape[0], : shape[1]]
    return (rows - centre[0]) ** 2 + (cols - centre[1]) ** 2 <= radius**2


def test_a_horizontal_bar_measures_edge_to_edge():
    mask = np.zeros((5, 20), bool)
    mask[2, 3:13] = True  # 10 pixels long, 1 wide: corners span 10 x 1

    result = crl_from_mask(mask, 1.0)

    assert result.crl_mm == pytest.approx(np.hypot(10, 1))
    assert result.component_area_px == 10
    assert {result.p1[1], result.p2[1]} == {2.5, 12.5}


def test_a_single_pixel_measures_its_diagonal():
    mask = np.zeros((3, 3), bool)
    mask[1, 1] = True

    result = crl_from_mask(mask, 0.5)

    assert result.crl_mm == pytest.approx(0.5 * np.sqrt(2))


def test_anisotropic_spacing_is_applied_per_axis():
    mask = np.zeros((30, 30), bool)
    mask[5, 5:25] = True  # a row: its length lies along columns
    mask_t = mask.T.copy()  # a column: its length lies along rows

    along_cols = crl_from_mask(mask, (0.1, 0.3))
    along_rows = crl_from_mask(mask_t, (0.1, 0.3))

    assert along_cols.crl_mm == pytest.approx(np.hypot(20 * 0.3, 0.1))
    assert along_rows.crl_mm == pytest.approx(np.hypot(20 * 0.1, 0.3))


def test_the_largest_component_is_measured_with_eight_connectivity():
    mask = np.zeros((40, 40), bool)
    idx = np.arange(5, 15)
    mask[idx, idx] = True  # a diagonal chain: one component only under 8-connectivity
    mask[30:33, 30:33] = True  # a 9-pixel blob, smaller than the 10-pixel chain

    result = crl_from_mask(mask, 1.0)

    assert result.component_area_px == 10
    assert result.crl_mm == pytest.approx(10 * np.sqrt(2))
    assert result.p1 == (4.5, 4.5) and result.p2 == (14.5, 14.5)


def test_an_empty_mask_raises_a_value_error():
    with pytest.raises(EmptyMaskError, match="empty"):
        crl_from_mask(np.zeros((8, 8), bool), 1.0)
    assert issubclass(EmptyMaskError, ValueError)


@pytest.mark.parametrize("spacing", [0, -1.0, (1.0, 0.0), (1.0, 2.0, 3.0), float("nan")])
def test_invalid_spacing_raises(spacing):
    with pytest.raises(ValueError, match="spacing"):
        crl_from_mask(np.ones((3, 3), bool), spacing)


@pytest.mark.parametrize("seed", range(5))
def test_isotropic_masks_agree_with_skimage_feret_within_a_pixel(seed):
    rng = np.random.default_rng(seed)
    mask = _disk((64, 80), rng.uniform(20, 44, 2), rng.uniform(6, 15))
    mask |= _disk((64, 80), rng.uniform(20, 44, 2), rng.uniform(6, 15))
    mask &= rng.random(mask.shape) > 0.05  # ragged edges, holes
    component = label(mask, connectivity=2)
    largest = max(regionprops(component), key=lambda r: r.area)

    result = crl_from_mask(mask, 0.2)

    assert result.component_area_px == largest.area
    assert abs(result.crl_mm / 0.2 - largest.feret_diameter_max) <= 1.0


def test_end_points_are_the_measured_distance_apart():
    mask = _disk((50, 50), (25, 20), 10) | _disk((50, 50), (30, 35), 8)

    result = crl_from_mask(mask, (0.2, 0.15))

    d = np.hypot((result.p1[0] - result.p2[0]) * 0.2, (result.p1[1] - result.p2[1]) * 0.15)
    assert result.crl_mm == pytest.approx(d)


def _reference_mask(name, size=None):
    mask = np.array(Image.open(REFERENCE / f"{name}.png")) > 0
    if size is not None:
        mask = np.array(Image.fromarray(mask.astype(np.uint8)).resize(size, Image.NEAREST)) > 0
    return mask


@pytest.mark.parametrize(("name", "expected_px"), [("mask_expert", 722.8), ("mask_model", 781.1)])
def test_reference_scan_feret_matches_the_published_pipeline(name, expected_px):
    # README: Feret of head + body after resizing to the original 925 x 663 (width x height).
    mask = _reference_mask(name, size=(925, 663))

    result = crl_from_mask(mask, 1.0)

    assert result.crl_mm == pytest.approx(expected_px, rel=0.02)


def test_anisotropic_spacing_equals_resizing_first_on_the_reference_scan():
    resized = crl_from_mask(_reference_mask("mask_expert", size=(925, 663)), 1.0)
    original = crl_from_mask(_reference_mask("mask_expert"), (663 / 512, 925 / 512))

    assert original.crl_mm == pytest.approx(resized.crl_mm, rel=0.01)


def _brute_force_feret(mask, spacing):
    from scipy.spatial.distance import pdist

    from workers.ml.crl import largest_component

    centres = np.argwhere(largest_component(mask)).astype(float)
    corners = (centres[:, None, :] + np.array([[-0.5, -0.5], [-0.5, 0.5], [0.5, -0.5], [0.5, 0.5]])).reshape(-1, 2)
    return pdist(corners * np.asarray(spacing)).max()


@pytest.mark.parametrize("seed", range(4))
def test_the_fast_hull_equals_brute_force_over_all_pixel_corners(seed):
    rng = np.random.default_rng(seed)
    mask = rng.random((24, 30)) > 0.45  # ragged, holed, many components

    result = crl_from_mask(mask, (0.3, 0.7))

    assert result.crl_mm == pytest.approx(_brute_force_feret(mask, (0.3, 0.7)))
