"""PNG / JPEG bytes → one 8-bit grey frame. Pure: no database, no settings.

The size is read from the header and checked before any pixel is decoded, so a small file that
claims a huge image (a decompression bomb) is refused without allocating it.
"""

import io
import warnings

import numpy as np
from PIL import Image, UnidentifiedImageError

from qa.errors import InvalidInput
from qa.services.dicom_decode import ImageLimits
from qa.services.dicom_size import check_sides
from qa.services.grey import rescale_to_uint8

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"

# Pillow's own guard, as a second line behind the explicit side check: well above any accepted
# image (4096 x 4096 by default) and far below what would exhaust a worker's memory.
Image.MAX_IMAGE_PIXELS = 8192 * 8192


def raster_format(data: bytes) -> str | None:
    """ "png", "jpeg", or None when the bytes are neither."""
    if data.startswith(PNG_SIGNATURE):
        return "png"
    if data.startswith(JPEG_SIGNATURE):
        return "jpeg"
    return None


def decode_raster(data: bytes, *, limits: ImageLimits) -> np.ndarray:
    kind = raster_format(data)
    if kind is None:
        raise InvalidInput("The file is neither DICOM, PNG nor JPEG.", code="unsupported_file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[kind.upper()])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidInput(f"The image claims too many pixels ({exc}).", code="image_too_large") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidInput(f"The {kind.upper()} file cannot be read ({exc}).", code="invalid_image") from exc

    width, height = image.size
    if width < 1 or height < 1:
        raise InvalidInput("The image is empty.", code="invalid_image")
    check_sides(width, height, limits)
    try:
        image.load()
        if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
            # 16-bit and float grey: Pillow's "L" would clip, so stretch instead.
            return rescale_to_uint8([np.asarray(image)])[0]
        return np.asarray(image.convert("L"), dtype=np.uint8).copy()
    except (OSError, SyntaxError, ValueError) as exc:
        raise InvalidInput(f"The {kind.upper()} file is truncated or corrupt ({exc}).", code="invalid_image") from exc
