"""A hospital with frames waiting for review, the experts who read them, and helpers to lease and review."""

import io
from dataclasses import dataclass

import numpy as np
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from qa.models import Hospital, Machine, Mask, Role, User
from tests.factories import (
    AssessmentFactory,
    FrameFactory,
    HospitalFactory,
    MachineFactory,
    MaskFactory,
    MeasurementFactory,
    StudyFactory,
    UserFactory,
    png_bytes,
)

WIDTH, HEIGHT, SPACING_MM = 200, 150, 0.3


def fetus(*, length_px: int = 150, height_px: int = 60, shift_px: int = 0) -> np.ndarray:
    """An ellipse standing in for a fetus: its long axis `length_px` pixels (x 0.3 mm) along the rows' width."""
    rows, cols = np.mgrid[0:HEIGHT, 0:WIDTH]
    centre_row, centre_col = HEIGHT / 2, WIDTH / 2 + shift_px
    inside = ((cols - centre_col) / (length_px / 2)) ** 2 + ((rows - centre_row) / (height_px / 2)) ** 2 <= 1
    return inside


def mask_png(mask: np.ndarray, *, high: int = 255) -> bytes:
    return png_bytes(np.asarray(mask, dtype=np.uint8) * high)


@dataclass
class Ward:
    hospital: Hospital
    machine: Machine
    expert: User
    colleague: User


@pytest.fixture
def settings_single_read(settings):
    settings.FUSQA_REVIEW_DOUBLE_READ_SHARE = 0.0
    settings.FUSQA_REVIEW_LEASE_SECONDS = 600
    settings.FUSQA_GOOD_THRESHOLD = 0.5
    return settings


@pytest.fixture
def ward(db, settings_single_read) -> Ward:
    hospital = HospitalFactory(name="Alpha General", slug="alpha")
    return Ward(
        hospital=hospital,
        machine=MachineFactory(hospital=hospital),
        expert=UserFactory(username="expert_one", role=Role.EXPERT, member_of=[hospital]),
        colleague=UserFactory(username="expert_two", role=Role.EXPERT, member_of=[hospital]),
    )


def waiting_item(
    *,
    hospital: Hospital,
    machine: Machine | None = None,
    p_good: float = 0.9,
    label: str | None = None,
    crl_ga_days: float | None = 80.0,
    reported_ga_days: float | None = 80.0,
    exam_date=None,
    model_mask: np.ndarray | None = None,
) -> Mask:
    """A processed frame: its model mask (drawn from `model_mask`), assessment and measurement."""
    study = StudyFactory(hospital=hospital, machine=machine, reported_ga_days=reported_ga_days, exam_date=exam_date)
    frame = FrameFactory(study=study, width=WIDTH, height=HEIGHT, spacing_row_mm=SPACING_MM, spacing_col_mm=SPACING_MM)
    drawn = fetus() if model_mask is None else model_mask
    mask = MaskFactory(
        frame=frame, version=1, area_px=int(drawn.sum()), data=ContentFile(mask_png(drawn), name="mask.png")
    )
    AssessmentFactory(mask=mask, p_good=p_good, label=label or ("good" if p_good >= 0.5 else "poor"))
    if crl_ga_days is not None:
        MeasurementFactory(mask=mask, ga_days=crl_ga_days)
    return mask


@pytest.fixture
def lease(client_for):
    def take(user, *, remote_addr="127.0.0.1", **filters):
        return client_for(user).post("/api/review-queue/lease/", filters, format="json", REMOTE_ADDR=remote_addr)

    return take


@pytest.fixture
def review(client_for):
    """POST /api/reviews/ as `user`: a verdict on `lease_id`, with `mask` (PNG bytes) when given."""

    def send(user, lease_id, verdict="good", *, mask: bytes | None = None, seconds_spent=30.0, **extra):
        payload = {"lease_id": lease_id, "verdict": verdict, "seconds_spent": seconds_spent, **extra}
        if mask is not None:
            payload["mask"] = SimpleUploadedFile("mask.png", mask, content_type="image/png")
        return client_for(user).post("/api/reviews/", payload, format="multipart")

    return send


def image_png(array: np.ndarray, mode: str = "L", fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).convert(mode).save(buffer, format=fmt)
    return buffer.getvalue()
