"""Network architectures, the checkpoint format, and the torch runner.

A checkpoint is a ``torch.save`` dict readable with ``torch.load(weights_only=True)``:

    {
      "format": "fusqa-checkpoint/1",
      "kind": "segmentation" | "fusqa",
      "config": {"architecture": ..., "input_size": ..., "normalisation": ..., ...},
      "state_dict": {...},          # the network's parameters and buffers
      "metrics": {...},             # what training measured (floats, ints, strings)
      "created_at": "2026-11-26T16:40:00+00:00",
      "torch_version": "2.13.0",
    }

The config alone rebuilds the network (``build_network``); for the classifier it also holds the
calibration temperature and the crop margin.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

CHECKPOINT_FORMAT = "fusqa-checkpoint/1"

# A frame passes through this UNet once per request: 128 px keeps it at a few ms on one CPU core.
DEFAULT_SEGMENTATION_CONFIG: dict[str, Any] = {
    "architecture": "unet",
    "in_channels": 1,
    "out_channels": 2,
    "channels": [16, 32, 64, 128, 256],
    "strides": [2, 2, 2, 2],
    "num_res_units": 1,
    "input_size": 128,
    "normalisation": "zscore",
}

DEFAULT_FUSQA_CONFIG: dict[str, Any] = {
    "architecture": "compact",
    "in_channels": 2,
    "input_size": 128,
    "normalisation": "zscore",
    "crop_margin": 0.25,
    "temperature": 1.0,
}

CLASSIFIER_ARCHITECTURES = ("compact", "densenet121", "resnet18", "efficientnet-b0")


class CompactQualityNet(nn.Module):
    """A real-time quality classifier: 8 conv layers in 4 stages (a stride-2 3x3 conv then a 3x3
    conv, each with BN + ReLU; 128 px in -> 8 px out), then global mean AND max pooling and one
    linear layer to a logit. Max pooling keeps a small local disagreement (a leak at the rump)
    from being averaged away. About 50 MFLOPs at 128 px."""

    def __init__(self, in_channels: int = 2, widths: tuple[int, ...] = (16, 32, 64, 128), dropout: float = 0.2):
        super().__init__()
        layers: list[nn.Module] = []
        c = in_channels
        for w in widths:
            layers += [
                nn.Conv2d(c, w, 3, stride=2, padding=1, bias=False),
                nn.BatchNorm2d(w),
                nn.ReLU(inplace=True),
                nn.Conv2d(w, w, 3, padding=1, bias=False),
                nn.BatchNorm2d(w),
                nn.ReLU(inplace=True),
            ]
            c = w
        self.features = nn.Sequential(*layers)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(2 * c, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.features(x)
        pooled = torch.cat([f.mean(dim=(2, 3)), f.amax(dim=(2, 3))], dim=1)
        return self.head(self.dropout(pooled))


def build_network(config: Mapping[str, Any]) -> nn.Module:
    """The untrained network a config describes. Classifiers output (B, 1) logits; the UNet
    outputs (B, out_channels, H, W) logits."""
    arch = config["architecture"]
    if arch == "unet":
        from monai.networks.nets import UNet

        return UNet(
            spatial_dims=2,
            in_channels=int(config["in_channels"]),
            out_channels=int(config["out_channels"]),
            channels=tuple(config["channels"]),
            strides=tuple(config["strides"]),
            num_res_units=int(config["num_res_units"]),
        )
    in_channels = int(config.get("in_channels", 2))
    if arch == "compact":
        return CompactQualityNet(in_channels=in_channels, widths=tuple(config.get("widths", (16, 32, 64, 128))))
    if arch == "densenet121":
        from monai.networks.nets import DenseNet121

        return DenseNet121(spatial_dims=2, in_channels=in_channels, out_channels=1)
    if arch == "resnet18":
        from monai.networks.nets import resnet18

        return resnet18(spatial_dims=2, n_input_channels=in_channels, num_classes=1)
    if arch == "efficientnet-b0":
        from monai.networks.nets import EfficientNetBN

        return EfficientNetBN(
            "efficientnet-b0", pretrained=False, spatial_dims=2, in_channels=in_channels, num_classes=1
        )
    raise ValueError(f"unknown architecture {arch!r}; known: unet, {', '.join(CLASSIFIER_ARCHITECTURES)}")


def default_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class TorchRunner:
    """Runs a network on float32 numpy batches and returns numpy logits (eval mode, no grad)."""

    backend = "torch"

    def __init__(self, network: nn.Module, device: torch.device | str | None = None):
        self.device = torch.device(device) if device is not None else default_device()
        self.network = network.to(self.device).eval()

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            x = torch.from_numpy(np.ascontiguousarray(batch, dtype=np.float32)).to(self.device)
            return self.network(x).float().cpu().numpy()


def make_runner(network: nn.Module, config: Mapping[str, Any], *, device=None, backend: str = "torch"):
    """A callable float32 batch -> logits. backend "torch" (cuda if available, else cpu) or "onnx"
    (ONNX Runtime on CPU; the network is exported in memory, no file is written)."""
    if backend == "torch":
        return TorchRunner(network, device)
    if backend == "onnx":
        from workers.ml.onnx_export import OnnxRunner

        size = int(config["input_size"])
        return OnnxRunner.from_network(network, (int(config.get("in_channels", 1)), size, size))
    raise ValueError(f"unknown backend {backend!r}; known: onnx, torch")


def save_checkpoint(
    path: str | Path,
    *,
    kind: str,
    config: Mapping[str, Any],
    network: nn.Module,
    metrics: Mapping[str, Any] | None = None,
    created_at: str | None = None,
) -> Path:
    """Write a checkpoint (see the module docstring); the parent folder is created. created_at: now,
    unless given (a reproducible run passes "" so the same weights give the same bytes)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu() for k, v in network.state_dict().items()}
    payload = {
        "format": CHECKPOINT_FORMAT,
        "kind": kind,
        "config": dict(config),
        "state_dict": state,
        "metrics": dict(metrics or {}),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds") if created_at is None else created_at,
        "torch_version": torch.__version__.split("+")[0],
    }
    tmp = path.with_suffix(path.suffix + ".tmp")
    # Through a buffer: torch names the archive's folder after a file it writes to, so the same weights
    # saved under two names would differ in bytes (and sha256).
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(path)  # readers never see a half-written file
    return path


def load_checkpoint(path: str | Path, *, kind: str, train_command: str) -> tuple[nn.Module, dict[str, Any], dict]:
    """(network with weights loaded, config, full payload). A missing file raises
    FileNotFoundError naming the path and the command that trains it."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no {kind} weights at {path}; train them with: {train_command}")
    payload = torch.load(path, map_location="cpu", weights_only=True)
    if payload.get("format") != CHECKPOINT_FORMAT or payload.get("kind") != kind:
        raise ValueError(
            f"{path} is not a {kind} checkpoint (format={payload.get('format')!r}, kind={payload.get('kind')!r})"
        )
    network = build_network(payload["config"])
    network.load_state_dict(payload["state_dict"])
    return network.eval(), dict(payload["config"]), payload
