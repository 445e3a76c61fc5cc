"""A re-send: an upload whose keyed identity (the SOP Instance UID, or a PNG/JPEG's content hash) is
already stored for the hospital. It is answered from what is stored, without decoding its pixels,
unless what it says contradicts what was stored: then a 409 names each difference, rather than the
first values being kept in silence.
"""

import math
from dataclasses import dataclass
from datetime import date

from qa.errors import Conflict
from qa.models import Frame, Study
from qa.services.dicom_decode import Spacing


@dataclass(frozen=True)
class SentFacts:
    """What this upload would store: the file header's values where it has them, else the request's."""

    spacing: Spacing | None
    exam_date: date | None
    reported_ga_days: float | None


def resend_reconcile(*, study: Study, frame: Frame, sent: SentFacts) -> None:
    """Refuse a re-send that contradicts the stored values; record what the study did not know yet."""
    differences = {}
    stored_spacing = (frame.spacing_row_mm, frame.spacing_col_mm)
    if sent.spacing is not None and not _same_numbers(stored_spacing, (sent.spacing.row_mm, sent.spacing.col_mm)):
        differences["spacing_mm"] = {"stored": list(stored_spacing), "sent": [sent.spacing.row_mm, sent.spacing.col_mm]}
    if sent.exam_date is not None and study.exam_date is not None and sent.exam_date != study.exam_date:
        differences["exam_date"] = {"stored": study.exam_date.isoformat(), "sent": sent.exam_date.isoformat()}
    ga_stored, ga_sent = study.reported_ga_days, sent.reported_ga_days
    if ga_sent is not None and ga_stored is not None and not _same_numbers((ga_stored,), (ga_sent,)):
        differences["reported_ga_days"] = {"stored": ga_stored, "sent": ga_sent}
    if differences:
        words = "; ".join(f"{name}: stored {d['stored']}, sent {d['sent']}" for name, d in differences.items())
        raise Conflict(
            f"This file was uploaded before with other values ({words}). A re-send must carry the stored values.",
            code="resend_differs",
            differences=differences,
        )
    _fill_missing(study, sent)


def _fill_missing(study: Study, sent: SentFacts) -> None:
    """A re-send may know what the first upload did not (as a later instance of a study may); it never
    overwrites. The update is conditional, so a concurrent request that filled the field first wins."""
    for field, value in (("exam_date", sent.exam_date), ("reported_ga_days", sent.reported_ga_days)):
        if value is not None and getattr(study, field) is None:
            if Study.objects.filter(id=study.id, **{f"{field}__isnull": True}).update(**{field: value}):
                setattr(study, field, value)


def _same_numbers(stored: tuple[float, ...], sent: tuple[float, ...]) -> bool:
    # The stored value went through the database as a double; the header's DS text → float is repeatable.
    return all(math.isclose(a, b, rel_tol=1e-9) for a, b in zip(stored, sent, strict=True))
