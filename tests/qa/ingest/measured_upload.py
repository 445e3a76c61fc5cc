"""One upload through the real API in a fresh process, measured: prints one JSON line with the HTTP
status, the error code, the seconds the request took, the resident memory just before it, and the
process's peak resident memory (VmHWM), in bytes.

A process of its own is what makes the peak a proof: its high-water mark then covers this one request
and nothing else the caller did. VmHWM and not getrusage's ru_maxrss: Linux carries ru_maxrss over
from the parent through fork and exec, so a large parent would hide the child's own figure.
The database and media folder come from the environment (DATABASE_URL, FUSQA_MEDIA_ROOT,
DJANGO_SETTINGS_MODULE), the user and hospital from the arguments.

    python -m tests.qa.ingest.measured_upload USER_ID HOSPITAL_ID FILE [SPACING_MM] [--service]
"""

import argparse
import json
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("user_id", type=int)
    parser.add_argument("hospital_id", type=int)
    parser.add_argument("file", type=Path)
    parser.add_argument("spacing_mm", nargs="?")
    parser.add_argument(
        "--service",
        action="store_true",
        help="call ingest_upload with the file on disk, as a server's multipart parser hands it to the view, "
        "instead of posting it through the test client (which holds the whole body in memory)",
    )
    args = parser.parse_args()
    import django

    django.setup()
    import psutil
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    from qa.models import Hospital, User
    from tests.qa.ingest.dicoms import dicom_bytes, dicom_dataset, ultrasound_region

    client = APIClient()
    user = User.objects.get(id=args.user_id)
    client.force_authenticate(user=user)
    # A first small upload loads everything an upload loads once per process (the Celery app's task
    # modules among them), so the measure is this file's cost, not the process's start-up.
    warm = SimpleUploadedFile("warm.dcm", dicom_bytes(dicom_dataset(regions=[ultrasound_region()])))
    assert (
        client.post("/api/uploads/", {"hospital": args.hospital_id, "file": warm}, format="multipart").status_code
        == 201
    )
    hospital = Hospital.objects.get(id=args.hospital_id)
    before = psutil.Process().memory_info().rss
    started = time.perf_counter()
    if args.service:
        status, code, message = _through_service(user, hospital, args.file, args.spacing_mm)
    else:
        status, code, message = _through_api(client, hospital, args.file, args.spacing_mm)
    seconds = time.perf_counter() - started
    peak = _high_water_mark()
    print(
        json.dumps(
            {
                "status": status,
                "code": code,
                "message": message,
                "seconds": seconds,
                "rss_before": before,
                "peak_rss": peak,
            }
        )
    )


def _through_api(client, hospital, path: Path, spacing: str | None) -> tuple[int, str, str]:
    # An open file, not its bytes: the test client reads it into the request body only when it posts.
    with path.open("rb") as handle:
        fields = {"hospital": hospital.id, "file": handle, **({"spacing_mm": spacing} if spacing else {})}
        response = client.post("/api/uploads/", fields, format="multipart")
    body = response.json() if response.get("Content-Type", "").startswith("application/json") else {}
    error = body.get("error", {}) if isinstance(body, dict) else {}
    return response.status_code, error.get("code", ""), error.get("message", "")


def _through_service(user, hospital, path: Path, spacing: str | None) -> tuple[int, str, str]:
    from django.core.files.uploadedfile import UploadedFile

    from qa.errors import FusqaError
    from qa.services.ingest import ingest_upload

    with path.open("rb") as handle:
        uploaded = UploadedFile(handle, name=path.name, size=path.stat().st_size)
        try:
            result = ingest_upload(
                user=user, hospital=hospital, uploaded_file=uploaded, spacing_mm=float(spacing) if spacing else None
            )
        except FusqaError as exc:
            return exc.status_code, exc.code, exc.message
    return (200 if result.duplicate else 201), "", ""


def _high_water_mark() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024  # kB
    raise RuntimeError("no VmHWM in /proc/self/status")


if __name__ == "__main__":
    main()
