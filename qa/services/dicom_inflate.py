"""Deflated Explicit VR Little Endian files, inflated with a cap the header sets.

pydicom inflates a deflated data set in one call, before anything can be checked: a 1 MB file of
zeros becomes gigabytes in memory. Here the stream is inflated a chunk at a time. Once the inflated
part reaches the pixel data element, the header is read from it (Rows, Columns, frames, samples,
bits) and checked against the limits; past that point the stream may only grow by the pixel bytes
that header describes, and inflating stops, refused, the moment it would grow more.

The result is the same data set as an ordinary Explicit VR Little Endian Part-10 file, which pydicom
then reads as usual, with element offsets that refer to the inflated bytes.
"""

import io
import zlib

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.filebase import DicomBytesIO
from pydicom.filereader import read_dataset
from pydicom.filewriter import write_file_meta_info
from pydicom.tag import BaseTag
from pydicom.uid import DeflatedExplicitVRLittleEndian, ExplicitVRLittleEndian

from qa.errors import InvalidInput
from qa.services.dicom_size import ImageLimits, checked_size

_PREAMBLE = 128 + 4  # 128 bytes, then "DICM"
_PIXEL_DATA = 0x7FE00010
_IN_CHUNK = 64 * 1024
_OUT_CHUNK = 1024 * 1024
# Everything before the pixel data. Real headers are kilobytes; an icon image or a private block may
# reach a few megabytes.
MAX_HEADER_BYTES = 32 * 1024 * 1024
# After the pixel data only padding or a signature may follow.
_TRAILER_BYTES = 64 * 1024
# Element header of OB/OW pixel data in explicit VR: tag, VR, two reserved bytes, 32-bit length.
_PIXEL_ELEMENT_HEADER = 12


def is_deflated(data: bytes) -> bool:
    """Whether the file meta names the deflated transfer syntax (a cheap look, before any reading)."""
    try:
        meta = _file_meta(data)[0]
    except InvalidInput:
        return False  # left to the ordinary reader, which names what is wrong
    return meta.get("TransferSyntaxUID") == DeflatedExplicitVRLittleEndian


def inflated_file(data: bytes, *, limits: ImageLimits, header_only: bool = False) -> io.BytesIO:
    """The deflated file as an Explicit VR Little Endian Part-10 file, inflated no further than its
    header allows (`header_only`: no further than the start of the pixel data). Refuses (InvalidInput)
    a header past the limits, a stream that inflates past what the header describes, and a stream cut
    short."""
    meta, body_start = _file_meta(data)
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    out = io.BytesIO()
    out.write(b"\x00" * 128 + b"DICM")
    meta_bytes = DicomBytesIO()
    meta_bytes.is_little_endian, meta_bytes.is_implicit_VR = True, False
    write_file_meta_info(meta_bytes, meta, enforce_standard=True)
    out.write(meta_bytes.getvalue())
    body_offset = out.tell()

    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    compressed = memoryview(data)[body_start:]
    position = 0
    pending = b""
    cap = MAX_HEADER_BYTES  # until the pixel data element is reached
    pixels_found = False
    next_look = 64 * 1024
    while not inflater.eof:
        if not pending:
            if position >= len(compressed):
                raise InvalidInput(
                    "The deflated DICOM data set is truncated: the compressed stream ends early.",
                    code="invalid_dicom",
                )
            pending = compressed[position : position + _IN_CHUNK]
            position += len(pending)
        try:
            piece = inflater.decompress(pending, _OUT_CHUNK)
        except zlib.error as exc:
            raise InvalidInput(f"The deflated DICOM data set is corrupt ({exc}).", code="invalid_dicom") from exc
        pending = inflater.unconsumed_tail
        out.write(piece)
        inflated = out.tell() - body_offset
        if not pixels_found and (inflated >= next_look or inflater.eof):
            found = _header_before_pixels(out.getvalue()[body_offset:])
            if found is not None:
                header, pixel_element_at = found
                size = checked_size(header, limits)
                pixels_found = True
                if header_only:
                    out.truncate(body_offset + pixel_element_at)
                    break
                padded = size.pixel_bytes + size.pixel_bytes % 2
                cap = pixel_element_at + _PIXEL_ELEMENT_HEADER + padded + _TRAILER_BYTES
            next_look = inflated * 2
        if inflated > cap:
            what = "its header allows" if pixels_found else f"a header may take before the pixel data ({cap})"
            raise InvalidInput(
                f"The deflated DICOM data set inflates past the {cap} bytes {what}; it is refused unread.",
                code="image_too_large",
            )
    out.seek(0)
    return out


def _file_meta(data: bytes) -> tuple[FileMetaDataset, int]:
    """The file meta group and the offset where the data set starts."""
    stream = io.BytesIO(data)
    stream.seek(_PREAMBLE)
    try:
        meta = FileMetaDataset(read_dataset(stream, False, True, stop_when=lambda tag, vr, length: tag >> 16 != 2))
    except Exception as exc:  # noqa: BLE001 - pydicom raises many types for a damaged meta group
        raise InvalidInput(f"The DICOM file meta information is corrupt ({exc}).", code="invalid_dicom") from exc
    return meta, stream.tell()


def _header_before_pixels(body: bytes) -> tuple[Dataset, int] | None:
    """The top-level elements before the pixel data and the offset of its element, or None while the
    inflated part does not reach it yet."""
    where: list[int] = []

    def at_pixels(tag: BaseTag, vr, length) -> bool:
        if tag == _PIXEL_DATA:
            where.append(length)
            return True
        return False

    stream = io.BytesIO(body)
    try:
        header = read_dataset(stream, False, True, stop_when=at_pixels)
    except Exception:  # noqa: BLE001 - cut inside an element: not far enough yet
        return None
    if not where:
        return None
    # The reader rewinds to the start of the pixel data element before it returns.
    return header, stream.tell()
