"""PNG and JPEG uploads: the spacing comes from the request."""

import numpy as np
from PIL import Image

from qa.models import Frame, Machine, Study
from tests.qa.ingest.conftest import assert_error
from tests.qa.ingest.images import image_bytes


def stored_pixels(frame_id: int) -> np.ndarray:
    with Frame.objects.get(id=frame_id).pixels.open("rb") as handle:
        image = Image.open(handle)
        image.load()
    assert image.mode == "L"
    return np.asarray(image)


def test_a_grey_png_is_stored_as_it_is_with_the_requested_spacing(upload):
    pixels = np.arange(40 * 60, dtype=np.uint32).reshape(40, 60).astype(np.uint8)

    response = upload(image_bytes(pixels), "scan.png", spacing_row_mm="0.2", spacing_col_mm="0.25")

    assert response.status_code == 201, response.content
    [frame] = response.json()["frames"]
    assert (frame["width"], frame["height"]) == (60, 40)
    assert (frame["spacing_row_mm"], frame["spacing_col_mm"], frame["spacing_source"]) == (0.2, 0.25, "request")
    assert np.array_equal(stored_pixels(frame["id"]), pixels)
    assert Frame.objects.get(id=frame["id"]).source == "png"


def test_a_colour_png_becomes_its_luminance(upload):
    rgb = np.zeros((32, 32, 3), np.uint8)
    rgb[..., 0] = 200  # pure red: 0.299 * 200 = 59.8

    response = upload(image_bytes(rgb), "scan.png", spacing_mm="0.3")

    assert set(np.unique(stored_pixels(response.json()["frames"][0]["id"]))) == {60}


def test_a_jpeg_is_accepted_with_the_machine_named_in_the_request(upload, hospital):
    pixels = np.full((32, 32), 128, np.uint8)

    response = upload(
        image_bytes(pixels, "JPEG"), "scan.jpg", spacing_mm="0.3", machine_manufacturer="Acme", machine_model="S1"
    )

    assert response.status_code == 201, response.content
    frame = Frame.objects.get(id=response.json()["frames"][0]["id"])
    assert frame.source == "jpeg"
    assert frame.source_file.name == ""
    assert Machine.objects.get().model_name == "S1"
    assert Study.objects.get().machine.manufacturer == "Acme"


def test_a_resent_png_is_a_duplicate(upload):
    data = image_bytes(np.full((32, 32), 7, np.uint8))
    first = upload(data, "a.png", spacing_mm="0.3")

    again = upload(data, "renamed.png", spacing_mm="0.3")

    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert again.json()["frames"][0]["id"] == first.json()["frames"][0]["id"]
    assert Frame.objects.count() == 1


def test_a_png_without_spacing_is_refused(upload, nothing_stored):
    response = upload(image_bytes(np.zeros((32, 32), np.uint8)), "a.png")

    assert_error(response, 400, "spacing_missing", "spacing is missing")
    nothing_stored()
