"""Expert review: leasing the next queue item, verdicts, corrections as new mask versions, derived labels.

Every operation assumes it runs concurrently with itself. A lease is an INSERT guarded by partial unique
constraints (qa.models.ReviewLease): two experts racing for one slot both try, one row survives, the
other moves on to the next item. A review locks its lease row, so one lease gives at most one review;
a correction locks its frame, so two corrections of one frame get versions one after the other.
"""

import io
import logging
import random
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from qa.errors import Conflict, InvalidInput, NotAllowed
from qa.models import (
    AuditAction,
    Frame,
    KnownAnswer,
    LeaseState,
    Mask,
    MaskKind,
    Review,
    ReviewLease,
    TrainingLabel,
    User,
    Verdict,
)
from qa.permissions import can_review_in
from qa.review_selectors import QueueFilters, review_hospitals, review_queue
from qa.services.audit import audit_record
from qa.services.processing import mask_png, measurement_row
from workers.ml.crl import EmptyMaskError, crl_from_mask
from workers.ml.fusqa.labels import quality_label
from workers.ml.ga import gestational_age_days

logger = logging.getLogger(__name__)

# How many of the best items one lease call tries before answering "nothing left": each try that loses
# a race costs one INSERT, and a queue this contended is better answered again by the client.
_LEASE_TRIES = 25


def review_leases_expire(*, now=None) -> int:
    """Mark live leases past their time expired, freeing their slots. Conditional, so safe to run anywhere."""
    now = now or timezone.now()
    return ReviewLease.objects.filter(state=LeaseState.LIVE, expires_at__lte=now).update(state=LeaseState.EXPIRED)


def review_lease_next(*, expert: User, filters: QueueFilters, source: str = "") -> ReviewLease | None:
    """Lease the most valuable waiting item to `expert` for FUSQA_REVIEW_LEASE_SECONDS; None when the queue
    (under these filters) is empty for them."""
    if settings.FUSQA_REVIEW_LEASE_SECONDS <= 0:
        # Said loudly here: the lease row's check constraint would fail as an IntegrityError, which the
        # claim below reads as "another expert got there first", and every lease would answer 204.
        raise ImproperlyConfigured("FUSQA_REVIEW_LEASE_SECONDS must be a positive number of seconds")
    review_hospitals(user=expert, hospital_id=filters.hospital_id)  # refuses non-reviewers and other hospitals
    review_leases_expire()
    if _known_answer_turn():
        lease = _known_answer_lease(expert=expert, filters=filters, source=source)
        if lease is not None:
            return lease
    for item in review_queue(user=expert, filters=filters, limit=_LEASE_TRIES):
        lease = _lease_try(expert=expert, item=item, source=source)
        if lease is not None:
            return lease
    return None


def _known_answer_turn() -> bool:
    """Whether this lease should be a known-answer item: FUSQA_KNOWN_ANSWER_RATE of leases, drawn at random
    (not every n-th lease, which an expert could count)."""
    rate = settings.FUSQA_KNOWN_ANSWER_RATE
    return rate > 0 and (rate >= 1 or random.random() < rate)


def _known_answer_lease(*, expert: User, filters: QueueFilters, source: str) -> ReviewLease | None:
    """A known-answer item this expert has not read, picked at random among those the filters let through.
    It is leased like any item (slot 1, the same reasons, the same audit event); only the lease row knows."""
    items = review_queue(user=expert, filters=filters, known_answers=True)
    random.shuffle(items)
    for item in items[:_LEASE_TRIES]:
        lease = _lease_insert(expert=expert, item=item, slot=1, source=source, known_answer=True)
        if lease is not None:
            return lease
    return None


def _lease_try(*, expert: User, item, source: str) -> ReviewLease | None:
    taken = set(
        ReviewLease.objects.filter(mask_id=item.mask_id, state__in=[LeaseState.LIVE, LeaseState.DONE]).values_list(
            "slot", flat=True
        )
    )
    free = [slot for slot in range(1, item.reads_needed + 1) if slot not in taken]
    if not free:
        return None
    # Slot by slot: experts racing for a double-read item all see both slots free; the one who loses slot 1
    # takes slot 2 rather than leaving it empty. A failure on every slot means the item is gone (or this
    # expert already holds it).
    for slot in free:
        lease = _lease_insert(expert=expert, item=item, slot=slot, source=source)
        if lease is not None:
            return lease
    return None


def _lease_insert(*, expert: User, item, slot: int, source: str, known_answer: bool = False) -> ReviewLease | None:
    now = timezone.now()
    try:
        with transaction.atomic():
            lease = ReviewLease.objects.create(
                frame_id=item.frame_id,
                mask_id=item.mask_id,
                expert=expert,
                slot=slot,
                reason=item.reasons,
                leased_at=now,
                expires_at=now + timedelta(seconds=settings.FUSQA_REVIEW_LEASE_SECONDS),
                known_answer=known_answer,
            )
            audit_record(
                actor=expert,
                action=AuditAction.REVIEW_LEASED,
                target=lease,
                hospital=lease.frame.hospital,
                source=source,
                detail={
                    "mask": item.mask_id,
                    "frame": item.frame_id,
                    "slot": lease.slot,
                    "reads_needed": item.reads_needed,
                    "expires_at": lease.expires_at,
                    "score": item.score,
                    "reasons": [reason["code"] for reason in item.reasons],
                },
            )
    except IntegrityError:
        # Another expert took this slot first (or this expert holds another slot of the item).
        return None
    return lease


def review_lease_release(*, expert: User, lease_id: int, source: str = "") -> ReviewLease:
    """The expert gives their live lease back unreviewed (a skip): its slot is free for another expert at once.
    The item stays out of this expert's own queue until the lease would have expired (qa.review_selectors)."""
    with transaction.atomic():
        lease = ReviewLease.objects.select_for_update().select_related("frame__hospital").filter(pk=lease_id).first()
        if lease is None or lease.expert_id != expert.pk:
            raise NotAllowed(f"Lease {lease_id} is not yours.", code="lease_not_yours", field="lease_id")
        if lease.state == LeaseState.DONE:
            raise Conflict(f"Lease {lease_id} has already been reviewed.", code="lease_used", field="lease_id")
        if lease.state == LeaseState.RELEASED:
            raise Conflict(f"Lease {lease_id} has already been released.", code="lease_released", field="lease_id")
        if lease.state == LeaseState.EXPIRED or lease.expires_at <= timezone.now():
            raise Conflict(
                f"Lease {lease_id} expired at {lease.expires_at.isoformat()}: the item is back in the queue already.",
                code="lease_expired",
                field="lease_id",
            )
        ReviewLease.objects.filter(pk=lease.pk).update(state=LeaseState.RELEASED)
        lease.state = LeaseState.RELEASED
        audit_record(
            actor=expert,
            action=AuditAction.REVIEW_RELEASED,
            target=lease,
            hospital=lease.frame.hospital,
            source=source,
            detail={"mask": lease.mask_id, "frame": lease.frame_id, "slot": lease.slot},
        )
    return lease


@dataclass(frozen=True)
class ReviewOutcome:
    review: Review
    corrected_mask: Mask | None


def review_submit(
    *,
    expert: User,
    lease_id: int,
    verdict: str,
    seconds_spent: float,
    corrected_png: bytes | None = None,
    comment: str = "",
    source: str = "",
) -> ReviewOutcome:
    """The expert's verdict on their leased item, with their corrected mask if they drew one. Nothing is
    stored unless everything is valid: the lease is theirs and live, the mask a binary PNG of the frame's
    size. A correction becomes a new expert Mask (parent: the reviewed mask, which is never changed),
    measured at once; the reviewed mask's training label is then derived from it by the label rule."""
    if verdict not in Verdict.values:
        raise InvalidInput(f"verdict must be one of {', '.join(Verdict.values)}.", field="verdict")
    if seconds_spent < 0:
        raise InvalidInput("seconds_spent cannot be negative.", field="seconds_spent")
    if corrected_png is not None and verdict == Verdict.UNUSABLE:
        raise InvalidInput("An unusable image has no corrected mask: send one or the other.", field="mask")

    stored_files: list[str] = []
    try:
        return _review_write(
            expert=expert,
            lease_id=lease_id,
            verdict=verdict,
            seconds_spent=seconds_spent,
            corrected_png=corrected_png,
            comment=comment,
            source=source,
            stored_files=stored_files,
        )
    except BaseException:
        # The transaction rolled back: the correction's file, stored before its row, goes too.
        storage = Mask._meta.get_field("data").storage
        for name in stored_files:
            storage.delete(name)
        raise


def _review_write(
    *, expert, lease_id, verdict, seconds_spent, corrected_png, comment, source, stored_files
) -> ReviewOutcome:
    with transaction.atomic():
        lease = _lease_for_review(expert=expert, lease_id=lease_id)
        reviewed = lease.mask
        frame = Frame.objects.select_for_update().get(pk=lease.frame_id)
        corrected = None
        label, numbers = _label_from_verdict(verdict), {}
        if corrected_png is not None:
            drawn = _mask_from_png(corrected_png, frame=frame)
            corrected = _correction_store(
                expert=expert, frame=frame, parent=reviewed, drawn=drawn, stored_files=stored_files
            )
            label, numbers = _label_from_correction(reviewed=reviewed, drawn=drawn, frame=frame)
        review = Review.objects.create(
            mask=reviewed,
            expert=expert,
            verdict=verdict,
            corrected_mask=corrected,
            seconds_spent=seconds_spent,
            comment=comment,
            lease=lease,
            training_label=label,
            known_answer_correct=known_answer_score(lease=lease, verdict=verdict),
            **numbers,
        )
        ReviewLease.objects.filter(pk=lease.pk).update(state=LeaseState.DONE)
        audit_record(
            actor=expert,
            action=AuditAction.REVIEW_VERDICT,
            target=review,
            hospital=frame.hospital,
            source=source,
            detail={
                "mask": reviewed.pk,
                "verdict": verdict,
                "seconds_spent": seconds_spent,
                "lease": lease.pk,
                "training_label": label,
            },
        )
        if corrected is not None:
            audit_record(
                actor=expert,
                action=AuditAction.MASK_CORRECTED,
                target=corrected,
                hospital=frame.hospital,
                source=source,
                detail={"parent": reviewed.pk, "version": corrected.version, "review": review.pk},
            )
    return ReviewOutcome(review=review, corrected_mask=corrected)


def known_answer_score(*, lease: ReviewLease, verdict: str) -> bool | None:
    """For a read of a known-answer item: whether the verdict is the expected one (an "unusable" verdict on
    an item whose answer is good or poor is wrong). None for an ordinary item."""
    if not lease.known_answer:
        return None
    expected = KnownAnswer.objects.filter(mask_id=lease.mask_id).values_list("expected_verdict", flat=True).first()
    return None if expected is None else verdict == expected


def _lease_for_review(*, expert: User, lease_id: int) -> ReviewLease:
    """The caller's live lease, locked so a second review on it waits and then finds it done."""
    lease = (
        ReviewLease.objects.select_for_update().select_related("mask", "frame__hospital").filter(pk=lease_id).first()
    )
    # Another expert's lease reads exactly like one that does not exist: nothing about it is told.
    if lease is None or lease.expert_id != expert.pk:
        raise NotAllowed(
            f"Lease {lease_id} is not yours: lease the item yourself.", code="lease_not_yours", field="lease_id"
        )
    if not can_review_in(expert, lease.frame.hospital):
        raise NotAllowed("You no longer review in this item's hospital.", code="hospital_not_yours")
    if lease.state == LeaseState.DONE:
        raise Conflict(f"Lease {lease_id} has already been reviewed.", code="lease_used", field="lease_id")
    if lease.state == LeaseState.EXPIRED or lease.expires_at <= timezone.now():
        raise Conflict(
            f"Lease {lease_id} expired at {lease.expires_at.isoformat()}: lease the item again.",
            code="lease_expired",
            field="lease_id",
        )
    return lease


def _label_from_verdict(verdict: str) -> str:
    return {
        Verdict.GOOD: TrainingLabel.GOOD,
        Verdict.POOR: TrainingLabel.POOR,
        Verdict.UNUSABLE: TrainingLabel.EXCLUDED,
    }[verdict]


def _mask_from_png(data: bytes, *, frame: Frame) -> np.ndarray:
    """A binary mask of the frame's size from PNG bytes (values 0/1 or 0/255), or InvalidInput saying why not."""
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError):
        raise InvalidInput(
            "The corrected mask is not an image: send a PNG.", code="mask_not_png", field="mask"
        ) from None
    if image.format != "PNG":
        raise InvalidInput(
            f"The corrected mask is a {image.format} image: send a PNG (lossy formats blur the edge).",
            code="mask_not_png",
            field="mask",
        )
    if image.size != (frame.width, frame.height):
        raise InvalidInput(
            f"The corrected mask is {image.size[0]}x{image.size[1]} pixels; frame {frame.pk} is "
            f"{frame.width}x{frame.height}.",
            code="mask_wrong_size",
            field="mask",
        )
    if image.mode not in ("1", "L", "P", "I", "I;16"):
        raise InvalidInput(
            f"The corrected mask has {image.mode} pixels (colour or transparency): a mask is one channel, "
            "0 for background and 1 or 255 for the fetus.",
            code="mask_not_binary",
            field="mask",
        )
    try:
        image.load()
    except OSError:
        raise InvalidInput("The corrected mask's PNG is damaged.", code="mask_not_png", field="mask") from None
    if image.mode == "P":
        image = image.convert("L")
    array = np.asarray(image)
    values = set(np.unique(array).tolist())
    if image.mode != "1" and not (values <= {0, 1} or values <= {0, 255}):
        shown = ", ".join(str(v) for v in sorted(values)[:6])
        raise InvalidInput(
            f"The corrected mask holds the values {shown}{'…' if len(values) > 6 else ''}: a mask is 0/1 or 0/255 "
            "(an image was sent instead of a mask?).",
            code="mask_not_binary",
            field="mask",
        )
    drawn = array > 0
    if not drawn.any():
        raise InvalidInput(
            "The corrected mask is empty: draw the fetus, or give the verdict without a mask.",
            code="mask_empty",
            field="mask",
        )
    return drawn


def _correction_store(*, expert: User, frame: Frame, parent: Mask, drawn: np.ndarray, stored_files: list[str]) -> Mask:
    """The correction as the frame's next mask version, with its measurement. The caller holds the frame's lock."""
    version = (Mask.objects.filter(frame=frame).aggregate(v=Max("version"))["v"] or 0) + 1
    mask = Mask(
        frame=frame,
        kind=MaskKind.EXPERT,
        version=version,
        parent=parent,
        created_by=expert,
        area_px=int(drawn.sum()),
    )
    mask.data.save(f"frame{frame.pk}-v{version}-expert.png", ContentFile(mask_png(drawn)), save=False)
    stored_files.append(mask.data.name)
    mask.save(force_insert=True)
    spacing = (frame.spacing_row_mm, frame.spacing_col_mm)
    crl = crl_from_mask(drawn, spacing)
    ga = gestational_age_days(crl.crl_mm, settings.FUSQA_GA_FORMULA)
    measurement_row(mask=mask, crl=crl, ga=ga).save(force_insert=True)
    return mask


def _label_from_correction(*, reviewed: Mask, drawn: np.ndarray, frame: Frame) -> tuple[str, dict]:
    """The label rule training uses (workers.ml.fusqa.labels), with the correction as the reference."""
    reviewed_array = _stored_mask(reviewed, frame=frame)
    try:
        judged = quality_label(
            reviewed_array,
            drawn,
            (frame.spacing_row_mm, frame.spacing_col_mm),
            formula=settings.FUSQA_GA_FORMULA,
        )
    except EmptyMaskError:  # the reference is checked non-empty above; kept for safety
        raise InvalidInput("The corrected mask is empty.", code="mask_empty", field="mask") from None
    label = judged.label or TrainingLabel.EXCLUDED
    numbers = {
        "label_dice": judged.dice,
        "label_crl_error": judged.crl_error,
        "label_ga_error_days": judged.ga_error_days if np.isfinite(judged.ga_error_days) else None,
    }
    return label, numbers


def _stored_mask(mask: Mask, *, frame: Frame) -> np.ndarray:
    with mask.data.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    array = np.asarray(image.convert("L")) > 0
    if array.shape != (frame.height, frame.width):
        raise ValueError(
            f"stored mask {mask.pk} is {array.shape[1]}x{array.shape[0]}, frame is {frame.width}x{frame.height}"
        )
    return array
