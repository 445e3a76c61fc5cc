"""The classifier's input: image and mask cropped around the mask, with context.

The crop is a square centred on the mask's bounding box, its side the box's longer side plus
``margin`` of it on each side, so the network sees the fetus at a fixed scale AND the tissue
just past the mask's edges (where a leak or a short mask shows). Out-of-frame parts are black.
A mask with no pixel falls back to the whole frame letterboxed (mask channel all zero).

Frames whose pixels are not square (``spacing_mm`` (row, col) differing) are resampled to square
pixels first (the finer of the two spacings), so the network never learns a machine's pixel
aspect: a fetus has the same shape in the crop on every machine.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from workers.ml.segmentation import letterbox, shrink_square, standardise


def crop_box(mask: np.ndarray, margin: float) -> tuple[int, int, int]:
    """(top, left, side) in pixels of the square crop around the mask (may leave the frame)."""
    return _square_around(_bounding_box(mask), margin)


def _bounding_box(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """(r0, r1, c0, c1) of the mask's pixels (rows r0:r1, columns c0:c1); None for an empty mask."""
    rows, cols = np.flatnonzero(np.any(mask, axis=1)), np.flatnonzero(np.any(mask, axis=0))
    if rows.size == 0:
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def _square_around(box: tuple[int, int, int, int], margin: float) -> tuple[int, int, int]:
    r0, r1, c0, c1 = box
    side = max(16, int(round(max(r1 - r0, c1 - c0) * (1 + 2 * margin))))
    top = int(round((r0 + r1) / 2 - side / 2))
    left = int(round((c0 + c1) / 2 - side / 2))
    return top, left, side


def _shrink_window(
    a: np.ndarray, top: int, left: int, side: int, rows: tuple[int, int], size: int, *, grey: bool
) -> torch.Tensor:
    """The square window (top, left, side) of `a`, zero outside rows[0]:rows[1] and outside the
    frame, resized to (size, size) as F.interpolate(antialias=True) resizes the whole window
    (segmentation.shrink_square: only the given rows are resized across).
    grey: `a` holds grey levels, divided by 255 (a mask is taken as it is)."""
    r0, r1 = rows
    band = np.zeros((r1 - r0, side), dtype=np.float32)  # those rows across the window
    c0, c1 = max(left, 0), min(left + side, a.shape[1])
    if r1 > r0 and c1 > c0:
        inside = band[:, c0 - left : c1 - left]
        if grey:
            np.divide(a[r0:r1, c0:c1], np.float32(255.0), out=inside, dtype=np.float32)
        else:
            inside[...] = a[r0:r1, c0:c1]
    return shrink_square(torch.from_numpy(band)[None], r0 - top, side, size)[0]


SQUARE_TOLERANCE = 0.01  # relative difference of row and column spacing treated as square


def square_pixels(
    image: np.ndarray, mask: np.ndarray, spacing_mm: float | tuple[float, float] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Image and mask resampled to square pixels (the finer spacing); unchanged if already square
    or if the spacing is unknown. Image bilinear, mask nearest."""
    if spacing_mm is None or np.isscalar(spacing_mm):
        return image, mask
    row_mm, col_mm = (float(v) for v in spacing_mm)
    if row_mm <= 0 or col_mm <= 0 or abs(row_mm - col_mm) <= SQUARE_TOLERANCE * min(row_mm, col_mm):
        return image, mask
    fine = min(row_mm, col_mm)
    h, w = image.shape
    shape = (max(1, int(round(h * row_mm / fine))), max(1, int(round(w * col_mm / fine))))
    img = F.interpolate(torch.from_numpy(np.asarray(image, np.float32))[None, None], size=shape, mode="bilinear",
                        align_corners=False)[0, 0].numpy()  # fmt: skip
    msk = F.interpolate(torch.from_numpy(np.asarray(mask, np.float32))[None, None], size=shape, mode="nearest")
    return img, msk[0, 0].numpy() > 0.5


def quality_input(
    image: np.ndarray,
    mask: np.ndarray,
    size: int,
    margin: float,
    spacing_mm: float | tuple[float, float] | None = None,
) -> np.ndarray:
    """(2, size, size) float32: standardised image crop, mask crop in [0, 1]. ``spacing_mm``
    (row, col): resample to square pixels first when they differ."""
    mask = np.asarray(mask) > 0
    if image.shape != mask.shape:
        raise ValueError(f"image {image.shape} and mask {mask.shape} differ in shape")
    image, mask = square_pixels(image, mask, spacing_mm)
    box = _bounding_box(mask)
    if box is None:
        grey, _ = letterbox(image, size)
        return np.stack([grey, np.zeros_like(grey)]).astype(np.float32)
    top, left, side = _square_around(box, margin)
    # Only the rows that can hold data are resized: the frame's rows inside the window for the
    # image, the mask's own rows for the mask.
    frame_rows = (max(top, 0), min(top + side, image.shape[0]))
    grey = _shrink_window(np.asarray(image), top, left, side, frame_rows, size, grey=True)
    msk = _shrink_window(mask, top, left, side, box[:2], size, grey=False)
    grey, _, _ = standardise(grey)
    return torch.stack([grey, msk.clamp(0, 1)]).numpy().astype(np.float32)
