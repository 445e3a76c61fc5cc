"""The pure decoding functions, without the database."""

from pathlib import Path

import numpy as np
import pytest
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.pixels import apply_color_lut

from qa.errors import InvalidInput
from qa.services.deidentify import KeyedHasher
from qa.services.dicom_decode import ImageLimits, decode_dicom, spacing_from_header
from qa.services.dicom_frames import dicom_frames
from qa.services.raster_decode import decode_raster
from tests.qa.ingest.dicoms import dicom_bytes, dicom_dataset, ultrasound_region
from tests.qa.ingest.images import image_bytes

LIMITS = ImageLimits(max_side=4096, max_frames=512)


def grey_frames(data: bytes) -> list[np.ndarray]:
    return [frame.grey for frame in dicom_frames(decode_dicom(data, limits=LIMITS))]


def test_it_picks_the_largest_tissue_region_after_clipping_it_to_the_image():
    ds = dicom_dataset(
        rows=100,
        cols=100,
        regions=[
            # Huge on the scanner's screen, but only 10 x 10 of it lies on the stored image.
            ultrasound_region(box=(90, 90, 2000, 2000), delta_cm=(0.09, 0.09)),
            ultrasound_region(box=(0, 0, 59, 79), delta_cm=(0.02, 0.03)),
            # Larger, but a Doppler spectrum, not tissue.
            ultrasound_region(box=(0, 0, 99, 99), delta_cm=(0.5, 0.5), spatial_format=3, data_type=3),
            # Larger, but not in centimetres.
            ultrasound_region(box=(0, 0, 99, 99), delta_cm=(0.5, 0.5), units=4),
        ],
    )

    spacing = spacing_from_header(ds, rows=100, cols=100)

    assert (spacing.row_mm, spacing.col_mm, spacing.source) == (
        pytest.approx(0.3),
        pytest.approx(0.2),
        "ultrasound_region",
    )


def test_it_falls_back_to_pixel_spacing_then_to_nothing():
    with_spacing = dicom_dataset(pixel_spacing=(0.4, 0.5))
    without = dicom_dataset()

    assert spacing_from_header(with_spacing, rows=32, cols=48).source == "pixel_spacing"
    assert (spacing_from_header(with_spacing, rows=32, cols=48).row_mm) == 0.4
    assert spacing_from_header(without, rows=32, cols=48) is None


def test_a_palette_colour_frame_becomes_the_luminance_of_its_lut_colours():
    data = Path(get_testdata_file("examples_palette.dcm")).read_bytes()
    ds = dcmread(get_testdata_file("examples_palette.dcm"))
    rgb = apply_color_lut(ds.pixel_array, ds).astype(np.float64) / 257  # a 16-bit LUT
    expected = np.rint(rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114)
    # Outside its ultrasound regions (x from 120, y from 60 for the B-mode one) the frame is blanked.
    assert expected[:60].any() and expected[:, :120].any()
    expected[:60], expected[:, :120] = 0, 0

    [frame] = grey_frames(data)

    assert frame.dtype == np.uint8
    assert np.array_equal(frame, expected.astype(np.uint8))


def test_monochrome1_is_inverted():
    ds = dicom_dataset(pixels=np.array([[0, 100], [200, 255]], np.uint8))
    ds.PhotometricInterpretation = "MONOCHROME1"

    [frame] = grey_frames(dicom_bytes(ds))

    assert frame.tolist() == [[255, 155], [55, 0]]


def test_sixteen_bit_frames_share_one_scale():
    pixels = np.array([[[0, 1000]], [[2000, 4000]]], np.uint16)
    ds = dicom_dataset(pixels=pixels, frames=2)
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
    ds.PixelData = pixels.tobytes()

    frames = grey_frames(dicom_bytes(ds))

    assert [f.tolist() for f in frames] == [[[0, 64]], [[128, 255]]]


def test_the_header_facts_are_read():
    ds = dicom_dataset(manufacturer="Acme", model="S9", patient_id="P7", study_date="20250102")

    decoded = decode_dicom(dicom_bytes(ds), limits=LIMITS)

    assert (decoded.manufacturer, decoded.model_name, decoded.patient_id) == ("Acme", "S9", "P7")
    assert decoded.study_date.isoformat() == "2025-01-02"
    assert decoded.sop_instance_uid == ds.SOPInstanceUID


def test_a_sixteen_bit_png_is_stretched_not_clipped():
    pixels = np.array([[0, 30000], [60000, 65535]], np.uint16)

    frame = decode_raster(image_bytes(pixels), limits=LIMITS)

    assert frame.tolist() == [[0, 117], [233, 255]]


def test_too_many_frames_are_refused_before_decoding():
    data = dicom_bytes(dicom_dataset(frames=3))

    with pytest.raises(InvalidInput, match="at most 2"):
        decode_dicom(data, limits=ImageLimits(max_side=4096, max_frames=2))


def test_keyed_uids_are_stable_per_hospital_and_fit_64_characters():
    one, other = KeyedHasher(secret="s", hospital_id=1), KeyedHasher(secret="s", hospital_id=2)

    uid = one.uid("1.2.3")

    assert uid == one.uid("1.2.3") != other.uid("1.2.3")
    assert uid.startswith("2.25.") and len(uid) <= 64 and uid[5:].isdigit()
    assert KeyedHasher(secret="t", hospital_id=1).uid("1.2.3") != uid
    assert one.patient_key("") == ""
    assert len(one.patient_key("P1")) == 64
