"""The gate's numbers: a candidate and the version it would replace, run on the same held-out cases,
hospital by hospital (workers.ml.train.finetune_data.HeldOutCase). Pure: models and arrays in, a list
of rows out; which differences count as a regression is the gate's business (qa.services.model_gate).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from workers.ml.evaluate import classification_report
from workers.ml.fusqa.labels import dice
from workers.ml.train.finetune_data import HeldOutCase, mask_ga_days

FUSQA_METRICS = ("accuracy", "auc", "sensitivity_poor", "ece", "ga_error_good_days")
SEGMENTATION_METRICS = ("dice", "ga_error_days", "ga_error_good_days")
THRESHOLD = 0.5


def _mean_or_none(values) -> float | None:
    values = [v for v in values if not math.isnan(v)]
    return float(np.mean(values)) if values else None


def fusqa_metrics(p_good: np.ndarray, cases: list[HeldOutCase], threshold: float = THRESHOLD) -> dict[str, Any]:
    """threshold: the model's own operating threshold (QualityModel.threshold) where it has one."""
    labels = np.array([case.label for case in cases])
    report = classification_report(p_good, labels, threshold)
    called_good = np.asarray(p_good) >= threshold
    errors = [
        abs(mask_ga_days(case.mask, case.spacing_mm) - case.reference_ga_days)
        for case, good in zip(cases, called_good, strict=True)
        if good
    ]
    return {
        "accuracy": report["accuracy"],
        "auc": report["auc"],
        "sensitivity_poor": report["sensitivity_poor"],
        "ece": report["ece"],
        "ga_error_good_days": _mean_or_none(errors),
        "count": len(cases),
    }


def segmentation_metrics(
    masks: list[np.ndarray], cases: list[HeldOutCase], p_good=None, threshold: float = THRESHOLD
) -> dict[str, Any]:
    errors = [
        abs(mask_ga_days(mask, case.spacing_mm) - case.reference_ga_days)
        for mask, case in zip(masks, cases, strict=True)
    ]
    good = np.ones(len(cases), bool) if p_good is None else np.asarray(p_good) >= threshold
    return {
        "dice": float(np.mean([dice(mask, case.reference) for mask, case in zip(masks, cases, strict=True)])),
        "ga_error_days": _mean_or_none(errors),
        "ga_error_good_days": _mean_or_none([e for e, g in zip(errors, good, strict=True) if g])
        if p_good is not None
        else None,
        "count": len(cases),
    }


def _fusqa_row(model, cases: list[HeldOutCase]) -> dict[str, Any]:
    p_good = model.predict([c.image for c in cases], [c.mask for c in cases])
    return fusqa_metrics(p_good, cases, getattr(model, "threshold", THRESHOLD))


def _segmentation_row(model, cases: list[HeldOutCase], assessor) -> dict[str, Any]:
    masks = model.predict([c.image for c in cases])
    p_good = assessor.predict([c.image for c in cases], masks) if assessor is not None else None
    return segmentation_metrics(masks, cases, p_good, getattr(assessor, "threshold", THRESHOLD))


def compare_on_held_out(
    kind: str, candidate, baseline, held_out: dict[str, list[HeldOutCase]], *, assessor=None
) -> list[dict[str, Any]]:
    """[{hospital, count, candidate: {metric: value}, baseline: {...}}] for each hospital with cases, in
    name order ("synthetic" among them). assessor: the active FUSQA model, for a segmentation run's GA
    error of masks called good. baseline may be None (nothing to compare with)."""
    rows = []
    for hospital in sorted(held_out):
        cases = held_out[hospital]
        if not cases:
            continue
        if kind == "fusqa":
            row = {
                "candidate": _fusqa_row(candidate, cases),
                "baseline": _fusqa_row(baseline, cases) if baseline else None,
            }
        else:
            row = {
                "candidate": _segmentation_row(candidate, cases, assessor),
                "baseline": _segmentation_row(baseline, cases, assessor) if baseline else None,
            }
        rows.append({"hospital": hospital, "count": len(cases), **row})
    return rows


def metric_names(kind: str) -> tuple[str, ...]:
    return FUSQA_METRICS if kind == "fusqa" else SEGMENTATION_METRICS
