"""The header-only read behind the cheap re-send: the facts the full decode finds, or None when unsure."""

import io
from pathlib import Path

import pytest
from pydicom.data import get_testdata_file

from qa.errors import InvalidInput
from qa.services.dicom_decode import ImageLimits, decode_dicom
from qa.services.dicom_header import read_dicom_header
from tests.qa.ingest.dicoms import dicom_bytes, dicom_dataset, ultrasound_region

LIMITS = ImageLimits(max_side=4096, max_frames=512, min_side=32)


def example(name: str) -> bytes:
    return Path(get_testdata_file(name)).read_bytes()


@pytest.mark.parametrize(
    "data",
    [
        example("examples_palette.dcm"),
        example("examples_ybr_color.dcm"),
        example("ExplVR_BigEnd.dcm"),
        dicom_bytes(dicom_dataset(frames=3, regions=[ultrasound_region(delta_cm=(0.03, 0.02))])),
    ],
    ids=["palette", "jpeg-cine", "big-endian", "uncompressed-cine"],
)
def test_the_header_gives_the_uid_spacing_and_date_the_full_decode_gives(data):
    header = read_dicom_header(data, limits=LIMITS)
    decoded = decode_dicom(data, limits=LIMITS)

    assert (header.sop_instance_uid, header.spacing, header.study_date) == (
        decoded.sop_instance_uid,
        decoded.spacing,
        decoded.study_date,
    )


@pytest.mark.parametrize(
    "data",
    [
        example("image_dfl.dcm"),
        example("examples_ybr_color.dcm")[:-5000],
        dicom_bytes(dicom_dataset(rows=64, cols=64))[:-100],
        example("examples_palette.dcm")[:600],
    ],
    ids=["deflated", "encapsulated-cut-short", "native-cut-short", "cut-inside-the-header"],
)
def test_it_declines_a_file_only_the_full_decode_can_judge(data):
    assert read_dicom_header(data, limits=LIMITS) is None


def test_it_declines_a_file_without_an_instance_uid():
    ds = dicom_dataset()
    del ds.SOPInstanceUID
    ds.file_meta.MediaStorageSOPInstanceUID = ""
    ds.preamble = bytes(128)
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=False)  # pydicom would refuse to write it otherwise

    assert read_dicom_header(buffer.getvalue(), limits=LIMITS) is None


def test_it_refuses_what_the_full_decode_refuses_from_the_header():
    ds = dicom_dataset()
    ds.Modality = "MR"

    with pytest.raises(InvalidInput, match="modality is MR"):
        read_dicom_header(dicom_bytes(ds), limits=LIMITS)
    with pytest.raises(InvalidInput, match="smallest accepted side is 32"):
        read_dicom_header(dicom_bytes(dicom_dataset(rows=16)), limits=LIMITS)
