"""Sending a processed frame's SEG and SR to its hospital's PACS by C-STORE.

After a processing batch, `dicom_sends_create` makes a pending DicomSend row for each done frame with something
to report whose hospital has an enabled PacsDestination, and queues its task once the rows are committed (the
processing task only queues: the network is the forward task's business). `dicom_send_run` builds both
instances from the stored rows and sends them in one association; a PACS that cannot be reached raises
PacsUnreachable, which the task retries; a PACS that refuses an instance fails the send at once. Each
outcome is audited (dicom.sent, dicom.send_failed).
"""

import io
import logging

import pydicom
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian
from pynetdicom import AE
from pynetdicom.sop_class import ComprehensiveSRStorage, SegmentationStorage

from qa.errors import FusqaError
from qa.models import AuditAction, DicomSend, DicomSendStatus, Frame, JobStatus, PacsDestination
from qa.services.audit import audit_record
from qa.services.dicom_results import DicomResult, frame_report, mask_segmentation, reported_result

logger = logging.getLogger(__name__)

AUDIT_SOURCE = "pacs-forward"


class PacsUnreachable(Exception):
    """No association, or it broke off: worth trying again later."""


class PacsRefused(Exception):
    """The PACS answered and refused an instance: trying again sends the same refusal."""


def dicom_sends_create(*, job_ids: list[int]) -> list[DicomSend]:
    """Pending sends for the done jobs' frames that have a destination and a result to report, queued on commit.
    One query when no hospital has a destination. A frame already sent for its current result is skipped."""
    frames = list(
        Frame.objects.filter(
            jobs__id__in=job_ids,
            jobs__status=JobStatus.DONE,
            hospital__pacs_destination__enabled=True,
        )
        .select_related("hospital__pacs_destination")
        .distinct()
    )
    created = []
    for frame in frames:
        try:
            assessment, _ = reported_result(frame)
        except FusqaError:
            continue  # a PNG upload, or no fetus found: nothing to send
        except Exception:  # noqa: BLE001 - the frame's processing is done; a send that cannot be made is logged
            logger.exception("could not find frame %s's result to send", frame.pk)
            continue
        try:
            with transaction.atomic():
                send = DicomSend.objects.create(
                    destination=frame.hospital.pacs_destination, frame=frame, mask=assessment.mask
                )
        except IntegrityError:
            continue  # this result was queued before (a re-delivered task)
        transaction.on_commit(lambda send_id=send.id: _enqueue(send_id))
        created.append(send)
    return created


def _enqueue(send_id: int) -> None:
    from workers.tasks.pacs_forward import send_results

    try:
        send_results.delay(send_id)
    except Exception:  # noqa: BLE001 - a broker away must not fail the processing that triggered it
        logger.exception("could not queue DICOM send %s; it stays pending", send_id)


def dicom_send_run(*, send_id: int) -> DicomSend:
    """Build the SEG and SR of the send's result and C-STORE both to its destination in one association."""
    send = DicomSend.objects.select_related("destination", "frame__hospital", "mask__model_version").get(id=send_id)
    if send.status == DicomSendStatus.SENT:
        return send  # a re-delivered task: done already
    DicomSend.objects.filter(id=send.id).update(attempts=F("attempts") + 1)
    # The SR of the very result the send was made for, even if a newer one has arrived since (it gets its own).
    results = [mask_segmentation(mask=send.mask), frame_report(frame=send.frame, mask=send.mask)]
    c_store(destination=send.destination, results=results)
    instances = [
        {"what": what, "sop_class_uid": r.sop_class_uid, "sop_instance_uid": r.sop_instance_uid}
        for what, r in zip(("seg", "sr"), results, strict=True)
    ]
    with transaction.atomic():
        DicomSend.objects.filter(id=send.id).update(
            status=DicomSendStatus.SENT, reason="", instances=instances, sent_at=timezone.now()
        )
        audit_record(
            actor=None,
            action=AuditAction.DICOM_SENT,
            target=send.frame,
            hospital=send.frame.hospital,
            source=AUDIT_SOURCE,
            detail={"send": send.id, "mask": send.mask_id, "to": _address(send.destination), "instances": instances},
        )
    send.refresh_from_db()
    return send


def dicom_send_fail(*, send_id: int, reason: str) -> None:
    """The send gave up (refused, or unreachable after every retry): failed with its reason, and audited."""
    send = DicomSend.objects.select_related("destination", "frame__hospital").get(id=send_id)
    with transaction.atomic():
        DicomSend.objects.filter(id=send.id).update(status=DicomSendStatus.FAILED, reason=reason[:2000])
        audit_record(
            actor=None,
            action=AuditAction.DICOM_SEND_FAILED,
            target=send.frame,
            hospital=send.frame.hospital,
            source=AUDIT_SOURCE,
            detail={"send": send.id, "mask": send.mask_id, "to": _address(send.destination), "reason": reason[:500]},
        )


def c_store(*, destination: PacsDestination, results: list[DicomResult]) -> None:
    ae = AE(ae_title=settings.FUSQA_DICOM_AE_TITLE)
    ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = settings.FUSQA_PACS_TIMEOUT_SECONDS
    for sop_class in (SegmentationStorage, ComprehensiveSRStorage):
        ae.add_requested_context(sop_class, [ExplicitVRLittleEndian, ImplicitVRLittleEndian])
    assoc = ae.associate(destination.host, destination.port, ae_title=destination.ae_title)
    if not assoc.is_established:
        why = "rejected" if assoc.is_rejected else "aborted" if assoc.is_aborted else "not established"
        raise PacsUnreachable(f"association with {_address(destination)} {why}")
    try:
        for result in results:
            status = assoc.send_c_store(pydicom.dcmread(io.BytesIO(result.data)))
            if not status:  # no answer: the association timed out or broke off
                raise PacsUnreachable(f"no C-STORE response from {_address(destination)}")
            code = int(status.Status)
            # 0x0000 success; 0xB000, 0xB007, 0xB006 warnings: stored all the same.
            if code not in (0x0000, 0xB000, 0xB006, 0xB007):
                comment = status.get("ErrorComment", "")
                raise PacsRefused(f"{_address(destination)} refused {result.filename}: 0x{code:04X} {comment}".strip())
    finally:
        if assoc.is_established:
            assoc.release()


def _address(destination: PacsDestination) -> str:
    return f"{destination.ae_title}@{destination.host}:{destination.port}"
