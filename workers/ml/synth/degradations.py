"""Damaged masks with graded severity, each carrying its Dice and CRL / GA error.

A segmentation model's mistakes, drawn from a ground-truth label mask (0 background, 1 head,
2 body). Damage is sized relative to the fetus (its equivalent radius or its CRL in pixels), so
"severity 0.5" means the same thing for a 15 mm and an 84 mm fetus (FINDINGS lesson 3). Mirrored
masks, shifted masks and masks swapped in from another scan are plausible shapes that disagree
with the image: what teaches a quality model to look at the image (lesson 2).

Severity runs 0..1. Typical outcomes (over the phantom distribution; tests hold them):
- erode, dilate, jitter, holes, blob, merge: Dice falls gently (mild damage stays near 0.9+).
- cut_head, cut_rump: CRL shrinks about in proportion (severity 1 removes ~35% of the length).
- leak_wall, leak_sac: Dice stays high while CRL may grow by 10% or more at the ends.
- shift: Dice falls steeply, CRL unchanged.  mirror, swap: plausible shape, low Dice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from ..crl import EmptyMaskError, crl_from_mask
from .anatomy import TISSUE_FLUID, TISSUE_WALL
from .fetus import robinson_ga_days

DEGRADATION_KINDS = (
    "erode",
    "dilate",
    "jitter",
    "cut_head",
    "cut_rump",
    "leak_wall",
    "leak_sac",
    "blob",
    "shift",
    "merge",
    "holes",
    "mirror",
    "swap",
)


@dataclass(frozen=True, eq=False)
class DegradedMask:
    labels: np.ndarray  # uint8, 0 / 1 head / 2 body
    kind: str
    severity: float
    dice: float  # fetus (any label) vs background, against the ground truth
    crl_mm: float  # max Feret of the largest fetal component (nan if empty)
    crl_error_mm: float  # degraded - truth
    crl_error_pct: float
    ga_error_days: float  # Robinson GA of degraded - of truth
    label_dice: float  # mean of head and body Dice: catches head/body label errors that Dice misses

    @property
    def mask(self) -> np.ndarray:
        return self.labels > 0


def dice(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a > 0, b > 0
    total = int(a.sum()) + int(b.sum())
    return 1.0 if total == 0 else 2.0 * int((a & b).sum()) / total


def label_dice(a: np.ndarray, b: np.ndarray) -> float:
    return 0.5 * (dice(a == 1, b == 1) + dice(a == 2, b == 2))


def _crl(labels: np.ndarray, spacing_mm) -> float:
    try:
        return crl_from_mask(labels > 0, spacing_mm).crl_mm
    except EmptyMaskError:
        return float("nan")


def mask_quality(labels: np.ndarray, truth: np.ndarray, spacing_mm) -> tuple[float, float, float, float, float]:
    """(dice, crl_mm, crl error mm, crl error %, GA error days) of a mask against the truth."""
    true_crl = _crl(truth, spacing_mm)
    crl = _crl(labels, spacing_mm)
    err = crl - true_crl
    ga_err = robinson_ga_days(crl) - robinson_ga_days(true_crl) if np.isfinite(crl) else float("nan")
    return dice(labels, truth), crl, err, 100.0 * err / true_crl, ga_err


def _size(mask: np.ndarray) -> float:
    """Equivalent radius of the fetus in pixels."""
    return math.sqrt(max(1, int(mask.sum())) / math.pi)


def _signed_distance(mask: np.ndarray) -> np.ndarray:
    return ndimage.distance_transform_edt(~mask) - ndimage.distance_transform_edt(mask)


def _relabel(new_mask: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Give each pixel of a new fetal mask the label of the nearest original fetal pixel."""
    if not labels.any():
        return np.zeros_like(labels)
    _, (ri, ci) = ndimage.distance_transform_edt(labels == 0, return_indices=True)
    return np.where(new_mask, labels[ri, ci], 0).astype(np.uint8)


def _smooth_noise(rng: np.random.Generator, shape, sigma: float) -> np.ndarray:
    n = ndimage.gaussian_filter(rng.normal(0, 1, shape), sigma)
    return n / (n.std() + 1e-9)


def _ends(labels: np.ndarray, spacing_mm) -> tuple[np.ndarray, np.ndarray]:
    """(crown, rump) end points in pixels: the CRL callipers, crown being the one nearer the head."""
    m = crl_from_mask(labels > 0, spacing_mm)
    p1, p2 = np.array(m.p1), np.array(m.p2)
    head = np.argwhere(labels == 1)
    if len(head) and np.linalg.norm(head.mean(0) - p2) < np.linalg.norm(head.mean(0) - p1):
        p1, p2 = p2, p1
    return p1, p2


def _cut(labels, spacing_mm, severity, at_crown: bool) -> np.ndarray:
    crown, rump = _ends(labels, spacing_mm)
    start, other = (crown, rump) if at_crown else (rump, crown)
    axis = (other - start) / (np.linalg.norm(other - start) + 1e-9)
    rr, cc = np.indices(labels.shape)
    along = (rr - start[0]) * axis[0] + (cc - start[1]) * axis[1]
    cut = 0.05 + 0.3 * severity
    return np.where(along < cut * np.linalg.norm(other - start), 0, labels).astype(np.uint8)


def _capsule_mask(shape, p0: np.ndarray, p1: np.ndarray, radius: float) -> np.ndarray:
    rr, cc = np.indices(shape)
    d = p1 - p0
    t = np.clip(((rr - p0[0]) * d[0] + (cc - p0[1]) * d[1]) / max(float(d @ d), 1e-9), 0.0, 1.0)
    return (rr - p0[0] - t * d[0]) ** 2 + (cc - p0[1] - t * d[1]) ** 2 <= radius * radius


def _leak(labels, spacing_mm, severity, rng, tissue, target) -> np.ndarray:
    """A tongue of mask from the rump (or the crown) into the target tissue.

    Into the sac: straight out from the end, through fluid. Into the wall: towards the nearest
    wall pixel from the end, bridging any fluid gap (the model fails to see the thin gap), then
    spreading inside the wall."""
    mask = labels > 0
    crown, rump = _ends(labels, spacing_mm)
    end = rump if rng.random() < 0.7 else crown
    length = float(np.linalg.norm(crown - rump))
    centroid = np.argwhere(mask).mean(0)
    reach = (0.005 + 0.2 * severity) * length
    width = (0.01 + 0.06 * severity) * length
    outward = (end - centroid) / (np.linalg.norm(end - centroid) + 1e-9)
    goal = end + outward * max(0.0, reach - width)  # the rounded tip then ends `reach` beyond
    region = None
    if tissue is not None:
        region = tissue == target
        if target == TISSUE_WALL and region.any():
            wall = np.argwhere(region)
            dist = np.linalg.norm(wall - end, axis=1) + 0.5 * np.linalg.norm(wall - goal, axis=1)
            nearest = wall[int(np.argmin(dist))].astype(float)
            gap = float(np.linalg.norm(nearest - end))
            direction = (nearest - end) / (gap + 1e-9)
            # Severity sets the length: a mild leak only reaches towards a distant wall.
            goal = end + direction * max(0.0, min(gap + 0.5 * reach, 1.5 * reach) - width)
            region = region | _capsule_mask(mask.shape, end, nearest, width * 0.6)
    tongue = _capsule_mask(mask.shape, end - outward * width, goal, width)
    if region is not None:
        tongue &= region | ndimage.binary_dilation(mask, iterations=2)
    grown = mask | tongue
    # Keep only the part connected to the fetus: a leak, not an island.
    lab, _ = ndimage.label(grown)
    keep = np.isin(lab, np.unique(lab[mask]))
    return _relabel(keep, labels)


def degrade_mask(
    labels: np.ndarray,
    kind: str,
    severity: float,
    rng: np.random.Generator,
    *,
    spacing_mm: float | tuple[float, float],
    tissue: np.ndarray | None = None,
    other: np.ndarray | None = None,
) -> DegradedMask:
    """Damage a ground-truth label mask.

    tissue: the scan's tissue map (anatomy.TISSUE_*), used by leak_wall / leak_sac to leak into
        the right structure (without it the leak is a blob off the end).
    other: the label mask of another scan (same size) for kind "swap".
    """
    if kind not in DEGRADATION_KINDS:
        raise ValueError(f"unknown degradation {kind!r}; known: {', '.join(DEGRADATION_KINDS)}")
    severity = float(np.clip(severity, 0.0, 1.0))
    labels = np.asarray(labels).astype(np.uint8)
    mask = labels > 0
    size = _size(mask)

    if kind == "erode":
        out = np.where(ndimage.distance_transform_edt(mask) > 0.3 * severity * size, labels, 0)
    elif kind == "dilate":
        out = _relabel(ndimage.distance_transform_edt(~mask) <= 0.3 * severity * size, labels)
    elif kind == "jitter":
        sd = _signed_distance(mask)
        noise = _smooth_noise(rng, mask.shape, max(2.0, 0.15 * size))
        out = _relabel(sd - noise * (0.02 + 0.18 * severity) * size < 0, labels)
    elif kind == "cut_head":
        out = _cut(labels, spacing_mm, severity, at_crown=True)
    elif kind == "cut_rump":
        out = _cut(labels, spacing_mm, severity, at_crown=False)
    elif kind in ("leak_wall", "leak_sac"):
        out = _leak(labels, spacing_mm, severity, rng, tissue, TISSUE_WALL if kind == "leak_wall" else TISSUE_FLUID)
    elif kind == "blob":
        out = labels.copy()
        rr, cc = np.indices(mask.shape)
        for _ in range(1 + int(3 * severity)):
            r = (0.1 + 0.35 * severity) * size * rng.uniform(0.6, 1.2)
            far = ndimage.distance_transform_edt(~mask) > r + 3
            if tissue is not None:
                far &= tissue > 0
            cand = np.argwhere(far)
            if len(cand) == 0:
                break
            cr, cl = cand[rng.integers(len(cand))]
            out[((rr - cr) / r) ** 2 + ((cc - cl) / (r * rng.uniform(0.6, 1.4))) ** 2 < 1] = 2
    elif kind == "shift":
        angle = rng.uniform(0, 2 * np.pi)
        dist = (0.02 + 0.3 * severity) * 2 * size
        dr, dc = int(round(dist * np.sin(angle))), int(round(dist * np.cos(angle)))
        out = ndimage.shift(labels, (dr, dc), order=0, mode="constant", cval=0)
    elif kind == "merge":
        # Head and body fused: the chin-chest gap filled (closing), and the labels blurred together.
        radius = (0.05 + 0.25 * severity) * size
        closed = ndimage.distance_transform_edt(~mask) <= radius
        closed = ndimage.distance_transform_edt(closed) > radius
        out = _relabel(closed | mask, labels)
        if severity > 0.5:
            out[out > 0] = 2
    elif kind == "holes":
        out = labels.copy()
        inner = np.argwhere(ndimage.distance_transform_edt(mask) > 0.15 * size)
        rr, cc = np.indices(mask.shape)
        for _ in range(1 + int(4 * severity)):
            if len(inner) == 0:
                break
            cr, cl = inner[rng.integers(len(inner))]
            r = (0.08 + 0.25 * severity) * size
            out[(rr - cr) ** 2 + (cc - cl) ** 2 < r * r] = 0
    elif kind == "mirror":
        cols = np.nonzero(mask.any(0))[0]
        centre = (cols.min() + cols.max()) / 2 if len(cols) else labels.shape[1] / 2
        shift = int(round(2 * centre - (labels.shape[1] - 1)))
        flipped = labels[:, ::-1]
        out = ndimage.shift(flipped, (0, shift), order=0, mode="constant", cval=0)
        if severity > 0.5:
            rows = np.nonzero(mask.any(1))[0]
            rc = (rows.min() + rows.max()) / 2
            out = ndimage.shift(out[::-1], (int(round(2 * rc - (labels.shape[0] - 1))), 0), order=0, cval=0)
    else:  # swap
        if other is None or other.shape != labels.shape:
            raise ValueError("kind 'swap' needs other=<label mask of another scan, same shape>")
        out = np.asarray(other).astype(np.uint8).copy()

    out = np.asarray(out, dtype=np.uint8)
    d, crl, err, pct, ga_err = mask_quality(out, labels, spacing_mm)
    return DegradedMask(
        labels=out,
        kind=kind,
        severity=severity,
        dice=d,
        crl_mm=crl,
        crl_error_mm=err,
        crl_error_pct=pct,
        ga_error_days=ga_err,
        label_dice=label_dice(out, labels),
    )
