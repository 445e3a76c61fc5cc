"""An implausible mask is stored as "unknown" with its reasons, by a real worker process (Redis, PostgreSQL),
and the API, the dashboard's drill-down and the review queue carry it."""

import pytest
from rest_framework.test import APIClient

from qa.models import Assessment, JobStatus, ProcessingJob
from tests.factories import HospitalFactory, UserFactory, png_bytes
from tests.pipeline.models import activate_tiny_models
from tests.pipeline.processes import Worker, wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

BORDER = "the mask touches the image border: the fetus may be cut off"


def _upload(client, hospital, seed: int) -> int:
    import numpy as np
    from django.core.files.uploadedfile import SimpleUploadedFile

    pixels = np.random.default_rng(seed).integers(1, 255, (96, 128), dtype=np.uint8)
    response = client.post(
        "/api/uploads/",
        {
            "file": SimpleUploadedFile(f"scan-{seed}.png", png_bytes(pixels), content_type="image/png"),
            "hospital": hospital.id,
            "spacing_mm": "0.25",
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return response.json()["frames"][0]["id"]


def test_a_mask_that_fills_the_frame_is_stored_as_unknown_with_its_reason_by_a_real_worker(broker, tmp_path):
    # Given: the tiny stand-in models with the plausibility checks on; their mask is the whole frame
    activate_tiny_models(tmp_path, mask_checks=True)
    hospital = HospitalFactory()
    client = APIClient()
    client.force_authenticate(UserFactory(role="qa_manager", member_of=[hospital]))
    frame_id = _upload(client, hospital, seed=1)

    # When: a real worker process takes the job
    worker = Worker(broker.url, tmp_path / "worker.log").start()
    try:
        wait_until(
            lambda: ProcessingJob.objects.filter(frame_id=frame_id, status=JobStatus.DONE).exists(),
            timeout=60,
            what="the job to finish",
        )
    finally:
        worker.stop()

    # Then: unknown with the reason, p(good) kept, and no component silently dropped
    assessment = Assessment.objects.get(mask__frame_id=frame_id)
    assert assessment.label == "unknown"
    assert assessment.reasons == [BORDER]
    assert assessment.mask.area_px == 96 * 128
    detail = client.get(f"/api/frames/{frame_id}/").json()
    assert detail["label"] == "unknown" and detail["reasons"] == [BORDER]
    assert detail["latest_assessment"]["reasons"] == [BORDER]
    assert detail["latest_assessment"]["ood_score"] is None  # the stand-in has no OOD statistics
    assert detail["dating"]["fit"] is False
    study = client.get(f"/api/studies/{detail['study']}/").json()
    assert study["quality"] == "unknown" and study["unknown_frames"] == 1
    assert study["frames"][0]["reasons"] == [BORDER]
