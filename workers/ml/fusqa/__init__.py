"""FUSQA: does a fetal segmentation deserve trust? p(good) from the image AND the mask.

The classifier looks at a 2-channel crop (image, mask) around the mask with context (see crop.py):
a plausible mask that disagrees with the image must read as poor, so the image channel matters.
Its logit is divided by a temperature and shifted by a bias, both fitted on held-out data
(calibration.py) and stored with the weights.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from workers.ml.fusqa.calibration import apply_temperature
from workers.ml.fusqa.crop import quality_input
from workers.ml.networks import load_checkpoint, make_runner
from workers.ml.segmentation import WEIGHTS_DIR, as_image_list

DEFAULT_WEIGHTS = WEIGHTS_DIR / "fusqa.pt"
TRAIN_COMMAND = "python -m workers.ml.train fusqa --out workers/weights/fusqa.pt"


class QualityModel:
    """p(good) for (image, mask) pairs. ``runner`` maps (N, 2, S, S) float32 to (N, 1) logits."""

    def __init__(self, runner, config: dict[str, Any]):
        self.runner = runner
        self.config = dict(config)
        self.input_size = int(config["input_size"])
        self.margin = float(config.get("crop_margin", 0.25))
        self.temperature = float(config.get("temperature", 1.0))
        self.bias = float(config.get("bias", 0.0))

    def preprocess(self, images, masks) -> np.ndarray:
        frames, mask_list = as_image_list(images), as_image_list(masks)
        if len(frames) != len(mask_list):
            raise ValueError(f"{len(frames)} images but {len(mask_list)} masks")
        if not frames:
            return np.zeros((0, 2, self.input_size, self.input_size), np.float32)
        pairs = zip(frames, mask_list, strict=True)
        return np.stack([quality_input(im, m, self.input_size, self.margin) for im, m in pairs])

    def logits(self, images, masks, batch_size: int = 64) -> np.ndarray:
        """Uncalibrated logits, shape (N,)."""
        batch = self.preprocess(images, masks)
        outs = [self.runner(batch[i : i + batch_size]).reshape(-1) for i in range(0, len(batch), batch_size)]
        return np.concatenate(outs) if outs else np.zeros(0, np.float32)

    def predict(self, images, masks, batch_size: int = 64) -> np.ndarray:
        """Calibrated p(good), shape (N,). An empty mask is poor by definition: p = 0."""
        mask_list = as_image_list(masks)
        p = apply_temperature(self.logits(images, mask_list, batch_size), self.temperature, self.bias)
        empty = np.array([not np.any(m) for m in mask_list], dtype=bool)
        p[empty] = 0.0
        return p


def load_model(path: str | Path | None = None, *, device=None, backend: str = "torch") -> QualityModel:
    """Load a FUSQA checkpoint (default workers/weights/fusqa.pt); backend "torch" or "onnx"."""
    network, config, _ = load_checkpoint(path or DEFAULT_WEIGHTS, kind="fusqa", train_command=TRAIN_COMMAND)
    return QualityModel(make_runner(network, config, device=device, backend=backend), config)
