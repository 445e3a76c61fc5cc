"""Turning decoded pixels into the 8-bit grey frames the rest of FUSQA reads."""

import numpy as np


def luminance(rgb: np.ndarray) -> np.ndarray:
    """ITU-R BT.601 luma, the same weights Pillow uses for mode "L"."""
    rgb = rgb.astype(np.float64)
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def rescale_to_uint8(frames: list[np.ndarray]) -> list[np.ndarray]:
    """8-bit data is kept as it is; wider data is stretched with one scale for all frames."""
    if not frames:
        return []
    low = min(float(np.min(frame)) for frame in frames)
    high = max(float(np.max(frame)) for frame in frames)
    if low >= 0 and high <= 255:
        return [np.clip(np.rint(frame), 0, 255).astype(np.uint8) for frame in frames]
    span = high - low or 1.0
    return [np.rint((frame.astype(np.float64) - low) * (255.0 / span)).astype(np.uint8) for frame in frames]
