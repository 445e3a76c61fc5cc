"""Convex-sector geometry and scan conversion, cached per (profile, zoom step).

Coordinates: the transducer's centre of curvature (the virtual apex) is the origin, x runs to the
right and y down, in mm. The probe face is the arc r = probe_radius; echoes come from
probe_radius <= r <= probe_radius + max_depth and |theta| <= sector_angle / 2 (theta from the
y axis). A zoom step shows a rectangular window of the sector; pixels are square.

Beam data live on a polar grid (depth samples x scan lines) covering the window. The grids that
map polar samples to pixels and back are built once per profile and zoom step (lru_cache): they
are the expensive part that does not change from frame to frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .profiles import MachineProfile

MAX_LINES = 320


@dataclass(frozen=True, eq=False)
class SectorGeometry:
    rows: int
    cols: int
    spacing_mm: float
    x0_mm: float  # x of pixel column 0's centre
    y0_mm: float  # y of pixel row 0's centre
    zoom_index: int
    sector_mask: np.ndarray  # rows x cols bool: pixels inside the imaged sector
    r_min: float
    r_max: float
    theta_min: float
    theta_max: float
    n_lines: int
    n_depth: int  # depth samples of the anatomy (echogenicity) grid
    echo_coords: np.ndarray  # (2, n_depth, n_lines) pixel (row, col) of each polar sample
    sector_index: np.ndarray  # flat pixel indices inside the sector
    pixel_polar: np.ndarray  # (2, n_sector) (depth fraction 0..1, line index) of those pixels
    pixel_depth_mm: np.ndarray  # rows x cols: depth below the probe face (nan outside)
    sector_box: tuple[int, int, int, int]  # (min_col, min_row, max_col, max_row) of the sector in the image

    @property
    def depth_range_mm(self) -> float:
        return self.r_max - self.r_min

    def pixel_to_mm(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.x0_mm + cols * self.spacing_mm, self.y0_mm + rows * self.spacing_mm

    def inside_sector_mm(self, x: np.ndarray, y: np.ndarray, margin_mm: float = 0.0) -> np.ndarray:
        """True where physical points lie inside the sector and the image window."""
        r = np.hypot(x, y)
        th = np.arctan2(x, y)
        half = self._half_angle
        inside = (r >= self._r0 + margin_mm) & (r <= self._r1 - margin_mm)
        inside &= np.abs(th) <= half - margin_mm / np.maximum(r, 1.0)
        col = (x - self.x0_mm) / self.spacing_mm
        row = (y - self.y0_mm) / self.spacing_mm
        m = margin_mm / self.spacing_mm
        inside &= (col >= m) & (col <= self.cols - 1 - m) & (row >= m) & (row <= self.rows - 1 - m)
        return inside

    # set in window_geometry (dataclass is frozen; kept private to the sector test)
    _r0: float = 0.0
    _r1: float = 0.0
    _half_angle: float = 0.0


def window_placement(profile: MachineProfile, zoom_index: int) -> tuple[float, float, float]:
    """(centre x, centre y, height) in mm of the zoom step's window."""
    height = profile.zoom_heights_mm[zoom_index]
    depth = profile.max_depth_mm
    centre_depth = min(0.52 * depth, max(0.5 * height + 8.0, 0.36 * depth))
    centre_y = profile.probe_radius_mm + centre_depth
    half_angle = math.radians(profile.sector_angle_deg / 2)
    half_width = centre_y * math.sin(half_angle)
    # Alternate steps sit a little off axis so that a sector edge shows on one side or the other.
    side = 1.0 if zoom_index % 2 == 0 else -1.0
    centre_x = side * 0.18 * max(0.0, half_width - 0.3 * height)
    return centre_x, centre_y, height


@lru_cache(maxsize=64)
def window_geometry(profile: MachineProfile, zoom_index: int) -> SectorGeometry:
    rows, cols = profile.image_rows, profile.image_cols
    cx, cy, height = window_placement(profile, zoom_index)
    spacing = height / rows
    width = spacing * cols
    x0 = cx - width / 2 + spacing / 2
    y0 = cy - height / 2 + spacing / 2
    r0, r1 = profile.probe_radius_mm, profile.probe_radius_mm + profile.max_depth_mm
    half = math.radians(profile.sector_angle_deg / 2)

    yy, xx = np.mgrid[0:rows, 0:cols].astype(np.float64)
    x = x0 + xx * spacing
    y = y0 + yy * spacing
    r = np.hypot(x, y)
    th = np.arctan2(x, y)
    mask = (r >= r0) & (r <= r1) & (np.abs(th) <= half)
    if not mask.any():
        raise ValueError(f"{profile.name} zoom {zoom_index}: window misses the sector")

    r_min, r_max = float(r[mask].min()), float(r[mask].max())
    t_min, t_max = float(th[mask].min()), float(th[mask].max())
    # Lines: about one per pixel at mid depth, never fewer than 3 per lateral beam width.
    mid_r = 0.5 * (r_min + r_max)
    step = min(spacing * 1.25, profile.lateral_fwhm_mm / 3.0)
    n_lines = int(np.clip(math.ceil((t_max - t_min) * mid_r / step) + 1, 32, MAX_LINES))
    n_depth = int(math.ceil((r_max - r_min) / (spacing * 1.25))) + 1

    rs = np.linspace(r_min, r_max, n_depth)
    ts = np.linspace(t_min, t_max, n_lines)
    pr = rs[:, None]
    pt = ts[None, :]
    px = pr * np.sin(pt)
    py = pr * np.cos(pt)
    echo_coords = np.stack([(py - y0) / spacing, (px - x0) / spacing]).astype(np.float32)

    index = np.flatnonzero(mask)
    depth_frac = (r.ravel()[index] - r_min) / (r_max - r_min)
    line = (th.ravel()[index] - t_min) / (t_max - t_min) * (n_lines - 1)
    pixel_polar = np.stack([depth_frac, line]).astype(np.float32)
    depth_mm = np.where(mask, r - r0, np.nan).astype(np.float32)
    rr, cc = np.nonzero(mask)
    box = (int(cc.min()), int(rr.min()), int(cc.max()), int(rr.max()))

    geom = SectorGeometry(
        rows=rows,
        cols=cols,
        spacing_mm=spacing,
        x0_mm=x0,
        y0_mm=y0,
        zoom_index=zoom_index,
        sector_mask=mask,
        r_min=r_min,
        r_max=r_max,
        theta_min=t_min,
        theta_max=t_max,
        n_lines=n_lines,
        n_depth=n_depth,
        echo_coords=echo_coords,
        sector_index=index,
        pixel_polar=pixel_polar,
        pixel_depth_mm=depth_mm,
        sector_box=box,
        _r0=r0,
        _r1=r1,
        _half_angle=half,
    )
    for a in (mask, echo_coords, index, pixel_polar, depth_mm):
        a.setflags(write=False)
    return geom
