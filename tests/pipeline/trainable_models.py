"""Tiny checkpoints with random (seeded) weights, so a test's fine-tuning run has something to learn
and its weights really change (tests.pipeline.models' are constant by design)."""

from pathlib import Path

import torch

from tests.pipeline.models import FUSQA_CONFIG, SEGMENTATION_CONFIG
from workers.ml.networks import build_network, save_checkpoint

CONFIGS = {"fusqa": FUSQA_CONFIG, "segmentation": SEGMENTATION_CONFIG}


def trainable_checkpoint(folder: Path, kind: str, *, seed: int = 0, name: str | None = None) -> Path:
    torch.manual_seed(seed)
    network = build_network(CONFIGS[kind])
    return save_checkpoint(
        folder / (name or f"{kind}-trainable-{seed}.pt"), kind=kind, config=CONFIGS[kind], network=network
    )
