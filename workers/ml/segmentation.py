"""Fetal segmentation: a MONAI UNet on letterboxed grey frames of any size.

Pre-processing: the frame is padded to a square (black, centred) so the fetus keeps its shape
whatever the frame's aspect ratio, resized to ``input_size`` and standardised per frame (z-score
over the frame's own pixels), which removes most of a machine's gain and dynamic-range setting.
Post-processing: the foreground-minus-background logit is resized back to the padded square
(bilinear, so the outline is smoother than a nearest-neighbour mask), cropped to the frame,
thresholded at 0, reduced to its largest 8-connected component, and its holes are filled.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage

from workers.ml.crl import EmptyMaskError, MaskPieces, largest_component_box, mask_pieces
from workers.ml.networks import load_checkpoint, make_runner

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
DEFAULT_WEIGHTS = WEIGHTS_DIR / "segmentation.pt"
TRAIN_COMMAND = "python -m workers.ml.train segmentation --out workers/weights/segmentation.pt"


@dataclass(frozen=True)
class Letterbox:
    """Where a frame sits inside the padded square it was resized from."""

    height: int
    width: int
    side: int
    top: int
    left: int


def as_image_list(images: np.ndarray | Sequence[np.ndarray]) -> list[np.ndarray]:
    """One H x W frame, an N x H x W stack, or a list of frames of any sizes -> list of 2-D arrays."""
    if isinstance(images, np.ndarray):
        if images.ndim == 2:
            return [images]
        if images.ndim == 3:
            return list(images)
        raise ValueError(f"expected H x W or N x H x W grey frames, got shape {images.shape}")
    frames = [np.asarray(im) for im in images]
    for im in frames:
        if im.ndim != 2:
            raise ValueError(f"each frame must be a 2-D grey image, got shape {im.shape}")
    return frames


def standardise(x: torch.Tensor) -> tuple[torch.Tensor, float, float]:
    """Per-frame z-score (mean 0, std 1); returns (standardised, mean, std)."""
    mean = float(x.mean())
    std = float(x.std()) if x.numel() > 1 else 0.0
    std = max(std, 1e-3)
    return (x - mean) / std, mean, std


def letterbox(image: np.ndarray, size: int) -> tuple[np.ndarray, Letterbox]:
    """A grey uint8 frame -> (size x size float32 standardised, its Letterbox)."""
    image = np.asarray(image)
    h, w = image.shape
    side = max(h, w)
    top, left = (side - h) // 2, (side - w) // 2
    # The frame's mean and (unbiased) SD in grey levels; standardised AFTER the resize: the resize's
    # weights sum to 1, so resize((x - m) / s) = (resize(x) - m) / s, and the small image is cheap.
    mean, std = grey_mean_std(image)
    mean, std = mean / 255.0, max(std / 255.0, 1e-3)
    rows = np.zeros((h, side), dtype=np.float32)  # the padded square's rows that hold the frame
    np.multiply(image, np.float32(1 / 255.0), out=rows[:, left : left + w], dtype=np.float32)
    resized = shrink_square(torch.from_numpy(rows)[None], top, side, size)[0].numpy()
    out = (resized - np.float32(mean)) / np.float32(std)
    return out, Letterbox(h, w, side, top, left)


def grey_mean_std(image: np.ndarray) -> tuple[float, float]:
    """(mean, SD with ddof=1) of a frame's grey levels, as image.mean() and image.std(ddof=1) give them.
    A uint8 frame (every real one) is summed exactly in integers, in a third of numpy's time."""
    n = image.size
    if n < 2:
        return float(image.mean()), 0.0
    if image.dtype != np.uint8 or image.shape[0] >= 2**32 // 255**2:
        return float(image.mean()), float(image.std(ddof=1))
    # Column sums first: uint32 holds a column of squares, and summing down rows is vectorised.
    s1 = int(np.add.reduce(image, axis=0, dtype=np.uint32).sum(dtype=np.int64))
    s2 = int(np.add.reduce(np.square(image, dtype=np.uint16), axis=0, dtype=np.uint32).sum(dtype=np.int64))
    return s1 / n, math.sqrt((n * s2 - s1 * s1) / (n * (n - 1)))


def shrink_square(rows: torch.Tensor, top: int, side: int, size: int) -> torch.Tensor:
    """Resize a side x side square that is zero outside rows top:top+n to size x size (bilinear, with
    antialiasing), given those rows only: rows (C, n, side) -> (C, size, size).

    Equal bit for bit to F.interpolate of the whole square, for less work and memory: torch resizes
    across (the last axis) first, then down, and zero rows stay zero in the first pass, so only the
    rows that hold data are resized across; the zero rows are put back for the second pass.
    """
    with one_torch_thread():
        across = _antialiased(rows, (rows.shape[1], size))
        return _antialiased(F.pad(across, (0, 0, top, side - top - rows.shape[1])), (size, size))


@contextmanager
def one_torch_thread():
    """Torch ops inside run on the calling thread only. A resize here takes a fraction of a
    millisecond: spread over cores that other work holds (another worker, the networks' threads),
    each op waits at its barrier for a core to come free, which costs far more than two threads
    save (measured on 2 busy cores: the bench's pre-processing 22 ms a frame instead of 0.8)."""
    before = torch.get_num_threads()
    if before == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _antialiased(x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    return F.interpolate(x[None], size=size, mode="bilinear", align_corners=False, antialias=True)[0]


def fill_and_keep_largest(mask: np.ndarray) -> np.ndarray:
    """Largest 8-connected component with its holes filled; an empty mask stays empty.

    Holes are the background (4-connected, the dual of 8-connected foreground, as in
    ndimage.binary_fill_holes) not connected to the outside, found inside the component's box
    only: a few times faster than binary_fill_holes on the whole frame.
    """
    try:
        crop, (top, left), _ = largest_component_box(mask)
    except EmptyMaskError:
        return np.zeros(np.shape(mask), dtype=bool)
    padded = np.pad(crop, 1)
    background, _ = ndimage.label(~padded)
    filled = (background != background[0, 0])[1:-1, 1:-1]
    out = np.zeros(np.shape(mask), dtype=bool)
    out[top : top + crop.shape[0], left : left + crop.shape[1]] = filled
    return out


def fill_holes(mask: np.ndarray) -> np.ndarray:
    """Every component kept, holes filled (inside the foreground's bounding box only, as above)."""
    rows, cols = np.flatnonzero(np.any(mask, axis=1)), np.flatnonzero(np.any(mask, axis=0))
    if rows.size == 0:
        return np.zeros(np.shape(mask), dtype=bool)
    top, left = rows[0], cols[0]
    padded = np.pad(mask[top : rows[-1] + 1, left : cols[-1] + 1], 1)
    background, _ = ndimage.label(~padded)
    out = np.zeros(np.shape(mask), dtype=bool)
    out[top : rows[-1] + 1, left : cols[-1] + 1] = (background != background[0, 0])[1:-1, 1:-1]
    return out


def _bilinear_taps(size_in: int, size_out: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each output index: the two input indices and the weight of the second, as torch's
    bilinear resize with align_corners=False computes them (source clamped at 0)."""
    scale = np.float32(size_in / size_out)
    src = np.maximum((np.arange(size_out, dtype=np.float32) + np.float32(0.5)) * scale - np.float32(0.5), 0)
    i0 = np.minimum(src.astype(np.int64), size_in - 1)
    i1 = np.minimum(i0 + 1, size_in - 1)
    return i0, i1, (src - i0).astype(np.float32)


def logits_to_mask(logits: np.ndarray, box: Letterbox, *, keep_largest: bool = True) -> np.ndarray:
    """(C, S, S) network logits -> bool mask at the frame's original size, post-processed: holes
    filled, and with ``keep_largest`` only the largest component kept (the pipeline passes False:
    it keeps every piece and lets the plausibility checks call a fragmented mask unknown).

    The foreground-minus-background score is resized bilinearly to the padded square (as torch's
    F.interpolate(align_corners=False) does) but only where it can be positive: the rows and
    columns whose two source taps reach a positive low-resolution score. A bilinear value is a
    convex combination of its taps, so everywhere else it is <= 0; the fetus is a small part of
    the frame, so this skips most of the work.
    """
    out = upsampled_mask(logits, box)
    return fill_and_keep_largest(out) if keep_largest else fill_holes(out)


def mask_and_pieces(logits: np.ndarray, box: Letterbox) -> tuple[np.ndarray, MaskPieces | None]:
    """logits_to_mask(keep_largest=False) with the mask's pieces (crl.mask_pieces; None for an empty
    mask), found together: the pieces of the unfilled mask tell whether it has holes at all (few
    masks do), and a mask without holes needs no filling and no second labelling."""
    mask = upsampled_mask(logits, box)
    try:
        pieces = mask_pieces(mask)
    except EmptyMaskError:
        return mask, None
    if pieces.holes == 0:
        return mask, pieces
    filled = fill_holes(mask)
    return filled, mask_pieces(filled)


def upsampled_mask(logits: np.ndarray, box: Letterbox) -> np.ndarray:
    """The network's mask at the frame's size: where the bilinearly resized foreground-minus-background
    score is positive (see logits_to_mask); not post-processed."""
    score = np.ascontiguousarray(logits[1] - logits[0] if logits.shape[0] > 1 else logits[0], dtype=np.float32)
    out = np.zeros((box.height, box.width), dtype=bool)
    positive = score > 0
    if not positive.any():
        return out
    size = score.shape[0]
    r0, r1, rw = _bilinear_taps(size, box.side)
    c0, c1, cw = _bilinear_taps(score.shape[1], box.side)
    pos_rows, pos_cols = positive.any(axis=1), positive.any(axis=0)
    rows = np.flatnonzero(pos_rows[r0] | pos_rows[r1])
    cols = np.flatnonzero(pos_cols[c0] | pos_cols[c1])
    rows = rows[(rows >= box.top) & (rows < box.top + box.height)]
    cols = cols[(cols >= box.left) & (cols < box.left + box.width)]
    if rows.size == 0 or cols.size == 0:
        return out
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    rs, cs = slice(top, bottom), slice(left, right)
    w = rw[rs, None]
    by_rows = (1 - w) * score[r0[rs]] + w * score[r1[rs]]  # (rows, S)
    # a * (1 - w) + b * w across the window, in place: the same arithmetic, fewer temporaries.
    w = cw[cs]
    up = np.take(by_rows, c0[cs], axis=1)
    up *= 1 - w
    up += np.take(by_rows, c1[cs], axis=1) * w
    out[top - box.top : bottom - box.top, left - box.left : right - box.left] = up > 0
    return out


class SegmentationModel:
    """Segments fetal frames. ``runner`` maps a float32 (N, 1, S, S) batch to (N, C, S, S) logits
    (TorchRunner or an ONNX Runtime runner), so both back ends share pre- and post-processing."""

    def __init__(self, runner, config: dict[str, Any]):
        self.runner = runner
        self.config = dict(config)
        self.input_size = int(config["input_size"])

    def preprocess(self, images) -> tuple[np.ndarray, list[Letterbox]]:
        frames = as_image_list(images)
        pairs = [letterbox(im, self.input_size) for im in frames]
        if not pairs:
            return np.zeros((0, 1, self.input_size, self.input_size), np.float32), []
        return np.stack([p[0] for p in pairs])[:, None].astype(np.float32), [p[1] for p in pairs]

    def predict(self, images, batch_size: int = 32) -> list[np.ndarray]:
        """Bool masks, one per frame, each the shape of its frame. Always returns a list."""
        batch, boxes = self.preprocess(images)
        logits = self.forward(batch, batch_size)
        return [logits_to_mask(lg, box) for lg, box in zip(logits, boxes, strict=True)]

    def forward(self, batch: np.ndarray, batch_size: int = 32) -> np.ndarray:
        outs = [self.runner(batch[i : i + batch_size]) for i in range(0, len(batch), batch_size)]
        return np.concatenate(outs) if outs else np.zeros((0, 2, self.input_size, self.input_size), np.float32)


def load_model(path: str | Path | None = None, *, device=None, backend: str = "torch") -> SegmentationModel:
    """Load a segmentation checkpoint (default workers/weights/segmentation.pt).

    backend: "torch" (device: cuda if available else cpu) or "onnx" (CPU, ONNX Runtime; the
    network is exported in memory at load time).
    """
    network, config, _ = load_checkpoint(path or DEFAULT_WEIGHTS, kind="segmentation", train_command=TRAIN_COMMAND)
    return SegmentationModel(make_runner(network, config, device=device, backend=backend), config)
