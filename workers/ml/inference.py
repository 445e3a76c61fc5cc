"""One call from frames to answers: segment -> assess -> measure.

``FramePipeline.run(frames, spacings)`` takes a batch of grey uint8 frames (any sizes) with their
pixel spacings and returns, per frame, the mask (every piece the network found, holes filled: no
piece is dropped), FUSQA's answer (p(good), a verdict "good", "poor" or "unknown" and the reasons for
an unknown, see workers.ml.fusqa.assess), the CRL of the largest piece with its calliper end points
and the GA. It records each stage's latency for the batch (ms): preprocess, segment, postprocess,
assess, measure. Torch runs on cuda if available, else cpu; ``backend="onnx"`` runs both
networks in ONNX Runtime on CPU.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from workers.ml import fusqa, segmentation
from workers.ml.crl import CrlMeasurement, MaskPieces, crl_from_pieces
from workers.ml.ga import GestationalAge, gestational_age_days
from workers.ml.segmentation import as_image_list, mask_and_pieces


@dataclass(frozen=True)
class FrameResult:
    mask: np.ndarray  # bool, the frame's shape
    p_good: float  # calibrated p(the segmentation is good); 0 for an empty mask
    crl: CrlMeasurement | None  # None when no fetus was found
    ga: GestationalAge | None
    latency_ms: dict[str, float] = field(default_factory=dict)  # the batch's stage timings
    verdict: str = ""  # "good", "poor" or "unknown" (implausible mask, or unlike the training data)
    reasons: list[str] = field(default_factory=list)  # why unknown
    ood_score: float | None = None


class FramePipeline:
    def __init__(
        self,
        segmenter: segmentation.SegmentationModel,
        assessor: fusqa.QualityModel,
        *,
        formula="robinson",
        threshold: float | None = None,  # None: the assessor's own operating threshold
    ):
        gestational_age_days(45.0, formula)  # fail now, not per frame, on an unknown formula
        self.segmenter, self.assessor, self.formula, self.threshold = segmenter, assessor, formula, threshold

    def run(self, frames, spacings_mm) -> list[FrameResult]:
        """frames: one H x W frame, an N x H x W stack or a list; spacings_mm: a float or a
        (row_mm, col_mm) tuple shared by all frames, or a list with one per frame."""
        images = as_image_list(frames)
        spacings = _spacings(spacings_mm, len(images))
        clock, latency = time.perf_counter(), {}

        def lap(stage: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            latency[stage] = (now - clock) * 1e3
            clock = now

        batch, boxes = self.segmenter.preprocess(images)
        lap("preprocess")
        logits = self.segmenter.forward(batch)
        lap("segment")
        # Every piece the network found is kept, holes filled; the pieces are labelled once, here, and
        # the CRL and the plausibility checks share them.
        found = [mask_and_pieces(lg, box) for lg, box in zip(logits, boxes, strict=True)]
        masks, pieces = [m for m, _ in found], [p for _, p in found]
        lap("postprocess")
        measured = [self._measure(s, p) for s, p in zip(spacings, pieces, strict=True)]
        lap("measure")
        crls = [c for c, _ in measured]  # the plausibility checks read the CRL too: measured once
        answers = (
            self.assessor.assess(images, masks, spacings, threshold=self.threshold, crls=crls, pieces=pieces)
            if images
            else []
        )
        lap("assess")
        latency["total"] = sum(latency.values())
        return [
            FrameResult(
                mask=m,
                p_good=a.p_good,
                crl=c,
                ga=g,
                latency_ms=dict(latency),
                verdict=a.verdict,
                reasons=a.reasons,
                ood_score=a.ood_score,
            )
            for m, a, (c, g) in zip(masks, answers, measured, strict=True)
        ]

    def _measure(self, spacing, pieces: MaskPieces | None) -> tuple[CrlMeasurement | None, GestationalAge | None]:
        if pieces is None:
            return None, None
        crl = crl_from_pieces(pieces, spacing)
        return crl, gestational_age_days(crl.crl_mm, self.formula)


def _spacings(spacings_mm, n: int) -> list:
    """A list (or an N x 2 array) gives one spacing per frame; a float or a (row_mm, col_mm)
    tuple is shared by all frames."""
    if isinstance(spacings_mm, list) or (isinstance(spacings_mm, np.ndarray) and spacings_mm.ndim == 2):
        spacings = list(spacings_mm)
        if len(spacings) != n:
            raise ValueError(f"{n} frames but {len(spacings)} spacings")
        return spacings
    return [spacings_mm] * n


def load_pipeline(
    segmentation_path: str | Path | None = None,
    fusqa_path: str | Path | None = None,
    *,
    backend: str = "torch",
    device=None,
    formula: str = "robinson",
) -> FramePipeline:
    """Both models from their checkpoints (defaults: workers/weights/{segmentation,fusqa}.pt)."""
    return FramePipeline(
        segmentation.load_model(segmentation_path, device=device, backend=backend),
        fusqa.load_model(fusqa_path, device=device, backend=backend),
        formula=formula,
    )


def analyse_frames(frames, spacings_mm, *, pipeline: FramePipeline | None = None) -> list[FrameResult]:
    """segment -> assess -> measure with the default checkpoints (loaded once per process)."""
    return (pipeline or _default_pipeline()).run(frames, spacings_mm)


_DEFAULT: list[FramePipeline] = []


def _default_pipeline() -> FramePipeline:
    if not _DEFAULT:
        _DEFAULT.append(load_pipeline())
    return _DEFAULT[0]


__all__: Sequence[str] = ["FramePipeline", "FrameResult", "analyse_frames", "load_pipeline"]
