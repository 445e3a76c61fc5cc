"""Small DICOM files written for the ingest tests."""

import io
import struct

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

US_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.6.1"
US_MULTIFRAME_STORAGE = "1.2.840.10008.5.1.4.1.1.3.1"


def ultrasound_region(*, box=(0, 0, 47, 31), delta_cm=(0.02, 0.02), spatial_format=1, data_type=1, units=3):
    region = Dataset()
    region.RegionSpatialFormat = spatial_format
    region.RegionDataType = data_type
    region.RegionFlags = 0
    region.RegionLocationMinX0, region.RegionLocationMinY0 = box[0], box[1]
    region.RegionLocationMaxX1, region.RegionLocationMaxY1 = box[2], box[3]
    region.PhysicalUnitsXDirection = units
    region.PhysicalUnitsYDirection = units
    region.PhysicalDeltaX, region.PhysicalDeltaY = delta_cm
    return region


def dicom_dataset(
    *,
    pixels: np.ndarray | None = None,
    frames: int = 1,
    rows: int = 32,
    cols: int = 48,
    regions: list[Dataset] | None = None,
    pixel_spacing=None,
    sop_uid: str | None = None,
    study_uid: str | None = None,
    patient_id: str = "PID-0001",
    manufacturer: str = "Phantom Medical",
    model: str = "PX-1",
    study_date: str = "20260314",
) -> Dataset:
    if pixels is None:
        rng = np.random.default_rng(7)
        shape = (frames, rows, cols) if frames > 1 else (rows, cols)
        pixels = rng.integers(0, 256, size=shape, dtype=np.uint8)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = US_MULTIFRAME_STORAGE if frames > 1 else US_IMAGE_STORAGE
    meta.MediaStorageSOPInstanceUID = sop_uid or generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = study_uid or generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.Modality = "US"
    ds.PatientID = patient_id
    ds.PatientName = "Test^Patient"
    ds.StudyDate = study_date
    ds.Manufacturer = manufacturer
    ds.ManufacturerModelName = model
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = pixels.shape[-2], pixels.shape[-1]
    if frames > 1:
        ds.NumberOfFrames = frames
    ds.BitsAllocated = ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    ds.PixelData = pixels.tobytes()
    if regions is not None:
        ds.SequenceOfUltrasoundRegions = Sequence(regions)
    if pixel_spacing is not None:
        ds.PixelSpacing = list(pixel_spacing)
    return ds


def dicom_bytes(ds: Dataset) -> bytes:
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def dicom_bytes_with_syntax(ds):
    """Write the body as explicit little endian, then name another transfer syntax in the meta."""
    wanted = ds.file_meta.TransferSyntaxUID
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    data = buffer.getvalue()
    old, new = str(ExplicitVRLittleEndian).encode(), str(wanted).encode()
    new = new + b"\x00" * (len(new) % 2)
    assert old in data
    # Rewrite the meta element and its length, and the meta group length.
    start = data.index(old) - 4
    old_len = struct.unpack("<H", data[start + 2 : start + 4])[0]
    element = data[start - 4 : start + 2] + struct.pack("<H", len(new)) + new
    data = data[: start - 4] + element + data[start + 4 + old_len :]
    group_length_at = 132 + 8
    group_length = struct.unpack("<I", data[group_length_at : group_length_at + 4])[0] + len(new) - old_len
    return data[:group_length_at] + struct.pack("<I", group_length) + data[group_length_at + 4 :]
