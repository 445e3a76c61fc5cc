"""Absurd values answer a 4xx that names them, before anything is stored (issue #8 item 9)."""

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pydicom.data import get_testdata_file

from qa.models import Study
from tests.qa.ingest.conftest import UPLOAD_URL, assert_error
from tests.qa.ingest.dicoms import dicom_bytes, dicom_dataset, ultrasound_region
from tests.qa.ingest.images import image_bytes


def png(side: int = 40) -> bytes:
    return image_bytes(np.full((side, side), 90, np.uint8))


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.mark.parametrize("value", ["1e308", "0.005", "5.01"])
def test_it_refuses_a_request_spacing_outside_a_hundredth_to_five_mm(upload, nothing_stored, value):
    response = upload(png(), "a.png", spacing_mm=value)

    assert_error(response, 400, "implausible_spacing", "between 0.01 and 5 mm")
    assert response.json()["error"]["field"] == "spacing_mm"
    nothing_stored()


def test_it_refuses_an_absurd_column_spacing_even_when_the_row_spacing_is_fine(upload, nothing_stored):
    response = upload(png(), "a.png", spacing_row_mm="0.2", spacing_col_mm="1e308")

    assert_error(response, 400, "implausible_spacing", "0.2 x 1e+308 mm")
    nothing_stored()


def test_it_refuses_an_absurd_request_spacing_even_when_the_file_carries_its_own(upload, nothing_stored):
    response = upload(dicom_bytes(dicom_dataset(regions=[ultrasound_region()])), spacing_mm="1e308")

    assert_error(response, 400, "implausible_spacing", "in the request")
    nothing_stored()


def test_the_spacing_bounds_themselves_are_accepted(upload):
    low = upload(png(), "low.png", spacing_mm="0.01")
    high = upload(png(41), "high.png", spacing_mm="5")

    assert (low.status_code, high.status_code) == (201, 201), (low.content, high.content)


@pytest.mark.parametrize(
    "row_col_cm, words",
    [((1e307, 1e307), "1e+308 x 1e+308 mm"), ((-0.02, 0.02), "-0.2 x 0.2 mm"), ((0.0, 0.02), "is 0 x 0.2 mm")],
    ids=["huge", "negative", "zero"],
)
def test_it_refuses_an_absurd_ultrasound_region_spacing(upload, nothing_stored, row_col_cm, words):
    # PhysicalDeltaX is the column spacing, Y the row spacing, both in cm.
    ds = dicom_dataset(regions=[ultrasound_region(delta_cm=(row_col_cm[1], row_col_cm[0]))])

    response = upload(dicom_bytes(ds), spacing_mm="0.3")

    assert_error(response, 400, "implausible_spacing", words)
    assert "ultrasound_region" in response.json()["error"]["message"]
    nothing_stored()


def test_it_refuses_a_negative_pixel_spacing_instead_of_dropping_its_sign(upload, nothing_stored):
    response = upload(dicom_bytes(dicom_dataset(pixel_spacing=(-0.3, 0.3))))

    assert_error(response, 400, "implausible_spacing", "-0.3 x 0.3 mm")
    nothing_stored()


def test_it_refuses_a_dicom_under_32_pixels_a_side(upload, nothing_stored):
    response = upload(dicom_bytes(dicom_dataset(rows=31, cols=64, regions=[ultrasound_region()])))

    assert_error(response, 400, "image_too_small", "64 x 31 pixels; the smallest accepted side is 32")
    nothing_stored()


def test_it_refuses_pydicoms_ten_pixel_wide_jpeg_ls_file(upload, nothing_stored):
    data = Path(get_testdata_file("JPEGLSNearLossless_08.dcm")).read_bytes()

    response = upload(data, spacing_mm="0.3")

    assert_error(response, 400, "image_too_small", "10 x 45 pixels")
    nothing_stored()


def test_it_refuses_a_png_under_32_pixels_a_side(upload, nothing_stored):
    response = upload(image_bytes(np.zeros((20, 64), np.uint8)), "a.png", spacing_mm="0.3")

    assert_error(response, 400, "image_too_small", "64 x 20 pixels")
    nothing_stored()


def test_it_refuses_a_request_exam_date_more_than_a_day_ahead(upload, nothing_stored):
    response = upload(png(), "a.png", spacing_mm="0.3", exam_date=in_days(2).isoformat())

    assert_error(response, 400, "implausible_exam_date", f"{in_days(2).isoformat()}, more than a day in the future")
    assert response.json()["error"]["field"] == "exam_date"
    nothing_stored()


def test_an_exam_date_of_tomorrow_is_accepted_for_time_zones_ahead(upload):
    response = upload(png(), "a.png", spacing_mm="0.3", exam_date=in_days(1).isoformat())

    assert response.status_code == 201, response.content
    assert Study.objects.get(id=response.json()["study"]).exam_date == in_days(1)


def test_it_refuses_a_study_date_in_the_file_more_than_a_day_ahead(upload, nothing_stored):
    ds = dicom_dataset(regions=[ultrasound_region()], study_date=in_days(30).strftime("%Y%m%d"))

    response = upload(dicom_bytes(ds))

    assert_error(response, 400, "implausible_exam_date", "StudyDate in the file")
    nothing_stored()


@pytest.mark.parametrize("modality", ["MR", "RTDOSE", "CT"])
def test_it_refuses_a_modality_other_than_ultrasound(upload, nothing_stored, modality):
    ds = dicom_dataset(regions=[ultrasound_region()])
    ds.Modality = modality

    response = upload(dicom_bytes(ds))

    assert_error(response, 400, "unsupported_modality", f"modality is {modality}, not ultrasound")
    nothing_stored()


def test_it_refuses_pydicoms_mr_file(upload, nothing_stored):
    data = Path(get_testdata_file("MR_small_jpeg_ls_lossless.dcm")).read_bytes()

    response = upload(data, spacing_mm="0.3")

    assert_error(response, 400, "unsupported_modality", "modality is MR")
    nothing_stored()


def test_it_refuses_two_file_parts_in_one_upload(client_for, manager, hospital, nothing_stored):
    first = SimpleUploadedFile("a.png", png())
    second = SimpleUploadedFile("b.png", png(41))

    response = client_for(manager).post(
        UPLOAD_URL, {"file": [first, second], "hospital": hospital.id, "spacing_mm": "0.3"}, format="multipart"
    )

    assert_error(response, 400, "invalid", "this request has 2 'file' parts")
    assert response.json()["error"]["field"] == "file"
    nothing_stored()
