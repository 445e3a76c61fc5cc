"""The DICOM receiver's decisions, apart from the network: which hospital a calling AE title sends for,
whether an association is accepted, and what a received C-STORE becomes. The management command
`dicom_receiver` holds the pynetdicom AE and calls these.

A received dataset goes through `ingest_upload`, the one ingest path, as the DICOM file its bytes make:
the same de-identification, spacing rules, limits, duplicate handling and audit log as an upload. The
uploader is the AE's own service account (`dicom:<AE>`, set up by `calling_ae_set`), so the audit log
names which sender stored what.
"""

import logging
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from qa.errors import FusqaError, InvalidInput
from qa.models import CallingAE, Hospital, Membership, Role, User
from qa.models.dicom_network import validate_ae_title, validate_network
from qa.services.ingest import ingest_upload

logger = logging.getLogger(__name__)

# C-STORE statuses (PS3.4 B.2.3): 0xA900 "dataset does not match SOP class" for a file ingest refuses,
# 0xA700 "out of resources" for one over the limits, 0xC000 "cannot understand" for one that
# cannot be read, 0xC001 for our own failure (the cause is logged, not sent).
STATUS_SUCCESS = 0x0000
STATUS_REFUSED = 0xA900
STATUS_OUT_OF_RESOURCES = 0xA700
STATUS_CANNOT_UNDERSTAND = 0xC000
STATUS_PROCESSING_FAILURE = 0xC001
# Error Comment is an LO: 64 characters at most.
ERROR_COMMENT_CHARS = 64

SERVICE_USER_PREFIX = "dicom:"


def service_username(ae_title: str) -> str:
    return f"{SERVICE_USER_PREFIX}{ae_title.strip()}"


def calling_ae_set(*, hospital: Hospital, ae_title: str, source_network: str = "") -> CallingAE:
    """Allow `ae_title` to send for `hospital` (moving it from another hospital if it was there), with
    its service account: a QA manager of that hospital that cannot log in, the uploader of what it sends."""
    title = ae_title.strip(" ")
    try:
        validate_ae_title(title)
        validate_network(source_network.strip())
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="ae_title") from exc
    with transaction.atomic():
        calling_ae, _ = CallingAE.objects.update_or_create(
            ae_title=title, defaults={"hospital": hospital, "source_network": source_network.strip()}
        )
        calling_ae_account_ensure(calling_ae=calling_ae)
    return calling_ae


def calling_ae_account_ensure(*, calling_ae: CallingAE) -> User:
    """The AE's service account: a QA manager of its hospital alone, with no password to log in with.
    Also called when an admin saves a calling AE in Django admin."""
    with transaction.atomic():
        user, created = User.objects.get_or_create(
            username=service_username(calling_ae.ae_title),
            defaults={"role": Role.QA_MANAGER, "password": make_password(None), "is_active": True},
        )
        if not created and (user.has_usable_password() or user.role != Role.QA_MANAGER or not user.is_active):
            user.set_unusable_password()
            user.role, user.is_active = Role.QA_MANAGER, True
            user.save(update_fields=["password", "role", "is_active"])
        Membership.objects.filter(user=user).exclude(hospital=calling_ae.hospital).delete()
        Membership.objects.get_or_create(user=user, hospital=calling_ae.hospital)
    return user


def calling_ae_for(*, ae_title: str, address: str) -> CallingAE | None:
    """The allowed calling AE this association comes from, or None: unknown title or wrong address."""
    title = ae_title.strip(" ")
    if not title:
        return None
    calling_ae = CallingAE.objects.select_related("hospital").filter(ae_title=title).first()
    if calling_ae is None or not calling_ae.accepts_address(address):
        return None
    return calling_ae


@dataclass(frozen=True)
class StoreOutcome:
    status: int
    comment: str = ""
    duplicate: bool = False


def error_comment(message: str) -> str:
    """A reason that fits an LO (64 characters, no backslash): cut at a word, with an ellipsis."""
    text = " ".join(message.replace("\\", "/").split())
    if len(text) <= ERROR_COMMENT_CHARS:
        return text
    cut = text[: ERROR_COMMENT_CHARS - 3].rsplit(" ", 1)[0]
    return cut + "..."


def dicom_store_received(*, calling_ae: CallingAE, address: str, read_file) -> StoreOutcome:
    """Ingest one received C-STORE. `read_file` gives the dataset as the Part-10 file the sender's bytes make
    (pynetdicom's event.encoded_dataset(): the file meta, then the data set exactly as it arrived, never
    decoded and encoded again here); one that cannot be had is refused like an unreadable upload."""
    user = User.objects.filter(username=service_username(calling_ae.ae_title)).first()
    if user is None:
        logger.error("calling AE %s has no service account; run set_calling_ae again", calling_ae.ae_title)
        return StoreOutcome(STATUS_PROCESSING_FAILURE, "Receiver misconfigured: no account for this AE")
    source = f"dicom:{calling_ae.ae_title}@{address}"
    try:
        uploaded = SimpleUploadedFile("received.dcm", read_file(), content_type="application/dicom")
    except Exception as exc:  # noqa: BLE001 - any failure here is the sender's malformed dataset
        logger.info("unreadable dataset from %s: %s", source, exc)
        return StoreOutcome(STATUS_CANNOT_UNDERSTAND, error_comment(f"The dataset cannot be read: {exc}"))
    try:
        result = ingest_upload(user=user, hospital=calling_ae.hospital, uploaded_file=uploaded, source=source)
    except FusqaError as exc:
        status = STATUS_OUT_OF_RESOURCES if exc.status_code == 413 else STATUS_REFUSED
        return StoreOutcome(status, error_comment(exc.message))
    except Exception:
        logger.exception("storing a dataset from %s failed", source)
        return StoreOutcome(STATUS_PROCESSING_FAILURE, "Internal error while storing; see the receiver's log")
    return StoreOutcome(STATUS_SUCCESS, duplicate=result.duplicate)
