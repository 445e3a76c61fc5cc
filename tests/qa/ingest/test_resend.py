"""A re-send is recognised before its pixels are decoded, and answered from what is stored; one that
contradicts the stored spacing, exam date or GA answers 409 naming each difference (issues #8, #14)."""

import io
from datetime import date
from pathlib import Path

import numpy as np
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.uid import DeflatedExplicitVRLittleEndian, generate_uid

from qa.models import Frame, Study
from tests.qa.ingest.conftest import assert_error, storage_snapshot
from tests.qa.ingest.dicoms import dicom_bytes, dicom_dataset, ultrasound_region
from tests.qa.ingest.images import image_bytes


def without_spacing(**kwargs) -> bytes:
    return dicom_bytes(dicom_dataset(study_date="", **kwargs))


def test_a_resend_with_another_request_spacing_answers_409_naming_both(upload):
    data = without_spacing()
    upload(data, spacing_mm="0.3")
    check = storage_snapshot()

    again = upload(data, spacing_mm="0.4")

    assert_error(again, 409, "resend_differs", "spacing_mm: stored [0.3, 0.3], sent [0.4, 0.4]")
    assert again.json()["error"]["differences"] == {"spacing_mm": {"stored": [0.3, 0.3], "sent": [0.4, 0.4]}}
    assert set(Frame.objects.values_list("spacing_row_mm", "spacing_col_mm")) == {(0.3, 0.3)}
    check()


def test_a_resend_with_another_ga_and_exam_date_names_both_differences(upload):
    data = without_spacing()
    first = upload(data, spacing_mm="0.3", reported_ga_days="84", exam_date="2026-03-14")
    check = storage_snapshot()

    again = upload(data, spacing_mm="0.3", reported_ga_days="90", exam_date="2026-03-15")

    assert again.status_code == 409, again.content
    assert again.json()["error"]["differences"] == {
        "exam_date": {"stored": "2026-03-14", "sent": "2026-03-15"},
        "reported_ga_days": {"stored": 84.0, "sent": 90.0},
    }
    study = Study.objects.get(id=first.json()["study"])
    assert (study.exam_date, study.reported_ga_days) == (date(2026, 3, 14), 84.0)
    check()


def test_a_resent_png_with_another_spacing_answers_409(upload):
    data = image_bytes(np.full((40, 40), 9, np.uint8))
    upload(data, "a.png", spacing_row_mm="0.2", spacing_col_mm="0.25")
    check = storage_snapshot()

    again = upload(data, "a.png", spacing_row_mm="0.25", spacing_col_mm="0.2")

    assert_error(again, 409, "resend_differs", "spacing_mm")
    assert again.json()["error"]["differences"]["spacing_mm"] == {"stored": [0.2, 0.25], "sent": [0.25, 0.2]}
    check()


def test_a_request_spacing_that_the_header_overrides_is_no_difference(upload):
    data = dicom_bytes(dicom_dataset(regions=[ultrasound_region(delta_cm=(0.02, 0.02))]))
    first = upload(data, spacing_mm="0.3")

    again = upload(data, spacing_mm="0.4")

    assert again.status_code == 200, again.content
    assert again.json()["duplicate"] is True
    assert [f["id"] for f in again.json()["frames"]] == [f["id"] for f in first.json()["frames"]]


def test_a_resend_that_omits_values_is_a_plain_duplicate(upload):
    data = without_spacing()
    first = upload(data, spacing_mm="0.3", reported_ga_days="84", exam_date="2026-03-14")

    again = upload(data, spacing_mm="0.3")

    assert again.status_code == 200, again.content
    assert again.json()["study"] == first.json()["study"]


def test_a_resend_fills_in_a_ga_and_date_the_first_upload_lacked(upload):
    data = without_spacing()
    first = upload(data, spacing_mm="0.3")
    check = storage_snapshot()

    again = upload(data, spacing_mm="0.3", reported_ga_days="84", exam_date="2026-03-14")

    assert again.status_code == 200, again.content
    study = Study.objects.get(id=first.json()["study"])
    assert (study.exam_date, study.reported_ga_days) == (date(2026, 3, 14), 84.0)
    check()


def test_a_resent_dicom_without_spacing_anywhere_is_refused_as_a_new_one_would_be(upload):
    data = without_spacing()
    upload(data, spacing_mm="0.3")

    again = upload(data)

    assert_error(again, 400, "spacing_missing", "spacing is missing")


def jpeg_cine(sop_uid: str, *, damaged: bool = False) -> bytes:
    """pydicom's 30-frame JPEG ultrasound cine under our UID; damaged: every frame's JPEG bytes
    zeroed, the items around them kept, so the header reads as before and no frame decodes."""
    ds = dcmread(get_testdata_file("examples_ybr_color.dcm"))
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = sop_uid
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    data = bytearray(buffer.getvalue())
    if damaged:
        at = data.index(b"\xe0\x7f\x10\x00") + 12  # past the pixel data element's header
        while data[at : at + 4] == b"\xfe\xff\x00\xe0":  # one item: tag, length, value
            length = int.from_bytes(data[at + 4 : at + 8], "little")
            data[at + 8 : at + 8 + length] = bytes(length)
            at += 8 + length
    return bytes(data)


def test_a_resend_is_recognised_from_its_header_without_decoding_its_pixels(upload):
    uid = generate_uid()
    first = upload(jpeg_cine(uid))
    assert first.status_code == 201, first.content
    check = storage_snapshot()

    # Pixels that cannot be decoded: refused as a new instance, answered from storage as a re-send.
    refused = upload(jpeg_cine(generate_uid(), damaged=True))
    again = upload(jpeg_cine(uid, damaged=True))

    assert refused.status_code == 400, refused.content
    assert refused.json()["error"]["code"] == "undecodable_pixels"
    assert again.status_code == 200, again.content
    assert [f["id"] for f in again.json()["frames"]] == [f["id"] for f in first.json()["frames"]]
    check()


def test_a_resend_cut_short_is_refused_by_the_full_decode(upload):
    data = without_spacing(rows=64, cols=64)
    upload(data, spacing_mm="0.3")

    again = upload(data[:-1500], spacing_mm="0.3")

    assert_error(again, 400, "invalid_dicom", "truncated")


def test_a_deflated_resend_is_still_recognised_after_decoding(upload):
    ds = dcmread(get_testdata_file("image_dfl.dcm"))
    assert ds.file_meta.TransferSyntaxUID == DeflatedExplicitVRLittleEndian
    data = Path(get_testdata_file("image_dfl.dcm")).read_bytes()
    first = upload(data, spacing_mm="0.3")
    assert first.status_code == 201, first.content

    again = upload(data, spacing_mm="0.3")
    differs = upload(data, spacing_mm="0.35")

    assert again.status_code == 200 and again.json()["duplicate"] is True, again.content
    assert_error(differs, 409, "resend_differs", "spacing_mm")
