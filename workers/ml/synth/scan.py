"""One synthetic CRL frame: anatomy -> B-mode physics -> burned-in text, with its ground truth."""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass, field

import numpy as np

from .anatomy import Scene, render_scene, sample_scene
from .fetus import robinson_ga_days
from .imaging import form_bmode
from .overlays import burn_in
from .profiles import MachineProfile, get_profile
from .scan_conversion import window_geometry

# The reported GA is the sonographer's own calliper measurement of this frame: the reference CRL
# with the relative error of one CRL measurement. Souka et al. (Prenat Diagn 2012;32:1158-65, 592
# fetuses, 8-14 weeks): intra-observer 95% limits of agreement +/-8.5% of CRL for the difference of
# two measurements, so one measurement's SD is 8.5 / (1.96 sqrt 2) = 3.1% of CRL (0.6-1.0 d of GA).
CRL_CALLIPER_SD = 0.031
FIRST_STUDY_DATE = dt.date(2026, 1, 5)


@dataclass(frozen=True, eq=False)
class SyntheticScan:
    """A phantom frame and its ground truth. Pixel coordinates are (row, col)."""

    image: np.ndarray  # uint8 H x W
    labels: np.ndarray  # uint8 H x W: 0 background, 1 head, 2 body
    spacing_mm: tuple[float, float]  # (row, col)
    crl_mm: float  # drawn CRL: the maximum Feret diameter of head + body
    crl_points: tuple[tuple[float, float], tuple[float, float]]  # calliper ends, pixels (row, col)
    ga_days_true: float  # Robinson GA of the drawn CRL
    ga_days_reported: float  # Robinson GA of the sonographer's calliper CRL (CRL x (1 + N(0, CRL_CALLIPER_SD)))
    profile: str
    seed: int
    study_date: dt.date
    drift_factor: float
    zoom_index: int
    machine: MachineProfile = field(repr=False)
    tissue: np.ndarray = field(repr=False)  # anatomy.TISSUE_* per pixel
    sector_mask: np.ndarray = field(repr=False)
    touching_wall: bool = False

    @property
    def mask(self) -> np.ndarray:
        return self.labels > 0

    @property
    def fetus_fraction(self) -> float:
        return float(self.mask.mean())

    @property
    def region_box(self) -> tuple[int, int, int, int]:
        """(min_col, min_row, max_col, max_row) of the imaged sector, for the DICOM US region."""
        return window_geometry(self.machine, self.zoom_index).sector_box


def _rng(seed: int, *stream: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed) & 0xFFFFFFFF, *stream]))


def study_date_for(seed: int) -> dt.date:
    return FIRST_STUDY_DATE + dt.timedelta(days=int(seed * 7919) % 360)


def format_ga(days: float) -> str:
    d = int(np.floor(days))
    return f"GA {d // 7}w{d % 7}d"


def generate_scan(
    profile: MachineProfile | str,
    seed: int,
    *,
    crl_mm: float | None = None,
    touching_wall: bool | None = None,
    fill_fraction: float | None = None,
    study_date: dt.date | None = None,
    drift: float = 0.0,
    follow_drift_schedule: bool = False,
) -> SyntheticScan:
    """A synthetic first-trimester CRL frame.

    The anatomy depends on ``seed`` only (the same seed gives the same fetus on every machine,
    framed by each machine's zoom steps); the speckle on seed and machine. ``drift`` (0..1)
    applies the profile's fault; ``follow_drift_schedule`` instead applies it as the profile's
    drift schedule dictates on the study date (for a demo timeline).
    """
    base = get_profile(profile) if isinstance(profile, str) else profile
    date = study_date or study_date_for(seed)
    machine = base.on_date(date) if follow_drift_schedule else base.with_drift(drift)

    scene: Scene = sample_scene(
        machine, _rng(seed, 1), crl_mm=crl_mm, touching_wall=touching_wall, fill_fraction=fill_fraction
    )
    rendered = render_scene(scene, machine)
    grey = form_bmode(rendered.echo, machine, scene.zoom_index, _rng(seed, 2, zlib.crc32(base.name.encode())))
    image = np.round(grey * 255.0).astype(np.uint8)

    ga_true = robinson_ga_days(scene.fetus.crl_mm)
    calliper = float(np.clip(_rng(seed, 3).normal(0.0, CRL_CALLIPER_SD), -3 * CRL_CALLIPER_SD, 3 * CRL_CALLIPER_SD))
    ga_reported = round(robinson_ga_days(scene.fetus.crl_mm * (1.0 + calliper)), 1)
    geom = window_geometry(machine, scene.zoom_index)
    image = burn_in(image, machine, geom, format_ga(ga_reported))
    p = scene.fetus.crl_points
    rows = (p[:, 1] - geom.y0_mm) / geom.spacing_mm
    cols = (p[:, 0] - geom.x0_mm) / geom.spacing_mm
    return SyntheticScan(
        image=image,
        labels=rendered.labels,
        spacing_mm=(geom.spacing_mm, geom.spacing_mm),
        crl_mm=round(scene.fetus.crl_mm, 3),
        crl_points=((float(rows[0]), float(cols[0])), (float(rows[1]), float(cols[1]))),
        ga_days_true=round(ga_true, 2),
        ga_days_reported=ga_reported,
        profile=base.name,
        seed=int(seed),
        study_date=date,
        drift_factor=machine.drift_factor,
        zoom_index=scene.zoom_index,
        machine=machine,
        tissue=rendered.tissue,
        sector_mask=geom.sector_mask,
        touching_wall=scene.touching_wall,
    )


def generate_batch(profile: MachineProfile | str, n: int, seed: int = 0, **overrides) -> list[SyntheticScan]:
    """``n`` frames with seeds seed, seed + 1, ... (each reproducible on its own)."""
    return [generate_scan(profile, seed + i, **overrides) for i in range(n)]
