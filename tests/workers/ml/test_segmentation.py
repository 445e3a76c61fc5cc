"""The segmentation model: any frame size in, a post-processed mask of that size out."""

import numpy as np
import pytest

from tests.workers.ml.shapes import ellipse_scans
from workers.ml import segmentation
from workers.ml.networks import DEFAULT_SEGMENTATION_CONFIG, TorchRunner, build_network
from workers.ml.segmentation import SegmentationModel, fill_and_keep_largest, letterbox
from workers.ml.train import train_segmentation

TINY = {"channels": [8, 16, 32], "strides": [2, 2], "num_res_units": 1, "input_size": 32}


def tiny_model(seed=0):
    import torch

    torch.manual_seed(seed)
    cfg = {**DEFAULT_SEGMENTATION_CONFIG, **TINY}
    return SegmentationModel(TorchRunner(build_network(cfg), "cpu"), cfg)


def test_post_processing_keeps_the_largest_component_and_fills_its_holes():
    mask = np.zeros((20, 20), bool)
    mask[2:12, 2:12] = True
    mask[5:8, 5:8] = False  # a hole
    mask[15:18, 15:18] = True  # a smaller blob

    cleaned = fill_and_keep_largest(mask)

    expected = np.zeros((20, 20), bool)
    expected[2:12, 2:12] = True
    np.testing.assert_array_equal(cleaned, expected)


def test_post_processing_leaves_an_empty_mask_empty():
    assert not fill_and_keep_largest(np.zeros((5, 7), bool)).any()


def test_letterbox_keeps_the_aspect_and_standardises():
    image = np.full((20, 40), 200, np.uint8)
    image[:, :20] = 100

    grey, box = letterbox(image, 16)

    assert grey.shape == (16, 16)
    assert (box.side, box.top, box.left) == (40, 10, 0)
    assert grey[0].max() < grey[8].min()  # the padded band is darker than any frame pixel


def test_predict_returns_a_mask_per_frame_at_each_frame_size():
    frames = [np.zeros((32, 32), np.uint8), np.zeros((45, 70), np.uint8), np.zeros((101, 37), np.uint8)]

    masks = tiny_model().predict(frames)

    assert [m.shape for m in masks] == [(32, 32), (45, 70), (101, 37)]
    assert all(m.dtype == bool for m in masks)


def test_predict_accepts_a_single_frame_and_a_stack():
    model = tiny_model()

    assert len(model.predict(np.zeros((40, 30), np.uint8))) == 1
    assert [m.shape for m in model.predict(np.zeros((3, 24, 24), np.uint8))] == [(24, 24)] * 3


def test_missing_weights_name_the_path_and_the_training_command(tmp_path):
    missing = tmp_path / "nothing.pt"

    with pytest.raises(FileNotFoundError) as error:
        segmentation.load_model(missing)

    assert str(missing) in str(error.value)
    assert "python -m workers.ml.train segmentation" in str(error.value)


def test_training_learns_ellipses_and_the_checkpoint_round_trips(tmp_path):
    progress = []
    val = ellipse_scans(1, 12, shape=(40, 32))  # another frame shape than training

    result = train_segmentation(
        ellipse_scans(0, 48),
        steps=60,
        batch_size=8,
        seed=0,
        lr=1e-2,
        config=TINY,
        val_samples=val,
        progress=progress.append,
        out_path=tmp_path / "seg.pt",
    )

    assert np.mean(result.losses[-10:]) < 0.5 * np.mean(result.losses[:5])
    assert result.metrics["val_dice"] > 0.85
    assert progress[-1]["step"] == 60 and progress[-1]["stage"] == "segmentation"
    loaded = segmentation.load_model(result.checkpoint, device="cpu")
    assert loaded.config["channels"] == TINY["channels"]
    frames = [im for im, _ in val[:3]]
    for a, b in zip(loaded.predict(frames), result.model.predict(frames), strict=True):
        np.testing.assert_array_equal(a, b)


def test_training_is_reproducible_with_a_seed():
    runs = [train_segmentation(ellipse_scans(0, 16), steps=5, batch_size=4, seed=3, config=TINY) for _ in range(2)]

    assert runs[0].losses == runs[1].losses


def test_training_stops_at_the_time_budget():
    result = train_segmentation(ellipse_scans(0, 16), steps=10_000, batch_size=4, config=TINY, time_budget_s=0.3)

    assert result.metrics["steps"] < 10_000
    assert result.metrics["seconds"] < 3


def test_training_consumes_a_stream():
    stream = iter(ellipse_scans(0, 10))

    result = train_segmentation(stream, steps=100, batch_size=4, config=TINY)

    assert result.metrics["steps"] == 3  # 4 + 4 + 2 samples, then the stream ends


@pytest.mark.parametrize("seed", range(4))
def test_fast_hole_filling_equals_scipy_on_random_masks(seed):
    from scipy import ndimage

    from workers.ml.crl import largest_component

    mask = np.random.default_rng(seed).random((40, 50)) > 0.35

    np.testing.assert_array_equal(fill_and_keep_largest(mask), ndimage.binary_fill_holes(largest_component(mask)))


@pytest.mark.parametrize("seed", range(3))
def test_the_windowed_upsampling_gives_the_mask_a_full_bilinear_resize_gives(seed):
    import torch
    import torch.nn.functional as F

    from workers.ml.segmentation import Letterbox, logits_to_mask

    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(2, 16, 16)).astype(np.float32)
    logits[1] -= 1.0  # a few scattered positive regions
    box = Letterbox(height=70, width=45, side=70, top=0, left=12)
    score = torch.from_numpy(logits[1] - logits[0])[None, None]
    full = F.interpolate(score, size=(70, 70), mode="bilinear", align_corners=False)[0, 0, :, 12:57] > 0

    np.testing.assert_array_equal(logits_to_mask(logits, box), fill_and_keep_largest(full.numpy()))
