"""A DICOM's pixels, a frame at a time: each frame decoded, blanked outside the ultrasound regions,
and turned into the 8-bit grey frame FUSQA reads.

Memory stays near one decoded frame whatever the length of the cine: nothing keeps a frame once the
caller has written it, and no float copy of the whole cine is made. A cine of data wider than 8 bits
shares one display scale across its frames; finding it takes a first pass of minima and maxima
(decoding each frame once more), which 8-bit data, already on its scale, never needs.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from pydicom.dataset import Dataset
from pydicom.pixels import apply_color_lut, convert_color_space, get_decoder

from qa.errors import InvalidInput
from qa.services.dicom_decode import DecodedDicom
from qa.services.grey import luminance, to_uint8


@dataclass
class DicomFrame:
    native: np.ndarray  # as decoded (RGB where the data was YCbCr), blanked outside the regions
    grey: np.ndarray  # 2D uint8 luminance, blanked outside the regions
    photometric: str  # of `native`


def dicom_frames(decoded: DecodedDicom) -> Iterator[DicomFrame]:
    """Every frame in order. Raises InvalidInput for pixel data that cannot be decoded or converted,
    or that holds another number of frames than the header announces."""
    dataset, size, kept = decoded.dataset, decoded.size, decoded.kept
    scale = None if _fits_8_bits(dataset) else _common_scale(decoded)
    count = 0
    for native, photometric in _decoded(dataset):
        count += 1
        if count > size.frames:
            break
        if native.shape[:2] != (size.rows, size.cols):
            raise InvalidInput(
                f"A decoded frame is {native.shape[:2]}, not {size.rows} x {size.cols}.", code="undecodable_pixels"
            )
        if kept is not None:
            native[~kept] = _black(dataset, photometric, native.dtype)
        grey = to_uint8(_as_luminance(native, photometric, dataset), scale)
        if kept is not None:
            grey[~kept] = 0
        yield DicomFrame(native=native, grey=grey, photometric=photometric)
    if count != size.frames:
        raise InvalidInput(
            f"The DICOM file announces {size.frames} frames but holds {count}.", code="undecodable_pixels"
        )


def _decoded(dataset: Dataset) -> Iterator[tuple[np.ndarray, str]]:
    decoder = get_decoder(dataset.file_meta.TransferSyntaxUID)
    frames = decoder.iter_array(dataset)
    while True:
        try:
            array, meta = next(frames)
        except StopIteration:
            return
        except Exception as exc:  # noqa: BLE001 - decoders raise many types for damaged data
            raise InvalidInput(f"The DICOM pixel data cannot be decoded ({exc}).", code="undecodable_pixels") from exc
        if not array.flags.writeable:  # a view of the file's bytes: blanking needs its own copy
            array = array.copy()
        yield array, str(meta.get("photometric_interpretation", ""))


def _fits_8_bits(dataset: Dataset) -> bool:
    """Whether every grey value is already within 0..255 by construction (then no scale is needed)."""
    photometric = str(dataset.get("PhotometricInterpretation", ""))
    if photometric == "PALETTE COLOR":
        return True  # the LUT's colours are brought to 0..255 below
    return (
        int(dataset.get("BitsStored") or dataset.BitsAllocated) <= 8 and int(dataset.get("PixelRepresentation", 0)) == 0
    )


def _common_scale(decoded: DecodedDicom) -> tuple[float, float]:
    """(low, high) of the grey values inside the kept pixels over every frame: one brightness scale
    for the whole cine, so it does not flicker between frames."""
    low, high = np.inf, -np.inf
    for native, photometric in _decoded(decoded.dataset):
        grey = _as_luminance(native, photometric, decoded.dataset)
        values = grey if decoded.kept is None else grey[decoded.kept]
        low, high = min(low, float(values.min())), max(high, float(values.max()))
    return low, high


def _black(dataset: Dataset, photometric: str, dtype) -> int:
    """The stored value shown as black: 0, but the largest value where MONOCHROME1 inverts."""
    if photometric != "MONOCHROME1":
        return 0
    bits = int(dataset.get("BitsStored") or dataset.BitsAllocated)
    signed = np.issubdtype(dtype, np.signedinteger)
    return (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1


def _as_luminance(array: np.ndarray, photometric: str, dataset: Dataset) -> np.ndarray:
    try:
        if photometric == "PALETTE COLOR":
            rgb = apply_color_lut(array, dataset)
            # LUT entries of 16 bits span 0..65535: bring them to 0..255 as the LUT's author meant.
            return luminance(rgb, divide_by=257.0 if int(dataset.RedPaletteColorLookupTableDescriptor[2]) == 16 else 1)
        if photometric.startswith("YBR") and array.ndim == 3:
            if photometric in ("YBR_FULL", "YBR_FULL_422"):
                return luminance(convert_color_space(array, photometric, "RGB"))
            # YBR_RCT / YBR_ICT left undecoded: the first channel is already the luminance.
            return array[..., 0]
    except Exception as exc:  # noqa: BLE001 - a broken palette or colour space
        raise InvalidInput(f"The DICOM colour data cannot be converted ({exc}).", code="undecodable_pixels") from exc
    if array.ndim == 3:
        return luminance(array)
    if photometric == "MONOCHROME1":
        # Low values are white: invert (8-bit in place of range, wider data by sign before rescaling).
        return 255 - array if array.dtype == np.uint8 else -array.astype(np.float64)
    return array
