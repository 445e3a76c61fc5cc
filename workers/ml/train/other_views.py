"""Frames of another view: a transverse head or abdominal section where the CRL view's fetus was.

A CRL mask only means something on a mid-sagittal view of the whole embryo. A sonographer who sweeps
through a transverse plane shows a round section (a skull ring with its midline echo, or an abdomen
with its stomach bubble); a segmentation model still paints something there, and FUSQA must never
call it good (issue #10 item 5). These frames train that: the section is drawn into the frame's
fluid with its size, roundness, tilt, brightness, texture and skull ring drawn per frame, and every
mask on it (its outline, the segmentation model's answer) is labelled poor.

The standing behaviour test (tests/workers/ml/test_fusqa_behaviour.py) draws its own sections on
hospital A seeds of no training split, with fixed proportions; these vary.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy import ndimage

from workers.ml.synth.anatomy import TISSUE_FLUID, TISSUE_OTHER, TISSUE_WALL
from workers.ml.train.datasets import PhantomFrame

OTHER_VIEW_KINDS = ("head_section", "abdomen_section")


def other_view(frame: PhantomFrame, rng: np.random.Generator, kind: str) -> tuple[PhantomFrame, np.ndarray]:
    """(the frame with the fetus replaced by a round section of ``kind``, the section's outline)."""
    if kind not in OTHER_VIEW_KINDS:
        raise ValueError(f"unknown view {kind!r}; expected one of {OTHER_VIEW_KINDS}")
    image = frame.image.astype(np.float32)
    rows, cols = np.nonzero(frame.mask)
    centre = np.array([rows.mean(), cols.mean()]) + rng.normal(0, 0.05, 2) * np.ptp(rows)
    extent = max(np.ptp(rows), np.ptp(cols))
    radius = rng.uniform(0.25, 0.45) * extent
    squash, tilt = rng.uniform(0.75, 1.0), rng.uniform(0, np.pi)
    yy, xx = np.mgrid[: image.shape[0], : image.shape[1]].astype(np.float32)
    dy, dx = yy - centre[0], xx - centre[1]
    u = dx * np.cos(tilt) + dy * np.sin(tilt)
    v = (-dx * np.sin(tilt) + dy * np.cos(tilt)) / squash
    r = np.hypot(u, v)
    fluid_px = frame.tissue == TISSUE_FLUID
    fluid = float(np.percentile(image[fluid_px], 30)) if fluid_px.any() else 10.0
    grain = rng.uniform(0.8, 2.5)
    speckle = ndimage.gaussian_filter(rng.gamma(2.0, 1.0, image.shape).astype(np.float32), grain)
    speckle *= 2.0 / max(float(speckle.mean()), 1e-6)
    # The CRL view's fetus is gone, with its skin line (a few pixels past the mask), not the wall behind it.
    gone = ndimage.binary_dilation(frame.mask, iterations=6) & ~np.isin(frame.tissue, (TISSUE_WALL, TISSUE_OTHER))
    image[gone] = fluid + rng.uniform(2, 8) * speckle[gone]
    inside = r < radius
    tissue_level, texture = rng.uniform(45, 120), rng.uniform(0.3, 0.8)
    image[inside] = tissue_level * (1 + texture * (speckle[inside] - 2.0))
    if kind == "head_section":
        ring = (r >= radius * rng.uniform(0.86, 0.94)) & (r < radius)
        image[ring] = rng.uniform(150, 240) + 10 * speckle[ring]
        midline = inside & (np.abs(u) < rng.uniform(1.0, 2.5))
        image[midline] = rng.uniform(110, 190)
    else:
        angle, offset = rng.uniform(0, 2 * np.pi), rng.uniform(0.15, 0.45) * radius
        stomach = np.hypot(u - offset * np.cos(angle), v - offset * np.sin(angle)) < rng.uniform(0.15, 0.3) * radius
        image[stomach] = fluid + 3 * speckle[stomach]
        if rng.random() < 0.6:  # the spine: a bright dot near the edge
            spine = np.hypot(u + 0.75 * radius * np.cos(angle), v + 0.75 * radius * np.sin(angle)) < 0.1 * radius
            image[spine] = rng.uniform(160, 230)
    image = ndimage.gaussian_filter(image, rng.uniform(0.3, 1.0))
    view = dataclasses.replace(frame, image=image.clip(0, 255).astype(np.uint8))
    return view, inside
