"""An 8-bit grey PNG is stored as it came (its image chunks, byte for byte), checked without decoding;
metadata chunks are dropped; a damaged one is refused as before."""

import io
import struct
import zlib

import numpy as np
from PIL import Image, PngImagePlugin

from qa.models import Frame
from qa.services.dicom_decode import ImageLimits
from qa.services.grey_png import grey_png_as_sent
from qa.services.image_store import grey_png_bytes
from qa.services.ingest import MIN_IMAGE_SIDE
from tests.qa.ingest.conftest import assert_error

LIMITS = ImageLimits(max_side=4096, max_frames=1, max_pixel_bytes=1 << 30, min_side=MIN_IMAGE_SIDE)


def grey_png(pixels: np.ndarray, *, text: dict | None = None, compress_level: int = 6) -> bytes:
    info = PngImagePlugin.PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", pnginfo=info, compress_level=compress_level)
    return buffer.getvalue()


def with_idat(data: bytes, image_data: bytes) -> bytes:
    """The PNG with its image data replaced (a valid chunk around it, CRC and all)."""
    at, out = 8, data[:8]
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        if kind == b"IDAT":
            out += (
                struct.pack(">I", len(image_data))
                + b"IDAT"
                + image_data
                + struct.pack(">I", zlib.crc32(b"IDAT" + image_data))
            )
        else:
            out += data[at : at + 12 + length]
        at += 12 + length
    return out


def speckle(rows: int = 48, cols: int = 64) -> np.ndarray:
    return np.random.default_rng(3).integers(0, 256, (rows, cols), dtype=np.uint8)


def test_a_grey_png_is_stored_byte_for_byte_without_its_text_chunks(upload):
    pixels = speckle()
    sent = grey_png(pixels, text={"Patient": "DOE^JANE"}, compress_level=9)

    response = upload(sent, "scan.png", spacing_mm="0.2")

    assert response.status_code == 201, response.content
    stored = Frame.objects.get(id=response.json()["frames"][0]["id"]).pixels.read()
    assert b"DOE^JANE" in sent and b"DOE^JANE" not in stored
    assert stored == grey_png(pixels, compress_level=9)  # the same image chunks: nothing was encoded again
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(stored))), pixels)


def test_other_pngs_are_not_taken_as_they_are():
    assert grey_png_as_sent(grey_png(np.zeros((40, 40, 3), np.uint8)), limits=LIMITS) is None
    assert grey_png_as_sent(grey_png(np.zeros((40, 40), np.uint16)), limits=LIMITS) is None


def test_a_grey_png_with_a_bad_crc_is_refused(upload, nothing_stored):
    sent = bytearray(grey_png(speckle()))
    sent[-20] ^= 0xFF  # inside the last IDAT's data or CRC

    response = upload(bytes(sent), "scan.png", spacing_mm="0.2")

    assert_error(response, 400, "invalid_image", "PNG file is corrupt")
    nothing_stored()


def test_a_grey_png_whose_image_data_is_short_is_refused(upload, nothing_stored):
    pixels = speckle()
    short = zlib.compress(b"\x00" + pixels[0].tobytes())

    response = upload(with_idat(grey_png(pixels), short), "scan.png", spacing_mm="0.2")

    assert_error(response, 400, "invalid_image", "not the size its header gives")
    nothing_stored()


def test_a_grey_png_with_an_unknown_row_filter_is_refused(upload, nothing_stored):
    pixels = speckle()
    rows = b"".join(b"\x07" + row.tobytes() for row in pixels)

    response = upload(with_idat(grey_png(pixels), zlib.compress(rows)), "scan.png", spacing_mm="0.2")

    assert_error(response, 400, "invalid_image", "unknown row filter")
    nothing_stored()


def test_a_grey_png_cut_short_is_refused(upload, nothing_stored):
    sent = grey_png(speckle())

    response = upload(sent[: len(sent) // 2], "scan.png", spacing_mm="0.2")

    assert_error(response, 400, "invalid_image", "truncated")
    nothing_stored()


def test_the_png_written_for_a_decoded_frame_reads_back_as_the_same_pixels():
    for shape in [(1, 1), (5, 1), (32, 48), (576, 768)]:
        pixels = np.random.default_rng(shape[0]).integers(0, 256, shape, dtype=np.uint8)

        written = grey_png_bytes(pixels)

        assert np.array_equal(np.asarray(Image.open(io.BytesIO(written))), pixels)
        assert (
            grey_png_as_sent(
                written, limits=ImageLimits(max_side=4096, max_frames=1, max_pixel_bytes=1 << 30, min_side=1)
            ).data
            == written
        )
