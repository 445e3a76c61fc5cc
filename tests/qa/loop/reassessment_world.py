"""Frames judged by a first pair of tiny models (FUSQA calls every mask good), and a second FUSQA version that
calls every mask poor, ready to be activated."""

import datetime as dt

import numpy as np
from rest_framework.test import APIClient

from qa.models import ModelKind, ProcessingJob, Study
from qa.services.model_registry import model_version_register
from tests.factories import HospitalFactory, UserFactory, png_bytes
from tests.pipeline.models import activate_tiny_models, tiny_checkpoints


def upload_frames(folder, *, count: int) -> tuple[APIClient, list[int]]:
    activate_tiny_models(folder, fusqa_logit=3.0)
    hospital = HospitalFactory()
    client = APIClient()
    client.force_authenticate(UserFactory(role="admin"))
    frame_ids = []
    for seed in range(count):
        pixels = np.random.default_rng(seed).integers(0, 255, (64, 80), dtype=np.uint8)
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile(f"scan-{seed}.png", png_bytes(pixels), content_type="image/png")
        response = client.post(
            "/api/uploads/", {"file": upload, "hospital": hospital.id, "spacing_mm": "0.25"}, format="multipart"
        )
        assert response.status_code == 201, response.content
        frame_ids.append(response.json()["frames"][0]["id"])
    return client, frame_ids


def age_frames(frame_ids: list[int], *, days: int) -> None:
    Study.objects.filter(frames__id__in=frame_ids).update(exam_date=dt.date.today() - dt.timedelta(days=days))


def all_processed() -> bool:
    return not ProcessingJob.objects.filter(status__in=["pending", "running"]).exists()


def register_poor_fusqa(folder, *, activate: bool):
    _, fusqa = tiny_checkpoints(folder / "v2", version="t2", fusqa_logit=-3.0)
    return model_version_register(kind=ModelKind.FUSQA, version="t2", weights_file=str(fusqa), activate=activate)
