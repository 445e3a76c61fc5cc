"""Results back in DICOM, built from stored rows (never from request data): a mask as a SEG, a frame's latest
processed result as an SR, both referencing the stored de-identified instance the frame came from.

A frame uploaded as PNG or JPEG has no stored DICOM instance to reference: both are refused with 409
(`no_dicom_source`) rather than invent a source image nobody holds. A frame with no result yet, or whose
result has no CRL (no fetus found), has nothing to report: 409 (`nothing_to_report`).

UIDs are keyed hashes of what the result is (the instance, frame and rows), so the same result is the same
DICOM instance whenever it is built: a download and a PACS send agree, and a re-send replaces, not adds.
"""

import io
from dataclasses import dataclass

import numpy as np
import pydicom
from django.conf import settings
from PIL import Image
from pydicom.dataset import Dataset

from qa.errors import Conflict
from qa.models import Assessment, Frame, FrameSource, Mask, MaskKind, Measurement
from qa.services.deidentify import KeyedHasher
from qa.services.dicom_seg import SegIdentity, SegmentAuthor, segmentation_dataset
from qa.services.dicom_sr import ReportedResult, SrIdentity, measurement_report_dataset


@dataclass(frozen=True)
class DicomResult:
    filename: str
    data: bytes
    sop_class_uid: str
    sop_instance_uid: str


def mask_segmentation(*, mask: Mask) -> DicomResult:
    """The DICOM SEG of any mask (model output, expert correction, reference)."""
    frame = mask.frame
    source = stored_source_header(frame)
    hasher = _hasher(frame)
    seg = segmentation_dataset(
        source=source,
        frame_number=frame.frame_number,
        mask=mask_pixels(mask),
        author=_author(mask),
        identity=SegIdentity(
            series_instance_uid=hasher.uid(f"fusqa-seg-series:{source.StudyInstanceUID}"),
            sop_instance_uid=hasher.uid(f"fusqa-seg:{source.SOPInstanceUID}:{frame.frame_number}:{mask.pk}"),
            instance_number=mask.pk,
            software_version=mask.model_version.version if mask.model_version_id else "FUSQA",
        ),
    )
    return _encoded(seg, f"frame-{frame.pk}-mask-{mask.pk}-seg.dcm")


def frame_report(*, frame: Frame, mask: Mask | None = None) -> DicomResult:
    """The DICOM SR of the frame's latest processed result (or of `mask`'s): its CRL, GA, and FUSQA's verdict
    and p(good)."""
    assessment, measurement = reported_result(frame, mask=mask)
    source = stored_source_header(frame)
    hasher = _hasher(frame)
    mask = assessment.mask
    sr = measurement_report_dataset(
        source=source,
        frame_number=frame.frame_number,
        result=ReportedResult(
            crl_mm=measurement.crl_mm,
            p1=(measurement.p1_row, measurement.p1_col),
            p2=(measurement.p2_row, measurement.p2_col),
            ga_days=measurement.ga_days,
            ga_formula=measurement.formula,
            ga_in_range=measurement.in_formula_range,
            quality_label=assessment.label,
            p_good=assessment.p_good,
            segmentation_version=mask.model_version.version if mask.model_version_id else mask.kind,
            fusqa_version=assessment.model_version.version,
            tracking_label=f"FUSQA frame {frame.pk}",
        ),
        identity=SrIdentity(
            series_instance_uid=hasher.uid(f"fusqa-sr-series:{source.StudyInstanceUID}"),
            sop_instance_uid=hasher.uid(
                f"fusqa-sr:{source.SOPInstanceUID}:{frame.frame_number}:{assessment.pk}:{measurement.pk}"
            ),
            instance_number=measurement.pk,
            tracking_uid=hasher.uid(f"fusqa-tracking:{source.SOPInstanceUID}:{frame.frame_number}"),
            device_uid=hasher.uid("fusqa-device"),
        ),
    )
    return _encoded(sr, f"frame-{frame.pk}-sr.dcm")


def reported_result(frame: Frame, *, mask: Mask | None = None) -> tuple[Assessment, Measurement]:
    """The frame's latest processed result (its latest assessment, or `mask`'s) and the CRL of the mask
    assessed; 409 when there is none yet or it has no CRL."""
    _require_dicom_source(frame)
    assessments = Assessment.objects.filter(mask__frame=frame)
    if mask is not None:
        assessments = assessments.filter(mask=mask)
    assessment = (
        assessments.select_related("mask__model_version", "model_version").order_by("-created_at", "-id").first()
    )
    if assessment is None:
        raise Conflict(f"Frame {frame.pk} has no result yet: there is nothing to report.", code="nothing_to_report")
    measurement = Measurement.objects.filter(mask=assessment.mask).order_by("-created_at", "-id").first()
    if measurement is None:
        raise Conflict(
            f"Frame {frame.pk}'s latest result has no measurement (no fetus was found): there is no CRL to report.",
            code="nothing_to_report",
        )
    return assessment, measurement


def stored_source_header(frame: Frame) -> Dataset:
    """The header of the stored de-identified DICOM the frame came from (its pixels are not needed)."""
    _require_dicom_source(frame)
    with frame.source_file.open("rb") as handle:
        return pydicom.dcmread(handle, stop_before_pixels=True)


def mask_pixels(mask: Mask) -> np.ndarray:
    with mask.data.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    pixels = np.asarray(image.convert("L")) > 127
    if pixels.shape != (mask.frame.height, mask.frame.width):
        raise ValueError(f"mask {mask.pk} is {pixels.shape}, its frame {mask.frame.height} x {mask.frame.width}")
    return pixels


def _require_dicom_source(frame: Frame) -> None:
    if frame.source != FrameSource.DICOM or not frame.source_file:
        raise Conflict(
            f"Frame {frame.pk} was uploaded as {frame.get_source_display()}, not DICOM: there is no stored DICOM "
            "image for a DICOM result to reference.",
            code="no_dicom_source",
        )


def _author(mask: Mask) -> SegmentAuthor:
    if mask.kind == MaskKind.MODEL:
        version = mask.model_version.version if mask.model_version_id else ""
        return SegmentAuthor(automatic=True, algorithm_version=version, description=f"Model mask v{mask.version}")
    what = "Expert correction" if mask.kind == MaskKind.EXPERT else "Reference mask"
    return SegmentAuthor(automatic=False, description=f"{what} v{mask.version}")


def _hasher(frame: Frame) -> KeyedHasher:
    return KeyedHasher(secret=settings.FUSQA_PATIENT_KEY_SECRET, hospital_id=frame.hospital_id)


def _encoded(dataset: Dataset, filename: str) -> DicomResult:
    buffer = io.BytesIO()
    dataset.save_as(buffer, enforce_file_format=True)
    return DicomResult(
        filename=filename,
        data=buffer.getvalue(),
        sop_class_uid=str(dataset.SOPClassUID),
        sop_instance_uid=str(dataset.SOPInstanceUID),
    )
