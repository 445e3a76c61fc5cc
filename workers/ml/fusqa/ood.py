"""Out of distribution: is this (image, mask) pair unlike anything the classifier was trained on?

Method: the Mahalanobis distance of the classifier's features to class-conditional Gaussians with one
shared covariance (Lee et al., NeurIPS 2018), fitted on the training hospital's phantoms, for each of
the network's four stages (mean- and max-pooled; the last is what the head reads), each scaled by its
own in-distribution quantile, the score being the largest. Late features alone mostly encode the
mask: a constant grey or a noise frame under a fetus-shaped mask sat inside their distribution, while
the early stages (texture, contrast) put most such frames far out. The classes are the model's own
calls (p(good) >= 0.5), so fitting needs no labels and can follow any training run. The covariance
is that of a probabilistic PCA (Tipping & Bishop 1999): the top ``components`` eigen-directions keep
their variances, the rest share one (their mean), so directions the training data never moves in
still count (an input that lights up unusual features is far) while a 256 x 256 covariance is never
inverted from a few hundred frames.

The threshold is the ``quantile`` (default 0.99) of the scores of held-out in-distribution
pairs of the training hospital (a different seed range than the fit; true masks, the usual
damaged candidates and the segmentation model's masks): by construction about 1 % of
in-distribution frames are unknown. Never fitted or thresholded on the real reference scans.

    python -m workers.ml.fusqa.refit_ood [--weights workers/weights/fusqa.pt] [--embed]

refits for the given weights and writes ``<weights>.ood.json`` beside them (``--embed``: into the
checkpoint's config instead) and the unknown rates it measures to
workers/weights/fusqa_ood_report.json. Training code can call ``fit_ood`` and put the dict in
``config["ood"]``. A side file made for other weights (its sha256 differs) is ignored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

OOD_FORMAT = "fusqa-ood/2"
DEFAULT_COMPONENTS = 32
DEFAULT_QUANTILE = 0.99


@dataclass(frozen=True)
class StageGaussians:
    """Class-conditional Gaussians with a shared PPCA covariance over one block of feature columns."""

    columns: tuple[int, int]  # [start, stop) in the feature vector
    class_means: np.ndarray  # (C, D)
    basis: np.ndarray  # (D, k) orthonormal eigen-directions of the shared covariance
    variances: np.ndarray  # (k,)
    residual_variance: float  # of the other D - k directions
    scale: float  # this stage's in-distribution distance at the quantile: distances are divided by it

    def distances(self, features: np.ndarray) -> np.ndarray:
        """Mahalanobis distance to the nearest class, per row, over sqrt(D), divided by `scale`."""
        x = np.asarray(features, dtype=np.float64)[:, self.columns[0] : self.columns[1]]
        d = x[:, None, :] - self.class_means[None]  # (N, classes, D): every class at once
        z = d @ self.basis
        residual = np.maximum((d * d).sum(axis=2) - (z * z).sum(axis=2), 0.0)
        squared = (z * z / self.variances).sum(axis=2) + residual / self.residual_variance
        return np.sqrt(squared.min(axis=1, initial=np.inf) / x.shape[1]) / self.scale

    def to_dict(self) -> dict[str, Any]:
        return {
            "columns": list(self.columns),
            "class_means": self.class_means.round(6).tolist(),
            "basis": self.basis.round(6).tolist(),
            "variances": self.variances.tolist(),
            "residual_variance": float(self.residual_variance),
            "scale": float(self.scale),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StageGaussians:
        return cls(
            columns=(int(data["columns"][0]), int(data["columns"][1])),
            class_means=np.asarray(data["class_means"], dtype=np.float64),
            basis=np.asarray(data["basis"], dtype=np.float64),
            variances=np.asarray(data["variances"], dtype=np.float64),
            residual_variance=float(data["residual_variance"]),
            scale=float(data["scale"]),
        )


@dataclass(frozen=True)
class OodStats:
    """One StageGaussians per stage of the network; the OOD score is the largest scaled distance."""

    stages: list[StageGaussians]
    threshold: float  # scores above it are unknown

    def distances(self, features: np.ndarray) -> np.ndarray:
        features = np.asarray(features, dtype=np.float64)
        if len(features) == 0:
            return np.zeros(0)
        return np.max([stage.distances(features) for stage in self.stages], axis=0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": OOD_FORMAT,
            "method": "per-stage Mahalanobis (class-conditional, shared PPCA covariance), max of scaled distances",
            "threshold": float(self.threshold),
            "stages": [stage.to_dict() for stage in self.stages],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OodStats:
        if data.get("format") != OOD_FORMAT:
            raise ValueError(f"not OOD statistics of format {OOD_FORMAT}: {data.get('format')!r}")
        return cls([StageGaussians.from_dict(s) for s in data["stages"]], float(data["threshold"]))


def fit_gaussians(
    features: np.ndarray, classes: np.ndarray, columns: tuple[int, int], *, components: int = DEFAULT_COMPONENTS
) -> StageGaussians:
    """Class means and the shared PPCA covariance of `features[:, columns]`; scale left at 1."""
    features = np.asarray(features, dtype=np.float64)[:, columns[0] : columns[1]]
    classes = np.asarray(classes)
    present = [c for c in np.unique(classes) if np.sum(classes == c) >= 2]
    if not present:
        raise ValueError("need at least two feature vectors of one class to fit")
    means = np.stack([features[classes == c].mean(axis=0) for c in present])
    centred = np.concatenate([features[classes == c] - m for c, m in zip(present, means, strict=True)])
    covariance = centred.T @ centred / max(len(centred) - len(present), 1)
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)
    order = np.argsort(eigenvalues)[::-1]
    eigenvalues, eigenvectors = np.maximum(eigenvalues[order], 0.0), eigenvectors[:, order]
    k = int(min(components, features.shape[1] // 2))
    floor = max(float(eigenvalues.mean()) * 1e-3, 1e-8)
    residual = max(float(eigenvalues[k:].mean()), floor)
    return StageGaussians(columns, means, eigenvectors[:, :k], np.maximum(eigenvalues[:k], floor), residual, 1.0)


def fit_ood(
    model,
    images: Sequence[np.ndarray],
    masks: Sequence[np.ndarray],
    *,
    held_out_images: Sequence[np.ndarray] | None = None,
    held_out_masks: Sequence[np.ndarray] | None = None,
    quantile: float = DEFAULT_QUANTILE,
    components: int = DEFAULT_COMPONENTS,
) -> dict[str, Any]:
    """OOD statistics for a QualityModel with a feature runner: Gaussians fitted on (images, masks) of the
    training hospital, each stage's distances scaled by their `quantile` on the held-out pairs (the same
    pairs when none are given), and the threshold at `quantile` of the largest scaled distance there.
    Returns the dict to store in ``config["ood"]`` or a side JSON."""
    p_good, features = model.features(images, masks)
    classes = (p_good >= 0.5).astype(int)
    if held_out_images is not None:
        _, held_out = model.features(held_out_images, held_out_masks)
    else:
        held_out = features
    stages = []
    for columns in model.feature_blocks:
        stage = fit_gaussians(features, classes, columns, components=components)
        scale = float(np.quantile(stage.distances(held_out), quantile))
        stages.append(replace(stage, scale=scale))
    threshold = float(np.quantile(OodStats(stages, 1.0).distances(held_out), quantile))
    return OodStats(stages, threshold).to_dict()


def side_file(weights: str | Path) -> Path:
    weights = Path(weights)
    return weights.with_name(weights.stem + ".ood.json")


def file_sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_ood(weights: str | Path, config: dict[str, Any]) -> OodStats | None:
    """The statistics in the checkpoint's config, else in the side JSON made for these very weights."""
    if config.get("ood"):
        return OodStats.from_dict(config["ood"])
    path = side_file(weights)
    if not path.is_file():
        return None
    data = json.loads(path.read_text())
    if data.get("format") != OOD_FORMAT or data.get("weights_sha256") != file_sha256(weights):
        return None  # made for other weights (or by an older fit): stale statistics are worse than none
    return OodStats.from_dict(data)
