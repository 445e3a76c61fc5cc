"""A DICOM upload's header, read without touching its pixel data: enough to recognise a re-send.

Pure: no database, no settings. The read stops where the pixel data starts. It answers None
whenever it cannot be sure (deflated body, damaged or cut-short file, no instance UID): the full
decode then reads the file and gives the proper error. A header that reads but is implausible
(another modality, absurd spacing, a tiny image) is refused with the same checks as the full decode.
"""

import io
import struct
from dataclasses import dataclass
from datetime import date

from pydicom import dcmread
from pydicom.uid import DeflatedExplicitVRLittleEndian

from qa.errors import InvalidInput
from qa.services.dicom_decode import (
    ImageLimits,
    Spacing,
    refuse_implausible_header,
    spacing_from_header,
    study_date_from_header,
)

_PIXEL_DATA_TAG = (0x7FE0, 0x0010)
_ITEM = (0xFFFE, 0xE000)
_SEQUENCE_DELIMITER = (0xFFFE, 0xE0DD)
_UNDEFINED_LENGTH = 0xFFFFFFFF
# The file meta group's length: element (0002,0000) UL right after the 128-byte preamble and "DICM".
_META_LENGTH_AT = 132 + 8


@dataclass(frozen=True)
class DicomHeader:
    sop_instance_uid: str  # as in the file, before de-identification
    spacing: Spacing | None
    study_date: date | None


def read_dicom_header(data: bytes, *, limits: ImageLimits) -> DicomHeader | None:
    if _meta_names_deflate(data):
        # The whole body is one zlib stream: reading the header means inflating it all.
        return None
    buffer = io.BytesIO(data)
    try:
        dataset = dcmread(buffer, stop_before_pixels=True)
        implicit_vr, little_endian = dataset.original_encoding
        if not _pixel_data_fits(data, buffer.tell(), implicit_vr=implicit_vr, little_endian=little_endian):
            return None
        sop_uid = str(dataset.get("SOPInstanceUID", "") or dataset.file_meta.get("MediaStorageSOPInstanceUID", ""))
        rows, cols = int(dataset.Rows), int(dataset.Columns)
        if not sop_uid.strip() or rows < 1 or cols < 1:
            return None
        refuse_implausible_header(dataset, rows=rows, cols=cols, limits=limits)
        return DicomHeader(
            sop_instance_uid=sop_uid.strip(),
            spacing=spacing_from_header(dataset, rows=rows, cols=cols),
            study_date=study_date_from_header(dataset),
        )
    except InvalidInput:
        raise
    except Exception:  # noqa: BLE001 - any doubt sends the file down the full decode, which explains it
        return None


def _meta_names_deflate(data: bytes) -> bool:
    try:
        (meta_length,) = struct.unpack("<I", data[_META_LENGTH_AT : _META_LENGTH_AT + 4])
    except struct.error:
        return True
    meta = data[: _META_LENGTH_AT + 4 + meta_length]
    return str(DeflatedExplicitVRLittleEndian).encode() in meta


def _pixel_data_fits(data: bytes, at: int, *, implicit_vr: bool, little_endian: bool) -> bool:
    """The read stopped at the pixel data element: its value must lie within the file, as a
    re-send of a stored file's does, so a cut-short copy still meets the full decode's refusal."""
    endian = "<" if little_endian else ">"
    try:
        group, element = struct.unpack(endian + "HH", data[at : at + 4])
        if (group, element) != _PIXEL_DATA_TAG:
            return False
        if implicit_vr:
            (length,) = struct.unpack(endian + "I", data[at + 4 : at + 8])
            value_at = at + 8
        else:  # explicit VR: OB or OW, two reserved bytes, then a 4-byte length
            (length,) = struct.unpack(endian + "I", data[at + 8 : at + 12])
            value_at = at + 12
    except struct.error:
        return False
    if length == _UNDEFINED_LENGTH:
        return _fragments_fit(data, value_at, endian)
    return value_at + length <= len(data)


def _fragments_fit(data: bytes, at: int, endian: str) -> bool:
    """Encapsulated frames: items one after another up to the sequence delimiter, all inside the file."""
    while at + 8 <= len(data):
        group, element, length = struct.unpack(endian + "HHI", data[at : at + 8])
        if (group, element) == _SEQUENCE_DELIMITER:
            return True
        if (group, element) != _ITEM or length == _UNDEFINED_LENGTH:
            return False
        at += 8 + length
    return False
