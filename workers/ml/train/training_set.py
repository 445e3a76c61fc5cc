"""Read a frozen training set (docs/training_sets.md): the zip the review loop produces.

No Django here: retraining reads the archive, checks every file against its sha256, and gets plain
arrays. The API writes the same format (qa.services.training_sets).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

MANIFEST = "manifest.jsonl"


class TrainingSetError(ValueError):
    """The archive is not a valid training set (missing file, wrong digest, bad manifest line)."""


def split_of_study(study_id: int) -> str:
    """`test` for one study in five, chosen by a hash of its id, so the split never depends on order."""
    return "test" if int(hashlib.sha256(str(study_id).encode()).hexdigest(), 16) % 5 == 0 else "train"


@dataclass
class TrainingItem:
    record: dict[str, Any]
    image: np.ndarray  # (H, W) uint8
    mask: np.ndarray  # (H, W) bool: the reviewed model mask
    reference: np.ndarray | None = None  # (H, W) bool: the expert correction, when there is one
    corrections: list[np.ndarray] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.record["training_label"]

    @property
    def split(self) -> str:
        return self.record["split"]

    @property
    def spacing_mm(self) -> tuple[float, float]:
        row, col = self.record["spacing_mm"]
        return float(row), float(col)

    @property
    def hospital(self) -> str:
        return self.record["hospital"]


def _read_png(archive: zipfile.ZipFile, entry: dict[str, Any]) -> np.ndarray:
    try:
        data = archive.read(entry["path"])
    except KeyError as exc:
        raise TrainingSetError(f"{entry['path']} is named in the manifest but missing from the archive") from exc
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise TrainingSetError(f"{entry['path']} does not match its sha256 in the manifest")
    return np.asarray(Image.open(io.BytesIO(data)).convert("L"))


def read_manifest(path: str | Path) -> list[dict[str, Any]]:
    with zipfile.ZipFile(path) as archive:
        try:
            lines = archive.read(MANIFEST).decode("utf-8").splitlines()
        except KeyError as exc:
            raise TrainingSetError(f"{path} has no {MANIFEST}") from exc
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise TrainingSetError(f"{MANIFEST} line {number} is not JSON: {exc}") from exc
    return records


def read_training_set(path: str | Path, *, include_excluded: bool = False) -> list[TrainingItem]:
    """Every item of the set with its pixels, checked against the manifest's digests."""
    records = read_manifest(path)
    items = []
    with zipfile.ZipFile(path) as archive:
        for record in records:
            if record["training_label"] == "excluded" and not include_excluded:
                continue
            image = _read_png(archive, record["frame"])
            mask = _read_png(archive, record["mask"]) > 0
            corrections = [_read_png(archive, c) > 0 for c in record.get("corrections", [])]
            by_id = {c["id"]: m for c, m in zip(record.get("corrections", []), corrections, strict=True)}
            reference = by_id.get(record.get("reference_mask_id"))
            items.append(TrainingItem(record, image, mask, reference, corrections))
    return items
