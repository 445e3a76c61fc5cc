"""Tiny, untrained but deterministic checkpoints for pipeline tests: the UNet's last bias is set so every
pixel is fetus (the mask is the whole frame, so CRL is its diagonal), and the classifier answers a fixed
p(good). Registered as the active model versions."""

from pathlib import Path

import torch

from qa.models import ModelKind
from qa.services.model_registry import model_cache, model_version_register
from workers.ml.networks import DEFAULT_FUSQA_CONFIG, DEFAULT_SEGMENTATION_CONFIG, build_network, save_checkpoint

SEGMENTATION_CONFIG = {**DEFAULT_SEGMENTATION_CONFIG, "channels": [4, 8], "strides": [2], "input_size": 32}
# Their "fetus" is the whole frame, which the plausibility checks would call unknown (it touches the
# border): these stand-ins switch the checks off; tests of the checks switch them on.
FUSQA_CONFIG = {**DEFAULT_FUSQA_CONFIG, "widths": [4, 8], "input_size": 32, "mask_checks": False}


def _last_parameter(network: torch.nn.Module, name: str) -> torch.nn.Parameter:
    return [p for n, p in network.named_parameters() if n.endswith(name)][-1]


def tiny_checkpoints(
    folder: Path, *, version: str = "t1", fusqa_logit: float = 3.0, mask_checks: bool = False
) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    segmenter = build_network(SEGMENTATION_CONFIG)
    with torch.no_grad():
        for p in segmenter.parameters():
            p.zero_()
        _last_parameter(segmenter, "bias").copy_(torch.tensor([-10.0, 10.0]))
    assessor = build_network(FUSQA_CONFIG)
    with torch.no_grad():
        for p in assessor.parameters():
            p.zero_()
        _last_parameter(assessor, "bias").fill_(fusqa_logit)
    seg = save_checkpoint(
        folder / f"segmentation-{version}.pt", kind="segmentation", config=SEGMENTATION_CONFIG, network=segmenter
    )
    config = {**FUSQA_CONFIG, "mask_checks": mask_checks}
    qa = save_checkpoint(folder / f"fusqa-{version}.pt", kind="fusqa", config=config, network=assessor)
    return seg, qa


def activate_tiny_models(folder: Path, *, version: str = "t1", fusqa_logit: float = 3.0, mask_checks: bool = False):
    seg, qa = tiny_checkpoints(folder, version=version, fusqa_logit=fusqa_logit, mask_checks=mask_checks)
    model_cache.clear()
    return (
        model_version_register(kind=ModelKind.SEGMENTATION, version=version, weights_file=str(seg), activate=True),
        model_version_register(kind=ModelKind.FUSQA, version=version, weights_file=str(qa), activate=True),
    )
