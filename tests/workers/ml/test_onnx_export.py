"""The ONNX Runtime path gives what torch gives."""

import io

import numpy as np
import torch

from tests.workers.ml.shapes import ellipse_scans
from workers.ml import fusqa, segmentation
from workers.ml.networks import DEFAULT_FUSQA_CONFIG, DEFAULT_SEGMENTATION_CONFIG, TorchRunner, build_network
from workers.ml.onnx_export import OnnxRunner, export_onnx
from workers.ml.train import train_fusqa, train_segmentation

TINY_UNET = {**DEFAULT_SEGMENTATION_CONFIG, "channels": [8, 16, 32], "strides": [2, 2], "input_size": 32}
TINY_CNN = {**DEFAULT_FUSQA_CONFIG, "widths": [8, 16, 32], "input_size": 32}


def _torch_and_onnx(config, channels):
    torch.manual_seed(0)
    network = build_network(config).eval()
    batch = np.random.default_rng(0).normal(size=(3, channels, 32, 32)).astype(np.float32)
    return TorchRunner(network, "cpu")(batch), OnnxRunner.from_network(network, (channels, 32, 32))(batch)


def test_a_random_unet_gives_the_same_logits_in_onnx_runtime():
    expected, actual = _torch_and_onnx(TINY_UNET, 1)

    assert actual.shape == expected.shape == (3, 2, 32, 32)
    np.testing.assert_allclose(actual, expected, atol=1e-4)


def test_a_random_compact_classifier_gives_the_same_logits_in_onnx_runtime():
    expected, actual = _torch_and_onnx(TINY_CNN, 2)

    assert actual.shape == expected.shape == (3, 1)
    np.testing.assert_allclose(actual, expected, atol=1e-4)


def test_export_writes_a_file_onnx_runtime_opens(tmp_path):
    network = build_network(TINY_CNN)
    export_onnx(network, (2, 32, 32), tmp_path / "m.onnx")
    buffer = io.BytesIO()
    export_onnx(network, (2, 32, 32), buffer)

    out = OnnxRunner(tmp_path / "m.onnx")(np.zeros((5, 2, 32, 32), np.float32))

    assert out.shape == (5, 1)
    assert len(buffer.getvalue()) > 1000


def test_checkpoints_load_with_the_onnx_backend(tmp_path):
    scans = ellipse_scans(0, 8)
    seg = train_segmentation(scans, steps=2, batch_size=4, config=TINY_UNET, out_path=tmp_path / "s.pt")
    cases = [(im, m, 1) for im, m in scans[:4]] + [(im, np.roll(m, 6, axis=0), 0) for im, m in scans[4:]]
    qa = train_fusqa(cases, steps=2, batch_size=4, config=TINY_CNN, out_path=tmp_path / "q.pt", val_samples=cases)
    images = [im for im, _ in scans]

    seg_onnx = segmentation.load_model(tmp_path / "s.pt", backend="onnx")
    qa_onnx = fusqa.load_model(tmp_path / "q.pt", backend="onnx")

    masks = seg.model.predict(images)
    assert all(np.array_equal(a, b) for a, b in zip(seg_onnx.predict(images), masks, strict=True))
    np.testing.assert_allclose(qa_onnx.predict(images, masks), qa.model.predict(images, masks), atol=1e-4)


def test_prelu_as_leaky_relu_gives_the_unets_logits_bit_for_bit():
    import onnx
    import onnxruntime as ort

    from workers.ml.onnx_export import prelu_as_leaky_relu

    torch.manual_seed(1)
    network = build_network(TINY_UNET).eval()
    for module in network.modules():  # slopes of both signs, as trained networks have
        if isinstance(module, torch.nn.PReLU):
            module.weight.data.uniform_(-0.3, 0.3)
    buffer = io.BytesIO()
    export_onnx(network, (1, 32, 32), buffer)
    original = buffer.getvalue()
    rewritten = prelu_as_leaky_relu(original)
    batch = np.random.default_rng(1).normal(size=(4, 1, 32, 32)).astype(np.float32)

    def run(model):
        return ort.InferenceSession(model, providers=["CPUExecutionProvider"]).run(None, {"input": batch})[0]

    ops = {node.op_type for node in onnx.load_from_string(rewritten).graph.node}
    assert "PRelu" in {node.op_type for node in onnx.load_from_string(original).graph.node}
    assert "PRelu" not in ops and "LeakyRelu" in ops
    np.testing.assert_array_equal(run(rewritten), run(original))
