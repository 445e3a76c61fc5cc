"""DICOM bytes → 8-bit grey frames, the pixel spacing, and the header facts ingest needs.

Pure: no database, no settings. Every refusal is an InvalidInput that names the problem, raised
before anything is stored. Sizes are checked from the header before a single pixel is decoded.
"""

import io
import math
from dataclasses import dataclass
from datetime import date

import numpy as np
from pydicom import dcmread
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.pixels import apply_color_lut, convert_color_space, get_decoder

from qa.errors import InvalidInput
from qa.services.grey import luminance, rescale_to_uint8

_UNDEFINED_LENGTH = 0xFFFFFFFF
# PhysicalUnitsX/YDirection code for centimetres (PS3.3 C.8.5.5.1.15).
_UNITS_CM = 3
# RegionSpatialFormat 1 = 2D (tissue or flow), RegionDataType 1 = tissue.
_SPATIAL_2D = 1
_DATA_TISSUE = 1
# A pixel of a fetal ultrasound image spans tenths of a millimetre; outside this range the value is
# a mistake (1e308 once reached the worker and failed there with raw Qhull text).
SPACING_MM_RANGE = (0.01, 5.0)
# US, and OT / none for exported screens (secondary captures often say nothing more); MR, CT, RT
# dose and the rest are other modalities, which the models were never trained on.
ACCEPTED_MODALITIES = ("US", "OT", "")


@dataclass(frozen=True)
class Spacing:
    row_mm: float  # between rows (along a column)
    col_mm: float  # between columns (along a row)
    source: str  # "ultrasound_region", "pixel_spacing" or "request"


@dataclass(frozen=True)
class ImageLimits:
    max_side: int
    max_frames: int
    max_total_pixels: int = 2**28
    min_side: int = 1


@dataclass
class DecodedDicom:
    dataset: Dataset  # as read, for de-identification; the caller must not keep it beyond the request
    frames: list[np.ndarray]  # each 2D uint8, luminance
    spacing: Spacing | None
    manufacturer: str
    model_name: str
    study_instance_uid: str
    sop_instance_uid: str
    patient_id: str
    study_date: date | None


def is_dicom(data: bytes) -> bool:
    return len(data) >= 132 and data[128:132] == b"DICM"


def decode_dicom(data: bytes, *, limits: ImageLimits) -> DecodedDicom:
    dataset = _read(data)
    if "PixelData" not in dataset:
        raise InvalidInput("The DICOM file has no pixel data (no image to assess).", code="no_pixel_data")
    rows, cols, n_frames = _checked_size(dataset, limits)
    refuse_implausible_header(dataset, rows=rows, cols=cols, limits=limits)
    frames = _grey_frames(dataset, rows, cols, n_frames)
    sop_uid = str(dataset.get("SOPInstanceUID", "") or dataset.file_meta.get("MediaStorageSOPInstanceUID", ""))
    if not sop_uid:
        raise InvalidInput("The DICOM file has no SOP Instance UID.", code="invalid_dicom")
    return DecodedDicom(
        dataset=dataset,
        frames=frames,
        spacing=spacing_from_header(dataset, rows=rows, cols=cols),
        manufacturer=_text(dataset, "Manufacturer"),
        model_name=_text(dataset, "ManufacturerModelName"),
        study_instance_uid=_text(dataset, "StudyInstanceUID"),
        sop_instance_uid=sop_uid.strip(),
        patient_id=_text(dataset, "PatientID"),
        study_date=_date(dataset.get("StudyDate")),
    )


def spacing_from_header(dataset: Dataset, *, rows: int, cols: int) -> Spacing | None:
    """The ultrasound tissue region that covers most of the image, else PixelSpacing, else None."""
    best: tuple[int, Spacing] | None = None
    for region in dataset.get("SequenceOfUltrasoundRegions", []):
        if region.get("RegionSpatialFormat") != _SPATIAL_2D or region.get("RegionDataType") != _DATA_TISSUE:
            continue
        if region.get("PhysicalUnitsXDirection") != _UNITS_CM or region.get("PhysicalUnitsYDirection") != _UNITS_CM:
            continue
        delta_x, delta_y = _finite(region.get("PhysicalDeltaX")), _finite(region.get("PhysicalDeltaY"))
        if delta_x is None or delta_y is None:
            continue
        # Scanners describe the region on their screen; the stored image is often smaller, so the
        # box is clipped to the image before regions are compared.
        x0 = max(int(region.get("RegionLocationMinX0", 0)), 0)
        y0 = max(int(region.get("RegionLocationMinY0", 0)), 0)
        x1 = min(int(region.get("RegionLocationMaxX1", cols - 1)), cols - 1)
        y1 = min(int(region.get("RegionLocationMaxY1", rows - 1)), rows - 1)
        area = max(x1 - x0 + 1, 0) * max(y1 - y0 + 1, 0)
        if area == 0:
            continue
        spacing = Spacing(row_mm=delta_y * 10.0, col_mm=delta_x * 10.0, source="ultrasound_region")
        if best is None or area > best[0]:
            best = (area, spacing)
    if best is not None:
        return plausible_spacing(best[1])

    pixel_spacing = dataset.get("PixelSpacing")
    if pixel_spacing is not None and len(pixel_spacing) == 2:
        row_mm, col_mm = _finite(pixel_spacing[0]), _finite(pixel_spacing[1])
        if row_mm is not None and col_mm is not None:
            return plausible_spacing(Spacing(row_mm=row_mm, col_mm=col_mm, source="pixel_spacing"))
    return None


def plausible_spacing(spacing: Spacing, *, field: str | None = None) -> Spacing:
    low, high = SPACING_MM_RANGE
    if low <= spacing.row_mm <= high and low <= spacing.col_mm <= high:
        return spacing
    where = "in the request" if spacing.source == "request" else f"in the file's header ({spacing.source})"
    raise InvalidInput(
        f"The pixel spacing {where} is {spacing.row_mm:g} x {spacing.col_mm:g} mm (rows x columns); "
        f"a plausible spacing lies between {low:g} and {high:g} mm.",
        code="implausible_spacing",
        field=field,
    )


def refuse_implausible_header(dataset: Dataset, *, rows: int, cols: int, limits: ImageLimits) -> None:
    """Checks that need the header only: the full decode and the re-send look-up share them."""
    modality = _text(dataset, "Modality").upper()
    if modality not in ACCEPTED_MODALITIES:
        raise InvalidInput(
            f"The DICOM file's modality is {modality}, not ultrasound (US); only ultrasound images are assessed.",
            code="unsupported_modality",
        )
    if rows < limits.min_side or cols < limits.min_side:
        raise InvalidInput(
            f"The image is {cols} x {rows} pixels; the smallest accepted side is {limits.min_side}.",
            code="image_too_small",
        )


def _read(data: bytes) -> Dataset:
    try:
        dataset = dcmread(io.BytesIO(data), force=False)
        # pydicom reads a file cut short without complaint, handing back the short values.
        _refuse_truncated(dataset, len(data))
        # Touch every element now, so a damaged one fails here and not half-way through storing.
        for _ in dataset.iterall():
            pass
    except InvalidDicomError as exc:
        raise InvalidInput(f"The file is not a valid DICOM file: {exc}", code="invalid_dicom") from exc
    except InvalidInput:
        raise
    except Exception as exc:  # noqa: BLE001 - pydicom raises many types for a damaged file
        raise InvalidInput(f"The DICOM file is truncated or corrupt ({exc}).", code="invalid_dicom") from exc
    if "TransferSyntaxUID" not in dataset.file_meta:
        raise InvalidInput("The DICOM file names no transfer syntax.", code="invalid_dicom")
    return dataset


def _refuse_truncated(dataset: Dataset, size: int) -> None:
    """The elements must account for every byte: pydicom stops quietly where a file was cut."""
    end = None
    for tag in dataset.keys():
        raw = dataset.get_item(tag)
        if not isinstance(raw, RawDataElement):
            return
        end = None if raw.length == _UNDEFINED_LENGTH else raw.value_tell + raw.length
        if end is not None and end > size:
            raise InvalidInput(
                f"The DICOM file is truncated: element {raw.tag} needs {raw.length} bytes, the file ends first.",
                code="invalid_dicom",
            )
    if not dataset.keys():
        raise InvalidInput("The DICOM file is truncated: it holds no data set.", code="invalid_dicom")
    # Fewer leftover bytes than the longest element header (12): a header cut in the middle.
    if end is not None and 0 < size - end < 12:
        raise InvalidInput("The DICOM file is truncated: it ends inside an element's header.", code="invalid_dicom")


def _checked_size(dataset: Dataset, limits: ImageLimits) -> tuple[int, int, int]:
    try:
        rows, cols = int(dataset.Rows), int(dataset.Columns)
        n_frames = int(dataset.get("NumberOfFrames") or 1)
    except (AttributeError, TypeError, ValueError) as exc:
        raise InvalidInput("The DICOM file lacks valid Rows, Columns or NumberOfFrames.", code="invalid_dicom") from exc
    if rows < 1 or cols < 1 or n_frames < 1:
        raise InvalidInput(
            f"The DICOM image has an empty size ({cols} x {rows}, {n_frames} frames).", code="invalid_dicom"
        )
    if rows > limits.max_side or cols > limits.max_side:
        raise InvalidInput(
            f"The image is {cols} x {rows} pixels; the largest accepted side is {limits.max_side}.",
            code="image_too_large",
        )
    if n_frames > limits.max_frames:
        raise InvalidInput(
            f"The DICOM file holds {n_frames} frames; at most {limits.max_frames} are accepted per upload.",
            code="too_many_frames",
        )
    if rows * cols * n_frames > limits.max_total_pixels:
        raise InvalidInput(
            f"The DICOM file holds {rows * cols * n_frames} pixels in all; the limit is {limits.max_total_pixels}.",
            code="image_too_large",
        )
    return rows, cols, n_frames


def _grey_frames(dataset: Dataset, rows: int, cols: int, n_frames: int) -> list[np.ndarray]:
    syntax = dataset.file_meta.TransferSyntaxUID
    try:
        decoder = get_decoder(syntax)
    except NotImplementedError as exc:
        raise InvalidInput(
            f"Pixel data in transfer syntax {_syntax_words(syntax)} cannot be decoded; send it uncompressed, "
            "JPEG, JPEG 2000, JPEG-LS or RLE.",
            code="unsupported_transfer_syntax",
        ) from exc
    if not decoder.is_available:
        raise InvalidInput(
            f"No decoder is installed for transfer syntax {_syntax_words(syntax)}.", code="unsupported_transfer_syntax"
        )
    raw_frames = []
    try:
        # Frame by frame (as RGB where the data is YCbCr), so a long cine never sits in memory twice.
        for array, meta in decoder.iter_array(dataset):
            raw_frames.append((array, str(meta.get("photometric_interpretation", ""))))
    except Exception as exc:  # noqa: BLE001 - decoders raise many types for damaged data
        raise InvalidInput(f"The DICOM pixel data cannot be decoded ({exc}).", code="undecodable_pixels") from exc
    if len(raw_frames) != n_frames:
        raise InvalidInput(
            f"The DICOM file announces {n_frames} frames but holds {len(raw_frames)}.", code="undecodable_pixels"
        )
    try:
        colour_to_grey = [_as_luminance(array, photometric, dataset) for array, photometric in raw_frames]
    except Exception as exc:  # noqa: BLE001 - a broken palette or colour space
        raise InvalidInput(f"The DICOM colour data cannot be converted ({exc}).", code="undecodable_pixels") from exc
    # One scale for every frame of a cine, so brightness does not flicker between frames.
    frames = rescale_to_uint8(colour_to_grey)
    for frame in frames:
        if frame.shape != (rows, cols):
            raise InvalidInput(f"A decoded frame is {frame.shape}, not {rows} x {cols}.", code="undecodable_pixels")
    return frames


def _as_luminance(array: np.ndarray, photometric: str, dataset: Dataset) -> np.ndarray:
    if photometric == "PALETTE COLOR":
        array = apply_color_lut(array, dataset)
        # LUT entries of 16 bits span 0..65535: bring them to 0..255 as the LUT's author meant.
        if int(dataset.RedPaletteColorLookupTableDescriptor[2]) == 16:
            array = array.astype(np.float64) / 257.0
        photometric = "RGB"
    elif photometric.startswith("YBR") and array.ndim == 3:
        if photometric in ("YBR_FULL", "YBR_FULL_422"):
            array = convert_color_space(array, photometric, "RGB")
            photometric = "RGB"
        else:
            # YBR_RCT / YBR_ICT left undecoded: the first channel is already the luminance.
            return array[..., 0]
    if array.ndim == 3:
        return luminance(array)
    if photometric == "MONOCHROME1":
        # Low values are white: invert (8-bit in place of range, wider data by sign before rescaling).
        return 255 - array if array.dtype == np.uint8 else -array.astype(np.float64)
    return array


def _syntax_words(syntax) -> str:
    return f"'{syntax.name}' ({syntax})" if syntax.name != str(syntax) else f"'{syntax}'"


def _text(dataset: Dataset, keyword: str) -> str:
    value = dataset.get(keyword)
    return str(value).strip() if value is not None else ""


def _finite(value) -> float | None:
    """A finite number as it stands, else None. No abs(): a negative spacing is refused, not mended."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def study_date_from_header(dataset: Dataset) -> date | None:
    return _date(dataset.get("StudyDate"))


def _date(value) -> date | None:
    """StudyDate as a date; the old ACR-NEMA form 1997.04.24 too; anything else is no date."""
    text = str(value or "").strip().replace(".", "")
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None
