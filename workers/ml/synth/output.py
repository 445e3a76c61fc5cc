"""Write a batch to disk: DICOM files, PNG images, PNG masks and a manifest."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from PIL import Image

from .dicom_writer import scan_to_dicom_bytes
from .scan import SyntheticScan

MANIFEST_FIELDS = (
    "stem",
    "profile",
    "seed",
    "crl_mm",
    "ga_days_true",
    "ga_days_reported",
    "spacing_row_mm",
    "spacing_col_mm",
    "rows",
    "cols",
    "zoom_index",
    "fetus_fraction",
    "touching_wall",
    "study_date",
    "drift_factor",
    "crl_r1",
    "crl_c1",
    "crl_r2",
    "crl_c2",
    "dicom",
    "image",
    "mask",
)


def frame_stem(scan: SyntheticScan) -> str:
    return f"{scan.profile.replace('/', '__')}__{scan.seed:06d}"


def _png(array, path: Path) -> None:
    Image.fromarray(array).save(path, format="PNG", optimize=False, compress_level=6)


def write_scans(scans: Iterable[SyntheticScan], out_dir: str | Path) -> Path:
    """Write each frame (dicom/, images/, masks/) and manifest.csv; returns the manifest path.

    Masks are the label values (0 background, 1 head, 2 body) as 8-bit PNG.
    """
    out = Path(out_dir)
    for sub in ("dicom", "images", "masks"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    manifest = out / "manifest.csv"
    with manifest.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=MANIFEST_FIELDS, lineterminator="\n")
        writer.writeheader()
        for scan in scans:
            stem = frame_stem(scan)
            (out / "dicom" / f"{stem}.dcm").write_bytes(scan_to_dicom_bytes(scan))
            _png(scan.image, out / "images" / f"{stem}.png")
            _png(scan.labels, out / "masks" / f"{stem}.png")
            (r1, c1), (r2, c2) = scan.crl_points
            writer.writerow(
                {
                    "stem": stem,
                    "profile": scan.profile,
                    "seed": scan.seed,
                    "crl_mm": f"{scan.crl_mm:.3f}",
                    "ga_days_true": f"{scan.ga_days_true:.2f}",
                    "ga_days_reported": f"{scan.ga_days_reported:.1f}",
                    "spacing_row_mm": f"{scan.spacing_mm[0]:.6f}",
                    "spacing_col_mm": f"{scan.spacing_mm[1]:.6f}",
                    "rows": scan.image.shape[0],
                    "cols": scan.image.shape[1],
                    "zoom_index": scan.zoom_index,
                    "fetus_fraction": f"{scan.fetus_fraction:.4f}",
                    "touching_wall": int(scan.touching_wall),
                    "study_date": scan.study_date.isoformat(),
                    "drift_factor": f"{scan.drift_factor:.3f}",
                    "crl_r1": f"{r1:.2f}",
                    "crl_c1": f"{c1:.2f}",
                    "crl_r2": f"{r2:.2f}",
                    "crl_c2": f"{c2:.2f}",
                    "dicom": f"dicom/{stem}.dcm",
                    "image": f"images/{stem}.png",
                    "mask": f"masks/{stem}.png",
                }
            )
    return manifest
