"""The real-time chain's shortcuts give what the straightforward computations give (bench/inference.py).

Each fast path is compared with the plain way of computing the same thing: resizing the whole padded
square, labelling and filling the whole mask, measuring the CRL from the mask alone, checking the
mask without shared pieces. Resizes and masks must agree bit for bit, CRLs and reasons exactly.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy import ndimage

from workers.ml.crl import crl_from_mask, crl_from_pieces, euler_number, mask_pieces
from workers.ml.fusqa.crop import quality_input
from workers.ml.fusqa.plausibility import mask_check
from workers.ml.segmentation import (
    Letterbox,
    grey_mean_std,
    letterbox,
    logits_to_mask,
    mask_and_pieces,
    shrink_square,
    standardise,
)
from workers.ml.synth import list_profiles
from workers.ml.train.datasets import generate_frames


@pytest.fixture(scope="module")
def phantoms():
    """One frame of every machine (frame sizes differ), and one more of the first."""
    profiles = list_profiles()
    return generate_frames(profiles, list(range(700_000, 700_000 + len(profiles) + 1)))


def resize(x: torch.Tensor, size) -> torch.Tensor:
    return F.interpolate(x[None], size=size, mode="bilinear", align_corners=False, antialias=True)[0]


def plain_letterbox(image: np.ndarray, size: int) -> np.ndarray:
    """The whole padded square resized, standardised by numpy's mean and SD."""
    h, w = image.shape
    side = max(h, w)
    top, left = (side - h) // 2, (side - w) // 2
    square = np.zeros((side, side), np.float32)
    square[top : top + h, left : left + w] = image
    square *= np.float32(1 / 255.0)
    resized = resize(torch.from_numpy(square)[None], (size, size))[0].numpy()
    mean, std = float(image.mean()) / 255.0, max(float(image.std(ddof=1)) / 255.0, 1e-3)
    return (resized - np.float32(mean)) / np.float32(std)


def plain_quality_input(image: np.ndarray, mask: np.ndarray, size: int, margin: float) -> np.ndarray:
    """The whole square window around the mask (zero outside the frame) resized, both channels at once."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    side = max(16, int(round(max(r1 - r0, c1 - c0) * (1 + 2 * margin))))
    top, left = int(round((r0 + r1) / 2 - side / 2)), int(round((c0 + c1) / 2 - side / 2))

    def window(a):
        out = np.zeros((side, side), np.float32)
        h, w = a.shape
        a0, b0, a1, b1 = max(top, 0), max(left, 0), min(top + side, h), min(left + side, w)
        out[a0 - top : a1 - top, b0 - left : b1 - left] = a[a0:a1, b0:b1]
        return out

    both = torch.from_numpy(np.stack([window(image) / 255.0, window(mask)]))
    resized = resize(both, (size, size))
    grey, _, _ = standardise(resized[0])
    return torch.stack([grey, resized[1].clamp(0, 1)]).numpy()


@pytest.mark.parametrize(
    ("n", "top", "side", "size"),
    [(600, 100, 800, 128), (37, 0, 90, 32), (90, 0, 90, 32), (5, 20, 30, 64), (300, 450, 1000, 128)],
    ids=["letterbox band", "top rows", "whole square", "upsampling", "bottom band"],
)
def test_resizing_only_the_rows_that_hold_data_equals_resizing_the_whole_square(n, top, side, size):
    rows = torch.from_numpy(np.random.default_rng(n).random((2, n, side), dtype=np.float32))
    square = F.pad(rows, (0, 0, top, side - top - n))

    assert torch.equal(shrink_square(rows, top, side, size), resize(square, (size, size)))


def test_the_letterbox_equals_resizing_the_padded_frame(phantoms):
    frames = [f.image for f in phantoms] + [phantoms[0].image.T.copy(), phantoms[0].image[:, :300]]  # tall ones too

    for image in frames:
        np.testing.assert_array_equal(letterbox(image, 128)[0], plain_letterbox(image, 128))


def test_integer_mean_and_sd_equal_numpys(phantoms):
    for image in [f.image for f in phantoms] + [np.full((9, 7), 13, np.uint8), np.array([[0, 255]], np.uint8)]:
        mean, sd = grey_mean_std(image)

        assert mean == pytest.approx(float(image.mean()), rel=1e-14)
        assert sd == pytest.approx(float(image.std(ddof=1)), rel=1e-12, abs=1e-12)


def damaged(mask: np.ndarray) -> list[np.ndarray]:
    """The mask, and masks the plausibility checks must catch: extra pieces, cut by the border, a ring."""
    far = mask.copy()
    far[5:25, 5:40] = True
    rows = np.flatnonzero(mask.any(axis=1))
    striped = mask.copy()
    striped[::7] = False
    ring = ndimage.binary_erosion(mask, iterations=3) ^ ndimage.binary_erosion(mask, iterations=6)
    return [mask, far, np.roll(mask, -int(rows[0]), axis=0), striped, ring]


def test_the_classifiers_crop_equals_resizing_the_whole_window(phantoms):
    for frame in phantoms:
        for mask in damaged(frame.mask):
            np.testing.assert_array_equal(
                quality_input(frame.image, mask, 128, 0.25), plain_quality_input(frame.image, mask, 128, 0.25)
            )


@pytest.mark.parametrize("seed", range(6))
def test_the_euler_number_is_pieces_minus_holes(seed):
    mask = np.random.default_rng(seed).random((30, 45)) > [0.3, 0.5, 0.7][seed % 3]

    pieces = ndimage.label(mask, structure=np.ones((3, 3)))[1]
    holes = ndimage.label(~np.pad(mask, 1))[1] - 1

    assert euler_number(mask) == pieces - holes


def test_shared_pieces_give_the_crl_and_the_reasons_the_mask_alone_gives(phantoms):
    for frame in phantoms:
        for mask in damaged(frame.mask):
            pieces = mask_pieces(mask)
            crl = crl_from_pieces(pieces, frame.spacing_mm)

            assert crl == crl_from_mask(mask, frame.spacing_mm)
            assert mask_check(frame.image, mask, frame.spacing_mm, crl=crl, pieces=pieces) == mask_check(
                frame.image, mask, frame.spacing_mm
            )


@pytest.mark.parametrize("seed", range(8))
def test_the_mask_and_its_pieces_equal_filling_and_labelling_the_whole_mask(seed):
    rng = np.random.default_rng(seed)
    logits = ndimage.gaussian_filter(rng.normal(size=(2, 32, 32)), sigma=(0, 1.5, 1.5)).astype(np.float32) * 8
    if seed % 2:  # a ring: a mask with a hole, and a piece inside the hole
        yy, xx = np.mgrid[:32, :32]
        r = np.hypot(yy - 16, xx - 16)
        logits[1] = np.where((r > 5) & (r < 10) | (r < 2), 4.0, -4.0)
    box = Letterbox(height=150, width=200, side=200, top=25, left=0)

    mask, pieces = mask_and_pieces(logits, box)

    expected = logits_to_mask(logits, box, keep_largest=False)
    np.testing.assert_array_equal(mask, expected)
    labels, count = ndimage.label(expected, structure=np.ones((3, 3)))
    assert pieces.count == count
    assert sorted(pieces.sizes) == sorted(np.bincount(labels.ravel())[1:])


def test_the_resizes_run_on_one_torch_thread_and_give_the_threads_back():
    from workers.ml.segmentation import one_torch_thread

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with one_torch_thread():
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("seed", range(6))
def test_the_crl_equals_the_hull_of_every_pixel_corner(seed):
    from scipy.spatial import ConvexHull
    from scipy.spatial.distance import pdist

    from workers.ml.crl import largest_component

    rng = np.random.default_rng(seed)
    mask = ndimage.gaussian_filter(rng.random((40, 60)), 3) > 0.5
    spacing = [(0.3, 0.3), (0.2, 0.45)][seed % 2]
    rows, cols = np.nonzero(largest_component(mask))
    corners = np.concatenate([np.stack([rows + dr, cols + dc], 1) for dr in (-0.5, 0.5) for dc in (-0.5, 0.5)])
    corners_mm = corners * np.array(spacing)
    expected = pdist(corners_mm[ConvexHull(corners_mm).vertices]).max()

    crl = crl_from_mask(mask, spacing)

    assert crl.crl_mm == pytest.approx(expected, rel=1e-12)
    assert np.hypot(*((np.array(crl.p1) - crl.p2) * spacing)) == pytest.approx(expected, rel=1e-12)
