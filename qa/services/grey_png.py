"""An uploaded PNG that is already what FUSQA stores (8-bit grey, not interlaced) is kept as it came
instead of being decoded and encoded again: only its image chunks are copied (IHDR, IDAT, IEND), so text
and metadata chunks, where names or dates could hide, are dropped. Pure: no database, no settings.

Validation needs no pixel array: every chunk's CRC is checked, the image data is inflated (capped at the
size the header gives, so a decompression bomb stops there) and must be exactly one filter byte plus one
byte a pixel per row, with valid filter types. That is everything a decoder would refuse the file for.
"""

import struct
import zlib
from dataclasses import dataclass

from qa.errors import InvalidInput
from qa.services.dicom_decode import ImageLimits
from qa.services.dicom_size import check_sides

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_GREY, _EIGHT_BITS, _NOT_INTERLACED = 0, 8, 0
_KEPT = (b"IHDR", b"IDAT", b"IEND")
_MAX_FILTER_TYPE = 4


@dataclass(frozen=True)
class GreyPng:
    data: bytes  # the PNG as stored: the upload's IHDR, IDAT and IEND chunks, byte for byte
    height: int
    width: int


def grey_png_as_sent(data: bytes, *, limits: ImageLimits) -> GreyPng | None:
    """The upload, checked and ready to store, when it is an 8-bit grey non-interlaced PNG; None for any
    other PNG (the caller decodes and converts those). Refuses (InvalidInput) a damaged one."""
    chunks = _chunks(data)
    if chunks is None or not chunks or chunks[0][0] != b"IHDR" or len(chunks[0][1]) != 13:
        return None
    width, height, depth, colour, _compression, _filter, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    if (depth, colour, interlace) != (_EIGHT_BITS, _GREY, _NOT_INTERLACED):
        return None
    if chunks[-1][0] != b"IEND":
        raise InvalidInput("The PNG file is truncated (it has no IEND chunk).", code="invalid_image")
    check_sides(width, height, limits)
    _check_image_data(b"".join(body for kind, body, _ in chunks if kind == b"IDAT"), width=width, height=height)
    kept = b"".join(raw for kind, _, raw in chunks if kind in _KEPT)
    return GreyPng(data=PNG_SIGNATURE + kept, height=height, width=width)


def _chunks(data: bytes) -> list[tuple[bytes, bytes, bytes]] | None:
    """(type, body, the chunk's raw bytes) up to IEND; None when this is not a PNG at all."""
    if not data.startswith(PNG_SIGNATURE):
        return None
    chunks = []
    at = len(PNG_SIGNATURE)
    while at + 12 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        end = at + 12 + length
        if end > len(data):
            raise InvalidInput("The PNG file is truncated (a chunk runs past its end).", code="invalid_image")
        body = data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(body, zlib.crc32(kind)) != crc:
            raise InvalidInput(f"The PNG file is corrupt (a bad CRC in its {kind!r} chunk).", code="invalid_image")
        chunks.append((kind, body, data[at:end]))
        at = end
        if kind == b"IEND":
            break
    return chunks


def _check_image_data(compressed: bytes, *, width: int, height: int) -> None:
    expected = height * (width + 1)
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(compressed, expected + 1)
    except zlib.error as exc:
        raise InvalidInput(f"The PNG file is corrupt ({exc}).", code="invalid_image") from exc
    if len(raw) != expected or not inflater.eof:
        raise InvalidInput(
            "The PNG file is truncated or corrupt: its image data is not the size its header gives.",
            code="invalid_image",
        )
    if max(raw[:: width + 1]) > _MAX_FILTER_TYPE:
        raise InvalidInput("The PNG file is corrupt (an unknown row filter).", code="invalid_image")
