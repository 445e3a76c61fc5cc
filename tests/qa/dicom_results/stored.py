"""Frames stored the way real ones are (a phantom DICOM through the ingest service), with results on them."""

import datetime as dt
import io

import numpy as np
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pydicom.data import get_testdata_file

from qa.models import Frame, Hospital, MaskKind
from qa.services.ingest import ingest_upload
from tests.factories import AssessmentFactory, MaskFactory, MeasurementFactory, UserFactory
from workers.ml import synth


def stored_phantom(hospital: Hospital, *, seed: int = 5) -> Frame:
    scan = synth.generate_scan(synth.list_profiles()[0], seed=seed, study_date=dt.date(2026, 3, 2))
    upload = SimpleUploadedFile("phantom.dcm", synth.scan_to_dicom_bytes(scan), content_type="application/dicom")
    return _ingested(hospital, upload)[0]


def stored_cine(hospital: Hospital) -> list[Frame]:
    """pydicom's 30-frame JPEG ultrasound cine (YBR colour), as 30 frames sharing one stored instance."""
    with open(get_testdata_file("examples_ybr_color.dcm"), "rb") as handle:
        upload = SimpleUploadedFile("cine.dcm", handle.read(), content_type="application/dicom")
    return _ingested(hospital, upload)


def _ingested(hospital: Hospital, upload) -> list[Frame]:
    manager = UserFactory(role="qa_manager", member_of=[hospital])
    return ingest_upload(user=manager, hospital=hospital, uploaded_file=upload).frames


def a_mask(frame: Frame) -> np.ndarray:
    """A fetus-like blob: an ellipse in the middle of the frame."""
    rows, cols = np.mgrid[: frame.height, : frame.width]
    return ((rows - frame.height / 2) / (frame.height / 5)) ** 2 + (
        (cols - frame.width / 2) / (frame.width / 6)
    ) ** 2 < 1


def png(mask: np.ndarray) -> ContentFile:
    buffer = io.BytesIO()
    Image.fromarray(mask.astype(np.uint8) * 255).save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="mask.png")


def with_result(frame: Frame, *, label: str = "good", p_good: float = 0.93, measured: bool = True):
    """A model mask on the frame, assessed and (unless `measured` is False) measured.
    Returns (mask, assessment, measurement)."""
    pixels = a_mask(frame)
    version = frame.masks.count() + 1
    mask = MaskFactory(frame=frame, version=version, area_px=int(pixels.sum()), data=png(pixels))
    assessment = AssessmentFactory(mask=mask, p_good=p_good, label=label)
    measurement = (
        MeasurementFactory(mask=mask, crl_mm=45.2, p1_row=100, p1_col=200, p2_row=180, p2_col=420, ga_days=77.9)
        if measured
        else None
    )
    return mask, assessment, measurement


def an_expert_correction(mask, expert) -> object:
    pixels = a_mask(mask.frame)
    pixels[:, : mask.frame.width // 2] = False
    return MaskFactory(
        frame=mask.frame,
        kind=MaskKind.EXPERT,
        version=mask.version + 1,
        model_version=None,
        parent=mask,
        created_by=expert,
        area_px=int(pixels.sum()),
        data=png(pixels),
    )
