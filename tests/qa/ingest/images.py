"""PNG and JPEG bytes for the ingest tests."""

import io
import struct
import zlib

import numpy as np
from PIL import Image


def image_bytes(array: np.ndarray, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=fmt)
    return buffer.getvalue()


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny valid-looking PNG whose header claims width x height: a decompression bomb's shape."""
    real = image_bytes(np.zeros((2, 2), np.uint8))
    ihdr_start = 8
    length = struct.unpack(">I", real[ihdr_start : ihdr_start + 4])[0]
    body = bytearray(real[ihdr_start + 8 : ihdr_start + 8 + length])
    body[0:8] = struct.pack(">II", width, height)
    chunk = b"IHDR" + bytes(body)
    patched = struct.pack(">I", length) + chunk + struct.pack(">I", zlib.crc32(chunk) & 0xFFFFFFFF)
    return real[:ihdr_start] + patched + real[ihdr_start + 12 + length :]
