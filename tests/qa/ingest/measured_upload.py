"""One upload through the real API in a fresh process, measured: prints one JSON line with the HTTP
status, the error code, the seconds the request took, the resident memory just before it, and the
process's peak resident memory (VmHWM), in bytes.

A process of its own is what makes the peak a proof: its high-water mark then covers this one request
and nothing else the caller did. VmHWM and not getrusage's ru_maxrss: Linux carries ru_maxrss over
from the parent through fork and exec, so a large parent would hide the child's own figure.
The database and media folder come from the environment (DATABASE_URL, FUSQA_MEDIA_ROOT,
DJANGO_SETTINGS_MODULE), the user and hospital from the arguments.

    python -m tests.qa.ingest.measured_upload USER_ID HOSPITAL_ID FILE [SPACING_MM]
"""

import json
import sys
import time
from pathlib import Path


def main() -> None:
    user_id, hospital_id, path = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    spacing = sys.argv[4] if len(sys.argv) > 4 else None
    import django

    django.setup()
    import psutil
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    from qa.models import User
    from tests.qa.ingest.dicoms import dicom_bytes, dicom_dataset, ultrasound_region

    client = APIClient()
    client.force_authenticate(user=User.objects.get(id=user_id))
    # An open file, not its bytes: the test client reads it into the request body only when it posts.
    fields = {"hospital": hospital_id, "file": path.open("rb")}
    if spacing:
        fields["spacing_mm"] = spacing
    # A first small upload loads everything an upload loads once per process (the Celery app's task
    # modules among them), so the measure is this file's cost, not the process's start-up.
    warm = SimpleUploadedFile("warm.dcm", dicom_bytes(dicom_dataset(regions=[ultrasound_region()])))
    assert client.post("/api/uploads/", {"hospital": hospital_id, "file": warm}, format="multipart").status_code == 201
    before = psutil.Process().memory_info().rss
    started = time.perf_counter()
    response = client.post("/api/uploads/", fields, format="multipart")
    seconds = time.perf_counter() - started
    peak = _high_water_mark()
    body = response.json() if response.get("Content-Type", "").startswith("application/json") else {}
    error = body.get("error", {}) if isinstance(body, dict) else {}
    print(
        json.dumps(
            {
                "status": response.status_code,
                "code": error.get("code", ""),
                "message": error.get("message", ""),
                "seconds": seconds,
                "rss_before": before,
                "peak_rss": peak,
            }
        )
    )


def _high_water_mark() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024  # kB
    raise RuntimeError("no VmHWM in /proc/self/status")


if __name__ == "__main__":
    main()
