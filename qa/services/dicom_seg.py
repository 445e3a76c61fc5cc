"""A fetus mask as a DICOM Segmentation (highdicom): BINARY, one segment "Fetus", in the source image's study
and a series of its own, each frame pointing at the frame of the stored de-identified instance it was drawn on.

Pure: datasets and arrays in, a dataset out; qa.services.dicom_results gathers them from the stored rows.
"""

import copy
from dataclasses import dataclass

import highdicom as hd
import numpy as np
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes

from qa.services.dicom_codes import ANATOMICAL_STRUCTURE, FETUS, MANUFACTURER, SEG_SERIES_NUMBER

# Ultrasound Image Storage: what a multi-frame source poses as while highdicom builds (see segmentation_dataset).
_SINGLE_FRAME_STAND_IN = "1.2.840.10008.5.1.4.1.1.6.1"


@dataclass(frozen=True)
class SegmentAuthor:
    """Who drew the mask: the segmentation model (AUTOMATIC, with its name and version) or a person (MANUAL)."""

    automatic: bool
    algorithm_version: str = ""
    description: str = ""


@dataclass(frozen=True)
class SegIdentity:
    series_instance_uid: str
    sop_instance_uid: str
    instance_number: int
    software_version: str


def segment_description(author: SegmentAuthor) -> hd.seg.SegmentDescription:
    if author.automatic:
        return hd.seg.SegmentDescription(
            segment_number=1,
            segment_label="Fetus",
            segmented_property_category=ANATOMICAL_STRUCTURE,
            segmented_property_type=FETUS,
            algorithm_type=hd.seg.SegmentAlgorithmTypeValues.AUTOMATIC,
            algorithm_identification=hd.AlgorithmIdentificationSequence(
                name="FUSQA segmentation",
                version=author.algorithm_version or "unknown",
                family=codes.cid7162.ArtificialIntelligence,
            ),
        )
    return hd.seg.SegmentDescription(
        segment_number=1,
        segment_label="Fetus",
        segmented_property_category=ANATOMICAL_STRUCTURE,
        segmented_property_type=FETUS,
        algorithm_type=hd.seg.SegmentAlgorithmTypeValues.MANUAL,
    )


def segmentation_dataset(
    *, source: Dataset, frame_number: int, mask: np.ndarray, author: SegmentAuthor, identity: SegIdentity
) -> hd.seg.Segmentation:
    """The SEG of `mask` (rows x columns, truthy = fetus) drawn on frame `frame_number` (from 1) of `source`
    (its header is enough: the pixels are not read)."""
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (int(source.Rows), int(source.Columns)):
        raise ValueError(f"the mask is {mask.shape}, the source image {source.Rows} x {source.Columns}")
    frames = int(source.get("NumberOfFrames") or 1)
    if not 1 <= frame_number <= frames:
        raise ValueError(f"frame {frame_number} of an image with {frames}")
    # An ultrasound cine has no Frame of Reference, and for such a source highdicom segments one frame only:
    # it is given the header as if of a single-frame image (single-frame SOP class, no frame count), and the
    # true SOP class and the frame number go into the references afterwards.
    single = source
    if frames > 1:
        single = copy.deepcopy(source)
        single.SOPClassUID = _SINGLE_FRAME_STAND_IN
        del single.NumberOfFrames
    seg = hd.seg.Segmentation(
        source_images=[single],
        pixel_array=mask,
        segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
        segment_descriptions=[segment_description(author)],
        series_instance_uid=identity.series_instance_uid,
        series_number=SEG_SERIES_NUMBER,
        sop_instance_uid=identity.sop_instance_uid,
        instance_number=identity.instance_number,
        manufacturer=MANUFACTURER,
        manufacturer_model_name="FUSQA",
        software_versions=identity.software_version,
        device_serial_number="none",
        content_label="FETUS",
        content_description=(author.description or "Fetus mask")[:64],
        # An empty mask is still an answer ("no fetus here"): keep its one frame.
        omit_empty_frames=False,
    )
    if frames > 1:
        _reference_source_frame(seg, source.SOPClassUID, frame_number)
    # General Image: Type 2C (required when there is no Image Orientation (Patient), as here), empty.
    seg.PatientOrientation = ""
    seg.SeriesDescription = "FUSQA fetus segmentation"
    return seg


def _reference_source_frame(seg: Dataset, sop_class_uid: str, frame_number: int) -> None:
    items = list(seg.get("SourceImageSequence", []))
    for group in seg.PerFrameFunctionalGroupsSequence:
        for derivation in group.get("DerivationImageSequence", []):
            items.extend(derivation.get("SourceImageSequence", []))
    for item in items:
        item.ReferencedFrameNumber = frame_number
    for series in seg.get("ReferencedSeriesSequence", []):
        # The instance list names no frames (and may share its items with the Source Image Sequence).
        instances = [copy.deepcopy(item) for item in series.get("ReferencedInstanceSequence", [])]
        for item in instances:
            if "ReferencedFrameNumber" in item:
                del item.ReferencedFrameNumber
        series.ReferencedInstanceSequence = instances
        items.extend(instances)
    for item in items:
        if item.ReferencedSOPClassUID == _SINGLE_FRAME_STAND_IN:
            item.ReferencedSOPClassUID = sop_class_uid
