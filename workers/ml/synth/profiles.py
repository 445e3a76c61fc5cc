"""Machine profiles: one ultrasound machine at one hospital, as data.

A profile is a frozen dataclass loaded from JSON (``machines/*.json`` here, or any file a hospital
adds with :func:`load_profile`). It holds what makes two machines' images differ: the transducer
(centre frequency, bandwidth, beam width), the processing (dynamic range, gain, TGC, grey map,
speckle smoothing), the sector geometry, the image size and zoom steps, the burned-in text and
the anonymisation box. ``drift`` describes a slow fault (a weaker gain and a wider beam from a
date on) so a demo can show a machine drifting.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

SPEED_OF_SOUND_MM_PER_US = 1.54
MACHINES_DIR = Path(__file__).with_name("machines")


DRIFT_KINDS = ("fault", "preset")
APPROACHES = ("transabdominal", "transvaginal")


@dataclass(frozen=True)
class Drift:
    """A change from ``start_date`` on, of one of two kinds.

    ``fault`` (a failing element group) grows in linearly over ``ramp_days``: at full drift
    (factor 1) gain falls by ``gain_db`` (negative = darker), the beam widens by ``beam_scale`` and
    the centre frequency scales by ``frequency_scale``.

    ``preset`` is a step on the day after ``start_date`` (``ramp_days`` 0): the sonographers switch
    to another preset named ``preset`` (burned into the image), with the speckle-reduction filter
    set to ``speckle_reduction`` and a deeper, less zoomed view, in which the fetus fills
    ``framing_scale`` times the fraction of the frame it filled before. The gain, beam and
    frequency terms apply too, so leave them neutral (0, 1, 1) for a pure preset change.
    """

    start_date: str
    gain_db: float = -6.0
    beam_scale: float = 1.6
    frequency_scale: float = 0.85
    ramp_days: int = 60
    kind: str = "fault"
    preset: str = ""
    speckle_reduction: float | None = None
    framing_scale: float = 1.0

    def factor_on(self, date: dt.date) -> float:
        start = dt.date.fromisoformat(self.start_date)
        days = (date - start).days
        if days <= 0:
            return 0.0
        return min(1.0, days / max(1, self.ramp_days))


@dataclass(frozen=True)
class MachineProfile:
    """One machine. Lengths in mm, frequencies in MHz, levels in dB.

    zoom_heights_mm: the physical heights of the machine's zoom steps (the image shows a window
        of that height; pixel spacing = height / rows). A frame picks the step that frames the fetus.
    anonymisation_box: (top, left, bottom, right) as fractions of the image, painted black.
    text_corner: where the burned-in text block sits: "top-left" or "top-right".
    speckle_reduction: the machine's speckle-reduction filter (SRI, XRES, ...) as the sigma of a
        Gaussian smoothing of the log image in units of the resolution cell (0 = off).
    """

    name: str
    hospital: str
    institution_name: str
    manufacturer: str
    model_name: str
    probe_name: str
    center_frequency_mhz: float
    fractional_bandwidth: float
    lateral_fnumber: float
    dynamic_range_db: float
    gain_db: float
    tgc_compensation: float
    attenuation_db_cm_mhz: float
    grey_gamma: float
    speckle_reduction: float
    sector_angle_deg: float
    probe_radius_mm: float
    max_depth_mm: float
    image_rows: int
    image_cols: int
    zoom_heights_mm: tuple[float, ...]
    anonymisation_box: tuple[float, float, float, float]
    text_corner: str = "top-left"
    frame_rate_hz: float = 30.0
    drift: Drift | None = None
    drift_factor: float = 0.0
    preset: str = "OB 1st Trim"
    framing_scale: float = 1.0  # the fetus fills this x the usual fraction of the frame (< 1: zoomed out)
    approach: str = "transabdominal"  # or "transvaginal": no abdominal wall under the probe
    crl_range_mm: tuple[float, float] | None = None  # CRLs this probe is used for (None: 15-84 mm)
    notes: str = field(default="", compare=False)

    @property
    def wavelength_mm(self) -> float:
        return SPEED_OF_SOUND_MM_PER_US / self.center_frequency_mhz

    @property
    def lateral_fwhm_mm(self) -> float:
        """Lateral beam width (FWHM) at the focus: about 1.2 lambda F#."""
        return 1.2 * self.wavelength_mm * self.lateral_fnumber

    @property
    def axial_fwhm_mm(self) -> float:
        """Axial pulse-echo resolution (FWHM of the envelope): c / (2 B)."""
        return SPEED_OF_SOUND_MM_PER_US / (2.0 * self.fractional_bandwidth * self.center_frequency_mhz)

    @property
    def speckle_grain_mm(self) -> tuple[float, float]:
        """Expected speckle grain (axial, lateral autocorrelation FWHM) in mm: the PSF widened by
        the speckle-reduction filter (Gaussians add in quadrature)."""
        widen = (1.0 + (2.3548 * self.speckle_reduction) ** 2) ** 0.5
        return self.axial_fwhm_mm * widen, self.lateral_fwhm_mm * widen

    def with_drift(self, factor: float) -> MachineProfile:
        """The same machine with its drift applied to ``factor`` (0 = healthy, 1 = full fault)."""
        if self.drift is None or factor <= 0:
            return self
        factor = min(1.0, float(factor))
        d = self.drift
        srf = self.speckle_reduction if d.speckle_reduction is None else d.speckle_reduction
        return dataclasses.replace(
            self,
            gain_db=self.gain_db + factor * d.gain_db,
            lateral_fnumber=self.lateral_fnumber * (1 + factor * (d.beam_scale - 1)),
            center_frequency_mhz=self.center_frequency_mhz * (1 + factor * (d.frequency_scale - 1)),
            speckle_reduction=self.speckle_reduction + factor * (srf - self.speckle_reduction),
            framing_scale=self.framing_scale * (1 + factor * (d.framing_scale - 1)),
            preset=d.preset if d.preset and factor >= 1 else self.preset,
            drift_factor=factor,
        )

    def on_date(self, date: dt.date) -> MachineProfile:
        """The machine as it images on ``date`` (drift applied from its start date on)."""
        return self.with_drift(self.drift.factor_on(date)) if self.drift else self

    @classmethod
    def from_dict(cls, data: dict) -> MachineProfile:
        data = dict(data)
        data["zoom_heights_mm"] = tuple(float(h) for h in data["zoom_heights_mm"])
        data["anonymisation_box"] = tuple(float(v) for v in data["anonymisation_box"])
        if data.get("crl_range_mm") is not None:
            data["crl_range_mm"] = tuple(float(v) for v in data["crl_range_mm"])
        if data.get("drift") is not None:
            data["drift"] = Drift(**data["drift"])
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown profile fields: {sorted(unknown)}")
        profile = cls(**data)
        _validate(profile)
        return profile

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def _validate(p: MachineProfile) -> None:
    if not 1.0 <= p.center_frequency_mhz <= 15.0:
        raise ValueError(f"{p.name}: centre frequency {p.center_frequency_mhz} MHz out of 1-15")
    if not 0.2 <= p.fractional_bandwidth <= 1.2:
        raise ValueError(f"{p.name}: fractional bandwidth out of 0.2-1.2")
    if not 20 <= p.sector_angle_deg <= 120:
        raise ValueError(f"{p.name}: sector angle out of 20-120 degrees")
    if p.dynamic_range_db <= 10:
        raise ValueError(f"{p.name}: dynamic range must exceed 10 dB")
    if p.text_corner not in ("top-left", "top-right"):
        raise ValueError(f"{p.name}: text_corner must be top-left or top-right")
    if not p.zoom_heights_mm or min(p.zoom_heights_mm) <= 0:
        raise ValueError(f"{p.name}: needs positive zoom heights")
    if p.approach not in APPROACHES:
        raise ValueError(f"{p.name}: approach must be one of {', '.join(APPROACHES)}")
    if p.crl_range_mm is not None and not (15.0 <= p.crl_range_mm[0] < p.crl_range_mm[1] <= 84.0):
        raise ValueError(f"{p.name}: crl_range_mm must lie within 15-84 mm")
    if not 0.2 <= p.framing_scale <= 2.0:
        raise ValueError(f"{p.name}: framing_scale out of 0.2-2")
    if p.drift is not None:
        if p.drift.kind not in DRIFT_KINDS:
            raise ValueError(f"{p.name}: drift kind must be one of {', '.join(DRIFT_KINDS)}")
        if not 0.2 <= p.drift.framing_scale <= 2.0:
            raise ValueError(f"{p.name}: drift framing_scale out of 0.2-2")


def load_profile(path: str | Path) -> MachineProfile:
    """A profile from a JSON file (the format of ``machines/*.json``)."""
    return MachineProfile.from_dict(json.loads(Path(path).read_text()))


def _builtin() -> dict[str, MachineProfile]:
    profiles = [load_profile(p) for p in sorted(MACHINES_DIR.glob("*.json"))]
    return {p.name: p for p in profiles}


_PROFILES: dict[str, MachineProfile] = _builtin()


def list_profiles() -> list[str]:
    """Names of the known profiles, e.g. ``hospital_a/voluson_e8``."""
    return sorted(_PROFILES)


def get_profile(name: str) -> MachineProfile:
    try:
        return _PROFILES[name]
    except KeyError:
        raise KeyError(f"unknown machine profile {name!r}; known: {', '.join(list_profiles())}") from None


def register_profile(profile: MachineProfile) -> None:
    """Add a profile (e.g. one loaded from a hospital's JSON) to the registry."""
    _validate(profile)
    _PROFILES[profile.name] = profile
