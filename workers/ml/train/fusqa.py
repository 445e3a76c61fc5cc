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
    cosine_lr,
    report,
    sample_batches,
    seed_everything,
)
from workers.ml.train.quality_augment import augment_quality

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
    quality_augment: float = 0.0,
    out_path: str | Path | None = None,
    device: str | torch.device | None = None,
) -> TrainResult:
    """Train the quality classifier on (frame, mask, 1 good / 0 poor) samples.

    With val_samples, the temperature is fitted on them after training and stored in the config;
    the metrics hold accuracy, balanced accuracy, AUC, ECE before and after calibration, and the
    mask-only AUC (image channel blanked). See train_fusqa_arrays for the loop itself.
    """
    cfg = {**DEFAULT_FUSQA_CONFIG, "architecture": architecture, **(config or {})}
    size, margin = int(cfg["input_size"]), float(cfg["crop_margin"])
    if not isinstance(samples, Sequence):
        samples = list(samples)
    if len(samples) < 2:
        raise ValueError("train_fusqa needs at least two samples (BatchNorm trains on batches)")
    x, y = _inputs(samples, size, margin)
    val = _inputs(val_samples, size, margin) if val_samples else None
    return train_fusqa_arrays(
        x, y, val=val, steps=steps, seed=seed, batch_size=batch_size, lr=lr, config=cfg,
        time_budget_s=time_budget_s, progress=progress, progress_every=progress_every, augment=augment,
        quality_augment=quality_augment, out_path=out_path, device=device,
    )  # fmt: skip


def _logits(network: torch.nn.Module, x: torch.Tensor, device, batch_size: int = 128) -> np.ndarray:
    network.eval()
    with torch.inference_mode():
        outs = [
            network(x[i : i + batch_size].float().to(device)).reshape(-1).cpu() for i in range(0, len(x), batch_size)
        ]
    return torch.cat(outs).numpy().astype(np.float64) if outs else np.zeros(0)


def train_fusqa_arrays(
    x: torch.Tensor | np.ndarray,
    y: torch.Tensor | np.ndarray,
    *,
    steps: int,
    val: tuple[torch.Tensor | np.ndarray, torch.Tensor | np.ndarray] | None = None,
    seed: int = 0,
    batch_size: int = 32,
    lr: float = 1e-3,
    config: Mapping[str, Any] | None = None,
    time_budget_s: float | None = None,
    progress: ProgressCallback | None = None,
    progress_every: int = 10,
    augment: bool = True,
    quality_augment: float = 0.0,
    init_from: str | Path | None = None,
    class_balance: bool = True,
    out_path: str | Path | None = None,
    device: str | torch.device | None = None,
) -> TrainResult:
    """Train on prepared inputs x (N, 2, S, S; see crop.quality_input) and labels y (1 good, 0 poor).

    Loss: BCE on the logit. class_balance: each batch is drawn half good, half poor, so neither
    class is ignored; the prior this shifts is corrected with the calibration (a temperature and a
    bias fitted on ``val`` by NLL, stored in the config). Learning rate: AdamW with cosine decay
    over the run's progress (steps or wall clock). Stops at ``steps`` or ``time_budget_s``.
    quality_augment: the share scale of train.quality_augment's label-preserving changes (rotation,
    stretch, gamma, blur, histogram matching, texture, rim attenuation); 0 leaves them out.
    init_from: a FUSQA checkpoint to start from (fine-tuning) instead of random weights.
    """
    rng = seed_everything(seed)
    cfg = {**DEFAULT_FUSQA_CONFIG, **(config or {})}
    device = torch.device(device) if device is not None else default_device()
    x = torch.as_tensor(x)
    y = torch.as_tensor(y).float().reshape(-1)
    if len(x) < 2:
        raise ValueError("train_fusqa needs at least two samples (BatchNorm trains on batches)")
    if init_from is not None:  # fine-tune: start from a checkpoint's weights (its architecture wins)
        from workers.ml.networks import load_checkpoint

        network, loaded, _ = load_checkpoint(init_from, kind="fusqa", train_command="manage.py train_fusqa")
        cfg = {**cfg, **{k: v for k, v in loaded.items() if k not in ("temperature", "bias")}}
        network = network.to(device)
    else:
        network = build_network(cfg).to(device)
    optimiser = torch.optim.AdamW(network.parameters(), lr=lr, weight_decay=1e-4)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    good, poor = np.flatnonzero(y.numpy() > 0.5), np.flatnonzero(y.numpy() <= 0.5)
    balanced = class_balance and len(good) > 0 and len(poor) > 0
    batch_size = min(batch_size, len(x))
    budget, losses, step = Budget(steps, time_budget_s), [], 0
    batches = sample_batches(list(range(len(x))), batch_size, rng)
    network.train()
    while not budget.done(step):
        if balanced:
            half = batch_size // 2
            batch = np.concatenate([rng.choice(good, half), rng.choice(poor, batch_size - half)])
        else:
            batch = np.asarray(next(batches))
        xb, yb = x[batch].float(), y[batch]
        if augment:
            if quality_augment > 0:
                xb = augment_quality(xb, rng, quality_augment)
            xb, _ = augment_batch(xb, None, rng)  # the mirror applies to both channels
        cosine_lr(optimiser, lr, budget.fraction(step))
        loss = loss_fn(network(xb.to(device)).reshape(-1), yb.to(device))
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
        step += 1
        if step % progress_every == 0 or budget.done(step):
            report(progress, stage="fusqa", step=step, steps=steps, loss=losses[-1], elapsed_s=budget.elapsed)
    network.eval()
    metrics: dict[str, Any] = {
        "steps": step,
        "seconds": round(budget.elapsed, 2),
        "loss_first": losses[0] if losses else None,
        "loss_last": float(np.mean(losses[-10:])) if losses else None,
        "seed": seed,
        "architecture": cfg["architecture"],
        "train_count": int(len(y)),
        "train_good_share": float(y.mean()),
        "quality_augment": quality_augment,
        "init_from": str(init_from) if init_from is not None else None,
    }
    if val is not None:
        vx, vy = torch.as_tensor(val[0]), np.asarray(val[1]).reshape(-1)
        logits = _logits(network, vx, device)
        before = classification_metrics(apply_temperature(logits, 1.0), vy)
        temperature, bias = fit_temperature(logits, vy, with_bias=True)
        cfg["temperature"], cfg["bias"] = temperature, bias
        after = classification_metrics(apply_temperature(logits, temperature, bias), vy)
        metrics.update({f"val_{k}": v for k, v in after.items()})
        metrics.update({"val_ece_uncalibrated": before["ece"], "temperature": temperature, "bias": bias})
        blank = vx.clone()
        blank[:, 0] = 0
        metrics["val_auc_mask_only"] = binary_auc(_logits(network, blank, device), vy)
    model = QualityModel(TorchRunner(network, device), cfg)
    checkpoint = None
    if out_path is not None:
        checkpoint = save_checkpoint(out_path, kind="fusqa", config=cfg, network=network, metrics=metrics)
    return TrainResult(model=model, metrics=metrics, losses=losses, checkpoint=checkpoint)
