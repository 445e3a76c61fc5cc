import dataclasses
import datetime as dt
import io

import numpy as np
import pydicom
import pytest

from workers.ml.synth import generate_scan, scan_to_dicom_bytes
from workers.ml.synth.dicom_writer import US_IMAGE_STORAGE, exported_screen, invented_patient


@pytest.fixture(scope="module")
def scan():
    return generate_scan("hospital_a/logiq_p9", 5)


def test_a_frame_round_trips_through_pydicom_with_its_spacing(scan):
    ds = pydicom.dcmread(io.BytesIO(scan_to_dicom_bytes(scan)))
    assert ds.Modality == "US"
    assert ds.SOPClassUID == US_IMAGE_STORAGE
    assert ds.PhotometricInterpretation == "MONOCHROME2" and ds.BitsAllocated == 8
    bar = ds.Rows - scan.image.shape[0]
    assert np.array_equal(ds.pixel_array[bar:], scan.image)
    region = ds.SequenceOfUltrasoundRegions[0]
    assert (region.RegionSpatialFormat, region.RegionDataType) == (1, 1)
    assert (region.PhysicalUnitsXDirection, region.PhysicalUnitsYDirection) == (3, 3)
    assert region.PhysicalDeltaY * 10 == pytest.approx(scan.spacing_mm[0], rel=1e-6)
    assert region.PhysicalDeltaX * 10 == pytest.approx(scan.spacing_mm[1], rel=1e-6)
    x0, y0, x1, y1 = scan.region_box
    assert (region.RegionLocationMinX0, region.RegionLocationMaxY1) == (x0, y1 + bar)
    assert region.RegionLocationMinY0 == y0 + bar


def test_the_patient_date_and_institution_are_burned_in_above_the_ultrasound_region(scan):
    ds = pydicom.dcmread(io.BytesIO(scan_to_dicom_bytes(scan)))
    screen, bar = exported_screen(scan)
    region = ds.SequenceOfUltrasoundRegions[0]

    assert ds.BurnedInAnnotation == "YES"
    assert np.array_equal(ds.pixel_array, screen)
    assert region.RegionLocationMinY0 >= bar > 20
    # Text in the bar: bright pixels on every line's stretch, none outside the bar's rows.
    text = ds.pixel_array[:bar] > 100
    assert text.sum() > 500
    assert text[:, : ds.Columns // 2].any(axis=1).sum() > 10


def test_the_header_bar_names_the_patient_the_exam_date_and_the_machine(scan):
    name, pid, _ = invented_patient(scan.seed)
    blank = exported_screen(scan)[0]
    other_date = dataclasses.replace(scan, study_date=scan.study_date + dt.timedelta(days=1))
    other_patient = dataclasses.replace(scan, seed=scan.seed + 1)

    # The bar changes with the date and with the patient; the image below it does not.
    for changed in (other_date, other_patient):
        screen, bar = exported_screen(changed)
        assert not np.array_equal(screen[:bar], blank[:bar])
        assert np.array_equal(screen[bar:], blank[bar:])
    assert pid.startswith("SYN") and "^" in name


def test_the_dicom_carries_the_machine_and_invented_identifiers(scan):
    ds = pydicom.dcmread(io.BytesIO(scan_to_dicom_bytes(scan)))
    assert ds.Manufacturer == "GE Healthcare" and ds.ManufacturerModelName == "LOGIQ P9"
    assert str(ds.PatientName) and ds.PatientID.startswith("SYN") and len(ds.PatientBirthDate) == 8
    assert ds.InstitutionName == scan.machine.institution_name
    assert ds.StudyDate == scan.study_date.strftime("%Y%m%d")


def test_the_same_seed_writes_the_same_bytes_and_uids_differ_between_seeds(scan):
    again = generate_scan("hospital_a/logiq_p9", 5)
    assert scan_to_dicom_bytes(scan) == scan_to_dicom_bytes(again)
    other = pydicom.dcmread(io.BytesIO(scan_to_dicom_bytes(generate_scan("hospital_a/logiq_p9", 6))))
    mine = pydicom.dcmread(io.BytesIO(scan_to_dicom_bytes(scan)))
    assert mine.StudyInstanceUID != other.StudyInstanceUID
    assert mine.SOPInstanceUID != mine.SeriesInstanceUID
