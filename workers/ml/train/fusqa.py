"""Training the FUSQA classifier, then fitting its temperature on held-out cases."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from workers.ml.fusqa import QualityModel
from workers.ml.fusqa.calibration import apply_temperature, expected_calibration_error, fit_temperature
from workers.ml.fusqa.crop import quality_input
from workers.ml.fusqa.labels import LABEL_THRESHOLDS, QualityThresholds, quality_label
from workers.ml.networks import DEFAULT_FUSQA_CONFIG, TorchRunner, build_network, default_device, save_checkpoint
from workers.ml.train.common import (
    Budget,
    ProgressCallback,
    TrainResult,
    augment_batch,
    report,
    sample_batches,
    seed_everything,
)

QualitySample = tuple[np.ndarray, np.ndarray, int]  # (uint8 frame, bool mask, 1 good / 0 poor)


def label_candidates(
    cases: Iterable[tuple[np.ndarray, np.ndarray, Sequence[np.ndarray], float | tuple[float, float]]],
    *,
    formula: str = "robinson",
    thresholds: QualityThresholds = LABEL_THRESHOLDS,
) -> list[QualitySample]:
    """(frame, reference mask, candidate masks, spacing) cases -> labelled (frame, candidate, 0/1)
    samples. Candidates between the good and poor thresholds are dropped (see labels.py)."""
    out: list[QualitySample] = []
    for image, reference, candidates, spacing in cases:
        for candidate in candidates:
            verdict = quality_label(candidate, reference, spacing, formula=formula, thresholds=thresholds)
            if verdict.label is not None:
                out.append((image, np.asarray(candidate) > 0, int(verdict.label == "good")))
    return out


def _inputs(samples: Sequence[QualitySample], size: int, margin: float) -> tuple[torch.Tensor, torch.Tensor]:
    x = np.stack([quality_input(np.asarray(im), np.asarray(m), size, margin) for im, m, _ in samples])
    y = np.array([float(label) for _, _, label in samples], dtype=np.float32)
    return torch.from_numpy(x), torch.from_numpy(y)


def binary_auc(scores: np.ndarray, labels: np.ndarray) -> float | None:
    """Area under the ROC curve (Mann-Whitney, ties counted half); None if one class is absent."""
    scores, labels = np.asarray(scores, float), np.asarray(labels) > 0
    pos, neg = scores[labels], scores[~labels]
    if len(pos) == 0 or len(neg) == 0:
        return None
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def mask_only_auc(model: QualityModel, samples: Sequence[QualitySample]) -> float | None:
    """AUC with the image channel blanked (FINDINGS lesson 2: a standing check that the classifier
    uses the image). Close to the full AUC means it judges the mask's shape alone."""
    images, masks, labels = zip(*samples, strict=True)
    batch = model.preprocess(list(images), list(masks))
    batch[:, 0] = 0.0
    logits = np.concatenate([model.runner(batch[i : i + 64]).reshape(-1) for i in range(0, len(batch), 64)])
    return binary_auc(logits, np.array(labels))


def classification_metrics(p_good: np.ndarray, labels: np.ndarray, threshold: float = 0.5) -> dict[str, Any]:
    labels = np.asarray(labels) > 0
    predicted = np.asarray(p_good) >= threshold
    recalls = [float((predicted[labels == c] == c).mean()) for c in (True, False) if (labels == c).any()]
    return {
        "accuracy": float((predicted == labels).mean()),
        "balanced_accuracy": float(np.mean(recalls)),
        "auc": binary_auc(p_good, labels),
        "ece": expected_calibration_error(p_good, labels),
        "count": int(len(labels)),
        "good_share": float(labels.mean()),
    }


def train_fusqa(
    samples: Sequence[QualitySample] | Iterable[QualitySample],
    *,
    steps: int,
    seed: int = 0,
    architecture: str = "compact",
    batch_size: int = 32,
    lr: float = 1e-3,
    config: Mapping[str, Any] | None = None,
    val_samples: Sequence[QualitySample] | None = None,
    time_budget_s: float | None = None,
    progress: ProgressCallback | None = None,
    progress_every: int = 10,
    augment: bool = True,
    out_path: str | Path | None = None,
    device: str | torch.device | None = None,
) -> TrainResult:
    """Train the quality classifier on (frame, mask, 1 good / 0 poor) samples.

    Loss: BCE on the logit, positives weighted by negatives/positives (sequence input) so the
    rarer class is not ignored. With val_samples, the temperature is fitted on them after
    training and stored in the config; the metrics hold accuracy, balanced accuracy, AUC, ECE
    before and after calibration, and the mask-only AUC (image channel blanked).
    """
    rng = seed_everything(seed)
    cfg = {**DEFAULT_FUSQA_CONFIG, "architecture": architecture, **(config or {})}
    size, margin = int(cfg["input_size"]), float(cfg["crop_margin"])
    device = torch.device(device) if device is not None else default_device()
    network = build_network(cfg).to(device)
    optimiser = torch.optim.AdamW(network.parameters(), lr=lr, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=max(1, steps))
    if isinstance(samples, Sequence) and len(samples) < 2:
        raise ValueError("train_fusqa needs at least two samples (BatchNorm trains on batches)")
    cached = _inputs(samples, size, margin) if isinstance(samples, Sequence) else None
    pos_weight = 1.0
    if cached is not None:
        positives = float(cached[1].sum())
        pos_weight = (len(cached[1]) - positives) / positives if positives else 1.0
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pos_weight, device=device))
    index = list(range(len(samples))) if cached is not None else samples
    budget, losses, step = Budget(steps, time_budget_s), [], 0
    network.train()
    for batch in sample_batches(index, batch_size, rng):
        if budget.done(step):
            break
        x, y = (cached[0][batch], cached[1][batch]) if cached is not None else _inputs(batch, size, margin)
        if augment:
            x, _ = augment_batch(x, None, rng)  # the mirror applies to both channels of x
        if x.shape[0] < 2 and any(isinstance(m, torch.nn.BatchNorm2d) for m in network.modules()):
            continue  # BatchNorm cannot train on a single sample
        loss = loss_fn(network(x.to(device)).reshape(-1), y.to(device))
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        scheduler.step()
        losses.append(loss.item())
        step += 1
        if step % progress_every == 0 or budget.done(step):
            report(progress, stage="fusqa", step=step, steps=steps, loss=losses[-1], elapsed_s=budget.elapsed)
    network.eval()
    model = QualityModel(TorchRunner(network, device), cfg)
    metrics: dict[str, Any] = {
        "steps": step,
        "seconds": round(budget.elapsed, 2),
        "loss_first": losses[0] if losses else None,
        "loss_last": float(np.mean(losses[-10:])) if losses else None,
        "seed": seed,
        "architecture": cfg["architecture"],
    }
    if val_samples:
        images, masks, labels = zip(*val_samples, strict=True)
        logits = model.logits(list(images), list(masks))
        labels = np.array(labels)
        before = classification_metrics(apply_temperature(logits, 1.0), labels)
        temperature = fit_temperature(logits, labels)
        cfg["temperature"] = temperature
        model.temperature = temperature
        model.config["temperature"] = temperature
        after = classification_metrics(apply_temperature(logits, temperature), labels)
        metrics.update({f"val_{k}": v for k, v in after.items()})
        metrics.update({"val_ece_uncalibrated": before["ece"], "temperature": temperature})
        metrics["val_auc_mask_only"] = mask_only_auc(model, val_samples)
    checkpoint = None
    if out_path is not None:
        checkpoint = save_checkpoint(out_path, kind="fusqa", config=cfg, network=network, metrics=metrics)
    return TrainResult(model=model, metrics=metrics, losses=losses, checkpoint=checkpoint)
