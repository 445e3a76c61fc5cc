"""Standing tests of how the shipped FUSQA classifier behaves, on phantoms (issue #10, item 5).

Fast on purpose (a few dozen phantom frames of hospital A, seeds in no training split): they test what
the model does, not how well it scores. A test today's weights fail is marked xfail(strict=True), so it
turns into a failure, to be unmarked, the day a retrained fusqa.pt passes it.
"""

import numpy as np
import pytest
from scipy import ndimage

from workers.ml import fusqa, segmentation
from workers.ml.crl import crl_from_mask
from workers.ml.fusqa.labels import quality_label
from workers.ml.synth.anatomy import TISSUE_FETUS, TISSUE_FLUID
from workers.ml.train.datasets import TRAIN_HOSPITAL, generate_frames, profiles_of

FIRST_SEED = 270_000  # in no split of workers/ml/train/datasets.py
FRAMES = 24
ROUND_SECTION = (
    "the shipped fusqa.pt calls 1 of these 48 masks good: the segmentation model's mask of frame 4, which follows the "
    "fetus-shaped hollow this test leaves in the fluid where it erased the embryo (p(good) 0.84, operating threshold "
    "0.825); the first model called 6 of 24 good. A retrained model must pass"
)


@pytest.fixture(scope="module")
def model():
    return fusqa.load_model()


@pytest.fixture(scope="module")
def frames():
    return generate_frames(profiles_of(TRAIN_HOSPITAL), list(range(FIRST_SEED, FIRST_SEED + FRAMES)))


@pytest.fixture(scope="module")
def good_frames(model, frames):
    """Frames whose reference mask the model calls good: the starting points of the perturbations."""
    answers = model.assess([f.image for f in frames], [f.mask for f in frames], [f.spacing_mm for f in frames])
    chosen = [f for f, a in zip(frames, answers, strict=True) if a.verdict == "good"]
    assert len(chosen) >= FRAMES * 0.8, "the model should call most reference masks good"
    return chosen


def _crl_px(frame) -> float:
    crl = crl_from_mask(frame.mask, frame.spacing_mm)
    return float(np.hypot(crl.p1[0] - crl.p2[0], crl.p1[1] - crl.p2[1]))


def _rim(mask: np.ndarray, width: int) -> np.ndarray:
    return mask & ~ndimage.binary_erosion(mask, iterations=width)


def _gamma(image: np.ndarray, g: float) -> np.ndarray:
    return (255.0 * (image / 255.0) ** g).astype(np.uint8)


def _attenuate_rim(frame, rng) -> np.ndarray:
    """The skin line dimmed: the band just inside and outside the outline takes the fluid's grey."""
    band = _rim(frame.mask, 4) | (ndimage.binary_dilation(frame.mask, iterations=2) & ~frame.mask)
    image = frame.image.astype(np.float32)
    image[band] *= rng.uniform(0.4, 0.6)
    return image.clip(0, 255).astype(np.uint8)


def _varied_interior(frame, rng) -> np.ndarray:
    """A brighter interior with coarse texture (what the real scan shows, FINDINGS lesson 7)."""
    inside = ndimage.binary_erosion(frame.mask, iterations=6)
    texture = ndimage.gaussian_filter(rng.normal(0, 1, frame.image.shape), 3)
    texture = 40 * texture / (texture[inside].std() + 1e-6)
    image = frame.image.astype(np.float32)
    image[inside] = image[inside] * 1.2 + 25 + texture[inside]
    return image.clip(0, 255).astype(np.uint8)


def _flip_and_shift(model, pairs) -> tuple[float, float]:
    """(share of good masks no longer called good, median |change of p(good)|) over (frame, image, mask)."""
    before = model.assess(
        [f.image for f, _, _ in pairs], [f.mask for f, _, _ in pairs], [f.spacing_mm for f, _, _ in pairs]
    )
    after = model.assess([im for _, im, _ in pairs], [m for _, _, m in pairs], [f.spacing_mm for f, _, _ in pairs])
    flips = np.mean([a.verdict != "good" for a in after])
    moves = np.median([abs(a.p_good - b.p_good) for a, b in zip(after, before, strict=True)])
    return float(flips), float(moves)


def test_global_appearance_changes_flip_few_good_masks(model, good_frames):
    rng = np.random.default_rng(1)
    pairs = []
    for frame in good_frames:
        pairs.append((frame, _gamma(frame.image, rng.uniform(0.7, 0.85)), frame.mask))
        pairs.append((frame, _gamma(frame.image, rng.uniform(1.2, 1.4)), frame.mask))
        pairs.append((frame, ndimage.gaussian_filter(frame.image, 1.0), frame.mask))

    flips, moves = _flip_and_shift(model, pairs)

    assert flips < 0.10, f"{flips:.0%} of good masks flipped"
    assert moves < 0.10, f"median |change of p(good)| {moves:.3f}"


def test_a_dimmed_skin_line_or_a_varied_interior_flips_few_good_masks(model, good_frames):
    rng = np.random.default_rng(2)
    pairs = []
    for frame in good_frames:
        pairs.append((frame, _attenuate_rim(frame, rng), frame.mask))
        pairs.append((frame, _varied_interior(frame, rng), frame.mask))

    flips, moves = _flip_and_shift(model, pairs)

    assert flips < 0.10, f"{flips:.0%} of good masks flipped"
    assert moves < 0.10, f"median |change of p(good)| {moves:.3f}"


def test_a_mask_a_little_wider_or_narrower_but_still_good_by_the_label_stays_good(model, good_frames):
    pairs = []
    for frame in good_frames:
        for grown in (
            ndimage.binary_dilation(frame.mask, iterations=2),
            ndimage.binary_erosion(frame.mask, iterations=2),
        ):
            if quality_label(grown, frame.mask, frame.spacing_mm).label == "good":
                pairs.append((frame, frame.image, grown))
    assert len(pairs) >= len(good_frames)

    flips, moves = _flip_and_shift(model, pairs)

    assert flips < 0.10, f"{flips:.0%} of good masks flipped"
    assert moves < 0.10, f"median |change of p(good)| {moves:.3f}"


@pytest.mark.parametrize("change", ["erode", "dilate"])
def test_p_good_falls_steadily_as_a_good_mask_is_eroded_or_dilated_past_the_bounds(model, good_frames, change):
    operation = ndimage.binary_erosion if change == "erode" else ndimage.binary_dilation
    shares = [0.0, 0.03, 0.06, 0.09, 0.12, 0.15]  # of the CRL, in pixels of boundary moved
    medians = []
    for share in shares:
        masks = [operation(f.mask, iterations=int(round(share * _crl_px(f)))) if share else f.mask for f in good_frames]
        p = model.predict([f.image for f in good_frames], masks)
        medians.append(float(np.median(p)))

    steps = np.diff(medians)
    assert np.all(steps <= 0.02), f"median p(good) by {change} share {shares}: {np.round(medians, 3).tolist()}"
    assert medians[0] > 0.9 and medians[-1] < 0.1, np.round(medians, 3).tolist()


def _on_maternal_tissue(frame, rng) -> np.ndarray | None:
    """The fetus's own outline moved onto tissue that is not fetus (the wall, the placenta, beyond)."""
    h, w = frame.mask.shape
    rows, cols = np.nonzero(frame.mask)
    height, width = rows.max() - rows.min() + 1, cols.max() - cols.min() + 1
    crop = frame.mask[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    for _ in range(400):
        top, left = rng.integers(1, max(2, h - height - 1)), rng.integers(1, max(2, w - width - 1))
        moved = np.zeros_like(frame.mask)
        moved[top : top + height, left : left + width] = crop
        tissue = frame.tissue[moved]
        in_sector = frame.image[moved] > 0
        if np.mean((tissue != TISSUE_FETUS) & (tissue != TISSUE_FLUID)) > 0.6 and in_sector.mean() > 0.9:
            return moved
    return None


def test_masks_on_maternal_tissue_are_never_called_good(model, frames):
    rng = np.random.default_rng(3)
    pairs = [
        (f, m) for f in frames for m in [_on_maternal_tissue(f, rng), _on_maternal_tissue(f, rng)] if m is not None
    ]
    assert len(pairs) >= 16  # zoomed framings leave little tissue beside the fetus: not every frame has room

    answers = model.assess([f.image for f, _ in pairs], [m for _, m in pairs], [f.spacing_mm for f, _ in pairs])

    verdicts = [a.verdict for a in answers]
    assert np.mean([v in ("poor", "unknown") for v in verdicts]) >= 0.99, verdicts


def _other_view(frame, rng, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """A head (skull ring, midline echo) or abdominal (round, stomach bubble) plane drawn into the
    frame's fluid where the fetus was: a round section, never a CRL view. Returns (image, its outline)."""
    image = frame.image.astype(np.float32)
    rows, cols = np.nonzero(frame.mask)
    centre = rows.mean(), cols.mean()
    radius = 0.35 * max(rows.max() - rows.min(), cols.max() - cols.min())
    yy, xx = np.ogrid[: image.shape[0], : image.shape[1]]
    r = np.hypot((yy - centre[0]) / 0.9, xx - centre[1])
    fluid = np.median(image[frame.tissue == TISSUE_FLUID]) if np.any(frame.tissue == TISSUE_FLUID) else 10.0
    speckle = ndimage.gaussian_filter(rng.gamma(2.0, 1.0, image.shape), 1.0)
    image[frame.mask] = fluid + 5 * speckle[frame.mask]
    inside = r < radius
    image[inside] = 70 + 25 * speckle[inside]
    if kind == "head":
        image[(r >= radius * 0.92) & (r < radius)] = 230  # skull
        image[inside & (np.abs(xx - centre[1]) < 2)] = 160  # midline echo
    else:
        image[np.hypot(yy - centre[0] - radius * 0.2, xx - centre[1] + radius * 0.3) < radius * 0.25] = fluid  # stomach
    return image.clip(0, 255).astype(np.uint8), inside


@pytest.mark.parametrize(
    "kind", ["head", pytest.param("abdomen", marks=pytest.mark.xfail(strict=True, reason=ROUND_SECTION))]
)
def test_frames_of_another_view_are_never_called_good(model, frames, kind):
    rng = np.random.default_rng(4)
    views = [_other_view(f, rng, kind) for f in frames]
    images = [image for image, _ in views]
    segmented = segmentation.load_model().predict(images)
    pairs = [(im, outline, f.spacing_mm) for (im, outline), f in zip(views, frames, strict=True)]
    pairs += [(im, m, f.spacing_mm) for im, m, f in zip(images, segmented, frames, strict=True)]

    answers = model.assess([p[0] for p in pairs], [p[1] for p in pairs], [p[2] for p in pairs])

    called_good = [i for i, a in enumerate(answers) if a.verdict == "good"]
    assert called_good == [], [answers[i] for i in called_good]
