"""What both training loops share: seeding, batching, augmentation, the progress/time budget."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

ProgressCallback = Callable[[dict[str, Any]], None]


@dataclass
class TrainResult:
    """model: the trained SegmentationModel / QualityModel (torch runner); metrics: what training
    measured (also stored in the checkpoint); losses: training loss per step."""

    model: Any
    metrics: dict[str, Any]
    losses: list[float] = field(default_factory=list)
    checkpoint: Path | None = None


def seed_everything(seed: int) -> np.random.Generator:
    random.seed(seed)
    torch.manual_seed(seed)
    return np.random.default_rng(seed)


def sample_batches(samples: Sequence | Iterable, batch_size: int, rng: np.random.Generator) -> Iterator[list]:
    """Endless random batches from a sequence (drawn with replacement across epochs, shuffled per
    epoch), or consecutive batches from an iterator (e.g. a phantom stream) until it ends."""
    if isinstance(samples, Sequence):
        if len(samples) == 0:
            raise ValueError("no training samples")
        while True:
            order = rng.permutation(len(samples))
            for i in range(0, len(order), batch_size):
                chunk = order[i : i + batch_size]
                if len(chunk) < min(batch_size, len(samples)):
                    break
                yield [samples[j] for j in chunk]
    else:
        iterator = iter(samples)
        while True:
            batch = [s for _, s in zip(range(batch_size), iterator, strict=False)]
            if not batch:
                return
            yield batch


def augment_batch(x: torch.Tensor, y: torch.Tensor | None, rng: np.random.Generator) -> tuple[torch.Tensor, Any]:
    """Plausible variation only: left-right mirror (a fetus faces either way; the sector does not
    flip upside down), contrast/brightness jitter and a little noise on the standardised image
    channel (channel 0). Spatial changes are applied to ``y`` (masks) too when it is a tensor."""
    n = x.shape[0]
    flip = torch.from_numpy(rng.random(n) < 0.5)
    x = torch.where(flip[:, None, None, None], x.flip(-1), x)
    if isinstance(y, torch.Tensor) and y.ndim == 4:
        y = torch.where(flip[:, None, None, None], y.flip(-1), y)
    gain = torch.from_numpy(rng.uniform(0.8, 1.2, n).astype(np.float32))[:, None, None]
    bias = torch.from_numpy(rng.uniform(-0.2, 0.2, n).astype(np.float32))[:, None, None]
    noise = torch.from_numpy(rng.normal(0, 0.05, x[:, 0].shape).astype(np.float32))
    x = x.clone()
    x[:, 0] = x[:, 0] * gain + bias + noise
    return x, y


class Budget:
    """Stops a loop at ``steps`` or after ``seconds`` (wall clock), whichever comes first."""

    def __init__(self, steps: int, seconds: float | None):
        self.steps, self.seconds = int(steps), seconds
        self.start = time.perf_counter()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def done(self, step: int) -> bool:
        return step >= self.steps or (self.seconds is not None and self.elapsed >= self.seconds)

    def fraction(self, step: int) -> float:
        """How far the run is, 0..1: the larger of the step share and the time share."""
        by_steps = step / max(1, self.steps)
        by_time = self.elapsed / self.seconds if self.seconds else 0.0
        return min(1.0, max(by_steps, by_time))


def cosine_lr(optimiser: torch.optim.Optimizer, base_lr: float, fraction: float) -> None:
    """Cosine decay over the run's progress (steps or wall clock, whichever ends it first): a
    time-budgeted run still ends at a small learning rate."""
    lr = 0.5 * base_lr * (1.0 + math.cos(math.pi * min(1.0, fraction)))
    for group in optimiser.param_groups:
        group["lr"] = lr


def report(progress: ProgressCallback | None, **info: Any) -> None:
    if progress is not None:
        progress(info)
