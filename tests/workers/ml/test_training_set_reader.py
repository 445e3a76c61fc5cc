"""The training-set reader: the format of docs/training_sets.md, checked file by file."""

import hashlib
import io
import json
import zipfile

import numpy as np
import pytest
from PIL import Image

from workers.ml.train.training_set import TrainingSetError, read_training_set, split_of_study


def _png(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array.astype(np.uint8)).save(out, format="PNG")
    return out.getvalue()


def _write_set(path, *, tamper: bool = False, label: str = "poor"):
    frame = (np.arange(64 * 64).reshape(64, 64) % 251).astype(np.uint8)
    mask = np.zeros((64, 64), np.uint8)
    mask[20:40, 10:50] = 255
    correction = np.zeros((64, 64), np.uint8)
    correction[22:42, 12:54] = 255
    files = {"frames/7.png": _png(frame), "masks/11.png": _png(mask), "masks/12.png": _png(correction)}
    digest = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    record = {
        "frame_id": 7,
        "study_id": 3,
        "hospital": "a",
        "machine": 1,
        "spacing_mm": [0.2, 0.25],
        "frame": {"path": "frames/7.png", "sha256": digest["frames/7.png"]},
        "mask": {"id": 11, "path": "masks/11.png", "sha256": digest["masks/11.png"], "model_version": "seg 1"},
        "corrections": [{"id": 12, "path": "masks/12.png", "sha256": digest["masks/12.png"], "expert": 5}],
        "reference_mask_id": 12,
        "training_label": label,
        "split": split_of_study(3),
    }
    if tamper:
        files["masks/12.png"] = _png(255 - correction)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.jsonl", json.dumps(record) + "\n")
        for name, data in files.items():
            archive.writestr(name, data)


def test_an_item_comes_back_with_its_pixels_reference_and_spacing(tmp_path):
    _write_set(tmp_path / "set.zip")
    (item,) = read_training_set(tmp_path / "set.zip")
    assert item.label == "poor"
    assert item.spacing_mm == (0.2, 0.25)
    assert item.image.shape == (64, 64) and item.image[0, 5] == 5
    assert item.mask.sum() == 20 * 40
    assert item.reference is not None and item.reference.sum() == 20 * 42


def test_a_file_that_does_not_match_its_digest_is_refused(tmp_path):
    _write_set(tmp_path / "set.zip", tamper=True)
    with pytest.raises(TrainingSetError, match="masks/12.png does not match"):
        read_training_set(tmp_path / "set.zip")


def test_excluded_items_are_left_out_unless_asked_for(tmp_path):
    _write_set(tmp_path / "set.zip", label="excluded")
    assert read_training_set(tmp_path / "set.zip") == []
    assert len(read_training_set(tmp_path / "set.zip", include_excluded=True)) == 1


def test_the_split_is_by_study_and_about_one_in_five():
    splits = [split_of_study(i) for i in range(1, 2001)]
    assert splits == [split_of_study(i) for i in range(1, 2001)]
    assert 0.15 < splits.count("test") / len(splits) < 0.25
