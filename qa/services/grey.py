"""Turning decoded pixels into the 8-bit grey frames the rest of FUSQA reads."""

import numpy as np

# Rows converted at a time: the float copy of a colour frame then stays a few MB, not 3 x 8 bytes a
# pixel of a whole 4096² frame.
_BLOCK_ROWS = 256


def luminance(rgb: np.ndarray, *, divide_by: float = 1.0) -> np.ndarray:
    """ITU-R BT.601 luma, the same weights Pillow uses for mode "L" (float64, one value per pixel)."""
    out = np.empty(rgb.shape[:-1], dtype=np.float64)
    for top in range(0, rgb.shape[0], _BLOCK_ROWS):
        block = rgb[top : top + _BLOCK_ROWS].astype(np.float64)
        if divide_by != 1.0:
            block /= divide_by
        out[top : top + _BLOCK_ROWS] = block[..., 0] * 0.299 + block[..., 1] * 0.587 + block[..., 2] * 0.114
    return out


def to_uint8(frame: np.ndarray, scale: tuple[float, float] | None) -> np.ndarray:
    """One frame on the 8-bit scale. `scale` is (low, high) over every frame of its cine; None where
    the values are already within 0..255. Values within 0..255 are kept as they are; wider data is
    stretched so that low is 0 and high is 255."""
    if frame.dtype == np.uint8:
        return frame.copy()  # the caller blanks it; the decoded frame it came from stays as it was
    low, high = scale if scale is not None else (0.0, 255.0)
    if low >= 0 and high <= 255:
        return np.clip(np.rint(frame), 0, 255).astype(np.uint8)
    span = high - low or 1.0
    # In place on one float copy: a 4096² frame would otherwise make several 128 MiB temporaries.
    out = frame.astype(np.float64)
    out -= low
    out *= 255.0 / span
    np.rint(out, out=out)
    np.clip(out, 0, 255, out=out)
    return out.astype(np.uint8)


def rescale_to_uint8(frames: list[np.ndarray]) -> list[np.ndarray]:
    """8-bit data is kept as it is; wider data is stretched with one scale for all frames."""
    if not frames:
        return []
    low = min(float(np.min(frame)) for frame in frames)
    high = max(float(np.max(frame)) for frame in frames)
    return [to_uint8(frame, (low, high)) for frame in frames]
