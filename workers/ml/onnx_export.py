"""ONNX export and an ONNX Runtime runner for CPU inference.

Export uses the TorchScript-based exporter (``dynamo=False``): the dynamo exporter also needs
onnxscript, which is not installed here. The batch axis is dynamic; spatial size is fixed by the
model's config (every frame is resized to it before the network).
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

OPSET = 17


def export_onnx(network: nn.Module, input_shape: tuple[int, int, int], path: str | Path | io.BytesIO) -> None:
    """Export ``network`` (eval mode, CPU) for inputs (N, *input_shape) to a file or buffer."""
    network = network.cpu().eval()
    dummy = torch.zeros((1, *input_shape), dtype=torch.float32)
    with warnings.catch_warnings():
        # Tracing notes on MONAI's shape checks and InstanceNorm's train flag (it normalises per
        # sample either way, so the exported graph computes what eval mode computes).
        warnings.simplefilter("ignore")
        _export(network, dummy, path)


def _export(network: nn.Module, dummy: torch.Tensor, path) -> None:
    torch.onnx.export(
        network,
        (dummy,),
        path if isinstance(path, io.BytesIO) else str(path),
        input_names=["input"],
        output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
        opset_version=OPSET,
        dynamo=False,
    )


def prelu_as_leaky_relu(model: bytes) -> bytes:
    """The model with every PRelu whose slope is one number (MONAI's PReLU) as a LeakyRelu with that
    number as its alpha: the same function, x where x >= 0 and slope * x elsewhere, bit for bit. ONNX
    Runtime runs LeakyRelu vectorised but broadcasts PRelu's slope element by element: the UNet's 12
    PRelus took 40 % of its time."""
    import onnx
    from onnx import helper, numpy_helper

    graph = onnx.load_from_string(model)
    initializers = {i.name: i for i in graph.graph.initializer}
    changed = False
    for node in graph.graph.node:
        slope = initializers.get(node.input[1]) if node.op_type == "PRelu" else None
        if slope is None or numpy_helper.to_array(slope).size != 1:
            continue
        node.op_type = "LeakyRelu"
        node.attribute.append(helper.make_attribute("alpha", float(numpy_helper.to_array(slope).item())))
        del node.input[1]
        changed = True
    if not changed:
        return model
    used = {name for node in graph.graph.node for name in node.input} | {i.name for i in graph.graph.input}
    kept = [i for i in graph.graph.initializer if i.name in used]
    del graph.graph.initializer[:]
    graph.graph.initializer.extend(kept)
    return graph.SerializeToString()


class OnnxRunner:
    """Runs an ONNX model on float32 numpy batches with ONNX Runtime (CPU)."""

    backend = "onnx"

    def __init__(self, model: bytes | str | Path, *, threads: int | None = None):
        import onnxruntime as ort

        options = ort.SessionOptions()
        # As many threads as torch uses, and no spin-waiting: a spinning pool steals the cores the
        # pre- and post-processing (and the other worker processes) run on.
        options.intra_op_num_threads = threads or torch.get_num_threads()
        options.inter_op_num_threads = 1
        # Stated, not left to defaults: every graph fusion, one operator at a time (the networks are
        # chains), and memory planned once for the fixed input size.
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.enable_mem_pattern = True
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        source = prelu_as_leaky_relu(model if isinstance(model, bytes) else Path(model).read_bytes())
        self.session = ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name

    @classmethod
    def from_network(cls, network: nn.Module, input_shape: tuple[int, int, int], **kwargs) -> OnnxRunner:
        buffer = io.BytesIO()
        export_onnx(network, input_shape, buffer)
        return cls(buffer.getvalue(), **kwargs)

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return self.session.run(None, {self.input_name: np.ascontiguousarray(batch, dtype=np.float32)})[0]
