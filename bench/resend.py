"""Re-send cost: the time of a re-sent upload against a new one, same files, same run.

Each kind of file is uploaded N times as new files (distinct instance UIDs or bytes), then each is
sent again. Both go through POST /api/uploads/ (Django test client, real PostgreSQL, real Redis as
the broker; no worker is needed, the jobs only wait in the queue). Prints the median time of each
and their ratio per kind, beside the cost of the plainest authenticated GET (what no request goes
below). The target (issue #14 item 3) is a ratio of at most 0.10.

Needs PostgreSQL and Redis (defaults: 127.0.0.1:5432 trust auth, 127.0.0.1:6379); creates and drops
its own database and uses Redis db 14, flushed before and after.

    .venv/bin/python bench/resend.py --n 20
"""

import argparse
import datetime as dt
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch import png, scratch_database  # noqa: E402 - after the path is set


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="files of each kind")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--profile", default="hospital_b/aplio_i700")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with scratch_database(postgres=args.postgres, broker=args.redis):
        run(args)


def files(args: argparse.Namespace) -> dict[str, tuple[list[bytes], dict]]:
    """kind → (N distinct files, the extra request fields they need)."""
    from pydicom import dcmread
    from pydicom.data import get_testdata_file
    from pydicom.uid import generate_uid

    from workers.ml import synth
    from workers.ml.synth.dicom_writer import scan_to_dicom_bytes

    # One more of each than measured: the first warms imports, decoders and connections.
    # A fixed past date: the generator's own dates run through 2026, and future exam dates are refused.
    scans = [synth.generate_scan(args.profile, seed=s, study_date=dt.date(2026, 3, 2)) for s in range(args.n + 1)]
    cine = []
    for _ in range(args.n + 1):
        # pydicom's 30-frame JPEG baseline ultrasound cine, each copy a new instance.
        ds = dcmread(get_testdata_file("examples_ybr_color.dcm"))
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        buffer = io.BytesIO()
        ds.save_as(buffer, enforce_file_format=True)
        cine.append(buffer.getvalue())
    shape = scans[0].image.shape
    return {
        f"DICOM, 1 frame {shape[1]}x{shape[0]}": ([scan_to_dicom_bytes(s) for s in scans], {}),
        "DICOM, 30-frame JPEG cine 320x240": (cine, {}),
        f"PNG {shape[1]}x{shape[0]}": ([png(s.image) for s in scans], {"spacing_mm": str(scans[0].spacing_mm[0])}),
    }


def run(args: argparse.Namespace) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    from qa.models import Hospital, Role
    from qa.services.accounts import user_upsert
    from qa.services.ingest import ingest_upload

    hospital = Hospital.objects.create(name="Bench", slug="bench")
    # A second hospital: the keyed identities differ per hospital, so the same files are new there.
    other = Hospital.objects.create(name="Bench 2", slug="bench-2")
    user = user_upsert(username="bench", password="bench-pw-123", role=Role.QA_MANAGER, hospitals=[hospital, other])
    client = APIClient()
    client.force_authenticate(user)

    def upload(data: bytes, fields: dict, expected: int) -> float:
        started = time.perf_counter()
        response = client.post(
            "/api/uploads/",
            {"file": SimpleUploadedFile("scan", data), "hospital": hospital.id, **fields},
            format="multipart",
        )
        elapsed = time.perf_counter() - started
        assert response.status_code == expected, response.content
        return elapsed

    def floor() -> float:
        started = time.perf_counter()
        response = client.get("/api/hospitals/")
        assert response.status_code == 200, response.content
        return time.perf_counter() - started

    def service(data: bytes, fields: dict, duplicate: bool) -> float:
        spacing = float(fields["spacing_mm"]) if "spacing_mm" in fields else None
        started = time.perf_counter()
        result = ingest_upload(
            user=user, hospital=other, uploaded_file=SimpleUploadedFile("scan", data), spacing_mm=spacing
        )
        elapsed = time.perf_counter() - started
        assert result.duplicate is duplicate
        return elapsed

    kinds = files(args)
    columns = f"{'new upload':>12} {'re-send':>12} {'ratio':>7}"
    print(f"{'through the API':36} {columns} {'GET floor':>12}   (medians of {args.n})")
    for kind, (blobs, fields) in kinds.items():
        upload(blobs[0], fields, 201)
        new, again, floors = [], [], []
        # Interleaved, so a busy moment on a shared machine weighs on both sides alike.
        for blob in blobs[1:]:
            new.append(upload(blob, fields, 201))
            again.append(upload(blob, fields, 200))
            floors.append(floor())
        print(f"{kind:36} {ms(new):9.1f} ms {ms(again):9.1f} ms {ms(again) / ms(new):7.2f} {ms(floors):9.1f} ms")
    print("GET floor: GET /api/hospitals/ by the same user, the least any authenticated API request costs here.")

    print(f"\n{'ingest_upload alone':36} {columns}   (no HTTP, DRF or hospital look-up)")
    for kind, (blobs, fields) in kinds.items():
        service(blobs[0], fields, False)
        new, again = [], []
        for blob in blobs[1:]:
            new.append(service(blob, fields, False))
            again.append(service(blob, fields, True))
        print(f"{kind:36} {ms(new):9.1f} ms {ms(again):9.1f} ms {ms(again) / ms(new):7.2f}")


def ms(seconds: list[float]) -> float:
    return 1000 * statistics.median(seconds)


if __name__ == "__main__":
    main()
