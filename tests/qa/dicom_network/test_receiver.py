"""dcmtk's storescu and echoscu, and a pynetdicom client, against `manage.py dicom_receiver`."""

import datetime as dt
import socket
import time
from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pynetdicom import AE
from pynetdicom.sop_class import UltrasoundImageStorage

from qa.models import AuditAction, AuditEvent, Frame
from qa.services.dicom_network import calling_ae_set
from tests.factories import HospitalFactory
from tests.qa.dicom_network.receiver import RECEIVER_AE
from tests.qa.ingest.conftest import storage_snapshot
from tests.qa.ingest.dicoms import dicom_bytes, dicom_dataset, ultrasound_region
from workers.ml import synth

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

SENDER = "NORTHGATE_US"


@pytest.fixture
def hospital():
    hospital = HospitalFactory()
    calling_ae_set(hospital=hospital, ae_title=SENDER)
    return hospital


def phantom_file(tmp_path: Path) -> Path:
    scan = synth.generate_scan(synth.list_profiles()[0], seed=5, study_date=dt.date(2026, 3, 2))
    path = tmp_path / "phantom.dcm"
    path.write_bytes(synth.scan_to_dicom_bytes(scan))
    return path


def pynetdicom_store(receiver, dataset_or_path, *, aet: str = SENDER):
    """Send one dataset (or file) with pynetdicom; the C-STORE response's status dataset."""
    client = AE(ae_title=aet)
    client.add_requested_context(UltrasoundImageStorage)
    assoc = client.associate("127.0.0.1", receiver.port, ae_title=RECEIVER_AE)
    assert assoc.is_established
    try:
        return assoc.send_c_store(dataset_or_path)
    finally:
        assoc.release()


def test_echoscu_gets_an_answer(receiver, hospital):
    result = receiver.run("echoscu", "-v", aet=SENDER)

    assert result.returncode == 0, result.stderr
    assert "Received Echo Response (Success)" in result.stdout + result.stderr


def test_a_phantom_is_stored_for_the_callers_hospital_and_audited(receiver, hospital, tmp_path):
    path = phantom_file(tmp_path)

    result = receiver.run("storescu", "-v", aet=SENDER, files=(str(path),))

    assert result.returncode == 0, result.stderr
    assert "Received Store Response (Success)" in result.stdout + result.stderr
    [frame] = Frame.objects.all()
    assert frame.hospital == hospital
    assert frame.spacing_source == "ultrasound_region"
    sent = pydicom.dcmread(path)
    stored = pydicom.dcmread(frame.source_file.path)
    assert stored.PatientID != sent.PatientID
    assert frame.study.patient_key != sent.PatientID
    event = AuditEvent.objects.get(action=AuditAction.UPLOAD_STORED)
    assert event.source == f"dicom:{SENDER}@127.0.0.1"
    assert event.actor_username == f"dicom:{SENDER}"


def test_the_jpeg_cine_gives_thirty_frames_and_a_resend_is_a_success_without_more(receiver, hospital):
    path = get_testdata_file("examples_ybr_color.dcm")

    first = receiver.run("storescu", "-xy", aet=SENDER, files=(path,))
    again = receiver.run("storescu", "-xy", "-v", aet=SENDER, files=(path,))

    assert first.returncode == 0, first.stderr
    assert again.returncode == 0, again.stderr
    assert "Received Store Response (Success)" in again.stdout + again.stderr
    assert sorted(Frame.objects.filter(hospital=hospital).values_list("frame_number", flat=True)) == list(range(1, 31))
    assert AuditEvent.objects.filter(action=AuditAction.UPLOAD_DUPLICATE, source__startswith="dicom:").count() == 1


def test_an_unknown_calling_ae_is_rejected_at_association(receiver, hospital, tmp_path):
    nothing_stored = storage_snapshot()

    result = receiver.run("storescu", aet="STRANGER", files=(str(phantom_file(tmp_path)),))

    assert result.returncode != 0
    assert "Calling AE Title Not Recognized" in result.stdout + result.stderr
    nothing_stored()
    assert AuditEvent.objects.count() == 0


def test_an_mr_image_is_not_accepted(receiver, hospital):
    nothing_stored = storage_snapshot()

    result = receiver.run("storescu", aet=SENDER, files=(get_testdata_file("MR_small.dcm"),))

    assert result.returncode != 0
    assert "No presentation context for: (MR)" in result.stdout + result.stderr
    nothing_stored()


def test_a_file_ingest_refuses_gets_a_failure_status_with_the_reason(receiver, hospital):
    dataset = dicom_dataset(regions=[ultrasound_region()])
    dataset.Modality = "MR"
    nothing_stored = storage_snapshot()

    status = pynetdicom_store(receiver, dataset)

    assert status.Status == 0xA900
    assert status.ErrorComment.startswith("The DICOM file's modality is MR, not ultrasound")
    assert len(status.ErrorComment) <= 64
    nothing_stored()
    refused = AuditEvent.objects.get(action=AuditAction.UPLOAD_REFUSED)
    assert refused.source == f"dicom:{SENDER}@127.0.0.1"


def test_a_truncated_dataset_gets_a_failure_and_nothing_is_stored(receiver, hospital, tmp_path):
    data = dicom_bytes(dicom_dataset(regions=[ultrasound_region()]))
    path = tmp_path / "truncated.dcm"
    path.write_bytes(data[: len(data) - 700])
    nothing_stored = storage_snapshot()

    status = pynetdicom_store(receiver, str(path))

    assert status.Status == 0xA900
    assert status.ErrorComment.startswith("The DICOM pixel data cannot be decoded")
    nothing_stored()
    assert receiver.run("echoscu", aet=SENDER).returncode == 0


def test_a_stalled_association_does_not_block_others_and_is_dropped(receiver, hospital):
    stalled = socket.create_connection(("127.0.0.1", receiver.port))
    try:
        started = time.monotonic()
        answered = receiver.run("echoscu", aet=SENDER)
        assert answered.returncode == 0, answered.stderr

        stalled.settimeout(receiver.timeout_s + 10)
        assert stalled.recv(1024) == b""  # closed by the receiver, after its timeout
        assert receiver.timeout_s - 0.5 <= time.monotonic() - started <= receiver.timeout_s + 8
    finally:
        stalled.close()
    assert receiver.run("echoscu", aet=SENDER).returncode == 0


def test_an_association_that_goes_quiet_after_it_is_accepted_is_aborted_after_the_timeout(receiver, hospital):
    client = AE(ae_title=SENDER)
    client.add_requested_context(UltrasoundImageStorage)
    assoc = client.associate("127.0.0.1", receiver.port, ae_title=RECEIVER_AE)
    assert assoc.is_established

    deadline = time.monotonic() + receiver.timeout_s + 10
    while assoc.is_alive() and time.monotonic() < deadline:
        time.sleep(0.1)

    assert assoc.is_aborted
    assert receiver.run("echoscu", aet=SENDER).returncode == 0


def test_pydicoms_other_ultrasound_examples_are_stored_or_refused_with_the_reason(receiver, hospital):
    calibrated, uncalibrated = get_testdata_file("examples_palette.dcm"), get_testdata_file("examples_jpeg2k.dcm")

    stored = receiver.run("storescu", "-v", aet=SENDER, files=(calibrated,))
    refused = receiver.run("storescu", "-xv", "-v", aet=SENDER, files=(uncalibrated,))  # JPEG 2000 lossless

    assert stored.returncode == 0, stored.stderr
    assert "Received Store Response (Success)" in stored.stdout + stored.stderr
    # The JPEG 2000 example has neither ultrasound regions nor PixelSpacing: no spacing, no CRL.
    assert "Received Store Response (Error: DataSetDoesNotMatchSOPClass)" in refused.stdout + refused.stderr
    assert AuditEvent.objects.get(action=AuditAction.UPLOAD_REFUSED).detail["code"] == "spacing_missing"
    [frame] = Frame.objects.filter(hospital=hospital)
    assert frame.spacing_source == "ultrasound_region"
