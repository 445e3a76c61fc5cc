"""Fine-tuning a shipped or earlier model on a frozen training set: resumable, cancellable, reproducible.

`finetune(...)` starts from the parent's weights and config, trains for `epochs` epochs on the samples of
workers.ml.train.finetune_data, writes a checkpoint after every epoch (weights, optimiser, the RNG states
of numpy, torch and python, the history), and ends with the candidate's weights and the gate's
comparison of candidate and parent on the held-out cases. Called again with the same work folder after
its process died, it resumes after the last finished epoch and ends with the same bytes as a run that
never stopped. The caller hears of it through `Callbacks`: progress (every batch), log lines, a stop
question asked before every batch, and a hook after each checkpoint.

No Django here: paths and dictionaries in, a FinetuneResult out.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from monai.losses import DiceCELoss

from workers.ml.fusqa import QualityModel
from workers.ml.fusqa.calibration import fit_temperature
from workers.ml.fusqa.crop import quality_input
from workers.ml.networks import TorchRunner, default_device, load_checkpoint, save_checkpoint
from workers.ml.segmentation import SegmentationModel
from workers.ml.train.common import augment_batch, cosine_lr
from workers.ml.train.finetune_data import FinetuneData, finetune_data
from workers.ml.train.finetune_parameters import finetune_parameters
from workers.ml.train.fusqa import binary_auc
from workers.ml.train.held_out import compare_on_held_out
from workers.ml.train.segmentation import _tensors, evaluate_segmentation

CHECKPOINT = "checkpoint.pt"
# Share of the progress bar: reading the data, training, judging on the held-out cases.
DATA_SHARE, TRAIN_SHARE = 0.05, 0.85
VALIDATION_METRIC = {"fusqa": "auc", "segmentation": "dice"}


class TrainingCancelled(Exception):
    """should_stop() said yes between two batches."""


@dataclass
class Callbacks:
    progress: Callable[[dict[str, Any]], None] = lambda info: None
    log: Callable[[str], None] = lambda line: None
    should_stop: Callable[[], bool] = lambda: False
    epoch_done: Callable[[int], None] = lambda epoch: None


@dataclass
class FinetuneResult:
    weights: Path
    metrics: dict[str, Any]
    history: list[dict[str, Any]]
    comparison: list[dict[str, Any]]
    resumed_from_epoch: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fingerprint(kind: str, parameters: dict, training_set: Path, parent: Path) -> str:
    """What a checkpoint belongs to: a checkpoint of other data or parameters is never resumed."""
    text = json.dumps([kind, parameters, file_sha256(training_set), file_sha256(parent)], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _seed(seed: int) -> np.random.Generator:
    random.seed(seed)
    torch.manual_seed(seed)
    return np.random.default_rng([seed, 0])


# Inputs and batches


def _fusqa_tensors(samples, config) -> tuple[torch.Tensor, torch.Tensor]:
    size, margin = int(config["input_size"]), float(config.get("crop_margin", 0.25))
    if not samples:
        return torch.zeros((0, 2, size, size)), torch.zeros(0)
    x = np.stack([quality_input(np.asarray(im), np.asarray(m), size, margin) for im, m, _ in samples])
    y = np.array([float(label) for _, _, label in samples], dtype=np.float32)
    return torch.from_numpy(x), torch.from_numpy(y)


class _Batches:
    """Batch indices for one step: half good, half poor when both are there (fusqa), else a shuffle."""

    def __init__(self, labels: torch.Tensor | None, count: int, batch_size: int):
        self.count, self.batch_size = count, min(batch_size, count)
        self.good = self.poor = None
        if labels is not None:
            good, poor = np.flatnonzero(labels.numpy() > 0.5), np.flatnonzero(labels.numpy() <= 0.5)
            if len(good) and len(poor):
                self.good, self.poor = good, poor

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        if self.good is not None:
            half = self.batch_size // 2
            return np.concatenate([rng.choice(self.good, half), rng.choice(self.poor, self.batch_size - half)])
        return rng.permutation(self.count)[: self.batch_size]


# The loop


@dataclass
class _Loop:
    kind: str
    network: torch.nn.Module
    config: dict[str, Any]
    x: torch.Tensor
    y: torch.Tensor
    validate: Callable[[], float | None]
    parameters: dict[str, Any]
    work_dir: Path
    fingerprint: str
    callbacks: Callbacks
    device: torch.device

    def run(self) -> tuple[list[dict], int]:
        p = self.parameters
        epochs, lr = int(p["epochs"]), float(p["lr"])
        batches = _Batches(self.y if self.kind == "fusqa" else None, len(self.x), int(p["batch_size"]))
        per_epoch = int(p["steps_per_epoch"] or math.ceil(len(self.x) / batches.batch_size))
        total = epochs * per_epoch
        if self.kind == "fusqa":
            optimiser = torch.optim.AdamW(self.network.parameters(), lr=lr, weight_decay=1e-4)
            loss_fn = torch.nn.BCEWithLogitsLoss()
        else:
            optimiser = torch.optim.Adam(self.network.parameters(), lr=lr)
            loss_fn = DiceCELoss(to_onehot_y=True, softmax=True)
        rng = _seed(int(p["seed"]))
        history, first_epoch = self._resume(optimiser, rng)
        resumed_from = first_epoch - 1
        started, done_here = time.perf_counter(), 0
        for epoch in range(first_epoch, epochs + 1):
            self.network.train()
            losses = []
            for i in range(per_epoch):
                if self.callbacks.should_stop():
                    raise TrainingCancelled(f"cancelled in epoch {epoch}, before step {i + 1}")
                step = (epoch - 1) * per_epoch + i
                cosine_lr(optimiser, lr, step / total)
                index = batches.draw(rng)
                xb = self.x[index].float()
                yb = self.y[index]
                xb, yb = augment_batch(xb, yb if self.kind == "segmentation" else None, rng)
                yb = self.y[index] if self.kind == "fusqa" else yb
                out = self.network(xb.to(self.device))
                loss = (
                    loss_fn(out.reshape(-1), yb.to(self.device))
                    if self.kind == "fusqa"
                    else loss_fn(out, yb.to(self.device))
                )
                optimiser.zero_grad(set_to_none=True)
                loss.backward()
                optimiser.step()
                losses.append(float(loss.item()))
                done_here += 1
                per_step = (time.perf_counter() - started) / done_here
                self.callbacks.progress(
                    {
                        "stage": "train",
                        "epoch": epoch,
                        "epochs": epochs,
                        "step": step + 1,
                        "steps": total,
                        "loss": losses[-1],
                        "progress": DATA_SHARE + TRAIN_SHARE * (step + 1) / total,
                        "eta_seconds": per_step * (total - step - 1),
                    }
                )
            metric = self.validate()
            entry = {"epoch": epoch, "loss": float(np.mean(losses)), "validation_metric": metric}
            history.append(entry)
            self._save(epoch, optimiser, rng, history)
            metric_text = "n/a" if metric is None else f"{metric:.4f}"
            name = VALIDATION_METRIC[self.kind]
            self.callbacks.log(f"epoch {epoch}/{epochs}: loss {entry['loss']:.4f}, validation {name} {metric_text}")
            self.callbacks.progress(
                {"stage": "epoch", "epoch": epoch, "epochs": epochs, "loss": entry["loss"], "validation_metric": metric,
                 "history": list(history), "progress": DATA_SHARE + TRAIN_SHARE * epoch / epochs}
            )  # fmt: skip
            self.callbacks.epoch_done(epoch)
        self.network.eval()
        return history, resumed_from

    def _save(self, epoch: int, optimiser, rng: np.random.Generator, history: list) -> None:
        state = {
            "fingerprint": self.fingerprint,
            "epoch": epoch,
            "state_dict": {k: v.detach().cpu() for k, v in self.network.state_dict().items()},
            "optimiser": optimiser.state_dict(),
            "rng_numpy": json.dumps(rng.bit_generator.state),
            "rng_torch": torch.get_rng_state(),
            "rng_python": json.dumps(random.getstate()),
            "history": json.dumps(history),
        }
        path = self.work_dir / CHECKPOINT
        tmp = path.with_suffix(".tmp")
        torch.save(state, tmp)
        tmp.replace(path)  # a death while writing leaves the previous checkpoint whole

    def _resume(self, optimiser, rng: np.random.Generator) -> tuple[list[dict], int]:
        path = self.work_dir / CHECKPOINT
        if not path.is_file():
            return [], 1
        state = torch.load(path, map_location="cpu", weights_only=True)
        if state.get("fingerprint") != self.fingerprint:
            self.callbacks.log("a checkpoint of other data or parameters is there: starting afresh")
            return [], 1
        self.network.load_state_dict(state["state_dict"])
        optimiser.load_state_dict(state["optimiser"])
        rng.bit_generator.state = json.loads(state["rng_numpy"])
        torch.set_rng_state(state["rng_torch"])
        version, internal, gauss = json.loads(state["rng_python"])
        random.setstate((version, tuple(internal), gauss))
        self.callbacks.log(f"resumed from the checkpoint of epoch {state['epoch']}")
        return json.loads(state["history"]), int(state["epoch"]) + 1


def _validation(kind: str, network, config, validation, device) -> Callable[[], float | None]:
    if kind == "fusqa":
        vx, vy = _fusqa_tensors(validation, config)

        def auc() -> float | None:
            return binary_auc(_logits(network, vx, device), vy.numpy()) if len(vy) else None

        return auc

    def mean_dice() -> float | None:
        if not validation:
            return None
        model = SegmentationModel(TorchRunner(network, device), config)
        return float(evaluate_segmentation(model, validation)["val_dice"])

    return mean_dice


def _logits(network, x: torch.Tensor, device) -> np.ndarray:
    network.eval()
    with torch.inference_mode():
        outs = [network(x[i : i + 128].float().to(device)).reshape(-1).cpu() for i in range(0, len(x), 128)]
    return torch.cat(outs).numpy().astype(np.float64) if outs else np.zeros(0)


def _calibrate(network, config: dict, validation, device, log) -> dict:
    """Refit the temperature and bias on the validation samples (both classes needed; else kept)."""
    vx, vy = _fusqa_tensors(validation, config)
    labels = vy.numpy()
    if len(labels) < 4 or labels.min() == labels.max():
        log("calibration kept: the validation samples lack a class")
        return config
    temperature, bias = fit_temperature(_logits(network, vx, device), labels, with_bias=True)
    log(f"calibration refitted: temperature {temperature:.3f}, bias {bias:.3f}")
    return {**config, "temperature": temperature, "bias": bias}


def _model(kind: str, network, config, device):
    runner = TorchRunner(network, device)
    return QualityModel(runner, config) if kind == "fusqa" else SegmentationModel(runner, config)


def _load(kind: str, path: Path):
    network, config, _ = load_checkpoint(path, kind=kind, train_command="a registered model version")
    return network, config


def finetune(
    *,
    kind: str,
    parent_weights: str | Path,
    training_set: str | Path,
    parameters: dict[str, Any],
    work_dir: str | Path,
    out_path: str | Path,
    callbacks: Callbacks | None = None,
    assessor_weights: str | Path | None = None,
    cache_dir: str | Path | None = None,
    device: str | torch.device | None = None,
) -> FinetuneResult:
    """Fine-tune `kind` ("fusqa" or "segmentation") from `parent_weights` on `training_set` (a zip of
    docs/training_sets.md); see the module docstring. assessor_weights: the active FUSQA checkpoint,
    for a segmentation run's GA error of masks called good. Raises TrainingCancelled when told to stop."""
    callbacks = callbacks or Callbacks()
    parameters = finetune_parameters(kind, parameters)
    parent_weights, training_set, work_dir = Path(parent_weights), Path(training_set), Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    device = torch.device(device) if device is not None else default_device()
    deterministic = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        callbacks.progress({"stage": "data", "progress": 0.0})
        callbacks.log(f"reading the training set {training_set.name}")
        data: FinetuneData = finetune_data(kind, training_set, parameters, cache_dir=cache_dir, log=callbacks.log)
        if len(data.train) < 2:
            raise ValueError(f"only {len(data.train)} training samples: at least 2 are needed")
        callbacks.log(
            f"{data.counts['train_samples']} training samples ({data.counts['training_set_samples']} from the set), "
            f"{data.counts['validation_samples']} validation, {data.counts['held_out_cases']} held out"
        )
        network, config = _load(kind, parent_weights)
        network = network.to(device)
        if kind == "fusqa":
            x, y = _fusqa_tensors(data.train, config)
        else:
            x, y = _tensors(data.train, int(config["input_size"]))
        callbacks.progress({"stage": "data", "progress": DATA_SHARE})
        loop = _Loop(
            kind=kind, network=network, config=config, x=x, y=y,
            validate=_validation(kind, network, config, data.validation, device), parameters=parameters,
            work_dir=work_dir, fingerprint=_fingerprint(kind, parameters, training_set, parent_weights),
            callbacks=callbacks, device=device,
        )  # fmt: skip
        history, resumed_from = loop.run()
        if kind == "fusqa":
            config = _calibrate(network, config, data.validation, device, callbacks.log)
        callbacks.progress({"stage": "evaluate", "progress": DATA_SHARE + TRAIN_SHARE})
        callbacks.log("judging candidate and parent on the held-out cases")
        candidate = _model(kind, network, config, device)
        parent_network, parent_config = _load(kind, parent_weights)
        baseline = _model(kind, parent_network, parent_config, device)
        assessor = None
        if kind == "segmentation" and assessor_weights is not None:
            assessor = _model("fusqa", *_load("fusqa", Path(assessor_weights)), device)
        comparison = compare_on_held_out(kind, candidate, baseline, data.held_out, assessor=assessor)
        last = history[-1] if history else {}
        metrics = {
            "epochs": int(parameters["epochs"]),
            "loss_last": last.get("loss"),
            f"validation_{VALIDATION_METRIC[kind]}": last.get("validation_metric"),
            **({"temperature": config["temperature"], "bias": config.get("bias", 0.0)} if kind == "fusqa" else {}),
            **data.counts,
        }
        # No clock in the file: the same data and parameters give the same bytes (and sha256).
        weights = save_checkpoint(out_path, kind=kind, config=config, network=network, metrics=metrics, created_at="")
        callbacks.progress({"stage": "done", "progress": 1.0, "eta_seconds": 0.0})
        return FinetuneResult(Path(weights), metrics, history, comparison, resumed_from, dict(data.counts))
    finally:
        torch.use_deterministic_algorithms(deterministic)
