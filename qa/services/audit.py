"""The audit log's one way in: `audit_record`. Services call it, not views, so every way in (the API,
the DICOM network, management commands) leaves the same trace.

Action names (qa.models.AuditAction) and who writes them:

- auth.login / auth.login_failed / auth.logout: Django's login signals (qa.signals), whatever the
  way of logging in (session, token, the admin site). A failed login has no actor; actor_username is
  the name that was tried, so an admin filtering by a name sees the attempts on it.
- upload.stored / upload.duplicate / upload.refused: qa.services.ingest.ingest_upload; target is the
  study, detail holds frame ids, SOP hash, file kind and size (and the error code of a refusal).
- dicom.sent / dicom.send_failed: qa.services.pacs_forward, a frame's SEG and SR sent to its hospital's PACS
  (or given up on). No actor; source "pacs-forward"; target = the frame; detail = {"send", "mask", "to":
  "AE@host:port", "instances" (sent) or "reason" (failed)}.
- model.registered / model.activated / model.rolled_back: qa.services.model_registry. Activating a
  version that was active before (now retired) is a roll-back; anything else is an activation.
- review.leased / review.verdict / mask.corrected: qa.services.reviews.
  - review.leased: a queue item leased to an expert. target = the ReviewLease, hospital = the frame's,
    detail = {"mask", "frame", "slot", "reads_needed", "expires_at", "score", "reasons": [codes]}.
  - review.verdict: an expert's verdict on a mask. target = the Review, hospital = the frame's,
    detail = {"mask": id, "verdict": ..., "seconds_spent": ..., "lease": id, "training_label": ...}.
  - mask.corrected: a corrected mask saved as a new version. target = the new Mask,
    detail = {"parent": id, "version": n, "review": id}.
- Not written yet; the features that bring them must use these names and this function:
  - training_set.exported: a training-set snapshot downloaded. target = the snapshot (or
    TrainingRun), detail = {"masks": count, "hospitals": [ids], "format": "zip"}.
  - training_run.started / training_run.cancelled: target = the TrainingRun, detail = {"kind": ...}.
    A promotion after training is model.activated (model_version_activate writes it).
- audit.exported: someone downloaded the audit log as CSV (qa.services.audit.audit_export_rows).

`source` says where the action came from: the client's IP address for HTTP, "dicom:<calling AE
title>" for the DICOM network, "command" (or "command:<name>") for management commands.
"""

import json
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.db import models
from django.db.models import QuerySet

from qa.models import AuditAction, AuditEvent, Hospital, User

_USERNAME_CHARS = AuditEvent._meta.get_field("actor_username").max_length
_SOURCE_CHARS = AuditEvent._meta.get_field("source").max_length


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    hospital: Hospital | None = None,
    source: str = "",
    detail: dict | None = None,
    actor_username: str | None = None,
) -> AuditEvent:
    """Append one event. `actor` is who did it (None for the system or an unauthenticated caller);
    `actor_username` overrides the recorded name (a failed login records the name that was tried)."""
    if action not in AuditAction.values:
        # A typo here would silently hide events from every filter on that action: fail loudly.
        raise ValueError(f"unknown audit action {action!r}; add it to qa.models.AuditAction")
    if actor is not None and not actor.is_authenticated:
        actor = None
    if actor_username is None:
        actor_username = actor.get_username() if actor is not None else ""
    return AuditEvent.objects.create(
        actor=actor,
        actor_username=actor_username[:_USERNAME_CHARS],
        action=action,
        hospital=hospital,
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        source=source[:_SOURCE_CHARS],
        detail=detail or {},
    )


CSV_HEADER = [
    "id",
    "at",
    "actor",
    "action",
    "hospital_id",
    "hospital",
    "target_type",
    "target_id",
    "source",
    "detail",
]


def audit_export_rows(
    *, actor: User, events: QuerySet[AuditEvent], filters: dict, source: str = ""
) -> Iterator[list[str]]:
    """Record that `actor` exported the log, then yield the header and one row per event. The rows
    are read in chunks as they are written out, so a long log is never held in memory at once."""
    exported = audit_record(
        actor=actor,
        action=AuditAction.AUDIT_EXPORTED,
        source=source,
        detail={key: _jsonable(value) for key, value in filters.items()},
    )
    # The file holds the log as it was when asked for; the export's own record comes after it.
    return _csv_rows(events.filter(pk__lt=exported.pk))


def _csv_rows(events: QuerySet[AuditEvent]) -> Iterable[list[str]]:
    yield CSV_HEADER
    for event in events.select_related("hospital").iterator(chunk_size=2000):
        row = [
            str(event.id),
            event.at.isoformat(),
            event.actor_username,
            event.action,
            str(event.hospital_id or ""),
            event.hospital.name if event.hospital else "",
            event.target_type,
            event.target_id,
            event.source,
            json.dumps(event.detail, sort_keys=True),
        ]
        yield [_inert(cell) for cell in row]


def _inert(cell: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading quote: a failed login's username is
    typed by a stranger, and this file is opened by an admin."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def _jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Hospital):
        return value.pk
    return value
