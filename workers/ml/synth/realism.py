"""How alike the phantoms and the real scan are: the same statistics measured on both.

    python -m workers.ml.synth.realism [--frames 12] [--out docs/realism.json]

Per image, with its reference mask (the expert's on the real scan, the drawn one on a phantom):
- edge profile: mean grey against the signed distance to the mask's outline, -20 px (inside) to
  +20 px (outside; 0 is the mask's own edge pixel), i.e. averaged along the outline's normals;
  where its brightest point sits
  (px; negative = inside the outline) and the mean grey 1-5 px inside vs 1-5 px outside;
- interior: mean and SD of the grey inside the mask;
- speckle size: autocorrelation FWHM (axial = rows, lateral = cols, px) of the largest square
  inside the mask.

The real scan (``/work/shared/reference/first-trimester-crl``) is measured, never trained on and
never used to choose a generator setting by search: the table is for judging.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

from .profiles import list_profiles
from .scan import generate_scan
from .speckle import autocorrelation_fwhm_px

REFERENCE_DIR = Path("/work/shared/reference/first-trimester-crl")
EDGE_RANGE_PX = 20


def edge_profile(image: np.ndarray, mask: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """Mean grey at signed distances -EDGE_RANGE_PX..+EDGE_RANGE_PX px from the outline
    (negative inside). ``valid``: pixels to use (e.g. the imaged sector)."""
    mask = mask > 0
    # 0: the mask's own edge pixels, -k: k px further in, +k: k px outside.
    inside = 1.0 - ndimage.distance_transform_edt(mask)
    bins = np.round(np.where(mask, inside, ndimage.distance_transform_edt(~mask))).astype(int)
    keep = np.abs(bins) <= EDGE_RANGE_PX
    if valid is not None:
        keep &= valid
    sums = np.bincount(bins[keep] + EDGE_RANGE_PX, weights=image[keep].astype(float), minlength=2 * EDGE_RANGE_PX + 1)
    counts = np.bincount(bins[keep] + EDGE_RANGE_PX, minlength=2 * EDGE_RANGE_PX + 1)
    return sums / np.maximum(counts, 1)


def _inner_square(mask: np.ndarray) -> tuple[slice, slice]:
    dist = ndimage.distance_transform_edt(mask)
    r, c = np.unravel_index(int(np.argmax(dist)), dist.shape)
    half = max(4, int(dist[r, c] / np.sqrt(2)) - 1)
    return slice(r - half, r + half), slice(c - half, c + half)


def measure(image: np.ndarray, mask: np.ndarray, valid: np.ndarray | None = None) -> dict:
    """The realism statistics of one image and its reference mask."""
    image = np.asarray(image, dtype=float)
    mask = np.asarray(mask) > 0
    profile = edge_profile(image, mask, valid)
    offsets = np.arange(-EDGE_RANGE_PX, EDGE_RANGE_PX + 1)
    rows, cols = _inner_square(mask)
    axial, lateral = autocorrelation_fwhm_px(image[rows, cols])
    radius = float(np.sqrt(mask.sum() / np.pi))
    peak = int(offsets[int(np.argmax(profile))])
    return {
        "edge_profile": [round(float(v), 1) for v in profile],
        "edge_peak_px": peak,
        "edge_peak_share_of_radius": round(peak / radius, 3),
        "edge_inside_1_5": round(float(profile[EDGE_RANGE_PX - 5 : EDGE_RANGE_PX].mean()), 1),
        "edge_outside_1_5": round(float(profile[EDGE_RANGE_PX + 1 : EDGE_RANGE_PX + 6].mean()), 1),
        "interior_mean": round(float(image[mask].mean()), 1),
        "interior_sd": round(float(image[mask].std()), 1),
        "speckle_fwhm_axial_px": round(float(axial), 2),
        "speckle_fwhm_lateral_px": round(float(lateral), 2),
        "fetus_radius_px": round(radius, 1),
    }


def measure_reference(folder: Path = REFERENCE_DIR) -> dict:
    image = np.asarray(Image.open(folder / "image.png").convert("L"))
    mask = np.asarray(Image.open(folder / "mask_expert.png")) > 0
    return measure(image, mask, valid=image > 0)


def measure_profile(name: str, frames: int, first_seed: int = 0, drift: float = 0.0) -> list[dict]:
    out = []
    for seed in range(first_seed, first_seed + frames):
        scan = generate_scan(name, seed, drift=drift)
        out.append(measure(scan.image, scan.mask, valid=scan.sector_mask))
    return out


SUMMARY_KEYS = (
    "interior_mean",
    "interior_sd",
    "edge_peak_px",
    "edge_peak_share_of_radius",
    "edge_inside_1_5",
    "edge_outside_1_5",
    "speckle_fwhm_axial_px",
    "speckle_fwhm_lateral_px",
    "fetus_radius_px",
)


def summarise(rows: list[dict]) -> dict:
    """Median and 10th / 90th percentiles of each statistic, and the median edge profile."""
    out: dict = {"frames": len(rows)}
    for key in SUMMARY_KEYS:
        values = np.array([r[key] for r in rows], float)
        out[key] = {
            "median": round(float(np.median(values)), 3),
            "p10": round(float(np.percentile(values, 10)), 3),
            "p90": round(float(np.percentile(values, 90)), 3),
        }
    out["edge_profile_median"] = [round(float(v), 1) for v in np.median([r["edge_profile"] for r in rows], axis=0)]
    return out


def realism_report(frames: int, first_seed: int = 0) -> dict:
    report = {"real": measure_reference(), "edge_offsets_px": list(range(-EDGE_RANGE_PX, EDGE_RANGE_PX + 1))}
    plan = [(name, 0.0) for name in list_profiles()] + [("hospital_b/aplio_i700", 1.0)]
    report["phantoms"] = {
        name + (" (drifted)" if drift else ""): summarise(measure_profile(name, frames, first_seed, drift))
        for name, drift in plan
    }
    return report


def markdown_table(report: dict) -> str:
    """The realism table for docs/phantoms.md."""

    def cell(stats: dict, key: str) -> str:
        s = stats[key]
        return f"{s['median']:g} ({s['p10']:g}–{s['p90']:g})"

    picks = (-12, -6, -3, 0, 3, 6, 12)
    offsets = report["edge_offsets_px"]
    head = (
        "| source | frames | interior SD | interior mean | edge peak px (share of radius) | grey 1–5 px in / out |"
        " speckle FWHM ax × lat px | edge profile at " + ", ".join(f"{p:+d}" for p in picks) + " px |"
    )
    lines = [head, "|" + "---|" * 8]
    real = report["real"]
    prof = [real["edge_profile"][offsets.index(p)] for p in picks]
    lines.append(
        f"| **real scan (expert mask)** | 1 | {real['interior_sd']} | {real['interior_mean']} | "
        f"{real['edge_peak_px']} ({real['edge_peak_share_of_radius']}) | "
        f"{real['edge_inside_1_5']} / {real['edge_outside_1_5']} | "
        f"{real['speckle_fwhm_axial_px']} × {real['speckle_fwhm_lateral_px']} | "
        + ", ".join(f"{v:.0f}" for v in prof)
        + " |"
    )
    for name, stats in report["phantoms"].items():
        prof = [stats["edge_profile_median"][offsets.index(p)] for p in picks]
        lines.append(
            f"| {name} | {stats['frames']} | {cell(stats, 'interior_sd')} | {cell(stats, 'interior_mean')} | "
            f"{cell(stats, 'edge_peak_px')} ({stats['edge_peak_share_of_radius']['median']:g}) | "
            f"{stats['edge_inside_1_5']['median']:g} / {stats['edge_outside_1_5']['median']:g} | "
            f"{stats['speckle_fwhm_axial_px']['median']:g} × {stats['speckle_fwhm_lateral_px']['median']:g} | "
            + ", ".join(f"{v:.0f}" for v in prof)
            + " |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workers.ml.synth.realism")
    parser.add_argument("--frames", type=int, default=12, help="phantoms per profile")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("docs/realism.json"))
    args = parser.parse_args(argv)
    report = realism_report(args.frames, args.first_seed)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(markdown_table(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
