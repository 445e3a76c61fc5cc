"""Label-preserving augmentation of the classifier's crops, so that no single cue decides.

The crops are (N, 2, S, S): channel 0 the standardised image, channel 1 the mask in [0, 1]. Each
change below keeps the label (the mask still fits the image exactly as well) while removing one
shortcut the phantoms could offer:

- rotation by any angle and an anisotropic stretch (both channels): orientation and pixel aspect;
- gamma, blur, histogram matching to another crop of the batch, a smooth multiplicative texture:
  the grey map, the resolution, the machine's look, the interior's texture;
- attenuation of the rim (the image in a band along the mask's edge, dimmed): a bright skin line
  exactly on the outline (FINDINGS lesson 7).

Each is applied to a random share of the batch, independently.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F


def _unit(img: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per-sample min-max to [0, 1]; returns (unit image, low, span)."""
    low = img.amin(dim=(-2, -1), keepdim=True)
    span = (img.amax(dim=(-2, -1), keepdim=True) - low).clamp_min(1e-6)
    return (img - low) / span, low, span


def _standardise(img: torch.Tensor) -> torch.Tensor:
    mean = img.mean(dim=(-2, -1), keepdim=True)
    std = img.std(dim=(-2, -1), keepdim=True).clamp_min(1e-3)
    return (img - mean) / std


def _gaussian_blur(img: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """Blur each (1, S, S) image with its own sigma (px); sigma 0 leaves it as it is."""
    radius = 4
    t = torch.arange(-radius, radius + 1, dtype=img.dtype)
    kernels = torch.exp(-0.5 * (t[None, :] / sigma.clamp_min(1e-3)[:, None]) ** 2)
    kernels = kernels / kernels.sum(1, keepdim=True)
    n = img.shape[0]
    x = img.reshape(1, n, *img.shape[-2:])
    x = F.conv2d(F.pad(x, (radius, radius, 0, 0), mode="replicate"), kernels[:, None, None, :], groups=n)
    x = F.conv2d(F.pad(x, (0, 0, radius, radius), mode="replicate"), kernels[:, None, :, None], groups=n)
    out = x.reshape(img.shape)
    return torch.where((sigma > 0.05)[:, None, None, None], out, img)


def _geometry(x: torch.Tensor, rng: np.random.Generator, share: float) -> torch.Tensor:
    n = x.shape[0]
    pick = rng.random(n) < share
    if not pick.any():
        return x
    angle = rng.uniform(-math.pi, math.pi, n)
    stretch = np.exp(rng.uniform(-0.25, 0.25, n))  # one axis up to +-28 %, the other inverse-ish
    axis = rng.uniform(0, math.pi, n)
    theta = np.zeros((n, 2, 3), np.float32)
    for i in range(n):
        if not pick[i]:
            theta[i, :, :2] = np.eye(2)
            continue
        c, s = math.cos(axis[i]), math.sin(axis[i])
        r_axis = np.array([[c, -s], [s, c]])
        scale = np.diag([stretch[i], 1.0 / math.sqrt(stretch[i])])
        ca, sa = math.cos(angle[i]), math.sin(angle[i])
        rot = np.array([[ca, -sa], [sa, ca]])
        theta[i, :, :2] = rot @ r_axis @ scale @ r_axis.T
    grid = F.affine_grid(torch.from_numpy(theta), list(x.shape), align_corners=False)
    img_min = x[:, :1].amin(dim=(-2, -1), keepdim=True)
    shifted = torch.cat([x[:, :1] - img_min, x[:, 1:]], 1)  # zero padding = the crop's darkest grey
    out = F.grid_sample(shifted, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    out = torch.cat([out[:, :1] + img_min, out[:, 1:].clamp(0, 1)], 1)
    return out


def augment_quality(x: torch.Tensor, rng: np.random.Generator, strength: float = 1.0) -> torch.Tensor:
    """Augmented copy of a batch of crops (see the module docstring). strength scales the share
    of the batch each change is applied to (0: none)."""
    if strength <= 0:
        return x
    x = x.float().clone()
    n, size = x.shape[0], x.shape[-1]
    x = _geometry(x, rng, 0.5 * strength)
    img, mask = x[:, :1], x[:, 1:]
    unit, _, _ = _unit(img)

    def chosen(share: float) -> torch.Tensor:
        return torch.from_numpy(rng.random(n) < share * strength)[:, None, None, None]

    # Rim attenuation: dim a band along the mask's edge (often: it is the cue that misled).
    k = int(rng.integers(1, 4)) * 2 + 1
    outer = F.max_pool2d(mask, k, stride=1, padding=k // 2)
    inner = -F.max_pool2d(-mask, k, stride=1, padding=k // 2)
    band = F.avg_pool2d(outer - inner, 3, stride=1, padding=1)
    keep = torch.from_numpy(rng.uniform(0.2, 0.9, n).astype(np.float32))[:, None, None, None]
    unit = torch.where(chosen(0.4), unit * (1 - band * (1 - keep)), unit)
    # Texture: smooth multiplicative variation.
    cells = int(rng.integers(4, 16))
    field = F.interpolate(torch.from_numpy(rng.normal(0, 1, (n, 1, cells, cells)).astype(np.float32)), size=size,
                          mode="bilinear", align_corners=False)  # fmt: skip
    amp = torch.from_numpy(rng.uniform(0.1, 0.5, n).astype(np.float32))[:, None, None, None]
    unit = torch.where(chosen(0.3), (unit * torch.exp(amp * field)).clamp(0, 1), unit)
    # Gamma.
    gamma = torch.from_numpy(np.exp(rng.uniform(-0.6, 0.6, n)).astype(np.float32))[:, None, None, None]
    unit = torch.where(chosen(0.5), unit.clamp_min(0) ** gamma, unit)
    # Histogram matching to another crop of the batch.
    donors = rng.permutation(n)
    flat = unit.reshape(n, -1)
    order = flat.argsort(dim=1)
    matched = torch.empty_like(flat)
    matched.scatter_(1, order, flat[donors].sort(dim=1).values)
    unit = torch.where(chosen(0.2), matched.reshape(unit.shape), unit)
    # Blur.
    sigma = torch.from_numpy(np.where(rng.random(n) < 0.3 * strength, rng.uniform(0.5, 2.0, n), 0.0).astype(np.float32))
    unit = _gaussian_blur(unit, sigma)
    return torch.cat([_standardise(unit), mask], 1)
