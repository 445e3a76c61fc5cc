"""Text burned into the pixels (date, patient, institution) does not survive ingest: everything
outside the ultrasound regions is blanked in the stored PNG frames and in the stored DICOM."""

import datetime as dt
from pathlib import Path

import numpy as np
import pydicom
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pydicom.data import get_testdata_file

from qa.models import Frame
from qa.services.deidentify import DEIDENTIFICATION_METHOD, PIXELS_CLEANED, PIXELS_NOT_CLEANED
from tests.factories import HospitalFactory, UserFactory
from tests.qa.ingest.conftest import assert_error
from tests.qa.ingest.dicoms import dicom_bytes, dicom_dataset, ultrasound_region
from workers.ml import synth

REGION = (10, 5, 37, 25)  # x0, y0, x1, y1 inside a 48 x 32 image


def stored_png(frame: Frame) -> np.ndarray:
    with frame.pixels.open("rb") as handle:
        return np.asarray(Image.open(handle))


def outside(box, shape) -> np.ndarray:
    x0, y0, x1, y1 = box
    mask = np.ones(shape, dtype=bool)
    mask[y0 : y1 + 1, x0 : x1 + 1] = False
    return mask


def test_pixels_outside_the_ultrasound_region_are_blanked_in_the_png_and_the_dicom(upload):
    pixels = np.full((32, 48), 200, np.uint8)
    ds = dicom_dataset(pixels=pixels, regions=[ultrasound_region(box=REGION)])

    response = upload(dicom_bytes(ds))

    assert response.status_code == 201, response.content
    frame = Frame.objects.get(id=response.json()["frames"][0]["id"])
    blank = outside(REGION, pixels.shape)
    png = stored_png(frame)
    assert (png[blank] == 0).all() and (png[~blank] == 200).all()
    stored = pydicom.dcmread(frame.source_file.path)
    assert np.array_equal(stored.pixel_array, png)
    # Sent uncompressed, stored uncompressed (a compressed upload's copy is deflated: test_memory_bounds).
    assert stored.file_meta.TransferSyntaxUID == pydicom.uid.ExplicitVRLittleEndian
    assert stored.PatientIdentityRemoved == "YES"
    assert list(stored.DeidentificationMethod) == [DEIDENTIFICATION_METHOD, PIXELS_CLEANED]


def test_the_union_of_all_regions_is_kept(upload):
    pixels = np.full((32, 48), 90, np.uint8)
    regions = [ultrasound_region(box=(0, 0, 9, 9)), ultrasound_region(box=(30, 20, 47, 31), data_type=2)]

    response = upload(dicom_bytes(dicom_dataset(pixels=pixels, regions=regions)))

    png = stored_png(Frame.objects.get(id=response.json()["frames"][0]["id"]))
    assert (png[:10, :10] == 90).all() and (png[20:, 30:] == 90).all()
    assert png.astype(bool).sum() == 100 + 12 * 18


def test_every_frame_of_a_colour_cine_is_blanked_outside_its_region(upload):
    data = Path(get_testdata_file("examples_ybr_color.dcm")).read_bytes()

    response = upload(data)

    frames = Frame.objects.filter(id__in=[f["id"] for f in response.json()["frames"]]).order_by("frame_number")
    blank = outside((84, 31, 319, 239), (240, 320))  # its region, clipped to the 320 x 240 image
    for frame in frames:
        png = stored_png(frame)
        assert not png[blank].any() and png[~blank].any()
    stored = pydicom.dcmread(frames[0].source_file.path)
    assert stored.PhotometricInterpretation == "RGB" and stored.NumberOfFrames == 30
    assert not stored.pixel_array[:, blank].any()
    assert stored.pixel_array[:, ~blank].any()


def test_a_file_declaring_burned_in_text_without_regions_is_refused(upload, nothing_stored):
    ds = dicom_dataset()
    ds.BurnedInAnnotation = "YES"

    response = upload(dicom_bytes(ds), spacing_mm="0.2")

    assert_error(response, 400, "burned_in_annotation", "BurnedInAnnotation YES")
    nothing_stored()


def test_regions_that_cover_no_pixel_of_the_image_are_refused(upload, nothing_stored):
    ds = dicom_dataset(regions=[ultrasound_region(box=(100, 100, 200, 200))])

    response = upload(dicom_bytes(ds))

    assert_error(response, 400, "no_image_region", "cover no pixel")
    nothing_stored()


def test_a_file_without_regions_is_kept_whole_and_not_said_to_be_de_identified(upload):
    ds = dicom_dataset()

    response = upload(dicom_bytes(ds), spacing_mm="0.2")

    assert response.status_code == 201, response.content
    frame = Frame.objects.get(id=response.json()["frames"][0]["id"])
    stored = pydicom.dcmread(frame.source_file.path)
    assert np.array_equal(stored.pixel_array, ds.pixel_array)
    assert stored.PatientIdentityRemoved == "NO"
    assert list(stored.DeidentificationMethod) == [DEIDENTIFICATION_METHOD, PIXELS_NOT_CLEANED]
    assert [code.CodeValue for code in stored.DeidentificationMethodCodeSequence] == ["113100"]


@pytest.mark.django_db
@pytest.mark.parametrize("profile", ["hospital_a/logiq_p9", "hospital_b/aplio_i700"])
def test_none_of_a_phantom_machines_burned_in_text_survives(client_for, profile):
    hospital = HospitalFactory()
    client = client_for(UserFactory(role="qa_manager", member_of=[hospital]))
    scan = synth.generate_scan(profile, seed=11, study_date=dt.date(2026, 3, 2))
    data = synth.scan_to_dicom_bytes(scan)
    sent = pydicom.dcmread(pydicom.filebase.DicomBytesIO(data))
    region = sent.SequenceOfUltrasoundRegions[0]
    box = (
        region.RegionLocationMinX0,
        region.RegionLocationMinY0,
        region.RegionLocationMaxX1,
        region.RegionLocationMaxY1,
    )
    blank = outside(box, sent.pixel_array.shape)
    text = blank & (sent.pixel_array > 0)
    assert text.sum() > 500  # the header bar's patient, date and institution lines

    response = client.post(
        "/api/uploads/", {"file": SimpleUploadedFile("p.dcm", data), "hospital": hospital.id}, format="multipart"
    )

    assert response.status_code == 201, response.content
    frame = Frame.objects.get(id=response.json()["frames"][0]["id"])
    png = stored_png(frame)
    stored = pydicom.dcmread(frame.source_file.path)
    assert not png[text].any() and not stored.pixel_array[text].any()
    assert not png[blank].any() and not stored.pixel_array[blank].any()
    # The scan itself is kept as it was sent.
    assert np.array_equal(stored.pixel_array[~blank], sent.pixel_array[~blank])
    assert np.array_equal(png[~blank], sent.pixel_array[~blank])
    assert stored.PatientIdentityRemoved == "YES"
