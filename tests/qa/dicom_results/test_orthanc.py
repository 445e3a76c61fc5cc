"""A real PACS (Orthanc) on both sides of FUSQA: it forwards a phantom to our receiver (`manage.py
dicom_receiver`, a process of its own), a Celery worker processes the frame, and our PACS-forward task sends
the frame's SEG and SR back to Orthanc by C-STORE, where its REST API finds them."""

import datetime as dt
import io

import pydicom
import pytest
from django.core.management import call_command

from qa.models import AuditAction, AuditEvent, DicomSend, DicomSendStatus, Frame, PacsDestination
from tests.factories import HospitalFactory
from tests.pipeline.models import activate_tiny_models
from tests.pipeline.processes import Worker, wait_until
from tests.qa.dicom_network.receiver import RECEIVER_AE, Receiver
from tests.qa.dicom_results.orthanc import ORTHANC_AE, Orthanc, orthanc_binary
from workers.ml import synth

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

SEG_STORAGE = "1.2.840.10008.5.1.4.1.1.66.4"
COMPREHENSIVE_SR = "1.2.840.10008.5.1.4.1.1.88.33"


@pytest.fixture
def hospital():
    return HospitalFactory(slug="northgate")


@pytest.fixture
def receiver(broker, tmp_path):
    process = Receiver(tmp_path / "receiver.log", env={"CELERY_BROKER_URL": broker.url})
    process.start()
    yield process
    process.stop()


@pytest.fixture
def orthanc(receiver, tmp_path):
    orthanc_binary()  # skipped (failed in CI) with the reason when it is not installed
    server = Orthanc(tmp_path / "orthanc", modalities={"fusqa": (RECEIVER_AE, "127.0.0.1", receiver.port)})
    server.start()
    yield server
    server.stop()


@pytest.fixture
def worker(broker, tmp_path):
    activate_tiny_models(tmp_path / "models")
    process = Worker(broker.url, tmp_path / "worker.log").start()
    yield process
    process.stop()


def test_orthanc_forwards_a_phantom_to_us_and_gets_its_seg_and_sr_back(hospital, orthanc, worker, tmp_path):
    call_command("set_calling_ae", "northgate", ORTHANC_AE)
    PacsDestination.objects.create(hospital=hospital, ae_title=ORTHANC_AE, host="127.0.0.1", port=orthanc.dicom_port)
    scan = synth.generate_scan(synth.list_profiles()[0], seed=5, study_date=dt.date(2026, 3, 2))
    phantom = orthanc.upload(synth.scan_to_dicom_bytes(scan))

    sent = orthanc.send("fusqa", phantom)

    assert sent["InstancesCount"] == 1 and sent["FailedInstancesCount"] == 0, sent
    [frame] = Frame.objects.all()
    assert frame.hospital == hospital
    send = wait_until(
        lambda: DicomSend.objects.filter(frame=frame, status=DicomSendStatus.SENT).first(),
        timeout=120,
        what=f"the SEG and SR sent back to Orthanc\n{(tmp_path / 'worker.log').read_text()[-3000:]}",
    )
    received = {tags["SOPInstanceUID"]: tags for tags in orthanc.instances()}
    assert len(received) == 3  # the phantom as sent, our SEG, our SR
    for instance in send.instances:
        tags = received[instance["sop_instance_uid"]]
        assert tags["SOPClassUID"] == instance["sop_class_uid"]
        assert tags["StudyInstanceUID"] == frame_study_uid(frame)
    assert {i["sop_class_uid"] for i in send.instances} == {SEG_STORAGE, COMPREHENSIVE_SR}
    assert {received[i["sop_instance_uid"]]["Modality"] for i in send.instances} == {"SEG", "SR"}
    [seg] = [received[i["sop_instance_uid"]] for i in send.instances if i["what"] == "seg"]
    stored_seg = pydicom.dcmread(io.BytesIO(orthanc.file(seg["OrthancId"])))
    assert stored_seg.SourceImageSequence[0].ReferencedSOPInstanceUID == frame.sop_instance_uid
    event = AuditEvent.objects.get(action=AuditAction.DICOM_SENT)
    assert event.hospital == hospital
    assert event.detail["to"] == f"{ORTHANC_AE}@127.0.0.1:{orthanc.dicom_port}"


def frame_study_uid(frame: Frame) -> str:
    return pydicom.dcmread(frame.source_file.path, stop_before_pixels=True).StudyInstanceUID
