"""The training-set acceptance on demo data: process the demo's pending frames, have two experts review
them through the real lease/review services (a corrected mask for each frame they call poor), then freeze
a training set, download it through the API as an admin, open it and check every file against the manifest.

    DATABASE_URL=... .venv/bin/python manage.py migrate
    DATABASE_URL=... .venv/bin/python manage.py seed_demo --first-per-machine 5
    DATABASE_URL=... .venv/bin/python manage.py seed_known_answers --hospital northgate --count 4
    DATABASE_URL=... .venv/bin/python scripts/training_set_acceptance.py --reviews 16 --out /tmp/fusqa-training-set.zip

The experts' verdicts here are a stand-in (the classifier's own label, a dilated mask as the correction):
the point is the path from reviews to a checked zip, not the labels' quality.
"""

import argparse
import io
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fusqa_web.settings.local")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from PIL import Image  # noqa: E402
from scipy import ndimage  # noqa: E402

from qa.models import Assessment, JobStatus, Membership, ProcessingJob, Role, User  # noqa: E402
from qa.review_selectors import QueueFilters  # noqa: E402
from qa.services.processing import jobs_process, mask_png  # noqa: E402
from qa.services.reviews import review_lease_next, review_submit  # noqa: E402


def process_pending() -> int:
    pending = list(ProcessingJob.objects.filter(status=JobStatus.PENDING).values_list("id", flat=True))
    for start in range(0, len(pending), 8):
        jobs_process(job_ids=pending[start : start + 8], worker="acceptance")
    return len(pending)


def review_some(count: int) -> int:
    experts = [User.objects.get(username="expert")]
    second, _ = User.objects.get_or_create(username="expert_two", defaults={"role": Role.EXPERT})
    for membership in experts[0].memberships.all():
        Membership.objects.get_or_create(user=second, hospital=membership.hospital)
    experts.append(second)
    done = 0
    while done < count:
        progressed = False
        for expert in experts:
            lease = review_lease_next(expert=expert, filters=QueueFilters())
            if lease is None:
                continue
            assessments = Assessment.objects.filter(mask=lease.mask).order_by("-created_at")
            label = assessments.values_list("label", flat=True)[0]
            corrected = None
            if label != "good":
                with lease.mask.data.open("rb") as handle:
                    shown = np.asarray(Image.open(io.BytesIO(handle.read())).convert("L")) > 0
                if shown.any():
                    corrected = mask_png(ndimage.binary_dilation(shown, iterations=3))
            review_submit(
                expert=expert,
                lease_id=lease.pk,
                verdict="good" if label == "good" else "poor",
                seconds_spent=25.0,
                corrected_png=corrected,
            )
            done += 1
            progressed = True
        if not progressed:
            break
    return done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=16)
    parser.add_argument("--out", default="/tmp/fusqa-training-set.zip")
    args = parser.parse_args()
    print(f"processed {process_pending()} pending frames")
    print(f"gave {review_some(args.reviews)} reviews")
    admin = User.objects.filter(role=Role.ADMIN).first()
    client = Client()
    client.force_login(admin)
    created = client.post("/api/training-sets/")
    assert created.status_code == 201, created.content
    body = created.json()
    print(f"POST /api/training-sets/ -> 201: version {body['version']}, {body['items']} items, {body['summary']}")
    download = client.get(body["download_url"])
    assert download.status_code == 200, download.content
    print(f"GET {body['download_url']} -> 200, {download['Content-Disposition']}")
    Path(args.out).write_bytes(b"".join(download.streaming_content))
    call_command("check_training_set", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
