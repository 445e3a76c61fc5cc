"""Artefacts of a real scan that the echo map must carry before the beam images it.

Reverberation (multiple reflections between the probe and the abdominal wall's layers: bands
parallel to the probe face, repeating in depth, seen in the fluid), side-lobe clutter (bright
echoes leaking sideways into the dark fluid), near-field haze (clutter just under the probe) and
acoustic shadows (a narrow angular band behind a refracting edge or a bone where little comes
back). All act on the Cartesian echogenicity map of ``anatomy.render_scene``; levels come from
``appearance.Appearance``.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from .appearance import Appearance
from .scan_conversion import SectorGeometry


def _polar(geom: SectorGeometry, probe_radius_mm: float) -> tuple[np.ndarray, np.ndarray]:
    """Depth below the probe face (mm) and beam angle (radians) of every pixel."""
    x = geom.x0_mm + np.arange(geom.cols, dtype=np.float32) * geom.spacing_mm
    y = geom.y0_mm + np.arange(geom.rows, dtype=np.float32) * geom.spacing_mm
    xx, yy = np.meshgrid(x, y)
    return np.hypot(xx, yy) - np.float32(probe_radius_mm), np.arctan2(xx, yy)


def add_artefacts(
    echo: np.ndarray,
    fluid: np.ndarray,
    fetus: np.ndarray,
    geom: SectorGeometry,
    probe_radius_mm: float,
    look: Appearance,
) -> None:
    """Modify ``echo`` in place. fluid / fetus: bool maps of the amniotic fluid and the fetus."""
    if not (look.reverberation or look.side_lobes or look.haze or look.shadows):
        return
    rng = np.random.default_rng([look.seed, 5])
    depth, theta = _polar(geom, probe_radius_mm)
    if look.shadows:
        _shadows(echo, fetus, depth, theta, look, rng)
    clutter = np.zeros_like(echo)
    if look.reverberation:
        period = look.reverberation_period_mm
        phase = np.mod(depth, period) / period
        bands = np.exp(-0.5 * ((phase - 0.5) / 0.06) ** 2) * np.exp(-depth / (4 * period))
        clutter += np.float32(look.reverberation) * bands.astype(np.float32)
    if look.side_lobes:
        # Smear bright echoes across the beam (a wide lateral, narrow axial kernel, ~5 mm).
        step = 4
        small = echo[::step, ::step]
        sigma_lat = 5.0 / (geom.spacing_mm * step)
        smeared = ndimage.gaussian_filter(small, sigma=(0.3 * sigma_lat, sigma_lat), mode="nearest")
        smeared = np.repeat(np.repeat(smeared, step, 0), step, 1)[: echo.shape[0], : echo.shape[1]]
        clutter += np.float32(look.side_lobes) * smeared
    if look.haze:
        clutter += np.float32(look.haze) * np.exp(-depth / look.haze_depth_mm).astype(np.float32)
    texture = rng.gamma(2.0, 0.5, size=echo.shape).astype(np.float32)  # clutter is grainy, not smooth
    echo[fluid] += (clutter * texture)[fluid]


def _shadows(echo, fetus, depth, theta, look: Appearance, rng: np.random.Generator) -> None:
    """Narrow angular bands, from a start depth downwards, where the echo is weakened. Half start
    at the fetus's lateral edges (refraction edge shadows), the rest anywhere in the window."""
    width = np.radians(look.shadow_width_deg)
    inside = np.isfinite(depth)
    t_lo, t_hi = float(theta[inside].min()), float(theta[inside].max())
    for k in range(look.shadows):
        if k % 2 == 0 and fetus.any():
            t_f = theta[fetus]
            edge = float(t_f.min() if rng.random() < 0.5 else t_f.max())
            start = float(np.percentile(depth[fetus], 50))
            centre = edge
        else:
            centre = float(rng.uniform(t_lo, t_hi))
            start = float(rng.uniform(np.nanmin(depth), np.nanpercentile(depth, 60)))
        band = np.abs(theta - centre) < width / 2
        soft = np.clip((depth - start) / 2.0, 0.0, 1.0)
        factor = 1.0 - look.shadow_strength * soft * band
        echo *= factor.astype(np.float32)
