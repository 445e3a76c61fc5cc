"""What a fine-tuning run learns from and is judged on: a frozen training set plus phantom frames.

- train: the training set's `train`-split items (less the validation studies) and `synthetic_base`
  phantom frames of hospital A's machines (the shipped models' own ground, so they are not forgotten);
- validation: train-split studies set aside by a hash of their id (one in five), and a few phantoms;
- held out (the gate): the `test`-split items per hospital, and `synthetic_test` phantom frames of both
  phantom hospitals as one more row, "synthetic". Never trained on.

Everything is drawn from seeds and hashes, never from the order of the manifest or the clock, so the same
set and parameters give the same samples.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from workers.ml.crl import EmptyMaskError, crl_from_mask
from workers.ml.ga import gestational_age_days
from workers.ml.train.datasets import PhantomFrame, Split, cached_frames
from workers.ml.train.fusqa import label_candidates
from workers.ml.train.phantoms import candidate_masks
from workers.ml.train.training_set import TrainingItem, read_training_set

SYNTHETIC = "synthetic"
# Seed ranges of their own: no phantom here is a fetus of the shipped models' training or test splits.
BASE = Split("finetune_base", "hospital_a", 500_000, 5000)
VALIDATION = Split("finetune_validation", "hospital_a", 600_000, 1000)
GATE_A = Split("gate_test", "hospital_a", 700_000, 1000)
GATE_B = Split("gate_test", "hospital_b", 800_000, 1000)

QualitySample = tuple[np.ndarray, np.ndarray, int]  # (frame, mask, 1 good / 0 poor)
MaskSample = tuple[np.ndarray, np.ndarray]  # (frame, target mask)


@dataclass
class HeldOutCase:
    """One held-out judgement. fusqa: is `mask` good (label 1) or poor (0)? segmentation: how close does
    the model's mask of `image` come to `reference`? `reference_ga_days` is what a mask's GA is compared
    with (nan when nothing is known)."""

    image: np.ndarray
    spacing_mm: tuple[float, float]
    mask: np.ndarray | None = None
    label: int | None = None
    reference: np.ndarray | None = None
    reference_ga_days: float = math.nan


@dataclass
class FinetuneData:
    train: list = field(default_factory=list)
    validation: list = field(default_factory=list)
    held_out: dict[str, list[HeldOutCase]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def mask_ga_days(mask: np.ndarray | None, spacing_mm) -> float:
    """GA (Robinson) of a mask's CRL; nan for an empty or missing mask."""
    if mask is None:
        return math.nan
    try:
        return float(gestational_age_days(crl_from_mask(mask, spacing_mm).crl_mm).days)
    except EmptyMaskError:
        return math.nan


def is_validation_study(study_id: int) -> bool:
    """One train-split study in five, by a hash of its own (independent of the test split's)."""
    return int(hashlib.sha256(f"validation:{study_id}".encode()).hexdigest(), 16) % 5 == 0


def _reference_of(item: TrainingItem) -> np.ndarray | None:
    """The expert's mask for the item: the latest correction, else the reviewed mask when judged good."""
    if item.reference is not None:
        return item.reference
    return item.mask if item.label == "good" else None


def _phantoms(split: Split, count: int, cache_dir, log: Callable[[str], None]) -> list[PhantomFrame]:
    """The split's first `count` frames, generated once per machine (about 0.3 s each) and then cached."""

    def generating(info: dict) -> None:
        log(f"generating {split.name} phantoms: {info['done']}/{info['total']}")

    return cached_frames(split, count=count, cache_dir=cache_dir, progress=generating) if count > 0 else []


def _quality_samples_of_item(item: TrainingItem, rng, with_candidates: bool) -> list[QualitySample]:
    samples: list[QualitySample] = [(item.image, item.mask, int(item.label == "good"))]
    if item.reference is not None and item.reference.any():
        samples.append((item.image, item.reference, 1))
        if with_candidates:
            damaged = candidate_masks(item.reference, item.spacing_mm, rng, None)[1:]
            samples += label_candidates([(item.image, item.reference, damaged, item.spacing_mm)])
    return samples


def _quality_samples_of_phantoms(frames: list[PhantomFrame], rng) -> list[QualitySample]:
    samples: list[QualitySample] = []
    previous = None
    for frame in frames:
        candidates = candidate_masks(frame.mask, frame.spacing_mm, rng, previous)
        samples += label_candidates([(frame.image, frame.mask, candidates, frame.spacing_mm)])
        previous = frame.mask
    return samples


def _mask_samples_of_item(item: TrainingItem) -> list[MaskSample]:
    reference = _reference_of(item)
    return [(item.image, reference)] if reference is not None and reference.any() else []


def _held_out_item(kind: str, item: TrainingItem) -> HeldOutCase | None:
    reference = _reference_of(item)
    if kind == "fusqa":
        ga = mask_ga_days(reference, item.spacing_mm)
        if math.isnan(ga) and item.record.get("reported_ga_days") is not None:
            ga = float(item.record["reported_ga_days"])
        label = int(item.label == "good")
        return HeldOutCase(item.image, item.spacing_mm, item.mask, label, reference, ga)
    if reference is None or not reference.any():
        return None
    return HeldOutCase(
        item.image, item.spacing_mm, reference=reference, reference_ga_days=mask_ga_days(reference, item.spacing_mm)
    )


def _held_out_phantoms(kind: str, frames: list[PhantomFrame], rng) -> list[HeldOutCase]:
    cases = []
    for frame in frames:
        truth_ga = mask_ga_days(frame.mask, frame.spacing_mm)
        if kind == "segmentation":
            cases.append(HeldOutCase(frame.image, frame.spacing_mm, reference=frame.mask, reference_ga_days=truth_ga))
            continue
        for image, mask, label in label_candidates(
            [(frame.image, frame.mask, candidate_masks(frame.mask, frame.spacing_mm, rng, None), frame.spacing_mm)]
        ):
            cases.append(HeldOutCase(image, frame.spacing_mm, mask, label, frame.mask, truth_ga))
    return cases


def finetune_data(
    kind: str,
    training_set: str | Path,
    parameters: dict,
    *,
    cache_dir: str | Path | None = None,
    log: Callable[[str], None] = lambda line: None,
) -> FinetuneData:
    """The run's samples (see the module docstring). fusqa samples are (frame, mask, 1/0); segmentation
    samples (frame, target mask)."""
    rng = np.random.default_rng([int(parameters["seed"]), 1])  # its own stream: training draws from another
    items = read_training_set(training_set)
    data = FinetuneData()
    with_candidates = bool(parameters.get("reference_candidates", True))
    for item in items:
        if item.split == "test":
            case = _held_out_item(kind, item)
            if case is not None:
                data.held_out.setdefault(item.hospital, []).append(case)
            continue
        if kind == "fusqa":
            samples = _quality_samples_of_item(item, rng, with_candidates)
        else:
            samples = _mask_samples_of_item(item)
        (data.validation if is_validation_study(int(item.record["study_id"])) else data.train).extend(samples)
    data.counts["training_set_items"] = len(items)
    data.counts["training_set_samples"] = len(data.train)

    base = int(parameters["synthetic_base"])
    log(f"phantoms: {base} for training, {base // 5} for validation, {parameters['synthetic_test']} for the gate")
    base_frames = _phantoms(BASE, base, cache_dir, log)
    validation_frames = _phantoms(VALIDATION, base // 5, cache_dir, log)
    test_count = int(parameters["synthetic_test"])
    gate_frames = _phantoms(GATE_A, test_count // 2, cache_dir, log) + _phantoms(
        GATE_B, test_count - test_count // 2, cache_dir, log
    )
    if kind == "fusqa":
        data.train += _quality_samples_of_phantoms(base_frames, rng)
        data.validation += _quality_samples_of_phantoms(validation_frames, rng)
    else:
        data.train += [(f.image, f.mask) for f in base_frames]
        data.validation += [(f.image, f.mask) for f in validation_frames]
    if gate_frames:
        data.held_out[SYNTHETIC] = _held_out_phantoms(kind, gate_frames, rng)
    data.counts.update(
        train_samples=len(data.train),
        validation_samples=len(data.validation),
        held_out_cases=sum(len(cases) for cases in data.held_out.values()),
    )
    return data
