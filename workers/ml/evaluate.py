"""How well FUSQA tells good from poor masks: the FUSQA paper's protocol and its two tables.

Pure functions on arrays (p(good), 0/1 labels, kinds, GA values): no model, no data set. The
recipes (workers.ml.train.recipes.evaluate_fusqa) feed them the unseen hospital's candidates.

Conventions: label 1 = good, 0 = poor. "Positive" is a POOR mask (what the screen must catch):
sensitivity = poor masks called poor, specificity = good masks called good. A mask is called good
when p(good) >= threshold (0.5 on the calibrated probability).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from workers.ml.fusqa.calibration import expected_calibration_error


def binary_auc(scores, labels) -> float | None:
    """Area under the ROC curve of ``scores`` for label 1 (Mann-Whitney U, ties counted half);
    None when one class is absent. O(n log n) by ranks."""
    scores = np.asarray(scores, dtype=np.float64).ravel()
    labels = np.asarray(labels).ravel() > 0
    n_pos, n_neg = int(labels.sum()), int((~labels).sum())
    if n_pos == 0 or n_neg == 0:
        return None
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores), dtype=np.float64)
    sorted_scores = scores[order]
    # average ranks over ties
    boundaries = np.flatnonzero(np.diff(sorted_scores)) + 1
    starts = np.concatenate([[0], boundaries])
    ends = np.concatenate([boundaries, [len(scores)]])
    for s, e in zip(starts, ends, strict=True):
        ranks[order[s:e]] = (s + e + 1) / 2.0
    return float((ranks[labels].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def poor_detection(p_good, labels, threshold: float = 0.5) -> dict[str, float | int | None]:
    """Accuracy, balanced accuracy, and sensitivity / specificity for POOR masks."""
    labels = np.asarray(labels).ravel() > 0
    called_good = np.asarray(p_good, dtype=np.float64).ravel() >= threshold
    poor, good = ~labels, labels
    sensitivity = float((~called_good[poor]).mean()) if poor.any() else None
    specificity = float(called_good[good].mean()) if good.any() else None
    recalls = [v for v in (sensitivity, specificity) if v is not None]
    return {
        "accuracy": float((called_good == labels).mean()) if len(labels) else None,
        "balanced_accuracy": float(np.mean(recalls)) if recalls else None,
        "sensitivity_poor": sensitivity,
        "specificity_poor": specificity,
        "count": int(len(labels)),
        "good": int(good.sum()),
        "poor": int(poor.sum()),
    }


def classification_report(p_good, labels, threshold: float = 0.5, n_bins: int = 10) -> dict[str, Any]:
    """poor_detection + ROC AUC + expected calibration error."""
    out = poor_detection(p_good, labels, threshold)
    out["auc"] = binary_auc(p_good, labels)
    out["ece"] = expected_calibration_error(p_good, labels, n_bins) if len(np.ravel(labels)) else None
    return out


def accuracy_by_kind(p_good, labels, kinds, threshold: float = 0.5) -> dict[str, dict[str, Any]]:
    """Per kind of candidate (reference, each damage kind, each model): count, good / poor counts,
    accuracy (FINDINGS lesson 4: the errors sit near the thresholds, kind by kind)."""
    p_good, labels, kinds = np.asarray(p_good, float), np.asarray(labels) > 0, np.asarray(kinds)
    out = {}
    for kind in sorted(set(kinds.tolist())):
        mine = kinds == kind
        called_good = p_good[mine] >= threshold
        out[kind] = {
            "count": int(mine.sum()),
            "good": int(labels[mine].sum()),
            "poor": int((~labels[mine]).sum()),
            "accuracy": float((called_good == labels[mine]).mean()),
        }
    return out


def reliability_bins(p_good, labels, n_bins: int = 10) -> list[dict[str, float | int]]:
    """Equal-width bins over p(good): count, mean p, observed share of good masks (nan if empty)."""
    p = np.asarray(p_good, dtype=np.float64).ravel()
    y = np.asarray(labels, dtype=np.float64).ravel()
    index = np.minimum((p * n_bins).astype(int), n_bins - 1)
    bins = []
    for b in range(n_bins):
        mine = index == b
        bins.append(
            {
                "low": b / n_bins,
                "high": (b + 1) / n_bins,
                "count": int(mine.sum()),
                "mean_p": float(p[mine].mean()) if mine.any() else float("nan"),
                "good_rate": float(y[mine].mean()) if mine.any() else float("nan"),
            }
        )
    return bins


def ga_error_table(p_good, ga_days, ga_days_reported, ga_days_reference=None, threshold: float = 0.5) -> dict[str, Any]:
    """The paper's second table: mean absolute GA error (days) of the masks FUSQA calls good and of
    those it calls poor, against the reported GA (and against the reference mask's GA, the
    "doctors'" measurement, when given). Masks without a GA (empty) are left out and counted.
    ``noise_floor_days``: the reference mask's own MAE against the reported GA, i.e. the dating
    noise no mask can beat."""
    p = np.asarray(p_good, float)
    ga = np.asarray(ga_days, float)
    reported = np.asarray(ga_days_reported, float)
    reference = None if ga_days_reference is None else np.asarray(ga_days_reference, float)
    measured = np.isfinite(ga)
    out: dict[str, Any] = {"without_ga": int((~measured).sum())}
    for name, called in (("called_good", p >= threshold), ("called_poor", p < threshold)):
        mine = called & measured
        row: dict[str, Any] = {"count": int(mine.sum())}
        row["mae_vs_reported_days"] = float(np.abs(ga[mine] - reported[mine]).mean()) if mine.any() else None
        if reference is not None:
            row["mae_vs_reference_days"] = float(np.abs(ga[mine] - reference[mine]).mean()) if mine.any() else None
        out[name] = row
    good, poor = out["called_good"], out["called_poor"]
    for key in ("mae_vs_reported_days", "mae_vs_reference_days"):
        if good.get(key) and poor.get(key) is not None:
            out[f"ratio_poor_to_good_{key[4:]}"] = poor[key] / good[key]
    if reference is not None:
        out["noise_floor_days"] = float(np.abs(reference - reported).mean()) if len(reference) else None
    return out


def draw_reliability_diagram(bins: Sequence[dict], path: str | Path, *, title: str, ece: float | None = None) -> Path:
    """A reliability diagram as a PNG (PIL only): observed share of good masks per bin of p(good)
    against the diagonal, bar widths the bins, counts written above."""
    from PIL import Image, ImageDraw

    w, h, pad = 560, 530, 60
    img = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(img)
    x0, y0, x1, y1 = pad, 50, w - 20, h - pad  # plot box

    def px(p: float, q: float) -> tuple[float, float]:
        return x0 + p * (x1 - x0), y1 - q * (y1 - y0)

    draw.rectangle([x0, y0, x1, y1], outline="black")
    for t in np.linspace(0, 1, 6):
        gx, _ = px(t, 0)
        _, gy = px(0, t)
        draw.line([gx, y1, gx, y1 + 5], fill="black")
        draw.line([x0 - 5, gy, x0, gy], fill="black")
        draw.text((gx - 8, y1 + 8), f"{t:.1f}", fill="black")
        draw.text((x0 - 32, gy - 6), f"{t:.1f}", fill="black")
    for b in bins:
        if not b["count"]:
            continue
        left, top = px(b["low"], b["good_rate"])
        right, bottom = px(b["high"], 0)
        draw.rectangle([left + 2, top, right - 2, bottom], fill=(90, 140, 210), outline=(40, 70, 140))
        mx, my = px(b["mean_p"], b["mean_p"])
        draw.ellipse([mx - 3, my - 3, mx + 3, my + 3], fill=(200, 60, 40))
        draw.text((left + 4, top - 14), str(b["count"]), fill="black")
    draw.line([px(0, 0), px(1, 1)], fill=(120, 120, 120), width=1)
    label = title + (f"   ECE {ece:.3f}" if ece is not None else "")
    draw.text((x0, 4), label, fill="black")
    draw.text((x0 + 120, h - 28), "predicted p(good)  (red dot: mean p in the bin)", fill="black")
    draw.text((4, y0 - 16), "observed share good", fill="black")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)
    return path
