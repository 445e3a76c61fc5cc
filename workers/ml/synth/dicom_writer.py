"""Synthetic frames as real DICOM files (Ultrasound Image Storage), deterministic from the seed.

The patient and institution are invented but look real, so that the product's de-identification
has something to remove: in the header, and burned into the pixels. As real machines do, the exported
image is the screen: a header bar with the institution, the patient's name and ID, the exam date and
the machine above the scan, outside the ultrasound region the file declares (BurnedInAnnotation YES).
UIDs derive from the profile and seed (same seed, same bytes).
"""

from __future__ import annotations

import datetime as dt
import io
import zlib

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, ExplicitVRLittleEndian, generate_uid

from .overlays import header_bar
from .scan import SyntheticScan

US_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.6.1"
_FAMILY = ("HARTLEY", "OKAFOR", "LINDQVIST", "MORENO", "TANAKA", "BRENNAN", "KOWALSKI", "HADDAD", "NGUYEN")
_GIVEN = ("ANNA", "GRACE", "MEI", "FATIMA", "SOFIA", "CHLOE", "PRIYA", "LENA", "AMARA")


def _uid(scan: SyntheticScan, kind: str) -> str:
    return generate_uid(entropy_srcs=["fusqa-synth", scan.profile, str(scan.seed), kind])


def invented_patient(seed: int) -> tuple[str, str, str]:
    """(PatientName, PatientID, PatientBirthDate) invented from the seed."""
    h = zlib.crc32(f"patient-{seed}".encode())
    name = f"{_FAMILY[h % len(_FAMILY)]}^{_GIVEN[(h // 7) % len(_GIVEN)]}"
    birth = dt.date(1984, 1, 1) + dt.timedelta(days=h % 6500)
    return name, f"SYN{h % 10**8:08d}", birth.strftime("%Y%m%d")


def scan_to_dataset(scan: SyntheticScan, *, accession: str | None = None) -> Dataset:
    m = scan.machine
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = US_IMAGE_STORAGE
    meta.MediaStorageSOPInstanceUID = _uid(scan, "sop")
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    ds = Dataset()
    ds.file_meta = meta
    name, pid, birth = invented_patient(scan.seed)
    date = scan.study_date.strftime("%Y%m%d")
    seconds = zlib.crc32(f"time-{scan.seed}".encode()) % (9 * 3600) + 8 * 3600
    time = f"{seconds // 3600:02d}{seconds // 60 % 60:02d}{seconds % 60:02d}"

    ds.SOPClassUID = US_IMAGE_STORAGE
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = _uid(scan, "study")
    ds.SeriesInstanceUID = _uid(scan, "series")
    ds.Modality = "US"
    ds.StudyDate = ds.SeriesDate = ds.ContentDate = date
    ds.StudyTime = ds.SeriesTime = ds.ContentTime = time
    ds.AccessionNumber = accession or f"A{zlib.crc32(f'acc-{scan.seed}'.encode()) % 10**7:07d}"
    ds.StudyID = str(scan.seed % 100000)
    ds.SeriesNumber = 1
    ds.InstanceNumber = 1
    ds.PatientName = name
    ds.PatientID = pid
    ds.PatientBirthDate = birth
    ds.PatientSex = "F"
    ds.InstitutionName = m.institution_name
    ds.ReferringPhysicianName = "WHITFIELD^JAMES"
    ds.OperatorsName = "SONOGRAPHER^KIM"
    ds.StationName = m.name.replace("/", "-").upper()[:16]
    ds.Manufacturer = m.manufacturer
    ds.ManufacturerModelName = m.model_name
    ds.StudyDescription = "OB 1st trimester dating"
    ds.SeriesDescription = "CRL"
    ds.BodyPartExamined = "UTERUS"
    ds.TransducerData = m.probe_name

    screen, bar_rows = exported_screen(scan)
    rows, cols = screen.shape
    ds.Rows, ds.Columns = rows, cols
    ds.BurnedInAnnotation = "YES"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    ds.PixelData = np.ascontiguousarray(screen, dtype=np.uint8).tobytes()

    x0, y0, x1, y1 = scan.region_box
    y0, y1 = y0 + bar_rows, y1 + bar_rows
    region = Dataset()
    region.RegionSpatialFormat = 1  # 2-D tissue image
    region.RegionDataType = 1  # tissue
    region.RegionFlags = 0
    region.RegionLocationMinX0, region.RegionLocationMinY0 = x0, y0
    region.RegionLocationMaxX1, region.RegionLocationMaxY1 = x1, y1
    region.PhysicalUnitsXDirection = 3  # cm
    region.PhysicalUnitsYDirection = 3
    region.PhysicalDeltaX = round(scan.spacing_mm[1] / 10.0, 8)
    region.PhysicalDeltaY = round(scan.spacing_mm[0] / 10.0, 8)
    region.TransducerFrequency = int(round(m.center_frequency_mhz * 1000))  # kHz
    ds.SequenceOfUltrasoundRegions = Sequence([region])
    return ds


def exported_screen(scan: SyntheticScan) -> tuple[np.ndarray, int]:
    """The scan below its header bar of identifying text, and the bar's height in rows."""
    name, pid, _ = invented_patient(scan.seed)
    m = scan.machine
    lines = [
        f"{m.institution_name}   {m.manufacturer} {m.model_name}",
        f"{name.replace('^', ', ')}   ID {pid}   {scan.study_date.strftime('%d/%m/%Y')}",
    ]
    bar = header_bar(m, cols=scan.image.shape[1], lines=lines)
    return np.vstack([bar, scan.image]), bar.shape[0]


def scan_to_dicom_bytes(scan: SyntheticScan, **kwargs) -> bytes:
    """The frame as a DICOM Part-10 file, in memory."""
    buffer = io.BytesIO()
    scan_to_dataset(scan, **kwargs).save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()
