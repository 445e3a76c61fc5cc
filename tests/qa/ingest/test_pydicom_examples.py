"""pydicom's own ultrasound (and JPEG-LS) files, uploaded through the API."""

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pydicom import dcmread
from pydicom.data import get_testdata_file

from qa.models import Frame
from tests.qa.ingest.conftest import assert_error


def example(name: str) -> bytes:
    return Path(get_testdata_file(name)).read_bytes()


def test_the_palette_file_gives_one_frame_at_its_b_mode_region_spacing(upload):
    response = upload(example("examples_palette.dcm"))

    assert response.status_code == 201, response.content
    [frame] = response.json()["frames"]
    assert (frame["width"], frame["height"], frame["frame_number"]) == (800, 350, 1)
    assert frame["spacing_row_mm"] == pytest.approx(0.262287876)
    assert frame["spacing_col_mm"] == pytest.approx(0.262287876)
    assert frame["spacing_source"] == "ultrasound_region"


def test_the_ybr_jpeg_baseline_cine_gives_thirty_frames_at_its_region_spacing(upload):
    response = upload(example("examples_ybr_color.dcm"))

    assert response.status_code == 201, response.content
    frames = response.json()["frames"]
    assert [f["frame_number"] for f in frames] == list(range(1, 31))
    assert {(f["width"], f["height"]) for f in frames} == {(320, 240)}
    assert {f["spacing_source"] for f in frames} == {"ultrasound_region"}
    assert frames[0]["spacing_row_mm"] == pytest.approx(0.510497056)
    assert frames[0]["spacing_col_mm"] == pytest.approx(0.510497056)
    stored = Frame.objects.filter(id__in=[f["id"] for f in frames])
    assert len({frame.source_file.name for frame in stored}) == 1


@pytest.mark.parametrize(
    "name, size",
    [
        ("examples_jpeg2k.dcm", (640, 480)),
        ("examples_rgb_color.dcm", (320, 240)),
        ("ExplVR_BigEnd.dcm", (80, 60)),
        ("SC_rgb_jls_lossy_line.dcm", (100, 100)),
    ],
)
def test_a_file_without_spacing_is_refused_until_the_request_gives_it(upload, nothing_stored, name, size):
    refused = upload(example(name))

    assert_error(refused, 400, "spacing_missing", "spacing is missing")
    nothing_stored()

    accepted = upload(example(name), spacing_mm="0.3")

    assert accepted.status_code == 201, accepted.content
    [frame] = accepted.json()["frames"]
    assert (frame["width"], frame["height"]) == size
    assert (frame["spacing_row_mm"], frame["spacing_col_mm"], frame["spacing_source"]) == (0.3, 0.3, "request")


def as_ultrasound(name: str) -> bytes:
    """pydicom's file with its modality changed to US and nothing else: the same compressed pixels."""
    ds = dcmread(get_testdata_file(name))
    ds.Modality = "US"
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def test_a_jpeg_ls_file_with_pixel_spacing_uses_it(upload):
    # The only JPEG-LS lossless example is an MR image, and MR is refused: the same pixels, called US.
    response = upload(as_ultrasound("MR_small_jpeg_ls_lossless.dcm"), spacing_mm="0.9")

    assert response.status_code == 201, response.content
    [frame] = response.json()["frames"]
    assert (frame["width"], frame["height"]) == (64, 64)
    assert (frame["spacing_row_mm"], frame["spacing_col_mm"]) == (0.3125, 0.3125)
    assert frame["spacing_source"] == "pixel_spacing"


def test_an_uncompressed_ybr_full_422_file_is_stored_as_grey(upload):
    response = upload(example("SC_ybr_full_422_uncompressed.dcm"))

    assert response.status_code == 201, response.content
    [frame] = response.json()["frames"]
    assert frame["spacing_source"] == "pixel_spacing"
    with Frame.objects.get(id=frame["id"]).pixels.open("rb") as handle:
        image = Image.open(handle)
        image.load()
    assert image.mode == "L"
    assert image.size == (100, 100)


def test_every_stored_frame_is_an_8_bit_grey_png(upload):
    response = upload(example("examples_rgb_color.dcm"), spacing_mm="0.25")

    frame = Frame.objects.get(id=response.json()["frames"][0]["id"])
    with frame.pixels.open("rb") as handle:
        image = Image.open(handle)
        image.load()
    assert (image.format, image.mode, image.size) == ("PNG", "L", (320, 240))
    assert np.asarray(image).max() > 0
