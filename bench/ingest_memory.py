"""Ingest memory benchmark: each file uploaded through the API in a fresh process, its peak RSS measured.

For every file prints: what it is, bytes sent, pixel bytes its header describes, HTTP status (and
refusal code), seconds, RSS before the request, peak RSS (the child's VmHWM), and for accepted
files the bound the issue sets: peak RSS ≤ 3 × pixel bytes + 300 MB. The largest accepted file is the
one the bound is about; the others show the refusals (a deflate bomb, a file over the pixel budget).

Each file is measured twice, each time in a fresh process: "api" posts it through DRF's test client,
which builds the whole multipart body in memory (a cost a real server, streaming the upload to a
temporary file, does not have); "service" hands ingest_upload the file on disk, as the view receives it
from a server. The bound is judged on "service"; "api" shows the test client's share.

Needs PostgreSQL (default 127.0.0.1:5432, trust auth); creates and drops its own database.

    .venv/bin/python bench/ingest_memory.py
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch import scratch_database  # noqa: E402 - after the path is set

MB = 1_000_000
MIB = 1 << 20


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    return parser.parse_args()


def files(folder: Path) -> list[tuple[str, Path, int, str | None]]:
    """(label, path, pixel bytes the header describes, spacing to send)."""
    import numpy as np
    from pydicom.data import get_testdata_file

    from tests.qa.ingest.big_dicoms import deflate_bomb, deflated, rle_rgb32
    from tests.qa.ingest.dicoms import dicom_bytes, dicom_dataset, ultrasound_region

    made = []

    def add(label, data, pixel_bytes, spacing=None):
        path = folder / f"{len(made)}.dcm"
        path.write_bytes(data)
        made.append((label, path, pixel_bytes, spacing))

    add("deflate bomb: 64x64 header, 1 GiB of zeros inflated", deflate_bomb(), 64 * 64)
    add("RLE 4096x4096 RGB 32-bit, 2 frames", rle_rgb32(frames=2), 4096 * 4096 * 3 * 4 * 2)
    add("RLE 4096x4096 RGB 32-bit, 1 frame", rle_rgb32(frames=1), 4096 * 4096 * 3 * 4)
    cine = dicom_dataset(frames=400, rows=480, cols=640, regions=[ultrasound_region(box=(40, 30, 600, 450))])
    add("native 8-bit cine 640x480, 400 frames", dicom_bytes(cine), 640 * 480 * 400)
    ramp = (np.arange(256 * 256) // 512 % 256).astype(np.uint8).reshape(256, 256)
    smooth = dicom_dataset(pixels=ramp, regions=[ultrasound_region(box=(0, 0, 255, 255))])
    add("valid deflated 256x256 (made here)", deflated(smooth), 256 * 256)
    dfl = Path(get_testdata_file("image_dfl.dcm")).read_bytes()
    add("valid deflated pydicom image_dfl.dcm 512x512", dfl, 512 * 512, "0.3")
    return made


def main() -> None:
    args = parse_args()
    with scratch_database(postgres=args.postgres):
        from tests.factories import HospitalFactory, UserFactory

        # One hospital per way of sending: the second send of a file to the same hospital is a duplicate.
        hospitals = {"api": HospitalFactory(), "service": HospitalFactory()}
        user = UserFactory(role="admin")
        with tempfile.TemporaryDirectory(prefix="fusqa-bench-ingest-") as folder:
            run(files(Path(folder)), user_id=user.id, hospital_ids={via: h.id for via, h in hospitals.items()})


def run(made, *, user_id: int, hospital_ids: dict[str, int]) -> None:
    print(
        f"{'file':54} {'sent MB':>8} {'pixel MB':>9} {'via':>7} {'status':>22} {'s':>6} {'RSS0 MB':>8} "
        f"{'peak MB':>8} bound"
    )
    largest = None
    for label, path, pixel_bytes, spacing in made:
        for via, hospital_id in hospital_ids.items():
            command = [sys.executable, "-m", "tests.qa.ingest.measured_upload", str(user_id), str(hospital_id)]
            command += [str(path), *([spacing] if spacing else []), *(["--service"] if via == "service" else [])]
            out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
            if out.returncode != 0:
                print(f"{label:54} {via}: child failed (rc {out.returncode}): {out.stderr.strip()[-400:]}")
                continue
            m = json.loads(out.stdout.strip().splitlines()[-1])
            status = f"{m['status']} {m['code']}".strip()
            bound = 3 * pixel_bytes + 300 * MB
            verdict = ""
            if m["status"] < 300:
                verdict = f"{bound / MB:5.0f} MB {'ok' if m['peak_rss'] <= bound else 'OVER'}"
                if via == "service" and (largest is None or pixel_bytes > largest[1]):
                    largest = (label, pixel_bytes, m["peak_rss"], bound)
            print(
                f"{label:54} {path.stat().st_size / MB:8.2f} {pixel_bytes / MB:9.1f} {via:>7} {status:>22} "
                f"{m['seconds']:6.2f} {m['rss_before'] / MB:8.0f} {m['peak_rss'] / MB:8.0f} {verdict}"
            )
    if largest:
        label, pixel_bytes, peak, bound = largest
        print(
            f"largest accepted (service): {label}: peak RSS {peak / MB:.0f} MB, bound 3 x {pixel_bytes / MB:.0f} + 300 "
            f"= {bound / MB:.0f} MB: {'within' if peak <= bound else 'OVER'}"
        )


if __name__ == "__main__":
    main()
