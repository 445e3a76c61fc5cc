"""DICOMweb STOW-RS (PS3.18 10.5): the instances of one multipart/related request, each through
`ingest_upload` (the same de-identification, spacing rules, limits, duplicate handling and audit log as an
upload), and the Store Instances Response that says which were stored and why the others were not.

Which hospital: the `hospital` query parameter (id or slug) when given; else the one hospital the user
uploads to (a QA manager who is a member of one hospital, such as a scanner's own service account).
Admins, and members of several hospitals, must name it. A user who may not upload there is refused
before the body is read, so nothing is stored.
"""

import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from pydicom.dataset import Dataset

from qa.errors import FusqaError, InvalidInput, NotAllowed
from qa.models import AuditAction, Hospital, User
from qa.permissions import can_upload_to, hospitals_visible_to
from qa.services.audit import audit_record
from qa.services.dicom_classes import is_stored_sop_class
from qa.services.dicom_decode import ImageLimits, dicom_header
from qa.services.ingest import MIN_IMAGE_SIDE, ingest_upload
from qa.services.multipart_related import BodyPart

logger = logging.getLogger(__name__)

DICOM_MEDIA_TYPE = "application/dicom"
# Failure Reason (0008,1197) values, PS3.4 Annex B status codes as PS3.18 uses them.
PROCESSING_FAILURE = 0x0110
SOP_CLASS_NOT_SUPPORTED = 0x0122
OUT_OF_RESOURCES = 0xA700
DOES_NOT_MATCH = 0xA900
CANNOT_UNDERSTAND = 0xC000

_UID = re.compile(r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$")


@dataclass(frozen=True)
class StowInstance:
    """One part of the request: the SOP class and instance UIDs it was sent with ("" when unreadable),
    and either the study it went into or the failure reason with its words."""

    sop_class_uid: str
    sop_instance_uid: str
    study_id: int | None = None
    failure_reason: int | None = None
    message: str = ""

    @property
    def stored(self) -> bool:
        return self.failure_reason is None


@dataclass(frozen=True)
class StowResult:
    instances: list[StowInstance]

    @property
    def http_status(self) -> int:
        """PS3.18 10.5.3: 200 all stored, 202 some; none: 400 when no part could even be read, else 409."""
        stored = sum(instance.stored for instance in self.instances)
        if stored == len(self.instances):
            return 200
        if stored:
            return 202
        if all(instance.failure_reason == CANNOT_UNDERSTAND for instance in self.instances):
            return 400
        return 409

    def response_dataset(self) -> Dataset:
        """The Store Instances Response Module: ReferencedSOPSequence for the stored instances,
        FailedSOPSequence with a FailureReason for the others."""
        response = Dataset()
        failed, stored = [], []
        for instance in self.instances:
            item = Dataset()
            item.ReferencedSOPClassUID = instance.sop_class_uid
            item.ReferencedSOPInstanceUID = instance.sop_instance_uid
            if instance.stored:
                stored.append(item)
            else:
                item.FailureReason = instance.failure_reason
                failed.append(item)
        if failed:
            response.FailedSOPSequence = failed
        if stored:
            response.ReferencedSOPSequence = stored
        return response

    def failure_messages(self) -> list[str]:
        return [instance.message for instance in self.instances if not instance.stored]


def stow_hospital_for(*, user: User, hospital: str | None) -> Hospital:
    """The hospital a STOW-RS request stores into (see the module's docstring), or the 400/403/404 why not."""
    visible = hospitals_visible_to(user)
    if hospital:
        found = (
            visible.filter(pk=int(hospital))
            if hospital.isdigit() and len(hospital) < 19
            else visible.filter(slug=hospital)
        )
        target = found.first()
        if target is None:
            raise FusqaError(f"No such hospital: {hospital!r}.", code="not_found", status_code=404, field="hospital")
    elif user.is_fusqa_admin:
        raise InvalidInput("Admins name the hospital to store into: ?hospital=<id or slug>.", field="hospital")
    else:
        hospitals = list(visible[:2])
        if len(hospitals) != 1:
            raise InvalidInput(
                "This account uploads to several hospitals (or none): name one with ?hospital=<id or slug>.",
                field="hospital",
            )
        target = hospitals[0]
    if not can_upload_to(user, target):
        raise NotAllowed("Only the hospital's QA managers and admins may store scans.")
    return target


def stow_study_uid(value: str | None) -> str | None:
    """The StudyInstanceUID of /dicomweb/studies/{uid}, checked (None without one)."""
    if value is None:
        return None
    if len(value) > 64 or not _UID.match(value):
        raise InvalidInput(f"{value[:80]!r} is not a DICOM UID.", code="invalid_uid", field="study_instance_uid")
    return value


def stow_store(
    *, user: User, hospital: Hospital, parts: list[BodyPart], study_instance_uid: str | None, source: str
) -> StowResult:
    """Store each part on its own: one refused instance does not keep the others out."""
    return StowResult(
        instances=[
            _store_part(user=user, hospital=hospital, part=part, study_instance_uid=study_instance_uid, source=source)
            for part in parts
        ]
    )


def _store_part(
    *, user: User, hospital: Hospital, part: BodyPart, study_instance_uid: str | None, source: str
) -> StowInstance:
    uploaded = UploadedFile(file=part.file, name="stow.dcm", content_type=DICOM_MEDIA_TYPE, size=part.size)
    if part.too_large:
        # ingest refuses it from its size alone (413), and audits the refusal.
        return _ingested(user=user, hospital=hospital, uploaded=uploaded, source=source, sop_class="", sop_uid="")
    if part.content_type not in ("", DICOM_MEDIA_TYPE):
        return _refused(
            user=user,
            hospital=hospital,
            source=source,
            size=part.size,
            instance=StowInstance(
                "",
                "",
                failure_reason=CANNOT_UNDERSTAND,
                message=f"A part is {part.content_type}, not application/dicom.",
            ),
            code="unsupported_media_type",
        )
    data = part.file.read()
    try:
        header = dicom_header(data, limits=_limits())
    except InvalidInput as exc:
        return _refused(
            user=user,
            hospital=hospital,
            source=source,
            size=part.size,
            instance=StowInstance("", "", failure_reason=CANNOT_UNDERSTAND, message=exc.message),
            code=exc.code,
        )
    sop_class = str(header.get("SOPClassUID", "") or header.file_meta.get("MediaStorageSOPClassUID", "")).strip()
    sop_uid = str(header.get("SOPInstanceUID", "") or header.file_meta.get("MediaStorageSOPInstanceUID", "")).strip()
    if not is_stored_sop_class(sop_class):
        message = f"SOP class {sop_class or '(none)'} is not an ultrasound or secondary capture image."
        return _refused(
            user=user,
            hospital=hospital,
            source=source,
            size=part.size,
            instance=StowInstance(sop_class, sop_uid, failure_reason=SOP_CLASS_NOT_SUPPORTED, message=message),
            code="sop_class_not_supported",
        )
    sent_study = str(header.get("StudyInstanceUID", "")).strip()
    if study_instance_uid is not None and sent_study != study_instance_uid:
        message = f"The instance's StudyInstanceUID {sent_study or '(none)'} is not the study in the URL."
        return _refused(
            user=user,
            hospital=hospital,
            source=source,
            size=part.size,
            instance=StowInstance(sop_class, sop_uid, failure_reason=DOES_NOT_MATCH, message=message),
            code="study_mismatch",
        )
    part.file.seek(0)
    return _ingested(
        user=user, hospital=hospital, uploaded=uploaded, source=source, sop_class=sop_class, sop_uid=sop_uid
    )


def _ingested(
    *, user: User, hospital: Hospital, uploaded: UploadedFile, source: str, sop_class: str, sop_uid: str
) -> StowInstance:
    try:
        result = ingest_upload(user=user, hospital=hospital, uploaded_file=uploaded, source=source)
    except FusqaError as exc:  # audited as refused by ingest_upload
        if exc.status_code == 413:
            reason = OUT_OF_RESOURCES
        elif exc.code == "invalid_dicom":
            reason = CANNOT_UNDERSTAND
        else:
            reason = DOES_NOT_MATCH
        return StowInstance(sop_class, sop_uid, failure_reason=reason, message=exc.message)
    except Exception:
        logger.exception("storing a STOW-RS instance from %s failed", source)
        return StowInstance(
            sop_class, sop_uid, failure_reason=PROCESSING_FAILURE, message="Internal error while storing."
        )
    return StowInstance(sop_class, sop_uid, study_id=result.study.id)


def _refused(
    *, user: User, hospital: Hospital, source: str, size: int, instance: StowInstance, code: str
) -> StowInstance:
    """A part refused before ingest saw it, audited as ingest audits its own refusals."""
    audit_record(
        actor=user,
        action=AuditAction.UPLOAD_REFUSED,
        hospital=hospital,
        source=source,
        detail={"code": code, "message": instance.message[:500], "field": "file", "size_bytes": size},
    )
    return instance


def _limits() -> ImageLimits:
    return ImageLimits(
        max_side=settings.FUSQA_MAX_IMAGE_SIDE,
        max_frames=settings.FUSQA_MAX_FRAMES_PER_UPLOAD,
        max_pixel_bytes=settings.FUSQA_MAX_PIXEL_BYTES,
        min_side=MIN_IMAGE_SIDE,
    )
