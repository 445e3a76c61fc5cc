"""DICOM bytes → the header facts ingest needs, the pixel spacing, and what may be kept of the image.

Pure: no database, no settings. Every refusal is an InvalidInput that names the problem. Sizes are
checked from the header before a single pixel is decoded (or, for a deflated file, inflated); the
pixels themselves are decoded later, a frame at a time, by qa.services.dicom_frames.
"""

import io
import math
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import numpy as np
from pydicom import dcmread
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.pixels import get_decoder

from qa.errors import InvalidInput
from qa.services.dicom_inflate import inflated_file, is_deflated
from qa.services.dicom_size import ImageLimits, ImageSize, checked_size

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
_REGION_CORNERS = ("RegionLocationMinX0", "RegionLocationMinY0", "RegionLocationMaxX1", "RegionLocationMaxY1")

__all__ = [
    "DecodedDicom",
    "ImageLimits",
    "Spacing",
    "decode_dicom",
    "dicom_header",
    "is_dicom",
    "plausible_spacing",
    "refuse_implausible_header",
    "spacing_from_header",
]


@dataclass(frozen=True)
class Spacing:
    row_mm: float  # between rows (along a column)
    col_mm: float  # between columns (along a row)
    source: str  # "ultrasound_region", "pixel_spacing" or "request"


@dataclass
class DecodedDicom:
    dataset: Dataset  # as read, for de-identification; the caller must not keep it beyond the request
    size: ImageSize
    # Pixels inside the union of the ultrasound regions (rows x cols); None when the file has no
    # regions, so nothing is blanked and its burned-in text cannot be said to be gone.
    kept: np.ndarray | None
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
    """Read and check the header; no pixel is decoded here (see dicom_frames.dicom_frames)."""
    dataset = _read(data, limits)
    if "PixelData" not in dataset:
        raise InvalidInput("The DICOM file has no pixel data (no image to assess).", code="no_pixel_data")
    size = checked_size(dataset, limits)
    refuse_implausible_header(dataset, rows=size.rows, cols=size.cols, limits=limits)
    _check_decoder(dataset)
    kept = kept_pixels(dataset, rows=size.rows, cols=size.cols)
    sop_uid = str(dataset.get("SOPInstanceUID", "") or dataset.file_meta.get("MediaStorageSOPInstanceUID", ""))
    if not sop_uid:
        raise InvalidInput("The DICOM file has no SOP Instance UID.", code="invalid_dicom")
    return DecodedDicom(
        dataset=dataset,
        size=size,
        kept=kept,
        spacing=spacing_from_header(dataset, rows=size.rows, cols=size.cols),
        manufacturer=_text(dataset, "Manufacturer"),
        model_name=_text(dataset, "ManufacturerModelName"),
        study_instance_uid=_text(dataset, "StudyInstanceUID"),
        sop_instance_uid=sop_uid.strip(),
        patient_id=_text(dataset, "PatientID"),
        study_date=_date(dataset.get("StudyDate")),
    )


def dicom_header(data: bytes, *, limits: ImageLimits) -> Dataset:
    """The header alone, without reading (or, for a deflated file, inflating) the pixel data: for
    checks made before decoding, such as recognising a re-send. pydicom's own stop_before_pixels
    still inflates a deflated file whole first."""
    with _read_errors():
        stream = inflated_file(data, limits=limits, header_only=True) if is_deflated(data) else io.BytesIO(data)
        return dcmread(stream, force=False, stop_before_pixels=True)


def kept_pixels(dataset: Dataset, *, rows: int, cols: int) -> np.ndarray | None:
    """The union of the ultrasound regions, clipped to the image: machines burn their text (name,
    date, patient) outside the regions, so only these pixels are kept. None when there are no regions."""
    regions = list(dataset.get("SequenceOfUltrasoundRegions") or [])
    if not regions:
        if str(dataset.get("BurnedInAnnotation", "")).strip().upper() == "YES":
            raise InvalidInput(
                "The DICOM file says its pixels carry burned-in text (BurnedInAnnotation YES) but describes no "
                "ultrasound region, so no part of the image is known to be free of it. Send it with its "
                "SequenceOfUltrasoundRegions, or with the text removed.",
                code="burned_in_annotation",
            )
        return None
    kept = np.zeros((rows, cols), dtype=bool)
    for region in regions:
        if any(region.get(name) is None for name in _REGION_CORNERS):
            continue
        x0, y0, x1, y1 = (int(region.get(name)) for name in _REGION_CORNERS)
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, cols - 1), min(y1, rows - 1)
        if x1 >= x0 and y1 >= y0:
            kept[y0 : y1 + 1, x0 : x1 + 1] = True
    if not kept.any():
        raise InvalidInput(
            f"The DICOM file's ultrasound regions cover no pixel of its {cols} x {rows} image, so nothing of it "
            "can be kept.",
            code="no_image_region",
        )
    return kept


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


def _read(data: bytes, limits: ImageLimits) -> Dataset:
    with _read_errors():
        # A deflated data set is inflated here, capped by its own header, never by pydicom in one go.
        stream = inflated_file(data, limits=limits) if is_deflated(data) else io.BytesIO(data)
        size = stream.getbuffer().nbytes
        dataset = dcmread(stream, force=False)
        del stream
        # pydicom reads a file cut short without complaint, handing back the short values.
        _refuse_truncated(dataset, size)
        # Touch every element now, so a damaged one fails here and not half-way through storing.
        for _ in dataset.iterall():
            pass
    if "TransferSyntaxUID" not in dataset.file_meta:
        raise InvalidInput("The DICOM file names no transfer syntax.", code="invalid_dicom")
    return dataset


@contextmanager
def _read_errors():
    """pydicom's many failures on a damaged file, as one InvalidInput that says what is wrong."""
    try:
        yield
    except InvalidDicomError as exc:
        raise InvalidInput(f"The file is not a valid DICOM file: {exc}", code="invalid_dicom") from exc
    except InvalidInput:
        raise
    except Exception as exc:  # noqa: BLE001 - pydicom raises many types for a damaged file
        raise InvalidInput(f"The DICOM file is truncated or corrupt ({exc}).", code="invalid_dicom") from exc


def _refuse_truncated(dataset: Dataset, size: int) -> None:
    """The elements must account for every byte: pydicom stops quietly where a file was cut."""
    end = None
    for tag in dataset.keys():
        raw = dataset.get_item(tag)
        if not isinstance(raw, RawDataElement):
            continue  # already converted while reading (SpecificCharacterSet): its offset is gone
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


def _check_decoder(dataset: Dataset) -> None:
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
