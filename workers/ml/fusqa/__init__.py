"""FUSQA: does a fetal segmentation deserve trust? p(good) from the image AND the mask.

The classifier looks at a 2-channel crop (image, mask) around the mask with context (see crop.py):
a plausible mask that disagrees with the image must read as poor, so the image channel matters.
Its logit is divided by a temperature and shifted by a bias, both fitted on held-out data
(calibration.py) and stored with the weights.

``assess`` adds a third answer: "unknown", when the mask is not a plausible whole fetus in a CRL
view (plausibility.py) or the pair is unlike the training data (ood.py); ``predict`` is p(good) only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from workers.ml.fusqa.calibration import apply_temperature
from workers.ml.fusqa.crop import quality_input
from workers.ml.fusqa.ood import OodStats, load_ood
from workers.ml.fusqa.plausibility import MaskCheck, mask_check
from workers.ml.networks import CompactQualityNet, load_checkpoint, make_runner
from workers.ml.segmentation import WEIGHTS_DIR, as_image_list

DEFAULT_WEIGHTS = WEIGHTS_DIR / "fusqa.pt"
TRAIN_COMMAND = "python -m workers.ml.train fusqa --out workers/weights/fusqa.pt"


@dataclass(frozen=True)
class QualityAssessment:
    """FUSQA's answer for one (image, mask) pair."""

    p_good: float  # calibrated p(good); 0 for an empty mask
    verdict: str  # "good", "poor" or "unknown"
    reasons: list[str] = field(default_factory=list)  # why unknown (empty for good and poor)
    ood_score: float | None = None  # distance to the training data (ood.py); None: no statistics

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class LogitsAndFeatures(nn.Module):
    """The compact classifier returning its logit and, beside it, features for the OOD statistics: the
    mean- and max-pooled output of each of its stages (the last stage's is what its head reads; the
    earlier ones carry the texture and contrast that a noise frame or another machine changes)."""

    def __init__(self, network: CompactQualityNet):
        super().__init__()
        self.network = network

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pooled = []
        layers = list(self.network.features)
        for start in range(0, len(layers), 6):  # a stage: conv, BN, ReLU, conv, BN, ReLU
            for layer in layers[start : start + 6]:
                x = layer(x)
            pooled += [x.mean(dim=(2, 3)), x.amax(dim=(2, 3))]
        logit = self.network.head(torch.cat(pooled[-2:], dim=1))
        return torch.cat([logit, *pooled], dim=1)


class _LogitColumn:
    """A logits-only runner over a logits-and-features runner (one network pass serves both)."""

    def __init__(self, runner):
        self.runner, self.backend = runner, getattr(runner, "backend", "")

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return self.runner(batch)[:, :1]


class QualityModel:
    """p(good) for (image, mask) pairs. ``runner`` maps (N, 2, S, S) float32 to (N, 1) logits;
    ``feature_runner`` (optional) to (N, 1 + D): the logit, then the penultimate features, which the
    out-of-distribution statistics ``ood`` score."""

    def __init__(self, runner, config: dict[str, Any], *, feature_runner=None, ood: OodStats | None = None):
        self.runner = runner
        self.feature_runner = feature_runner
        self.ood = ood
        # The plausibility checks (plausibility.py) are on unless a checkpoint says otherwise (the
        # pipeline tests' tiny stand-in models, whose "fetus" is the whole frame).
        self.mask_checks = bool(config.get("mask_checks", True))
        # Column ranges of each stage's pooled features in the feature runner's output (logit excluded).
        widths, start, self.feature_blocks = config.get("widths", (16, 32, 64, 128)), 0, []
        for w in widths:
            self.feature_blocks.append((start, start + 2 * int(w)))
            start += 2 * int(w)
        self.config = dict(config)
        self.input_size = int(config["input_size"])
        self.margin = float(config.get("crop_margin", 0.25))
        self.temperature = float(config.get("temperature", 1.0))
        self.bias = float(config.get("bias", 0.0))
        # The operating threshold chosen on hospital A's validation split (operating_point.py); 0.5 where the
        # checkpoint has none.
        self.threshold = float(config.get("threshold", 0.5))

    def preprocess(self, images, masks, spacings_mm=None) -> np.ndarray:
        """(N, 2, S, S) crops (crop.quality_input); spacings_mm (one (row, col) per pair, or None):
        pairs whose pixels are not square are resampled to square pixels first, as in training."""
        frames, mask_list = as_image_list(images), as_image_list(masks)
        if len(frames) != len(mask_list):
            raise ValueError(f"{len(frames)} images but {len(mask_list)} masks")
        if not frames:
            return np.zeros((0, 2, self.input_size, self.input_size), np.float32)
        spacings = spacings_mm if spacings_mm is not None else [None] * len(frames)
        triples = zip(frames, mask_list, spacings, strict=True)
        return np.stack([quality_input(im, m, self.input_size, self.margin, spacing_mm=s) for im, m, s in triples])

    def logits(self, images, masks, batch_size: int = 64, spacings_mm=None) -> np.ndarray:
        """Uncalibrated logits, shape (N,)."""
        batch = self.preprocess(images, masks, spacings_mm)
        outs = [self.runner(batch[i : i + batch_size]).reshape(-1) for i in range(0, len(batch), batch_size)]
        return np.concatenate(outs) if outs else np.zeros(0, np.float32)

    def predict(self, images, masks, batch_size: int = 64) -> np.ndarray:
        """Calibrated p(good), shape (N,). An empty mask is poor by definition: p = 0."""
        mask_list = as_image_list(masks)
        p = apply_temperature(self.logits(images, mask_list, batch_size), self.temperature, self.bias)
        empty = np.array([not np.any(m) for m in mask_list], dtype=bool)
        p[empty] = 0.0
        return p

    def features(self, images, masks, batch_size: int = 64, spacings_mm=None) -> tuple[np.ndarray, np.ndarray]:
        """(calibrated p(good) (N,), penultimate features (N, D)); needs a feature runner."""
        if self.feature_runner is None:
            raise ValueError("this model has no feature runner (only the compact architecture has one)")
        batch = self.preprocess(images, masks, spacings_mm)
        outs = [self.feature_runner(batch[i : i + batch_size]) for i in range(0, len(batch), batch_size)]
        both = np.concatenate(outs) if outs else np.zeros((0, 1), np.float32)
        return apply_temperature(both[:, 0], self.temperature, self.bias), both[:, 1:]

    def assess(
        self,
        images,
        masks,
        spacings_mm=None,
        *,
        threshold: float | None = None,
        crls: list | None = None,
        pieces: list | None = None,
    ) -> list[QualityAssessment]:
        """Per pair: p(good), a verdict (good / poor at `threshold`, or unknown), the reasons for an
        unknown, and the OOD score. threshold: None for the model's own operating threshold.
        spacings_mm: None, one spacing for all, or a list (one per pair); without a spacing the size
        checks are skipped. crls, pieces: the masks' CrlMeasurements and
        MaskPieces (crl.mask_pieces; None for an empty mask) when the caller found them already."""
        threshold = self.threshold if threshold is None else float(threshold)
        frames, mask_list = as_image_list(images), as_image_list(masks)
        if len(frames) != len(mask_list):
            raise ValueError(f"{len(frames)} images but {len(mask_list)} masks")
        spacings = spacings_mm if isinstance(spacings_mm, list) else [spacings_mm] * len(frames)
        if len(spacings) != len(frames):
            raise ValueError(f"{len(frames)} frames but {len(spacings)} spacings")
        crls = crls if crls is not None else [None] * len(frames)
        pieces = pieces if pieces is not None else [None] * len(frames)
        checks = [
            mask_check(im, m, s, crl=c, pieces=p) if self.mask_checks or not np.any(m) else MaskCheck([], 1, None, None)
            for im, m, s, c, p in zip(frames, mask_list, spacings, crls, pieces, strict=True)
        ]
        scored = [i for i, m in enumerate(mask_list) if np.any(m)]
        p_good = np.zeros(len(frames))
        distances: list[float | None] = [None] * len(frames)
        if scored:
            pairs = ([frames[i] for i in scored], [mask_list[i] for i in scored])
            scored_spacings = [_pixel_spacing(spacings[i]) for i in scored]
            if self.feature_runner is not None:
                p, feats = self.features(*pairs, spacings_mm=scored_spacings)
                if self.ood is not None:
                    for i, d in zip(scored, self.ood.distances(feats), strict=True):
                        distances[i] = float(d)
            else:
                p = apply_temperature(self.logits(*pairs, spacings_mm=scored_spacings), self.temperature, self.bias)
            p_good[scored] = p
        out = []
        for i, check in enumerate(checks):
            reasons = list(check.reasons)
            if distances[i] is not None and distances[i] > self.ood.threshold:
                reasons.append(f"unlike the training data: OOD score {distances[i]:.2f} above {self.ood.threshold:.2f}")
            verdict = "unknown" if reasons else ("good" if p_good[i] >= threshold else "poor")
            out.append(QualityAssessment(float(p_good[i]), verdict, reasons, distances[i]))
        return out


def _pixel_spacing(spacing) -> tuple[float, float] | None:
    """A (row, col) spacing for the square-pixel resampling; None (unknown or one number: square)."""
    if spacing is None or np.isscalar(spacing):
        return None
    row, col = spacing
    return float(row), float(col)


def load_model(path: str | Path | None = None, *, device=None, backend: str = "torch") -> QualityModel:
    """Load a FUSQA checkpoint (default workers/weights/fusqa.pt); backend "torch" or "onnx"."""
    path = Path(path or DEFAULT_WEIGHTS)
    network, config, _ = load_checkpoint(path, kind="fusqa", train_command=TRAIN_COMMAND)
    if isinstance(network, CompactQualityNet):
        both = make_runner(LogitsAndFeatures(network), config, device=device, backend=backend)
        return QualityModel(_LogitColumn(both), config, feature_runner=both, ood=load_ood(path, config))
    return QualityModel(make_runner(network, config, device=device, backend=backend), config)
