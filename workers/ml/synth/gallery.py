"""docs/phantoms.png: samples of every machine profile beside the real reference scan.

python -m workers.ml.synth.gallery docs/phantoms.png [--reference PATH] [--seeds 1 2 3]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from .profiles import list_profiles
from .scan import generate_scan

REFERENCE = Path("/work/shared/reference/first-trimester-crl/image.png")
TILE = 300


def _tile(image: np.ndarray, caption: str) -> np.ndarray:
    pil = Image.fromarray(image)
    pil.thumbnail((TILE, TILE))
    canvas = Image.new("L", (TILE, TILE + 16), 40)
    canvas.paste(pil, ((TILE - pil.width) // 2, 16 + (TILE - pil.height) // 2))
    ImageDraw.Draw(canvas).text((4, 2), caption, fill=255)
    return np.asarray(canvas)


def phantom_grid(
    seeds: list[int], reference: Path | None = REFERENCE, drift_profile: str | None = "hospital_b/aplio_i700"
) -> np.ndarray:
    """One row per profile (its seeds), the real scan in the first column of the first row, and a
    last row with ``drift_profile`` at full drift (same seeds: the same fetuses)."""
    ref = None
    if reference is not None and reference.exists():
        ref = _tile(np.asarray(Image.open(reference).convert("L")), "REAL reference scan")
    rows = []
    plan = [(name, 0.0) for name in list_profiles()] + ([(drift_profile, 1.0)] if drift_profile else [])
    for i, (name, drift) in enumerate(plan):
        tiles = [ref if (i == 0 and ref is not None) else np.full((TILE + 16, TILE), 40, np.uint8)]
        for seed in seeds:
            scan = generate_scan(name, seed, drift=drift)
            label = f"{name} s{seed} CRL {scan.crl_mm:.0f}mm" + (" DRIFTED" if drift else "")
            tiles.append(_tile(scan.image, label))
        rows.append(np.hstack(tiles))
    return np.vstack(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--reference", type=Path, default=REFERENCE)
    parser.add_argument("--seeds", type=int, nargs="+", default=[8, 3, 6, 4])
    args = parser.parse_args()
    Image.fromarray(phantom_grid(args.seeds, args.reference)).save(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
