"""Ingest: an uploaded DICOM / PNG / JPEG becomes a study's frames, each with a pending processing job.

Order of work: check the user and the request; recognise a re-send from the header alone (or a
PNG/JPEG's content hash) and answer it from what is stored; else decode everything (nothing is
stored if any of it fails), de-identify, then write rows and files in one transaction. Files written inside the
transaction are deleted again if it fails, so a refused or broken upload leaves nothing behind.
"""

import functools
import math
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from qa.errors import FusqaError, InvalidInput, NotAllowed, PayloadTooLarge
from qa.models import AuditAction, Frame, FrameSource, Hospital, Machine, Study, User
from qa.permissions import can_upload_to
from qa.services.audit import audit_record
from qa.services.deidentify import KeyedHasher, deidentify_dataset
from qa.services.dicom_decode import DecodedDicom, ImageLimits, Spacing, decode_dicom, is_dicom, plausible_spacing
from qa.services.dicom_frames import dicom_frames
from qa.services.dicom_header import read_dicom_header
from qa.services.dicom_inflate import is_deflated
from qa.services.grey_png import GreyPng, grey_png_as_sent
from qa.services.image_store import StoredDicomFile, StoredFiles, grey_png_bytes
from qa.services.jobs import jobs_create_for_frames
from qa.services.raster_decode import decode_raster, raster_format
from qa.services.resend import SentFacts, resend_reconcile

_MACHINE_FIELD_CHARS = 64
# Below this the models see no anatomy and no measurement means anything.
MIN_IMAGE_SIDE = 32
# "Today" differs across time zones; a day's grace, and beyond it the date is a mistake.
_EXAM_DATE_GRACE = timedelta(days=1)


@dataclass(frozen=True)
class IngestResult:
    study: Study
    frames: list[Frame]
    duplicate: bool


@dataclass
class _Prepared:
    """Everything decoded and checked, ready to be stored."""

    source: str
    frames: list  # PNG / JPEG: the one grey frame, decoded
    dicom: DecodedDicom | None  # DICOM: its frames are decoded one at a time while they are stored
    spacing: Spacing
    sop_instance_uid: str
    study_key: str
    patient_key: str
    exam_date: date | None
    manufacturer: str
    model_name: str
    # An 8-bit grey PNG upload, stored as it came (no decode, no re-encode); `frames` is then empty.
    png: GreyPng | None = None
    # DICOM: the upload was compressed (encapsulated or deflated), so its stored copy is deflated.
    sent_compressed: bool = False


def _audited(ingest):
    """Records every upload (stored, re-sent or refused) in the audit log. A wrapper rather than lines
    in the body, so the body's own early returns and refusals are all covered without touching them."""

    @functools.wraps(ingest)
    def recorded(*, user: User, hospital: Hospital, uploaded_file: UploadedFile, source: str = "", **kwargs):
        size = uploaded_file.size
        try:
            result = ingest(user=user, hospital=hospital, uploaded_file=uploaded_file, source=source, **kwargs)
        except FusqaError as exc:
            audit_record(
                actor=user,
                action=AuditAction.UPLOAD_REFUSED,
                hospital=hospital,
                source=source,
                # The file's name is not kept: people name scans after patients.
                detail={"code": exc.code, "message": exc.message[:500], "field": exc.field, "size_bytes": size},
            )
            raise
        audit_record(
            actor=user,
            action=AuditAction.UPLOAD_DUPLICATE if result.duplicate else AuditAction.UPLOAD_STORED,
            target=result.study,
            hospital=hospital,
            source=source,
            detail={
                "study": result.study.id,
                "frames": [frame.id for frame in result.frames],
                "sop_instance_uid": result.frames[0].sop_instance_uid if result.frames else "",
                "file_kind": result.frames[0].source if result.frames else "",
                "size_bytes": size,
            },
        )
        return result

    return recorded


@_audited
def ingest_upload(
    *,
    user: User,
    hospital: Hospital,
    uploaded_file: UploadedFile,
    spacing_mm: float | tuple[float, float] | None = None,
    reported_ga_days: float | None = None,
    exam_date: date | None = None,
    machine_manufacturer: str = "",
    machine_model: str = "",
    source: str = "",
) -> IngestResult:
    """Store one uploaded file. `spacing_mm` (one value, or (row, col)) is used only when the file
    carries none. A re-send of a file already stored returns its frames with duplicate=True, or raises
    Conflict (409) when its spacing, exam date or GA contradicts the stored ones.
    `source` (the client's address, "dicom:<AE>", "command") goes to the audit log with the outcome."""
    if not can_upload_to(user, hospital):
        raise NotAllowed("Only the hospital's QA managers and admins may upload scans.")
    request_spacing = _request_spacing(spacing_mm)
    if reported_ga_days is not None and not (math.isfinite(reported_ga_days) and 0 < reported_ga_days < 320):
        raise InvalidInput("reported_ga_days must lie between 0 and 320 days.", field="reported_ga_days")
    _refuse_future(exam_date, what="exam_date in the request")
    size = uploaded_file.size or 0
    if size > settings.FUSQA_MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(
            f"The file is {size} bytes; uploads are limited to {settings.FUSQA_MAX_UPLOAD_BYTES} bytes.", field="file"
        )
    uploaded_file.seek(0)
    data = uploaded_file.read(settings.FUSQA_MAX_UPLOAD_BYTES + 1)
    if len(data) > settings.FUSQA_MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(f"Uploads are limited to {settings.FUSQA_MAX_UPLOAD_BYTES} bytes.", field="file")
    if not data:
        raise InvalidInput("The file is empty.", code="unsupported_file", field="file")

    hasher = KeyedHasher(secret=settings.FUSQA_PATIENT_KEY_SECRET, hospital_id=hospital.id)
    limits = ImageLimits(
        max_side=settings.FUSQA_MAX_IMAGE_SIDE,
        max_frames=settings.FUSQA_MAX_FRAMES_PER_UPLOAD,
        max_pixel_bytes=settings.FUSQA_MAX_PIXEL_BYTES,
        min_side=MIN_IMAGE_SIDE,
    )
    early = _identity_before_decoding(
        data,
        hasher=hasher,
        limits=limits,
        sent=SentFacts(spacing=request_spacing, exam_date=exam_date, reported_ga_days=reported_ga_days),
    )
    if early is not None:
        uid, early_sent = early
        existing = _existing(hospital, uid)
        if existing is not None:
            return _answered_resend(existing, early_sent)

    if is_dicom(data):
        prepared = _prepare_dicom(data, hasher=hasher, limits=limits, request_spacing=request_spacing)
    else:
        prepared = _prepare_raster(data, hasher=hasher, limits=limits, request_spacing=request_spacing)
    if prepared.exam_date is None:
        prepared.exam_date = exam_date
    if not prepared.manufacturer and not prepared.model_name:
        prepared.manufacturer = machine_manufacturer.strip()[:_MACHINE_FIELD_CHARS]
        prepared.model_name = machine_model.strip()[:_MACHINE_FIELD_CHARS]

    _refuse_future(prepared.exam_date, what="StudyDate in the file")
    sent = SentFacts(spacing=prepared.spacing, exam_date=prepared.exam_date, reported_ga_days=reported_ga_days)

    if early is None:
        # Not looked up before decoding (a deflated or doubtful DICOM header): look now.
        existing = _existing(hospital, prepared.sop_instance_uid)
        if existing is not None:
            return _answered_resend(existing, sent)
    try:
        return _store(hospital=hospital, prepared=prepared, reported_ga_days=reported_ga_days)
    except IntegrityError:
        # The same file arrived twice at once and the other request stored it first, or another instance
        # of its study did and created the study first: then the study is there now, and this stores.
        existing = _existing(hospital, prepared.sop_instance_uid)
        if existing is None:
            return _store(hospital=hospital, prepared=prepared, reported_ga_days=reported_ga_days)
        return _answered_resend(existing, sent)


def _identity_before_decoding(
    data: bytes, *, hasher: KeyedHasher, limits: ImageLimits, sent: SentFacts
) -> tuple[str, SentFacts] | None:
    """The keyed identity and what the upload says (`sent` is the request's part), without decoding a
    pixel or de-identifying, so a re-send costs a header read and one query. None where only the full
    decode can tell."""
    if is_dicom(data):
        header = read_dicom_header(data, limits=limits)
        if header is None:
            return None
        _refuse_future(header.study_date, what="StudyDate in the file")
        # The header wins over the request, as in _prepare_dicom.
        sent = replace(sent, spacing=header.spacing or sent.spacing, exam_date=header.study_date or sent.exam_date)
        return hasher.uid(header.sop_instance_uid), sent
    if raster_format(data) is None:
        return None
    # As _prepare_raster names it: the hash of the bytes, before any of them is decoded.
    return hasher.content_uid(data), sent


def _answered_resend(existing: IngestResult, sent: SentFacts) -> IngestResult:
    if sent.spacing is None:
        # As for a new upload: the spacing must come from somewhere, even if the stored one is known.
        raise _missing_spacing()
    resend_reconcile(study=existing.study, frame=existing.frames[0], sent=sent)
    return existing


def _refuse_future(value: date | None, *, what: str) -> None:
    if value is not None and value > timezone.localdate() + _EXAM_DATE_GRACE:
        raise InvalidInput(
            f"The exam date ({what}) is {value.isoformat()}, more than a day in the future.",
            code="implausible_exam_date",
            field="exam_date",
        )


def _request_spacing(spacing_mm) -> Spacing | None:
    if spacing_mm is None:
        return None
    row, col = spacing_mm if isinstance(spacing_mm, tuple | list) else (spacing_mm, spacing_mm)
    for value in (row, col):
        if value is None or not math.isfinite(float(value)) or float(value) <= 0:
            raise InvalidInput(f"Spacing must be a positive number of mm per pixel, not {value}.", field="spacing_mm")
    return plausible_spacing(Spacing(row_mm=float(row), col_mm=float(col), source="request"), field="spacing_mm")


def _missing_spacing() -> InvalidInput:
    return InvalidInput(
        "The pixel spacing is missing: the file carries none, so give spacing_mm (or spacing_row_mm and "
        "spacing_col_mm) in the request.",
        code="spacing_missing",
        field="spacing_mm",
    )


def _prepare_dicom(data: bytes, *, hasher: KeyedHasher, limits: ImageLimits, request_spacing) -> _Prepared:
    decoded = decode_dicom(data, limits=limits)
    spacing = decoded.spacing or request_spacing
    if spacing is None:
        raise _missing_spacing()
    patient_key = hasher.patient_key(decoded.patient_id)
    sop_uid = hasher.uid(decoded.sop_instance_uid)
    # Without a StudyInstanceUID the instance is its own study.
    study_key = hasher.study_key(decoded.study_instance_uid or "sop:" + decoded.sop_instance_uid)
    # The header now; the pixels (blanked outside the ultrasound regions) as they are stored.
    deidentify_dataset(decoded.dataset, hasher=hasher, patient_key=patient_key, pixels_cleaned=decoded.kept is not None)
    return _Prepared(
        source=FrameSource.DICOM,
        frames=[],
        dicom=decoded,
        spacing=spacing,
        sop_instance_uid=sop_uid,
        study_key=study_key,
        patient_key=patient_key,
        # The exam date leaves the stored DICOM (the profile empties StudyDate) but is kept as a
        # database field: quality trends are read by date, and the row is already hospital-scoped.
        exam_date=decoded.study_date,
        manufacturer=decoded.manufacturer[:_MACHINE_FIELD_CHARS],
        model_name=decoded.model_name[:_MACHINE_FIELD_CHARS],
        # A deflated file was inflated on reading: its file meta now names Explicit VR Little Endian.
        sent_compressed=is_deflated(data) or decoded.dataset.file_meta.TransferSyntaxUID.is_compressed,
    )


def _prepare_raster(data: bytes, *, hasher: KeyedHasher, limits: ImageLimits, request_spacing) -> _Prepared:
    kind = raster_format(data)
    png = grey_png_as_sent(data, limits=limits) if kind == "png" else None
    frames = [] if png is not None else [decode_raster(data, limits=limits)]
    if request_spacing is None:
        raise _missing_spacing()
    sop_uid = hasher.content_uid(data)
    return _Prepared(
        source=FrameSource.PNG if kind == "png" else FrameSource.JPEG,
        frames=frames,
        png=png,
        dicom=None,
        spacing=request_spacing,
        sop_instance_uid=sop_uid,
        # A plain image carries no study: each distinct file is its own, and a re-send finds it.
        study_key=hasher.study_key("image:" + sop_uid),
        patient_key="",
        exam_date=None,
        manufacturer="",
        model_name="",
    )


def _existing(hospital: Hospital, sop_instance_uid: str) -> IngestResult | None:
    frames = list(
        Frame.objects.filter(hospital=hospital, sop_instance_uid=sop_instance_uid)
        .select_related("study")
        .order_by("frame_number")
    )
    if not frames:
        return None
    return IngestResult(study=frames[0].study, frames=frames, duplicate=True)


def _store(*, hospital: Hospital, prepared: _Prepared, reported_ga_days: float | None) -> IngestResult:
    written = StoredFiles()
    try:
        with transaction.atomic():
            machine = _machine(hospital, prepared.manufacturer, prepared.model_name)
            study = Study.objects.filter(hospital=hospital, study_key=prepared.study_key).first()
            if study is None:
                # Not get_or_create: its savepoint costs two round trips on every new study. An instance of the
                # same study stored at the same moment fails this transaction instead, and ingest_upload retries.
                study = Study.objects.create(
                    hospital=hospital,
                    study_key=prepared.study_key,
                    machine=machine,
                    patient_key=prepared.patient_key,
                    exam_date=prepared.exam_date,
                    reported_ga_days=reported_ga_days,
                )
            else:
                _fill_missing(study, machine=machine, exam_date=prepared.exam_date, reported_ga_days=reported_ga_days)

            source_name, pngs = _store_files(written, hospital=hospital, prepared=prepared)
            frames = []
            for number, (png_name, height, width) in enumerate(pngs, start=1):
                frame = Frame(
                    hospital=hospital,
                    study=study,
                    width=width,
                    height=height,
                    spacing_row_mm=prepared.spacing.row_mm,
                    spacing_col_mm=prepared.spacing.col_mm,
                    spacing_source=prepared.spacing.source,
                    source=prepared.source,
                    source_file=source_name,
                    sop_instance_uid=prepared.sop_instance_uid,
                    frame_number=number,
                    pixels=png_name,
                )
                frame.save()
                frames.append(frame)
            jobs_create_for_frames(frames=frames)
    except BaseException:
        written.delete_all()
        raise
    return IngestResult(study=study, frames=frames, duplicate=False)


def _store_files(written: StoredFiles, *, hospital: Hospital, prepared: _Prepared) -> tuple[str, list]:
    """Each frame's PNG, written as soon as it is made, and the de-identified DICOM: (the DICOM's
    name or "", [(PNG name, height, width)])."""
    pngs = []

    def save_png(grey) -> None:
        name = written.save(
            instance=Frame(hospital=hospital), field_name="pixels", extension="png", data=grey_png_bytes(grey)
        )
        pngs.append((name, int(grey.shape[0]), int(grey.shape[1])))

    if prepared.png is not None:
        name = written.save(
            instance=Frame(hospital=hospital), field_name="pixels", extension="png", data=prepared.png.data
        )
        return "", [(name, prepared.png.height, prepared.png.width)]
    if prepared.dicom is None:
        for grey in prepared.frames:
            save_png(grey)
        return "", pngs
    frames = prepared.dicom.size.frames
    with StoredDicomFile(prepared.dicom.dataset, frames=frames, deflate=prepared.sent_compressed) as dicom:
        for frame in dicom_frames(prepared.dicom):
            dicom.append(frame.native, photometric=frame.photometric)
            save_png(frame.grey)
        source_name = written.save(
            instance=Frame(hospital=hospital), field_name="source_file", extension="dcm", data=dicom.finished()
        )
    return source_name, pngs


def _machine(hospital: Hospital, manufacturer: str, model_name: str) -> Machine | None:
    if not manufacturer and not model_name:
        return None
    # get_or_create retries the read when a concurrent insert wins the unique constraint.
    machine, _ = Machine.objects.get_or_create(hospital=hospital, manufacturer=manufacturer, model_name=model_name)
    return machine


def _fill_missing(study: Study, *, machine, exam_date, reported_ga_days) -> None:
    """A later instance of the same study may know what the first did not; it never overwrites."""
    changed = []
    for field, value in (("machine", machine), ("exam_date", exam_date), ("reported_ga_days", reported_ga_days)):
        if value is not None and getattr(study, field) is None:
            setattr(study, field, value)
            changed.append(field)
    if changed:
        study.save(update_fields=changed)
