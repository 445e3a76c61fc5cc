"""The PACS forward: which processed frames are sent, and what happens when the PACS is away or refuses."""

import pytest
from pydicom.dataset import Dataset
from pynetdicom import AE, evt
from pynetdicom.sop_class import ComprehensiveSRStorage, SegmentationStorage

from qa.models import AuditAction, AuditEvent, DicomSend, DicomSendStatus, JobStatus, PacsDestination
from qa.services.pacs_forward import dicom_sends_create
from tests.factories import HospitalFactory, MaskFactory, ProcessingJobFactory
from tests.pipeline.processes import free_port
from tests.qa.dicom_results.stored import stored_phantom, with_result
from workers.tasks.pacs_forward import send_results

pytestmark = pytest.mark.django_db


@pytest.fixture
def hospital():
    return HospitalFactory()


def processed(frame, **result):
    with_result(frame, **result)
    return ProcessingJobFactory(frame=frame, status=JobStatus.DONE)


def destination(hospital, port: int, **fields) -> PacsDestination:
    return PacsDestination.objects.create(hospital=hospital, ae_title="PACS", host="127.0.0.1", port=port, **fields)


def test_a_done_frame_of_a_hospital_with_a_pacs_gets_one_pending_send(hospital, django_capture_on_commit_callbacks):
    job = processed(stored_phantom(hospital))
    pacs = destination(hospital, free_port())

    with django_capture_on_commit_callbacks() as queued:
        created = dicom_sends_create(job_ids=[job.id])
    again = dicom_sends_create(job_ids=[job.id])

    [send] = created
    assert (send.destination, send.frame, send.status) == (pacs, job.frame, DicomSendStatus.PENDING)
    assert send.mask == job.frame.masks.get()
    assert len(queued) == 1
    assert again == [] and DicomSend.objects.count() == 1


@pytest.mark.parametrize("case", ["no destination", "disabled", "no fetus", "png upload", "job failed"])
def test_frames_with_nowhere_to_go_or_nothing_to_report_are_not_sent(hospital, case):
    frame = stored_phantom(hospital)
    if case == "png upload":
        frame = MaskFactory(frame__study__hospital=hospital).frame
    job = processed(frame, measured=case != "no fetus")
    if case == "job failed":
        type(job).objects.filter(id=job.id).update(status=JobStatus.FAILED)
    if case != "no destination":
        destination(hospital, free_port(), enabled=case != "disabled")

    assert dicom_sends_create(job_ids=[job.id]) == []
    assert DicomSend.objects.count() == 0


def test_an_unreachable_pacs_is_retried_then_the_send_fails_with_its_reason_audited(hospital):
    job = processed(stored_phantom(hospital))
    destination(hospital, free_port())  # nothing listens there
    [send] = dicom_sends_create(job_ids=[job.id])

    send_results.apply(args=[send.id])

    send.refresh_from_db()
    assert send.status == DicomSendStatus.FAILED
    assert send.attempts == send_results.max_retries + 1
    assert "association with PACS@127.0.0.1" in send.reason
    event = AuditEvent.objects.get(action=AuditAction.DICOM_SEND_FAILED)
    assert (event.hospital, event.detail["send"]) == (hospital, send.id)


@pytest.fixture
def refusing_pacs():
    """A storage SCP that refuses every instance (0xA700, out of resources)."""
    ae = AE(ae_title="PACS")
    for sop_class in (SegmentationStorage, ComprehensiveSRStorage):
        ae.add_supported_context(sop_class)

    def refuse(event):
        status = Dataset()
        status.Status = 0xA700
        status.ErrorComment = "Disk full"
        return status

    port = free_port()
    server = ae.start_server(("127.0.0.1", port), block=False, evt_handlers=[(evt.EVT_C_STORE, refuse)])
    yield port
    server.shutdown()


def test_a_pacs_that_refuses_fails_the_send_at_once(hospital, refusing_pacs):
    job = processed(stored_phantom(hospital))
    destination(hospital, refusing_pacs)
    [send] = dicom_sends_create(job_ids=[job.id])

    send_results.apply(args=[send.id])

    send.refresh_from_db()
    assert (send.status, send.attempts) == (DicomSendStatus.FAILED, 1)
    assert "refused" in send.reason and "0xA700 Disk full" in send.reason
    assert AuditEvent.objects.filter(action=AuditAction.DICOM_SENT).count() == 0


@pytest.fixture
def accepting_pacs():
    """A storage SCP that stores every instance in a list: (port, received datasets)."""
    received = []
    ae = AE(ae_title="PACS")
    for sop_class in (SegmentationStorage, ComprehensiveSRStorage):
        ae.add_supported_context(sop_class)

    def store(event):
        received.append(event.dataset)
        return 0x0000

    port = free_port()
    server = ae.start_server(("127.0.0.1", port), block=False, evt_handlers=[(evt.EVT_C_STORE, store)])
    yield port, received
    server.shutdown()


def test_a_send_carries_the_seg_and_sr_of_its_own_result_even_after_a_newer_one(hospital, accepting_pacs):
    port, received = accepting_pacs
    frame = stored_phantom(hospital)
    job = processed(frame, p_good=0.93)
    destination(hospital, port)
    [send] = dicom_sends_create(job_ids=[job.id])
    with_result(frame, label="poor", p_good=0.1)  # a newer result, e.g. after a model activation

    send_results.apply(args=[send.id])

    send.refresh_from_db()
    assert (send.status, send.attempts) == (DicomSendStatus.SENT, 1)
    seg, sr = received
    assert [seg.SOPInstanceUID, sr.SOPInstanceUID] == [i["sop_instance_uid"] for i in send.instances]
    assert seg.SOPClassUID == SegmentationStorage and sr.SOPClassUID == ComprehensiveSRStorage
    assert seg.ContentDescription == f"Model mask v{send.mask.version}"
    p_good = [
        item.MeasuredValueSequence[0].NumericValue
        for group in sr.ContentSequence
        for finding in group.get("ContentSequence", [])
        for item in finding.get("ContentSequence", [])
        if item.get("ConceptNameCodeSequence") and item.ConceptNameCodeSequence[0].CodeValue == "PGOOD"
    ]
    assert [float(p) for p in p_good] == [0.93]
    event = AuditEvent.objects.get(action=AuditAction.DICOM_SENT)
    assert event.detail["instances"] == send.instances and event.detail["mask"] == send.mask_id
