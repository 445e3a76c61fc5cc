"""Hard negatives: plausible masks that a classifier leaning on the mask's shape would call good.

- ``maternal``: the fetus's own outline moved onto the uterine wall or the tissue around it (what
  "keep the largest component" picked on real head images, FINDINGS lesson 11);
- ``head_only`` / ``body_only``: one of the two labels;
- ``merge_near``: the mask merged with a structure beside it (amnion, cord, yolk sac: a blob of
  fluid-side echo touching the outline, 10-25 % of the CRL across).

Each is labelled by the label rule like every other candidate (a merge may stay good if it moves
the GA little).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from workers.ml.synth.anatomy import TISSUE_FETUS, TISSUE_FLUID, TISSUE_OTHER, TISSUE_WALL

HARD_NEGATIVE_KINDS = ("maternal", "head_only", "body_only", "merge_near")


def on_maternal_tissue(labels: np.ndarray, tissue: np.ndarray, rng: np.random.Generator, tries: int = 80):
    """The mask's outline (mirrored or not, shrunk to 40-90 % where the full size does not fit)
    moved to where it lies mostly (>= 70 %) on wall or other maternal tissue and never on the
    fetus; None if no such place exists."""
    rows, cols = np.nonzero(labels > 0)
    h, w = labels.shape
    maternal = (tissue == TISSUE_WALL) | (tissue == TISSUE_OTHER)
    best, best_share = None, 0.0
    centre_r, centre_c = rows.mean(), cols.mean()
    for attempt in range(tries):
        flip = rng.random() < 0.5
        scale = 1.0 if attempt < tries // 4 else rng.uniform(0.4, 0.9)  # smaller where the wall is thin
        r_s = np.round(centre_r + (rows - centre_r) * scale).astype(int)
        c = np.round(centre_c + (cols - centre_c) * scale).astype(int)
        c = c.max() + c.min() - c if flip else c
        dr = int(rng.integers(-r_s.min(), h - r_s.max()))
        dc = int(rng.integers(-c.min(), w - c.max()))
        r2, c2 = r_s + dr, c + dc
        if (tissue[r2, c2] == TISSUE_FETUS).any():
            continue
        share = float(maternal[r2, c2].mean())
        if share > best_share:
            best, best_share = (r2, c2), share
        if share >= 0.9:
            break
    if best is None or best_share < 0.7:
        return None
    out = np.zeros(labels.shape, bool)
    out[best] = True
    return out


def merged_with_neighbour(mask: np.ndarray, tissue: np.ndarray, spacing_mm, crl_px: float, rng) -> np.ndarray:
    """The mask plus a blob in the fluid touching its outline."""
    edge = mask & ~ndimage.binary_erosion(mask)
    ring = ndimage.binary_dilation(mask, iterations=2) & ~mask & (tissue == TISSUE_FLUID)
    where = np.argwhere(ring if ring.any() else edge)
    r, c = where[rng.integers(len(where))]
    radius = rng.uniform(0.05, 0.125) * crl_px
    yy, xx = np.ogrid[: mask.shape[0], : mask.shape[1]]
    centre = np.array([r, c], float)
    inward = np.array(ndimage.center_of_mass(mask)) - centre
    centre -= inward / (np.hypot(*inward) + 1e-6) * radius * 0.8  # mostly outside, touching
    blob = (yy - centre[0]) ** 2 + (xx - centre[1]) ** 2 <= radius**2
    return mask | blob


def hard_negatives(
    labels: np.ndarray, tissue: np.ndarray, spacing_mm, crl_px: float, rng
) -> list[tuple[str, np.ndarray]]:
    """(kind, mask) for each hard negative that this frame allows."""
    mask = labels > 0
    out = [("head_only", labels == 1), ("body_only", labels == 2)]
    maternal = on_maternal_tissue(labels, tissue, rng)
    if maternal is not None:
        out.append(("maternal", maternal))
    out.append(("merge_near", merged_with_neighbour(mask, tissue, spacing_mm, crl_px, rng)))
    return [(k, m) for k, m in out if m.any()]
