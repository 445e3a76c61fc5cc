"""FUSQA's operating threshold: the p(good) at or above which a mask is called good, chosen on hospital A.

p(good) is calibrated (a temperature and a bias fitted on held-out hospital A candidates), so 0.5 is where a
mask is as likely good as poor. A screen should not stop there: the masks it meets in use are the ones
segmentation models make, and a poor one let through dates the pregnancy days wrong, while a good one held back
costs an expert a look. The rule, fixed before any held-out hospital was scored and applied to the hospital A
validation split only (issue #10 item 2; FINDINGS lesson 10):

    the threshold that maximises the balanced accuracy on the segmentation models' own masks, among the
    thresholds that keep the accuracy on all validation candidates at or above MIN_ACCURACY;
    0.5 when no threshold keeps it, or the split holds no model output of both labels.

The threshold is stored in the checkpoint's config (``threshold``); ``QualityModel.assess`` uses it by default
and the product's ``FUSQA_GOOD_THRESHOLD`` defaults to the shipped checkpoint's value (a test pins the two).

    python -m workers.ml.fusqa.operating_point [--weights workers/weights/fusqa.pt]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

MIN_ACCURACY = 0.95
GRID = np.round(np.arange(0.05, 0.951, 0.005), 3)


def operating_threshold(p_good, labels, model_output, *, min_accuracy: float = MIN_ACCURACY) -> float:
    """The rule above on validation candidates: calibrated p(good), labels (1 good, 0 poor), and whether each
    candidate is a segmentation model's own mask."""
    p, good, seg = np.asarray(p_good, float), np.asarray(labels) > 0, np.asarray(model_output, bool)
    if not (seg & good).any() or not (seg & ~good).any():
        return 0.5
    best, best_score = 0.5, -1.0
    for t in GRID:
        called = p >= t
        if (called == good).mean() < min_accuracy:
            continue
        score = 0.5 * ((~called[seg & ~good]).mean() + called[seg & good].mean())
        if score > best_score + 1e-12:
            best, best_score = float(t), float(score)
    return best


def figures_at(p_good, labels, model_output, threshold: float) -> dict[str, float]:
    """Validation figures at a threshold: accuracy on all candidates, sensitivity and specificity for poor
    masks on the model outputs."""
    p, good, seg = np.asarray(p_good, float), np.asarray(labels) > 0, np.asarray(model_output, bool)
    called = p >= threshold
    return {
        "accuracy": round(float((called == good).mean()), 4),
        "model_outputs_sensitivity_poor": round(float((~called[seg & ~good]).mean()), 4),
        "model_outputs_specificity_poor": round(float(called[seg & good].mean()), 4),
    }


def choose_on_validation(model, validation) -> dict:
    """The threshold and the figures at 0.5 and at it, on a labelled CandidateSet (train.candidates)."""
    from workers.ml.fusqa.calibration import apply_temperature
    from workers.ml.train.recipes import quality_logits

    p = apply_temperature(quality_logits(model, validation.x), model.temperature, model.bias)
    seg = np.char.startswith(validation.kind.astype(str), "seg_")
    threshold = operating_threshold(p, validation.label, seg)
    return {
        "threshold": threshold,
        "rule": f"max balanced accuracy on model outputs, accuracy >= {MIN_ACCURACY} (hospital A validation)",
        "validation_candidates": int(len(validation)),
        "at_0.5": figures_at(p, validation.label, seg, 0.5),
        "at_threshold": figures_at(p, validation.label, seg, threshold),
    }


def store_threshold(weights: str | Path, threshold: float) -> None:
    """Write the threshold into the checkpoint's config (atomically); the network is untouched."""
    weights = Path(weights)
    payload = torch.load(weights, map_location="cpu", weights_only=True)
    payload["config"]["threshold"] = float(threshold)
    tmp = weights.with_suffix(weights.suffix + ".tmp")
    torch.save(payload, tmp)
    tmp.replace(weights)


def main(argv: list[str] | None = None) -> int:
    from workers.ml import fusqa
    from workers.ml.train.recipes import fusqa_training_sets

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", default=str(fusqa.DEFAULT_WEIGHTS))
    args = parser.parse_args(argv)
    model = fusqa.load_model(args.weights, device="cpu")
    _, calibration = fusqa_training_sets(size=model.input_size)
    chosen = choose_on_validation(model, calibration.labelled())
    store_threshold(args.weights, chosen["threshold"])
    training = Path(args.weights).with_name("fusqa_training.json")
    if training.is_file():
        report = json.loads(training.read_text())
        report["operating_point"] = chosen
        training.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(json.dumps(chosen, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
