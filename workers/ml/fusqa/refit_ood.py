"""Refit FUSQA's out-of-distribution statistics for a checkpoint, and measure what they do.

    python -m workers.ml.fusqa.refit_ood [--weights workers/weights/fusqa.pt] [--embed]

Fits on FUSQA's training split and sets the threshold on its calibration split (hospital A only; see
ood.py), writes ``<weights>.ood.json`` (or, with --embed, the checkpoint's config), then measures the
share of unknown verdicts on frames no fit saw (hospital A seeds of no split, hospital B's test split)
and on synthetic out-of-distribution inputs, into workers/weights/fusqa_ood_report.json (docs/models.md
renders it). Run it after every retraining of fusqa.pt: a side file made for other weights is ignored.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from workers.ml import fusqa, segmentation
from workers.ml.fusqa.ood import file_sha256, fit_ood, side_file
from workers.ml.train.datasets import (
    FUSQA_CALIBRATION,
    FUSQA_TRAIN,
    TEST_HOSPITAL,
    TRAIN_HOSPITAL,
    UNSEEN_TEST,
    generate_frames,
    profiles_of,
)
from workers.ml.train.phantoms import candidate_masks

REPORT = Path(fusqa.DEFAULT_WEIGHTS).with_name("fusqa_ood_report.json")
HELD_OUT_A_FIRST_SEED = 250_000  # in no split: frames neither the fit nor the threshold saw
FIT_FRAMES = 180  # the first frames of FUSQA_TRAIN: enough pairs (about 1,400) for 480-wide covariances


def refit_and_measure(weights: str | Path, *, report_path: str | Path = REPORT, report_frames: int = 100) -> dict:
    """What ``manage.py train_fusqa`` runs after training: refit, measure, write the report."""
    stats = refit(weights, fit_frames=FIT_FRAMES, threshold_frames=FUSQA_CALIBRATION.count)
    report = {"method": stats["method"], "fitted_on": stats["fitted_on"], **measure(weights, frames=report_frames)}
    Path(report_path).write_text(json.dumps(report, indent=2) + "\n")
    return report


def hospital_pairs(hospital: str, first_seed: int, count: int, seed: int, *, candidates: bool, segmented: bool):
    """(images, masks, spacings) of `count` phantom frames: the usual candidates (true and damaged
    masks) and/or the segmentation model's masks."""
    frames = generate_frames(profiles_of(hospital), list(range(first_seed, first_seed + count)))
    rng = np.random.default_rng(seed)
    images, masks, spacings, previous = [], [], [], None
    if candidates:
        for frame in frames:
            for mask in candidate_masks(frame.mask, frame.spacing_mm, rng, previous):
                images.append(frame.image)
                masks.append(mask)
                spacings.append(frame.spacing_mm)
            previous = frame.mask
    if segmented:
        for frame, mask in zip(frames, segmentation.load_model().predict([f.image for f in frames]), strict=True):
            if mask.any():
                images.append(frame.image)
                masks.append(mask)
                spacings.append(frame.spacing_mm)
    return images, masks, spacings, frames


def refit(weights: str | Path, *, fit_frames: int, threshold_frames: int, embed: bool = False) -> dict:
    model = fusqa.load_model(weights)
    images, masks, _, _ = hospital_pairs(
        TRAIN_HOSPITAL, FUSQA_TRAIN.first_seed, fit_frames, 1, candidates=True, segmented=False
    )
    held = hospital_pairs(
        TRAIN_HOSPITAL, FUSQA_CALIBRATION.first_seed, threshold_frames, 2, candidates=True, segmented=True
    )
    stats = fit_ood(model, images, masks, held_out_images=held[0], held_out_masks=held[1])
    stats["fitted_on"] = {
        "fit": f"{FUSQA_TRAIN.name} (hospital A): {fit_frames} frames, {len(masks)} (frame, mask) pairs",
        "threshold": f"{FUSQA_CALIBRATION.name} (hospital A): {threshold_frames} frames, {len(held[1])} pairs",
    }
    weights = Path(weights)
    if embed:
        payload = torch.load(weights, map_location="cpu", weights_only=True)
        payload["config"]["ood"] = stats
        tmp = weights.with_suffix(weights.suffix + ".tmp")
        torch.save(payload, tmp)
        tmp.replace(weights)
    else:
        stats["weights_sha256"] = file_sha256(weights)
        side_file(weights).write_text(json.dumps(stats, separators=(",", ":")) + "\n")
    return stats


def _rates(model, images, masks, spacings) -> dict:
    found = model.assess(images, masks, list(spacings))
    verdicts = [a.verdict for a in found]
    scores = [a.ood_score for a in found if a.ood_score is not None]
    n = len(found)
    return {
        "pairs": n,
        "unknown": round(verdicts.count("unknown") / n, 4),
        "good": round(verdicts.count("good") / n, 4),
        "poor": round(verdicts.count("poor") / n, 4),
        "unknown_by_ood": round(sum(any("training data" in r for r in a.reasons) for a in found) / n, 4),
        "ood_score_median": round(float(np.median(scores)), 3) if scores else None,
    }


def measure(weights: str | Path, *, frames: int) -> dict:
    model = fusqa.load_model(weights)
    rng = np.random.default_rng(3)
    report = {"threshold": model.ood.threshold, "sets": {}}
    a_seg = hospital_pairs(TRAIN_HOSPITAL, HELD_OUT_A_FIRST_SEED, frames, 4, candidates=False, segmented=True)
    b_seg = hospital_pairs(TEST_HOSPITAL, UNSEEN_TEST.first_seed, frames, 5, candidates=False, segmented=True)
    a_frames = a_seg[3]
    true_masks = [f.mask for f in a_frames]
    spacings = [f.spacing_mm for f in a_frames]
    sets = {
        "hospital A (held out), segmentation masks": a_seg[:3],
        "hospital B, segmentation masks": b_seg[:3],
        "hospital B, reference masks": (
            [f.image for f in b_seg[3]],
            [f.mask for f in b_seg[3]],
            [f.spacing_mm for f in b_seg[3]],
        ),
        "constant grey frame, reference mask": ([np.full_like(f.image, 128) for f in a_frames], true_masks, spacings),
        "Gaussian noise frame, reference mask": (
            [np.clip(rng.normal(100, 40, f.image.shape), 0, 255).astype(np.uint8) for f in a_frames],
            true_masks,
            spacings,
        ),
        "frame and mask rotated 90°": (
            [np.rot90(f.image).copy() for f in a_frames],
            [np.rot90(m).copy() for m in true_masks],
            [s[::-1] for s in spacings],
        ),
    }
    for name, (images, masks, spac) in sets.items():
        report["sets"][name] = _rates(model, images, masks, spac)
    report["frames_per_set"] = frames
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", default=str(fusqa.DEFAULT_WEIGHTS))
    parser.add_argument("--fit-frames", type=int, default=FIT_FRAMES)
    parser.add_argument("--threshold-frames", type=int, default=FUSQA_CALIBRATION.count)
    parser.add_argument("--report-frames", type=int, default=100)
    parser.add_argument("--embed", action="store_true", help="into the checkpoint's config, not a side JSON")
    parser.add_argument("--report", default=str(REPORT))
    args = parser.parse_args(argv)
    stats = refit(args.weights, fit_frames=args.fit_frames, threshold_frames=args.threshold_frames, embed=args.embed)
    report = {
        "method": stats["method"],
        "fitted_on": stats["fitted_on"],
        **measure(args.weights, frames=args.report_frames),
    }
    Path(args.report).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
