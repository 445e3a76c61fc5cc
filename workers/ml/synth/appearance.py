"""How a frame's fetus and fluid look, drawn per frame and independently of each other.

A cue that every phantom shares becomes the classifier's rule (FINDINGS lesson 7: a thin bright
skin line exactly on the mask's edge, all the way round, in every frame). So every appearance
property of the fetus's edge and interior, and every artefact in the fluid around it, is drawn
here on its own, from its own random stream: any one of them can be absent, weak or strong in
any frame, whatever the others are.

Units: lengths in mm, or as a share of the fetus's radius (sqrt(area / pi)) where noted; gains
multiply the echogenicity (mean backscattered power) of the anatomy's defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Appearance:
    skin_coverage: float  # share of the outline that carries a skin line, 0..1
    skin_thickness_mm: float
    skin_gain: float  # skin echo x this (0.05: barely visible, 1.5: brighter than the default)
    edge_blur: float  # sigma of the blur across the fetus's edge, share of the radius (0: sharp)
    interior_gain: float  # the body's and head's tissue echo x this
    texture_strength: float  # the interior texture's log-amplitude x this
    patch_share: float  # share of the interior in bright patches (bone, liver, organs), 0..0.4
    patch_gain: float  # their echo x this
    band_depth: float  # a bright subcutaneous band this far inside the echo (share of the radius)
    band_width: float  # its width (share of the radius)
    band_gain: float  # its echo x (1 + band_gain); 0: no band
    outline_offset: float  # where the reference outline sits against the echo, share of the radius:
    # > 0: the outline lies outside the echo (the echo is smaller than the mask), < 0: inside it
    steep: bool  # orientation not near horizontal (any angle)
    placenta_contact: bool  # a fetus touching the wall lies on the placenta (no fluid between)
    near_sector_edge: bool  # placed against the sector's side, so the edge shows next to it
    reverberation: float  # echo level of the multiple reflections of the abdominal wall (0: none)
    reverberation_period_mm: float
    side_lobes: float  # share of nearby bright echoes leaking laterally into the fluid (0: none)
    haze: float  # near-field haze level just under the probe (0: none)
    haze_depth_mm: float
    shadows: int  # acoustic shadows (refraction edges, bone, gas): 0..3
    shadow_strength: float  # echo x (1 - strength) inside a shadow
    shadow_width_deg: float
    seed: int  # for the per-pixel randomness (skin pattern, shadow places)


def _log_uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def sample_appearance(rng: np.random.Generator) -> Appearance:
    """One frame's appearance; each property drawn on its own."""
    return Appearance(
        skin_coverage=float(rng.choice([0.0, 1.0, rng.uniform(0.0, 1.0)], p=[0.15, 0.2, 0.65])),
        skin_thickness_mm=float(rng.uniform(0.2, 1.3)),
        skin_gain=_log_uniform(rng, 0.05, 1.6),
        edge_blur=float(rng.uniform(0.0, 0.07)),
        interior_gain=_log_uniform(rng, 0.6, 20.0),
        texture_strength=float(rng.uniform(0.6, 2.6)),
        patch_share=float(rng.uniform(0.0, 0.4)),
        patch_gain=_log_uniform(rng, 3.0, 30.0),
        band_depth=float(rng.uniform(0.02, 0.22)),
        band_width=float(rng.uniform(0.03, 0.1)),
        band_gain=float(rng.choice([0.0, rng.uniform(0.5, 6.0)], p=[0.4, 0.6])),
        outline_offset=float(rng.uniform(-0.04, 0.04)),
        steep=bool(rng.random() < 0.35),
        placenta_contact=bool(rng.random() < 0.5),
        near_sector_edge=bool(rng.random() < 0.2),
        reverberation=float(rng.random() < 0.5) * _log_uniform(rng, 2e-5, 6e-4),
        reverberation_period_mm=float(rng.uniform(4.0, 15.0)),
        side_lobes=float(rng.random() < 0.6) * _log_uniform(rng, 2e-4, 4e-3),
        haze=float(rng.random() < 0.5) * _log_uniform(rng, 5e-5, 2e-3),
        haze_depth_mm=float(rng.uniform(5.0, 25.0)),
        shadows=int(rng.choice([0, 1, 2, 3], p=[0.4, 0.3, 0.2, 0.1])),
        shadow_strength=float(rng.uniform(0.3, 0.9)),
        shadow_width_deg=float(rng.uniform(0.8, 4.0)),
        seed=int(rng.integers(0, 2**31 - 1)),
    )


def skin_pattern(angles: np.ndarray, coverage: float, rng: np.random.Generator) -> np.ndarray:
    """Which outline directions (angles around the fetus's centre) carry a skin line: a smooth
    random function of the angle thresholded so that ``coverage`` of the directions do."""
    if coverage >= 1.0:
        return np.ones(angles.shape, bool)
    if coverage <= 0.0:
        return np.zeros(angles.shape, bool)
    probe = np.linspace(0.0, 2 * np.pi, 360, endpoint=False)
    terms = [(rng.normal(0, 1.0 / k), k, rng.uniform(0, 2 * np.pi)) for k in range(1, 6)]

    def f(a: np.ndarray) -> np.ndarray:
        return sum(amp * np.cos(k * a + phase) for amp, k, phase in terms)

    level = np.quantile(f(probe), 1.0 - coverage)
    return f(angles) >= level
