"""Training data from the phantom generator (workers.ml.synth), streamed, never stored.

Segmentation: (frame, mask) pairs cycling over the machine profiles.
FUSQA: each phantom frame gives its true mask plus candidates that disagree with the image while
staying plausible (FINDINGS lesson 2: mirrored, shifted, swapped in from another scan) and ones
whose CRL is off by a share of the fetus (lesson 3: stretched or shrunk along the long axis,
eroded or dilated by a share of CRL). ``extra_damage`` adds more, e.g. synth's degrade_mask or
the segmentation model's own outputs; every candidate is then labelled by labels.quality_label
and the middle cases are dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np
from scipy import ndimage

from workers.ml.crl import crl_from_mask
from workers.ml.train.fusqa import QualitySample, label_candidates


def _generate(profile: str, seed: int):
    from workers.ml.synth.scan import generate_scan

    return generate_scan(profile, seed)


def segmentation_stream(profiles: Sequence[str], seed: int = 0) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Endless (frame, mask) pairs: seeds seed, seed + 1, ..., profiles in turn."""
    i = 0
    while True:
        scan = _generate(profiles[i % len(profiles)], seed + i)
        yield scan.image, scan.mask
        i += 1


def _stretch(mask: np.ndarray, factor: float, p1, p2) -> np.ndarray:
    """The mask scaled by ``factor`` along its CRL axis (p1 -> p2), about its centre."""
    axis = np.subtract(p2, p1)
    axis = axis / np.linalg.norm(axis)
    centre = (np.asarray(p1) + np.asarray(p2)) / 2
    # output -> input map: x_in = centre + M (x_out - centre), M shrinks along the axis by 1/factor
    m = np.eye(2) + (1.0 / factor - 1.0) * np.outer(axis, axis)
    return ndimage.affine_transform(mask.astype(np.float32), m, offset=centre - m @ centre, order=1) > 0.5


def _resized(mask: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    zoom = (shape[0] / mask.shape[0], shape[1] / mask.shape[1])
    out = ndimage.zoom(mask.astype(np.uint8), zoom, order=0).astype(bool)
    fitted = np.zeros(shape, bool)
    fitted[: min(shape[0], out.shape[0]), : min(shape[1], out.shape[1])] = out[: shape[0], : shape[1]]
    return fitted


def candidate_masks(mask: np.ndarray, spacing, rng: np.random.Generator, other: np.ndarray | None) -> list[np.ndarray]:
    """The true mask and damaged versions of it, damage sized relative to the fetus."""
    crl = crl_from_mask(mask, spacing)
    crl_px = float(np.hypot(crl.p1[0] - crl.p2[0], crl.p1[1] - crl.p2[1]))
    out = [mask, mask[:, ::-1].copy()]
    angle = rng.uniform(0, 2 * np.pi)
    shift = rng.uniform(0.03, 0.25) * crl_px
    out.append(ndimage.shift(mask.astype(np.uint8), (shift * np.sin(angle), shift * np.cos(angle)), order=0) > 0)
    for factor in (rng.uniform(0.85, 0.98), rng.uniform(1.02, 1.15)):
        out.append(_stretch(mask, factor, crl.p1, crl.p2))
    k = max(1, int(round(rng.uniform(0.01, 0.06) * crl_px)))
    out.append(ndimage.binary_erosion(mask, iterations=k))
    out.append(ndimage.binary_dilation(mask, iterations=k))
    if other is not None:
        out.append(_resized(other, mask.shape))
    return [m for m in out if m.any()]


def quality_samples(
    profiles: Sequence[str],
    count: int,
    seed: int = 0,
    *,
    extra_damage: Callable[[np.ndarray, np.ndarray, np.random.Generator], list[np.ndarray]] | None = None,
    formula: str = "robinson",
) -> list[QualitySample]:
    """Labelled (frame, candidate mask, 1 good / 0 poor) samples from ``count`` phantom frames.
    extra_damage(image, mask, rng) -> more candidates (e.g. synth.degrade_mask, model outputs)."""
    rng = np.random.default_rng(seed)
    samples: list[QualitySample] = []
    previous = None
    for i in range(count):
        scan = _generate(profiles[i % len(profiles)], seed + i)
        candidates = candidate_masks(scan.mask, scan.spacing_mm, rng, previous)
        if extra_damage is not None:
            candidates += [m for m in extra_damage(scan.image, scan.mask, rng) if np.any(m)]
        samples += label_candidates([(scan.image, scan.mask, candidates, scan.spacing_mm)], formula=formula)
        previous = scan.mask
    return samples
