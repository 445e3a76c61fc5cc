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
        source = model if isinstance(model, bytes) else str(model)
        self.session = ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name

    @classmethod
    def from_network(cls, network: nn.Module, input_shape: tuple[int, int, int], **kwargs) -> OnnxRunner:
        buffer = io.BytesIO()
        export_onnx(network, input_shape, buffer)
        return cls(buffer.getvalue(), **kwargs)

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return self.session.run(None, {self.input_name: np.ascontiguousarray(batch, dtype=np.float32)})[0]
