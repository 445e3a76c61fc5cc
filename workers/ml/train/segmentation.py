"""Training the segmentation UNet (DiceCE loss, Adam, cosine learning rate over the run's
progress), with optional snapshots part-way (the FUSQA classifier trains on their outputs: an
early snapshot makes the naturally poor masks a half-trained model makes)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from monai.losses import DiceCELoss
from monai.metrics import DiceMetric

from workers.ml.fusqa.labels import dice
from workers.ml.networks import DEFAULT_SEGMENTATION_CONFIG, TorchRunner, build_network, default_device, save_checkpoint
from workers.ml.segmentation import SegmentationModel, letterbox
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


def letterbox_mask(mask: np.ndarray, size: int) -> np.ndarray:
    """A bool mask letterboxed like its frame (see segmentation.letterbox), as size x size bool."""
    h, w = mask.shape
    side = max(h, w)
    top, left = (side - h) // 2, (side - w) // 2
    square = torch.zeros((side, side), dtype=torch.float32)
    square[top : top + h, left : left + w] = torch.from_numpy(np.asarray(mask, dtype=np.float32))
    small = F.interpolate(square[None, None], size=(size, size), mode="bilinear", align_corners=False, antialias=True)
    return (small[0, 0] > 0.5).numpy()


def _tensors(pairs: Sequence[tuple[np.ndarray, np.ndarray]], size: int) -> tuple[torch.Tensor, torch.Tensor]:
    images = np.stack([letterbox(np.asarray(im), size)[0] for im, _ in pairs])[:, None]
    masks = np.stack([letterbox_mask(np.asarray(m) > 0, size) for _, m in pairs])[:, None]
    return torch.from_numpy(images.astype(np.float32)), torch.from_numpy(masks.astype(np.float32))


def train_segmentation(
    samples: Sequence[tuple[np.ndarray, np.ndarray]] | Iterable[tuple[np.ndarray, np.ndarray]],
    *,
    steps: int,
    seed: int = 0,
    batch_size: int = 16,
    lr: float = 2e-3,
    config: Mapping[str, Any] | None = None,
    val_samples: Sequence[tuple[np.ndarray, np.ndarray]] | None = None,
    time_budget_s: float | None = None,
    progress: ProgressCallback | None = None,
    progress_every: int = 10,
    augment: bool = True,
    out_path: str | Path | None = None,
    device: str | torch.device | None = None,
    snapshots: Sequence[float] = (),
    snapshot_dir: str | Path | None = None,
) -> TrainResult:
    """Train a UNet on (uint8 grey frame, bool mask) pairs of any sizes.

    samples: a sequence (pre-processed once, batches drawn at random) or an iterator (e.g. a
    phantom stream, consumed in order until it or the budget ends). Stops after ``steps`` or
    ``time_budget_s``. val_samples: Dice is measured on them at the frames' own size, through the
    same predict() the product uses. out_path: where to save the checkpoint, if given.
    snapshots: fractions of the run (0..1, by steps or wall clock) at which a checkpoint is also
    written to snapshot_dir as ``segmentation_p<percent>.pt`` (e.g. 0.05 -> segmentation_p05.pt).
    """
    rng = seed_everything(seed)
    cfg = {**DEFAULT_SEGMENTATION_CONFIG, **(config or {})}
    size = int(cfg["input_size"])
    device = torch.device(device) if device is not None else default_device()
    network = build_network(cfg).to(device)
    loss_fn = DiceCELoss(to_onehot_y=True, softmax=True)
    optimiser = torch.optim.Adam(network.parameters(), lr=lr)
    pending = sorted(float(f) for f in snapshots)
    if pending and snapshot_dir is None:
        raise ValueError("snapshots need a snapshot_dir")
    cached = _tensors(samples, size) if isinstance(samples, Sequence) else None
    index = list(range(len(samples))) if cached is not None else samples
    budget, losses, step = Budget(steps, time_budget_s), [], 0
    network.train()
    for batch in sample_batches(index, batch_size, rng):
        if budget.done(step):
            break
        if cached is not None:
            x, y = cached[0][batch], cached[1][batch]
        else:
            x, y = _tensors(batch, size)
        if augment:
            x, y = augment_batch(x, y, rng)
        cosine_lr(optimiser, lr, budget.fraction(step))
        logits = network(x.to(device))
        loss = loss_fn(logits, y.to(device))
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
        step += 1
        while pending and budget.fraction(step) >= pending[0]:
            name = f"segmentation_p{round(100 * pending.pop(0)):02d}.pt"
            save_checkpoint(
                Path(snapshot_dir) / name, kind="segmentation", config=cfg, network=network,
                metrics={"steps": step, "seconds": round(budget.elapsed, 2), "seed": seed, "of": str(out_path)},
            )  # fmt: skip
            network.train()
        if step % progress_every == 0 or budget.done(step):
            report(progress, stage="segmentation", step=step, steps=steps, loss=losses[-1], elapsed_s=budget.elapsed)
    network.eval()
    model = SegmentationModel(TorchRunner(network, device), cfg)
    metrics: dict[str, Any] = {
        "steps": step,
        "seconds": round(budget.elapsed, 2),
        "loss_first": losses[0] if losses else None,
        "loss_last": float(np.mean(losses[-10:])) if losses else None,
        "seed": seed,
    }
    if val_samples:
        metrics.update(evaluate_segmentation(model, val_samples))
    checkpoint = None
    if out_path is not None:
        checkpoint = save_checkpoint(out_path, kind="segmentation", config=cfg, network=network, metrics=metrics)
    return TrainResult(model=model, metrics=metrics, losses=losses, checkpoint=checkpoint)


def evaluate_segmentation(model: SegmentationModel, pairs: Sequence[tuple[np.ndarray, np.ndarray]]) -> dict[str, float]:
    """Mean Dice at the frames' own size (numpy), and MONAI's DiceMetric on the same masks."""
    predicted = model.predict([im for im, _ in pairs])
    scores = [dice(p, m) for p, (_, m) in zip(predicted, pairs, strict=True)]
    metric = DiceMetric(include_background=False, reduction="mean", ignore_empty=False)
    for p, (_, m) in zip(predicted, pairs, strict=True):
        metric(torch.from_numpy(p)[None, None].float(), torch.from_numpy(np.asarray(m) > 0)[None, None].float())
    return {"val_dice": float(np.mean(scores)), "val_dice_monai": float(metric.aggregate()), "val_count": len(pairs)}
