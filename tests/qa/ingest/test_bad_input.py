"""Every refused upload answers a 4xx JSON error that names the problem, and stores nothing."""

import numpy as np
import pytest
from pydicom.uid import MPEG4HP41

from tests.factories import HospitalFactory, UserFactory
from tests.qa.ingest.conftest import assert_error
from tests.qa.ingest.dicoms import dicom_bytes, dicom_bytes_with_syntax, dicom_dataset, ultrasound_region
from tests.qa.ingest.images import image_bytes, png_claiming_size


def scan(**kwargs):
    kwargs.setdefault("regions", [ultrasound_region()])
    return dicom_dataset(**kwargs)


def test_it_rejects_a_file_that_is_neither_dicom_png_nor_jpeg(upload, nothing_stored):
    response = upload(b"patient,notes\nJane,fine\n" * 20, "notes.csv", spacing_mm="0.3")

    assert_error(response, 400, "unsupported_file", "neither DICOM, PNG nor JPEG")
    nothing_stored()


def test_it_rejects_a_truncated_dicom(upload, nothing_stored):
    data = dicom_bytes(scan(rows=64, cols=64))

    response = upload(data[: len(data) - 1500])

    assert_error(response, 400, "invalid_dicom", "truncated")
    nothing_stored()


def test_it_rejects_a_dicom_cut_inside_its_header(upload, nothing_stored):
    data = dicom_bytes(scan())

    response = upload(data[:300])

    assert_error(response, 400, "invalid_dicom", "truncated")
    nothing_stored()


def test_it_rejects_a_dicom_without_pixel_data(upload, nothing_stored):
    ds = scan()
    del ds.PixelData

    response = upload(dicom_bytes(ds))

    assert_error(response, 400, "no_pixel_data", "no pixel data")
    nothing_stored()


def test_it_rejects_a_made_up_transfer_syntax(upload, nothing_stored):
    ds = scan()
    ds.file_meta.TransferSyntaxUID = "1.2.826.0.1.3680043.99999.77"
    data = dicom_bytes_with_syntax(ds)

    response = upload(data)

    assert_error(response, 400, "unsupported_transfer_syntax", "1.2.826.0.1.3680043.99999.77")
    nothing_stored()


def test_it_rejects_a_video_transfer_syntax_it_cannot_decode(upload, nothing_stored):
    ds = scan()
    ds.file_meta.TransferSyntaxUID = MPEG4HP41
    data = dicom_bytes_with_syntax(ds)

    response = upload(data)

    assert_error(response, 400, "unsupported_transfer_syntax", "cannot be decoded")
    nothing_stored()


@pytest.mark.parametrize("value", ["0", "-0.2", "NaN"], ids=["zero", "negative", "nan"])
def test_it_rejects_a_spacing_that_is_not_a_positive_number(upload, nothing_stored, value):
    response = upload(image_bytes(np.zeros((8, 8), np.uint8)), "a.png", spacing_mm=value)

    assert_error(response, 400, "invalid", "spacing")
    nothing_stored()


def test_it_rejects_a_row_spacing_without_a_column_spacing(upload, nothing_stored):
    response = upload(image_bytes(np.zeros((8, 8), np.uint8)), "a.png", spacing_row_mm="0.2")

    assert_error(response, 400, "invalid", "spacing_col_mm")
    nothing_stored()


def test_it_rejects_a_dicom_larger_than_the_largest_side(upload, nothing_stored, settings):
    settings.FUSQA_MAX_IMAGE_SIDE = 40

    response = upload(dicom_bytes(scan(rows=32, cols=48)))

    assert_error(response, 400, "image_too_large", "largest accepted side is 40")
    nothing_stored()


def test_it_rejects_a_dicom_whose_header_claims_a_huge_image_before_decoding(upload, nothing_stored):
    ds = scan()
    ds.Rows, ds.Columns = 60000, 60000

    response = upload(dicom_bytes(ds))

    assert_error(response, 400, "image_too_large", "largest accepted side is 4096")
    nothing_stored()


def test_it_rejects_a_png_larger_than_the_largest_side(upload, nothing_stored, settings):
    settings.FUSQA_MAX_IMAGE_SIDE = 64

    response = upload(image_bytes(np.zeros((10, 100), np.uint8)), "wide.png", spacing_mm="0.3")

    assert_error(response, 400, "image_too_large", "100 x 10")
    nothing_stored()


def test_it_rejects_a_png_decompression_bomb(upload, nothing_stored):
    response = upload(png_claiming_size(200_000, 200_000), "bomb.png", spacing_mm="0.3")

    assert_error(response, 400, "image_too_large", "pixels")
    nothing_stored()


def test_it_rejects_a_png_bomb_below_pillows_limit_by_its_side(upload, nothing_stored):
    response = upload(png_claiming_size(5000, 5000), "bomb.png", spacing_mm="0.3")

    assert_error(response, 400, "image_too_large", "5000 x 5000")
    nothing_stored()


def test_it_rejects_an_upload_over_the_byte_limit(upload, nothing_stored, settings):
    settings.FUSQA_MAX_UPLOAD_BYTES = 1000

    response = upload(dicom_bytes(scan()))

    assert_error(response, 413, "too_large", "limited to 1000 bytes")
    nothing_stored()


def test_it_answers_404_for_a_hospital_the_user_is_not_a_member_of(upload, nothing_stored):
    other = HospitalFactory()

    response = upload(dicom_bytes(scan()), hospital=other.id)

    assert_error(response, 404, "not_found", "no such hospital")
    nothing_stored()


def test_it_answers_404_for_a_hospital_that_does_not_exist(upload, nothing_stored):
    response = upload(dicom_bytes(scan()), hospital=999_999)

    assert_error(response, 404, "not_found", "no such hospital")
    nothing_stored()


def test_it_forbids_an_expert_to_upload(upload, nothing_stored, hospital):
    expert = UserFactory(role="expert", member_of=[hospital])

    response = upload(dicom_bytes(scan()), user=expert)

    assert_error(response, 403, "forbidden", "QA managers and admins")
    nothing_stored()


def test_it_refuses_an_anonymous_upload(api_client, hospital, nothing_stored):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api_client.post(
        "/api/uploads/", {"file": SimpleUploadedFile("a.dcm", dicom_bytes(scan())), "hospital": hospital.id}
    )

    assert response.status_code in (401, 403)
    assert "error" in response.json()
    nothing_stored()


def test_it_rejects_an_implausible_reported_ga(upload, nothing_stored):
    response = upload(dicom_bytes(scan()), reported_ga_days="400")

    assert_error(response, 400, "invalid", "reported_ga_days")
    nothing_stored()
