"""Speckle statistics: how large the grains are (autocorrelation FWHM) in pixels and mm."""

from __future__ import annotations

import numpy as np

from .imaging import form_bmode
from .profiles import MachineProfile
from .scan_conversion import window_geometry


def _half_width(profile_1d: np.ndarray) -> float:
    below = np.nonzero(profile_1d < 0.5)[0]
    if len(below) == 0:
        return float(len(profile_1d))
    i = int(below[0])
    a, b = profile_1d[i - 1], profile_1d[i]
    return (i - 1) + (a - 0.5) / (a - b)


def autocorrelation_fwhm_px(region: np.ndarray) -> tuple[float, float]:
    """FWHM (rows, cols) in pixels of the normalised autocorrelation of a homogeneous region."""
    r = np.asarray(region, dtype=np.float64)
    r = r - r.mean()
    f = np.fft.fft2(r, s=(2 * r.shape[0], 2 * r.shape[1]))
    ac = np.fft.ifft2(np.abs(f) ** 2).real
    ac /= ac[0, 0]
    return 2 * _half_width(ac[: r.shape[0] // 2, 0]), 2 * _half_width(ac[0, : r.shape[1] // 2])


def homogeneous_speckle_fwhm(profile: MachineProfile, zoom_index: int, seed: int = 0) -> dict[str, float]:
    """Image a uniform tissue with the machine and measure its speckle grain size."""
    geom = window_geometry(profile, zoom_index)
    echo = np.full((geom.rows, geom.cols), 0.05, np.float32)
    grey = form_bmode(echo, profile, zoom_index, np.random.default_rng(seed))
    rows, cols = np.nonzero(geom.sector_mask)
    r0, r1 = int(np.percentile(rows, 30)), int(np.percentile(rows, 70))
    c0, c1 = int(np.percentile(cols, 30)), int(np.percentile(cols, 70))
    ax, lat = autocorrelation_fwhm_px(grey[r0:r1, c0:c1])
    return {"axial_px": ax, "lateral_px": lat, "axial_mm": ax * geom.spacing_mm, "lateral_mm": lat * geom.spacing_mm}
