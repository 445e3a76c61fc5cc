"""Is a mask something FUSQA may judge at all? Checks of the mask alone (and where it lies in the frame).

The classifier was trained on one fetus per frame, whole, inside the imaging sector, at a first-trimester
size. A mask that is none of these gets no p(good) worth reading: it is "unknown", with the reasons
below, and goes to an expert. These checks replace the old "keep the largest component", which picked
maternal tissue on real head images and let the classifier call it good (FINDINGS lesson 11).

Bounds (measured on hospital A's phantoms and the segmentation model's own outputs there, never on the
real reference scan; see docs/models.md):
- pieces: a fetus in a CRL view is one connected region. Pieces other than the largest that hold
  together more than FRAGMENT_SHARE of the mask's area make it fragmented (specks below that are noise
  of the outline and are kept in the stored mask, not dropped).
- border: a mask touching the image's edge is cut off, so its CRL is a lower bound.
- sector: pixels at exactly 0 grey are outside the imaging sector (the scan converter writes 0 there,
  and ingest blanks everything outside the ultrasound regions); a fetus lies inside it.
- size: CRL views are taken between about 10 and 90 mm (Robinson's formula covers 7-84 mm).
- shape: area / CRL^2 of a fetus lies in a narrow band (an elongated, curled body); a disc gives
  pi/4 = 0.785, a thin line near 0. The band is wide enough for every phantom fetus and tight
  enough to catch a round blob (a head or a sac) or a sliver.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workers.ml.crl import CrlMeasurement, EmptyMaskError, MaskPieces, crl_from_pieces, mask_pieces

FRAGMENT_SHARE = 0.02
OUTSIDE_SECTOR_SHARE = 0.10
CRL_RANGE_MM = (10.0, 90.0)
AREA_PER_CRL2_RANGE = (0.12, 0.55)


@dataclass(frozen=True)
class MaskCheck:
    reasons: list[str]  # empty: the mask is plausible
    pieces: int
    crl_mm: float | None  # None without a spacing or for an empty mask
    area_per_crl2: float | None


def mask_check(
    image: np.ndarray,
    mask: np.ndarray,
    spacing_mm=None,
    *,
    crl: CrlMeasurement | None = None,
    pieces: MaskPieces | None = None,
) -> MaskCheck:
    """The reasons (short sentences) why `mask` is not a plausible whole fetus in a CRL view of `image`.
    `crl`, `pieces`: the mask's CRL and its pieces (crl.mask_pieces) if the caller found them already
    (the pipeline does), so they are not found twice. Every check reads the mask's bounding box only."""
    if pieces is None:
        try:
            pieces = mask_pieces(mask)
        except EmptyMaskError:
            return MaskCheck(["the mask is empty: no fetus found"], 0, None, None)
    reasons: list[str] = []

    if pieces.count > 1:
        others = (pieces.area - pieces.sizes.max()) / pieces.area
        if others > FRAGMENT_SHARE:
            reasons.append(f"fragmented: {pieces.count} pieces, {others:.0%} of the mask outside the largest")

    h, w = np.shape(mask)
    if pieces.top == 0 or pieces.left == 0 or pieces.bottom == h or pieces.right == w:
        reasons.append("the mask touches the image border: the fetus may be cut off")

    image = np.asarray(image)
    if image.shape == (h, w):
        outside = _share_outside_sector(image, pieces)
        if outside > OUTSIDE_SECTOR_SHARE:
            reasons.append(f"{outside:.0%} of the mask lies outside the imaging sector")

    crl_mm = ratio = None
    if spacing_mm is not None:
        crl = crl or crl_from_pieces(pieces, spacing_mm)
        crl_mm = crl.crl_mm
        row_mm, col_mm = np.broadcast_to(np.asarray(spacing_mm, dtype=float), (2,))
        area_mm2 = float(pieces.area) * row_mm * col_mm
        ratio = area_mm2 / crl_mm**2 if crl_mm > 0 else 0.0
        lo, hi = CRL_RANGE_MM
        if not lo <= crl_mm <= hi:
            reasons.append(f"CRL {crl_mm:.1f} mm is outside a CRL view's {lo:.0f}-{hi:.0f} mm")
        lo, hi = AREA_PER_CRL2_RANGE
        if not lo <= ratio <= hi:
            reasons.append(f"not a fetus's shape: area / CRL² = {ratio:.2f} (a fetus: {lo:.2f}-{hi:.2f})")
    return MaskCheck(reasons, pieces.count, crl_mm, ratio)


def _share_outside_sector(image: np.ndarray, pieces: MaskPieces) -> float:
    """The share of the mask's pixels at exactly 0 grey (outside the imaging sector)."""
    grey = image[pieces.top : pieces.bottom, pieces.left : pieces.right]
    return np.count_nonzero((grey == 0) & pieces.foreground) / pieces.area
