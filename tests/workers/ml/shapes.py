"""A tiny test-only shape generator: bright ellipses on speckle-like noise. Not a phantom."""

import numpy as np


def ellipse_mask(shape, centre, axes, angle):
    rows, cols = np.mgrid[: shape[0], : shape[1]].astype(float)
    r, c = rows - centre[0], cols - centre[1]
    cos, sin = np.cos(angle), np.sin(angle)
    u, v = c * cos + r * sin, -c * sin + r * cos
    return (u / axes[0]) ** 2 + (v / axes[1]) ** 2 <= 1.0


def ellipse_scan(rng: np.random.Generator, shape=(32, 32)):
    """(uint8 image, bool mask): one ellipse a third to a half of the frame long."""
    h, w = shape
    side = min(h, w)
    axes = (rng.uniform(0.2, 0.3) * side, rng.uniform(0.1, 0.16) * side)
    centre = (rng.uniform(0.35, 0.65) * h, rng.uniform(0.35, 0.65) * w)
    mask = ellipse_mask(shape, centre, axes, rng.uniform(0, np.pi))
    image = rng.gamma(2.0, 20.0, shape) + 110.0 * mask
    return np.clip(image, 0, 255).astype(np.uint8), mask


def ellipse_scans(seed: int, count: int, shape=(32, 32)):
    rng = np.random.default_rng(seed)
    return [ellipse_scan(rng, shape) for _ in range(count)]
