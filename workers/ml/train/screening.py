"""What the product does with a segmentation model's masks on a held-out hospital: assess()'s verdicts.

The paper's protocol (recipes.evaluate_quality) thresholds p(good) on crops. The product answers with
``QualityModel.assess``: good, poor, or unknown (an implausible mask, or a pair unlike the training
data), and an unknown goes to an expert like a poor one. So for the masks the segmentation models
make (the shipped model and the two evaluation-only ones), this counts, per label:

- ``caught``: poor masks not called good (poor or unknown): what the screen keeps from the report;
- ``unknown_share_of_good``: good masks answered unknown (work for the experts, not an error);
- ``called_good_poor``: poor masks let through.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from workers.ml.fusqa.labels import quality_label
from workers.ml.train.datasets import PhantomFrame


def screen_model_outputs(
    model, frames: Sequence[PhantomFrame], checkpoints: Mapping[str, Path], *, threshold: float | None = None
) -> dict[str, Any]:
    """assess() on every checkpoint's masks of ``frames``, labelled against the reference masks (threshold:
    None for the model's own operating threshold)."""
    from workers.ml.train.recipes import predicted_masks

    masks = predicted_masks(frames, dict(checkpoints))
    rows = []
    for name, predicted in masks.items():
        answers = model.assess(
            [f.image for f in frames], predicted, [f.spacing_mm for f in frames], threshold=threshold
        )
        for frame, mask, answer in zip(frames, predicted, answers, strict=True):
            label = quality_label(mask, frame.mask, frame.spacing_mm).label if mask.any() else "poor"
            rows.append((name, label, answer.verdict))
    return summarise_verdicts(rows)


def summarise_verdicts(rows: Sequence[tuple[str, str | None, str]]) -> dict[str, Any]:
    """(model, label good / poor / None for the middle band, verdict) rows -> the screen's counts."""
    labels = np.array([r[1] or "middle" for r in rows])
    verdicts = np.array([r[2] for r in rows])
    poor, good = labels == "poor", labels == "good"

    def share(num, den) -> float | None:
        return round(float(num) / float(den), 4) if den else None

    out: dict[str, Any] = {
        "masks": len(rows),
        "good": int(good.sum()),
        "poor": int(poor.sum()),
        "middle_band": int((labels == "middle").sum()),
        "poor_verdicts": {v: int((verdicts[poor] == v).sum()) for v in ("good", "poor", "unknown")},
        "good_verdicts": {v: int((verdicts[good] == v).sum()) for v in ("good", "poor", "unknown")},
    }
    out["caught"] = share((verdicts[poor] != "good").sum(), poor.sum())
    out["caught_as_poor"] = share((verdicts[poor] == "poor").sum(), poor.sum())
    out["good_called_good"] = share((verdicts[good] == "good").sum(), good.sum())
    out["unknown_share_of_good"] = share((verdicts[good] == "unknown").sum(), good.sum())
    out["unknown_share"] = share((verdicts == "unknown").sum(), len(rows))
    return out
