"""Agreement between the reads of one reviewed item: verdicts, and Dice / CRL difference of two corrections.

Shared by the training-set manifest (its `agreement` key) and the expert statistics; the math is in
qa.agreement and workers.ml.fusqa.labels (Dice), the same rule everywhere.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from PIL import Image

from qa.models import Mask, Measurement, Review
from workers.ml.fusqa.labels import dice


@dataclass(frozen=True)
class ItemAgreement:
    reads: int
    verdicts_agree: bool | None  # None with fewer than two reads
    correction_dice: float | None  # None without two corrections
    crl_difference_mm: float | None  # |CRL of the first two corrections|, None without two measured

    def as_dict(self) -> dict:
        return {
            "reads": self.reads,
            "verdicts_agree": self.verdicts_agree,
            "correction_dice": self.correction_dice,
            "crl_difference_mm": self.crl_difference_mm,
        }


def stored_mask_array(mask: Mask) -> np.ndarray:
    with mask.data.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return np.asarray(image.convert("L")) > 0


def item_agreement(reviews: list[Review], crl_by_mask: dict[int, float]) -> ItemAgreement:
    """`reviews` of one mask, oldest first, with `corrected_mask` loaded; `crl_by_mask` the corrections' CRL."""
    verdicts = [review.verdict for review in reviews]
    agree = None if len(verdicts) < 2 else len(set(verdicts)) == 1
    corrections = [review.corrected_mask for review in reviews if review.corrected_mask is not None]
    correction_dice = crl_difference = None
    if len(corrections) >= 2:
        first, second = corrections[0], corrections[1]
        correction_dice = round(float(dice(stored_mask_array(first), stored_mask_array(second))), 6)
        if first.pk in crl_by_mask and second.pk in crl_by_mask:
            crl_difference = round(abs(crl_by_mask[first.pk] - crl_by_mask[second.pk]), 4)
    return ItemAgreement(len(reviews), agree, correction_dice, crl_difference)


def correction_crls(mask_ids: list[int]) -> dict[int, float]:
    rows = Measurement.objects.filter(mask_id__in=mask_ids, formula=settings.FUSQA_GA_FORMULA).values_list(
        "mask_id", "crl_mm"
    )
    return dict(rows)
