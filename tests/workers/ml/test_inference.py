"""segment -> assess -> measure in one call."""

import subprocess
import sys

import numpy as np
import pytest

from tests.workers.ml.shapes import ellipse_mask
from workers.ml.crl import crl_from_mask
from workers.ml.fusqa import QualityModel
from workers.ml.ga import gestational_age_days
from workers.ml.inference import FramePipeline, load_pipeline
from workers.ml.networks import DEFAULT_FUSQA_CONFIG, DEFAULT_SEGMENTATION_CONFIG
from workers.ml.segmentation import SegmentationModel

SIZE = 32


class DiskSegmenter:
    """A stand-in network: logits that put a disk of radius 8 at the centre of every input."""

    def __call__(self, batch):
        disk = ellipse_mask((SIZE, SIZE), (15.5, 15.5), (8, 8), 0.0)
        score = np.where(disk, 5.0, -5.0).astype(np.float32)
        return np.stack([np.stack([np.zeros_like(score), score])] * len(batch))


class ConstantAssessor:
    def __call__(self, batch):
        return np.full((len(batch), 1), 2.0, np.float32)


def pipeline(formula="robinson"):
    segmenter = SegmentationModel(DiskSegmenter(), {**DEFAULT_SEGMENTATION_CONFIG, "input_size": SIZE})
    assessor = QualityModel(ConstantAssessor(), {**DEFAULT_FUSQA_CONFIG, "input_size": SIZE, "temperature": 2.0})
    return FramePipeline(segmenter, assessor, formula=formula)


def test_one_call_returns_mask_quality_crl_and_ga():
    frame = np.zeros((64, 64), np.uint8)

    [result] = pipeline().run(frame, (0.5, 0.4))

    expected = crl_from_mask(result.mask, (0.5, 0.4))
    assert result.mask.shape == (64, 64) and result.mask.any()
    assert result.p_good == pytest.approx(1 / (1 + np.exp(-1.0)))  # logit 2 / temperature 2
    assert result.crl == expected
    assert result.ga == gestational_age_days(expected.crl_mm, "robinson")
    assert set(result.latency_ms) == {"preprocess", "segment", "postprocess", "assess", "measure", "total"}


def test_a_batch_of_different_sizes_gets_one_result_each_with_its_own_spacing():
    frames = [np.zeros((64, 64), np.uint8), np.zeros((40, 80), np.uint8)]

    results = pipeline(formula="hadlock").run(frames, [0.2, (0.1, 0.3)])

    assert [r.mask.shape for r in results] == [(64, 64), (40, 80)]
    assert results[0].crl.crl_mm == pytest.approx(crl_from_mask(results[0].mask, 0.2).crl_mm)
    assert results[1].crl.crl_mm == pytest.approx(crl_from_mask(results[1].mask, (0.1, 0.3)).crl_mm)
    assert results[1].ga.formula == "hadlock"


def test_a_spacing_count_that_does_not_match_the_frames_is_refused():
    with pytest.raises(ValueError, match="2 frames but 3 spacings"):
        pipeline().run([np.zeros((8, 8), np.uint8)] * 2, [0.1, 0.1, 0.1])


def test_an_unknown_formula_fails_at_construction():
    with pytest.raises(ValueError, match="unknown GA formula"):
        pipeline(formula="nope")


def test_missing_weights_fail_when_the_pipeline_loads(tmp_path):
    with pytest.raises(FileNotFoundError, match="segmentation"):
        load_pipeline(tmp_path / "a.pt", tmp_path / "b.pt")


def test_the_ml_core_imports_no_django():
    code = (
        "import sys, workers.ml.inference, workers.ml.train, workers.ml.onnx_export;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'qa', 'fusqa_web', 'rest_framework')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stdout + done.stderr


class TwoDiskSegmenter:
    """A stand-in network that finds two blobs: a fetus and a second piece beside it."""

    def __call__(self, batch):
        score = np.where(ellipse_mask((SIZE, SIZE), (15.5, 12), (5, 9), 0.0), 5.0, -5.0)
        score = np.where(ellipse_mask((SIZE, SIZE), (15.5, 26), (3, 3), 0.0), 5.0, score).astype(np.float32)
        return np.stack([np.stack([np.zeros_like(score), score])] * len(batch))


def test_the_pipeline_keeps_every_piece_and_calls_a_fragmented_mask_unknown_with_its_reason():
    segmenter = SegmentationModel(TwoDiskSegmenter(), {**DEFAULT_SEGMENTATION_CONFIG, "input_size": SIZE})
    assessor = QualityModel(ConstantAssessor(), {**DEFAULT_FUSQA_CONFIG, "input_size": SIZE, "temperature": 2.0})
    frame = np.full((128, 128), 60, np.uint8)

    [result] = FramePipeline(segmenter, assessor).run(frame, 0.3)

    from scipy import ndimage

    assert ndimage.label(result.mask)[1] == 2  # nothing silently dropped
    assert result.verdict == "unknown" and result.p_good == pytest.approx(1 / (1 + np.exp(-1.0)))
    assert len(result.reasons) == 1 and result.reasons[0].startswith("fragmented: 2 pieces")
    assert result.crl == crl_from_mask(result.mask, 0.3)  # the CRL of the largest piece
