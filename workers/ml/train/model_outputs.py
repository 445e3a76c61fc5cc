"""More of the masks segmentation models really make, for FUSQA's training set.

Synthetic damage (synth.degrade_mask) is graded and tidy; a segmentation model fails otherwise: a
boundary a few pixels off all round where the echo is weak, a limb bud or the amnion taken in, a
pole cut where the contrast drops. The first classifier caught only 57 % of the poor masks that
segmentation models made on hospital B (issue #10 item 6). Besides each snapshot's own masks, this
module makes, from the final model:

- ``seg_final_loose`` / ``seg_final_tight``: its foreground score thresholded above or below zero
  (a logit shift drawn per frame), the masks a slightly over- or under-confident model would give;
- ``seg_final_pieces``: its mask with every piece kept (what the pipeline stores before the
  plausibility checks), where it fragments;
- its masks on the frame after a change of gain, contrast, blur or noise (``perturbed_frames``): the
  same anatomy, a harder image, the failures of a model meeting another machine.

The models that make the held-out tests' masks (recipes.TEST_EXTRA_MODELS) are never used here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
from scipy import ndimage

from workers.ml.segmentation import SegmentationModel, logits_to_mask
from workers.ml.train.datasets import PhantomFrame

LOGIT_SHIFT = (2.0, 8.0)  # |shift| of the foreground score, drawn per frame


def threshold_variants(
    model: SegmentationModel, frames: Sequence[PhantomFrame], rng: np.random.Generator, batch_size: int = 16
) -> dict[str, list[np.ndarray]]:
    """name -> one mask per frame: the final model's loose, tight and all-pieces masks."""
    batch, boxes = model.preprocess([f.image for f in frames])
    logits = model.forward(batch, batch_size)
    out: dict[str, list[np.ndarray]] = {"final_loose": [], "final_tight": [], "final_pieces": []}
    for lg, box in zip(logits, boxes, strict=True):
        for name, sign in (("final_loose", 1.0), ("final_tight", -1.0)):
            shifted = np.array(lg, np.float32, copy=True)
            shifted[-1] += sign * rng.uniform(*LOGIT_SHIFT)
            out[name].append(logits_to_mask(shifted, box))
        out["final_pieces"].append(logits_to_mask(lg, box, keep_largest=False))
    return out


def perturb_image(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One of: gamma, lower contrast with a haze, blur, extra speckle-like noise, or two of them."""
    x = image.astype(np.float32) / 255.0
    changes = rng.choice(["gamma", "contrast", "blur", "noise"], size=int(rng.integers(1, 3)), replace=False)
    for change in changes:
        if change == "gamma":
            x = x ** float(rng.uniform(0.5, 2.0))
        elif change == "contrast":
            x = float(rng.uniform(0.05, 0.25)) + x * float(rng.uniform(0.4, 0.8))
        elif change == "blur":
            x = ndimage.gaussian_filter(x, float(rng.uniform(1.0, 3.0)))
        else:
            grain = ndimage.gaussian_filter(rng.normal(0, 1, x.shape).astype(np.float32), 1.0)
            x = x * (1 + float(rng.uniform(0.2, 0.6)) * grain)
    return (np.clip(x, 0, 1) * 255).astype(np.uint8)


def perturbed_frames(frames: Sequence[PhantomFrame], rng: np.random.Generator) -> list[PhantomFrame]:
    return [dataclasses.replace(f, image=perturb_image(f.image, rng)) for f in frames]
