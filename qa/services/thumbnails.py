"""Small PNGs of stored frames, for the study page's filmstrip: a few kB each instead of the full frame."""

import io

from django.db.models.fields.files import FieldFile
from PIL import Image, UnidentifiedImageError

from qa.errors import FusqaError

THUMBNAIL_MAX_SIDE = 160


class StoredImageMissing(FusqaError):
    status_code = 404
    code = "not_found"


def thumbnail_png(stored: FieldFile, *, max_side: int = THUMBNAIL_MAX_SIDE) -> bytes:
    """The stored PNG scaled down (never up) so its longer side is at most `max_side` pixels, as PNG bytes."""
    try:
        with stored.open("rb") as handle:
            image = Image.open(io.BytesIO(handle.read()))
            image.load()
    except (FileNotFoundError, ValueError, UnidentifiedImageError, OSError):
        raise StoredImageMissing("The stored image file is missing or unreadable.") from None
    image.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, compress_level=3)
    return out.getvalue()
