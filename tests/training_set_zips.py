"""Tiny frozen training sets for tests, written in the format of docs/training_sets.md (the real freeze is
qa.services.training_sets; this only writes the zip a test needs, and its TrainingSet row).

Each item is a small grey frame with a bright ellipse, the fetus. A `good` item's reviewed mask is the
ellipse; a `poor` one's is the ellipse shifted off it, with an expert's correction (the ellipse).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import numpy as np
from django.core.files.base import ContentFile
from PIL import Image

from workers.ml.train.training_set import split_of_study


def _png(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array).save(out, format="PNG")
    return out.getvalue()


def ellipse_frame(rng: np.random.Generator, size: int = 64) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = np.mgrid[0:size, 0:size]
    centre = rng.uniform(0.4, 0.6, 2) * size
    radii = (rng.uniform(0.12, 0.18) * size, rng.uniform(0.25, 0.32) * size)
    mask = ((rows - centre[0]) / radii[0]) ** 2 + ((cols - centre[1]) / radii[1]) ** 2 <= 1
    image = rng.normal(50, 15, (size, size))
    image[mask] += 120
    return np.clip(image, 0, 255).astype(np.uint8), mask


def studies_in_test_split(count: int, *, first: int = 1) -> list[int]:
    """`count` study ids that land in the `test` split."""
    found, study = [], first
    while len(found) < count:
        if split_of_study(study) == "test":
            found.append(study)
        study += 1
    return found


def tiny_items(
    count: int, *, hospitals=("north", "south"), size: int = 64, seed: int = 0, poor_every: int = 2
) -> list[dict]:
    """`count` items (every `poor_every`-th one poor), hospitals in turn; study i + 1 for item i, plus
    two test-split studies per hospital so the gate has held-out items everywhere."""
    rng = np.random.default_rng(seed)
    studies = list(range(1, count + 1))
    extra = [s for s in studies_in_test_split(2 * len(hospitals), first=count + 1)]
    items = []
    for index, study in enumerate(studies + extra):
        image, truth = ellipse_frame(rng, size)
        poor = index % poor_every == 1
        shift = int(size * 0.2)
        reviewed = np.roll(truth, shift, axis=1) if poor else truth
        items.append(
            {
                "study_id": study,
                "hospital": hospitals[index % len(hospitals)],
                "image": image,
                "mask": reviewed,
                "correction": truth if poor else None,
                "label": "poor" if poor else "good",
            }
        )
    return items


def training_set_zip(items: list[dict], *, spacing_mm: float = 0.5) -> bytes:
    """The zip of docs/training_sets.md for `items` (see tiny_items)."""
    out = io.BytesIO()
    lines = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, item in enumerate(items, 1):
            frame_id, mask_id = number, 1000 + number
            frame_png, mask_png = _png(item["image"]), _png(item["mask"].astype(np.uint8) * 255)
            archive.writestr(f"frames/{frame_id}.png", frame_png)
            archive.writestr(f"masks/{mask_id}.png", mask_png)
            corrections = []
            if item.get("correction") is not None:
                correction_id = 5000 + number
                data = _png(item["correction"].astype(np.uint8) * 255)
                archive.writestr(f"masks/{correction_id}.png", data)
                corrections.append(
                    {
                        "id": correction_id,
                        "path": f"masks/{correction_id}.png",
                        "sha256": _sha(data),
                        "expert": "expert",
                    }
                )
            lines.append(
                {
                    "frame_id": frame_id,
                    "study_id": item["study_id"],
                    "hospital": item["hospital"],
                    "machine": 1,
                    "machine_name": "Test machine",
                    "exam_month": "2026-11",
                    "spacing_mm": [spacing_mm, spacing_mm],
                    "reported_ga_days": None,
                    "frame": {"path": f"frames/{frame_id}.png", "sha256": _sha(frame_png)},
                    "mask": {
                        "id": mask_id,
                        "path": f"masks/{mask_id}.png",
                        "sha256": _sha(mask_png),
                        "model_version": "t1",
                    },
                    "corrections": corrections,
                    "reviews": [{"expert": "expert", "verdict": item["label"], "training_label": item["label"]}],
                    "training_label": item["label"],
                    "reference_mask_id": corrections[-1]["id"] if corrections else None,
                    "agreement": {
                        "reads": 1,
                        "verdicts_agree": True,
                        "correction_dice": None,
                        "crl_difference_mm": None,
                    },
                    "split": split_of_study(item["study_id"]),
                }
            )
        archive.writestr("manifest.jsonl", "".join(json.dumps(line) + "\n" for line in lines))
    return out.getvalue()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_training_set(path: Path, items: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(training_set_zip(items))
    return path


def training_set_create(items: list[dict] | None = None, *, version: int | None = None):
    """A TrainingSet row with its archive in the media folder."""
    from qa.models import TrainingSet

    items = tiny_items(12) if items is None else items
    data = training_set_zip(items)
    version = version or (TrainingSet.objects.count() + 1)
    training_set = TrainingSet(version=version, sha256=_sha(data), items=len(items))
    training_set.archive.save(f"training-set-v{version}.zip", ContentFile(data), save=False)
    training_set.save()
    return training_set
