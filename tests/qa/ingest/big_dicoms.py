"""Large or hostile DICOM files, made on the fly (never shipped): a deflate bomb, wide RLE colour
images, and valid deflated files. Shared by the ingest tests and bench/ingest_memory.py."""

import io
import struct
import zlib

import numpy as np
from pydicom.dataset import Dataset
from pydicom.encaps import encapsulate
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_dataset, write_file_meta_info
from pydicom.uid import DeflatedExplicitVRLittleEndian, RLELossless

from tests.qa.ingest.dicoms import dicom_bytes, dicom_dataset, ultrasound_region

_PIXEL_DATA_TAG = struct.pack("<HH", 0x7FE0, 0x0010)
_CHUNK = 1 << 20


def deflate_bomb(*, inflated_pixel_bytes: int = 1 << 30, rows: int = 64, cols: int = 64) -> bytes:
    """A Deflated Explicit VR Little Endian file whose header describes a small image but whose pixel
    data element inflates to `inflated_pixel_bytes` zeros (about 1 MB sent per GB inflated)."""
    ds = dicom_dataset(rows=rows, cols=cols, regions=[ultrasound_region(box=(0, 0, cols - 1, rows - 1))])
    del ds.PixelData
    body = io.BytesIO()
    header = DicomBytesIO()
    header.is_little_endian, header.is_implicit_VR = True, False
    write_dataset(header, ds)
    even = inflated_pixel_bytes + inflated_pixel_bytes % 2
    element = _PIXEL_DATA_TAG + b"OB\x00\x00" + struct.pack("<I", even)
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    body.write(deflater.compress(header.getvalue() + element))
    zeros = bytes(_CHUNK)
    left = even
    while left:
        step = min(left, _CHUNK)
        body.write(deflater.compress(zeros[:step]))
        left -= step
    body.write(deflater.flush())
    return _with_meta(ds, DeflatedExplicitVRLittleEndian) + body.getvalue()


def deflated(ds: Dataset) -> bytes:
    """A valid file in the Deflated Explicit VR Little Endian transfer syntax (pydicom deflates it)."""
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    return dicom_bytes(ds)


def rle_rgb32(*, rows: int = 4096, cols: int = 4096, frames: int = 2, regions=None) -> bytes:
    """An RLE Lossless RGB file, 32 bits per sample. Columns come in runs of 128 equal values, so it
    compresses about 250:1 (4096² x 2 frames: 6.3 MB sent, 384 MiB of pixels)."""
    assert cols % 128 == 0
    runs = cols // 128
    # One value per run of 128 columns and per sample; every row alike.
    values = (np.arange(runs, dtype=np.uint64)[:, None] * 0x01030507 + np.arange(3, dtype=np.uint64) * 0x00400000) % (
        1 << 32
    )
    segments = []
    for sample in range(3):
        for byte in range(4):  # most significant byte first (PS3.5 G.2)
            row_bytes = ((values[:, sample] >> np.uint64(8 * (3 - byte))) & np.uint64(0xFF)).astype(np.uint8)
            # 0x81: "repeat the next byte 128 times" (PackBits, PS3.5 G.3.1).
            row = np.stack([np.full(runs, 0x81, np.uint8), row_bytes], axis=1).tobytes()
            segments.append(row * rows)
    offsets, position = [], 64
    for segment in segments:
        offsets.append(position)
        position += len(segment)
    frame = struct.pack("<16I", len(segments), *offsets, *([0] * (15 - len(offsets)))) + b"".join(segments)
    ds = dicom_dataset(
        pixels=np.zeros((1, 1), np.uint8),
        regions=regions if regions is not None else [ultrasound_region(box=(0, 0, cols - 1, rows - 1))],
    )
    ds.Rows, ds.Columns = rows, cols
    if frames > 1:
        ds.NumberOfFrames = frames
    ds.SamplesPerPixel = 3
    ds.PhotometricInterpretation = "RGB"
    ds.PlanarConfiguration = 0
    ds.BitsAllocated = ds.BitsStored = 32
    ds.HighBit = 31
    ds.PixelData = encapsulate([frame] * frames)
    ds["PixelData"].VR = "OB"
    ds.file_meta.TransferSyntaxUID = RLELossless
    return dicom_bytes(ds)


def pixel_bytes_of(ds: Dataset) -> int:
    frames = int(ds.get("NumberOfFrames") or 1)
    return int(ds.Rows) * int(ds.Columns) * frames * int(ds.SamplesPerPixel) * int(ds.BitsAllocated) // 8


def _with_meta(ds: Dataset, syntax) -> bytes:
    ds.file_meta.TransferSyntaxUID = syntax
    out = io.BytesIO()
    out.write(b"\x00" * 128 + b"DICM")
    meta = DicomBytesIO()
    meta.is_little_endian, meta.is_implicit_VR = True, False
    write_file_meta_info(meta, ds.file_meta, enforce_standard=True)
    out.write(meta.getvalue())
    return out.getvalue()
