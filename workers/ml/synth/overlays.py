"""What a machine burns into its images: the text block, a depth ruler, the anonymisation box."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .profiles import MachineProfile
from .scan_conversion import SectorGeometry


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def anonymisation_box_px(profile: MachineProfile) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) in pixels."""
    t, left, b, r = profile.anonymisation_box
    rows, cols = profile.image_rows, profile.image_cols
    return int(t * rows), int(left * cols), int(b * rows), int(r * cols)


def burn_in(image: np.ndarray, profile: MachineProfile, geom: SectorGeometry, ga_text: str) -> np.ndarray:
    """Draw the machine's text and ruler on a uint8 image and black out the anonymisation box."""
    pil = Image.fromarray(image)
    draw = ImageDraw.Draw(pil)
    size = max(9, profile.image_rows // 42)
    font = _font(size)
    depth_cm = (geom.y0_mm + geom.rows * geom.spacing_mm - profile.probe_radius_mm) / 10.0
    lines = [
        profile.model_name,
        profile.probe_name,
        f"{profile.center_frequency_mhz:.1f}MHz  FR {profile.frame_rate_hz:.0f}Hz",
        f"Gn {profile.gain_db:+.0f}  DR {profile.dynamic_range_db:.0f}",
        f"D {depth_cm:.1f}cm  Z{geom.zoom_index + 1}",
        "MI 0.8  TIs 0.2",
        # The exam date and the patient belong to the header bar outside the image region
        # (header_bar), where machines put them; inside the region only the preset is named.
        profile.preset,
        ga_text,
    ]
    x = 6 if profile.text_corner == "top-left" else profile.image_cols - 11 * size
    for i, text in enumerate(lines):
        draw.text((x, 4 + i * (size + 3)), text, fill=200, font=font)
    # Depth ruler: a tick every centimetre down the right side of the sector.
    col = min(profile.image_cols - 4, geom.sector_box[2] + 3)
    first_cm = int(np.ceil((geom.y0_mm - profile.probe_radius_mm) / 10.0))
    for cm in range(max(first_cm, 0), first_cm + 40):
        row = (profile.probe_radius_mm + 10.0 * cm - geom.y0_mm) / geom.spacing_mm
        if row >= geom.rows:
            break
        if row >= 0:
            length = 6 if cm % 5 == 0 else 3
            draw.line([(col - length, row), (col, row)], fill=180)
    # Orientation marker near the top of the sector.
    mx = geom.sector_box[0] + 8
    draw.ellipse([mx, 8, mx + 6, 14], fill=170)
    out = np.asarray(pil).copy()
    t, left, b, r = anonymisation_box_px(profile)
    out[t:b, left:r] = 0
    return out


def header_bar(profile: MachineProfile, *, cols: int, lines: list[str]) -> np.ndarray:
    """The strip above the image where a machine writes the institution, the patient and the exam
    date: outside the ultrasound region the exported DICOM declares (uint8, a few text lines high)."""
    size = max(9, profile.image_rows // 42)
    height = len(lines) * (size + 3) + 6
    pil = Image.new("L", (cols, height), 0)
    draw = ImageDraw.Draw(pil)
    for i, text in enumerate(lines):
        draw.text((6, 3 + i * (size + 3)), text, fill=220, font=_font(size))
    return np.asarray(pil).copy()
