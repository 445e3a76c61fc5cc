"""What "good" and "poor" segmentation mean, for training labels and evaluation.

A mask is judged against a reference mask on overlap (Dice) AND on what the clinic reads from it:
the CRL and the GA derived from it. Overlap alone does not decide quality: on the real reference
scan the model's mask has Dice 0.95 with the expert's yet a CRL 8% longer, which is about 2.5 days
of GA at 60 mm (Robinson). A leak at the rump can keep Dice at 0.96 and move CRL by 17%.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from workers.ml.crl import EmptyMaskError, crl_from_mask
from workers.ml.ga import gestational_age_days


@dataclass(frozen=True)
class QualityThresholds:
    """Good needs all three; poor needs any one; the cases in between are dropped from training
    (they sit on the boundary where even experts disagree, and they blur what the classifier learns).

    - GA error 2 days: within the intra-observer reproducibility of a CRL measurement, well inside
      the +/-5 days (95%) precision of CRL dating. 4 days and more can move a scan out of a
      screening window or change the dating decision.
    - CRL error 5% / 10% (relative): the geometry check, as in the feasibility experiment; it is
      the stricter of the two below about 40 mm, where a day of GA is several percent of CRL.
    - Dice 0.90 / 0.80: the overlap a careful expert's re-segmentation reaches / the level where
      the outline is visibly wrong.
    """

    good_min_dice: float = 0.90
    good_max_crl_error: float = 0.05
    good_max_ga_error_days: float = 2.0
    poor_below_dice: float = 0.80
    poor_above_crl_error: float = 0.10
    poor_above_ga_error_days: float = 4.0


LABEL_THRESHOLDS = QualityThresholds()


@dataclass(frozen=True)
class QualityLabel:
    label: Literal["good", "poor"] | None  # None: between the thresholds, not used for training
    dice: float
    crl_error: float  # relative, signed: (candidate - reference) / reference
    ga_error_days: float  # signed


def dice(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a) > 0, np.asarray(b) > 0
    total = int(a.sum()) + int(b.sum())
    return 1.0 if total == 0 else 2.0 * int((a & b).sum()) / total


def quality_label(
    candidate: np.ndarray,
    reference: np.ndarray,
    spacing_mm: float | tuple[float, float],
    *,
    formula: str = "robinson",
    thresholds: QualityThresholds = LABEL_THRESHOLDS,
) -> QualityLabel:
    """Judge a candidate mask against the reference of the same frame. An empty candidate is poor."""
    d = dice(candidate, reference)
    ref = crl_from_mask(reference, spacing_mm)
    try:
        cand = crl_from_mask(candidate, spacing_mm)
    except EmptyMaskError:
        return QualityLabel("poor", d, -1.0, float("-inf"))
    crl_error = (cand.crl_mm - ref.crl_mm) / ref.crl_mm
    ga_error = gestational_age_days(cand.crl_mm, formula).days - gestational_age_days(ref.crl_mm, formula).days
    return QualityLabel(label_from_errors(d, crl_error, ga_error, thresholds), d, crl_error, ga_error)


def label_from_errors(
    dice_score: float, crl_error: float, ga_error_days: float, thresholds: QualityThresholds = LABEL_THRESHOLDS
) -> Literal["good", "poor"] | None:
    """The label from already measured errors (relative CRL error, GA error in days)."""
    t = thresholds
    if (
        dice_score < t.poor_below_dice
        or abs(crl_error) > t.poor_above_crl_error
        or abs(ga_error_days) > t.poor_above_ga_error_days
    ):
        return "poor"
    if (
        dice_score >= t.good_min_dice
        and abs(crl_error) <= t.good_max_crl_error
        and abs(ga_error_days) <= t.good_max_ga_error_days
    ):
        return "good"
    return None
