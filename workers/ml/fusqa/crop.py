"""The classifier's input: image and mask cropped around the mask, with context.

The crop is a square centred on the mask's bounding box, its side the box's longer side plus
``margin`` of it on each side, so the network sees the fetus at a fixed scale AND the tissue
just past the mask's edges (where a leak or a short mask shows). Out-of-frame parts are black.
A mask with no pixel falls back to the whole frame letterboxed (mask channel all zero).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from workers.ml.segmentation import letterbox, standardise


def crop_box(mask: np.ndarray, margin: float) -> tuple[int, int, int]:
    """(top, left, side) in pixels of the square crop around the mask (may leave the frame)."""
    rows, cols = np.flatnonzero(np.any(mask, axis=1)), np.flatnonzero(np.any(mask, axis=0))
    r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    side = max(16, int(round(max(r1 - r0, c1 - c0) * (1 + 2 * margin))))
    top = int(round((r0 + r1) / 2 - side / 2))
    left = int(round((c0 + c1) / 2 - side / 2))
    return top, left, side


def _window(a: np.ndarray, top: int, left: int, side: int) -> np.ndarray:
    out = np.zeros((side, side), dtype=np.float32)
    h, w = a.shape
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = min(top + side, h), min(left + side, w)
    if r1 > r0 and c1 > c0:
        out[r0 - top : r1 - top, c0 - left : c1 - left] = a[r0:r1, c0:c1]
    return out


def quality_input(image: np.ndarray, mask: np.ndarray, size: int, margin: float) -> np.ndarray:
    """(2, size, size) float32: standardised image crop, mask crop in [0, 1]."""
    mask = np.asarray(mask) > 0
    if image.shape != mask.shape:
        raise ValueError(f"image {image.shape} and mask {mask.shape} differ in shape")
    if not mask.any():
        grey, _ = letterbox(image, size)
        return np.stack([grey, np.zeros_like(grey)]).astype(np.float32)
    top, left, side = crop_box(mask, margin)
    img = _window(image, top, left, side) / 255.0  # window first: only the crop is converted
    msk = _window(mask, top, left, side)
    both = torch.from_numpy(np.stack([img, msk]))[None]
    resized = F.interpolate(both, size=(size, size), mode="bilinear", align_corners=False, antialias=True)[0]
    grey, _, _ = standardise(resized[0])
    return torch.stack([grey, resized[1].clamp(0, 1)]).numpy().astype(np.float32)
