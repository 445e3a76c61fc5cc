"""The review queue as read: the waiting items an expert may take, each with its learning value.

Scoped like every read (only hospitals the user may review in); nothing here writes. The services in
qa.services.reviews lease from this order.
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Count, Exists, F, JSONField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from qa.errors import NotAllowed
from qa.models import (
    Assessment,
    DriftAlert,
    Hospital,
    LeaseState,
    Mask,
    MaskKind,
    Measurement,
    Review,
    ReviewLease,
    Role,
    User,
)
from qa.permissions import can_review_in, hospitals_visible_to
from qa.review_value import learning_value, needs_double_read


@dataclass(frozen=True)
class QueueFilters:
    hospital_id: int | None = None
    machine_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    p_min: float | None = None
    p_max: float | None = None


@dataclass
class QueueItem:
    mask_id: int
    frame_id: int
    hospital_id: int
    machine_id: int | None
    p_good: float | None
    assessment_label: str | None
    reads_needed: int
    reads_taken: int
    score: float
    reasons: list[dict] = field(default_factory=list)


def review_hospitals(*, user: User, hospital_id: int | None = None):
    """The hospitals whose items `user` may review (all for admins, their memberships for experts).
    QA managers may not review; a hospital outside the user's is refused with the same words whether
    it exists or not."""
    if not user.is_authenticated or not (user.is_fusqa_admin or user.role == Role.EXPERT):
        raise NotAllowed("Only experts and admins review masks.", code="not_a_reviewer")
    hospitals = hospitals_visible_to(user)
    if hospital_id is not None:
        hospital = Hospital.objects.filter(pk=hospital_id).first()
        if hospital is None or not can_review_in(user, hospital):
            raise NotAllowed(
                f"You do not review in hospital {hospital_id}: it is not one of your hospitals.",
                code="hospital_not_yours",
                field="hospital",
            )
        hospitals = hospitals.filter(pk=hospital_id)
    return hospitals


def review_queue(
    *, user: User, filters: QueueFilters, limit: int | None = None, known_answers: bool = False
) -> list[QueueItem]:
    """Waiting items, highest learning value first (ties: oldest frame first). An item is a frame's latest
    model mask; it waits while it has fewer reads (reviews, or live leases) than it needs and `user` has
    not read it already. Known-answer items (qa.models.KnownAnswer) are never listed here; with
    `known_answers=True` only the active ones are, each waiting for every expert who has not read it yet,
    scored and explained exactly like an ordinary item so that nothing about a lease gives them away."""
    now = timezone.now()
    share = settings.FUSQA_REVIEW_DOUBLE_READ_SHARE
    latest_assessment = Assessment.objects.filter(mask=OuterRef("pk")).order_by("-created_at", "-id")
    measurement = Measurement.objects.filter(mask=OuterRef("pk"), formula=settings.FUSQA_GA_FORMULA)
    newer_model_mask = Mask.objects.filter(
        frame=OuterRef("frame"), kind=MaskKind.MODEL, version__gt=OuterRef("version")
    )
    # An item the user skipped (released) stays out of their own queue until the lease would have expired,
    # so a skip moves them on; for everyone else it is back at once.
    mine = ReviewLease.objects.filter(mask=OuterRef("pk"), expert=user).filter(
        Q(state__in=[LeaseState.LIVE, LeaseState.DONE]) | Q(state=LeaseState.RELEASED, expires_at__gt=now)
    )
    reviewed_by_me = Review.objects.filter(mask=OuterRef("pk"), expert=user)
    masks = (
        Mask.objects.filter(
            kind=MaskKind.MODEL, frame__hospital__in=review_hospitals(user=user, hospital_id=filters.hospital_id)
        )
        .exclude(Exists(newer_model_mask))
        .exclude(Exists(mine))
        .exclude(Exists(reviewed_by_me))
    )
    if known_answers:
        masks = masks.filter(known_answer__active=True)
    else:
        # A phantom study's frames are never ordinary items, whatever model mask they get later.
        masks = masks.filter(known_answer__isnull=True, frame__study__known_answer=False)
    masks = masks.annotate(
        p_good=Subquery(latest_assessment.values("p_good")[:1]),
        assessment_label=Subquery(latest_assessment.values("label")[:1]),
        assessment_reasons=Subquery(latest_assessment.values("reasons")[:1], output_field=JSONField()),
        crl_ga_days=Subquery(measurement.values("ga_days")[:1]),
        reported_ga_days=F("frame__study__reported_ga_days"),
        machine_id=F("frame__study__machine_id"),
        hospital_id=F("frame__hospital_id"),
        counted_on=Coalesce(F("frame__study__exam_date"), TruncDate("frame__created_at")),
        reviews_done=_count(Review.objects.filter(mask=OuterRef("pk"))),
        leases_live=_count(ReviewLease.objects.filter(mask=OuterRef("pk"), state=LeaseState.LIVE, expires_at__gt=now)),
    ).filter(assessment_label__isnull=False)
    if filters.machine_id is not None:
        masks = masks.filter(frame__study__machine_id=filters.machine_id)
    if filters.date_from is not None:
        masks = masks.filter(counted_on__gte=filters.date_from)
    if filters.date_to is not None:
        masks = masks.filter(counted_on__lte=filters.date_to)
    if filters.p_min is not None:
        masks = masks.filter(p_good__gte=filters.p_min)
    if filters.p_max is not None:
        masks = masks.filter(p_good__lte=filters.p_max)

    rows = list(
        masks.values(
            "id",
            "frame_id",
            "hospital_id",
            "machine_id",
            "p_good",
            "assessment_label",
            "assessment_reasons",
            "crl_ga_days",
            "reported_ga_days",
            "counted_on",
            "reviews_done",
            "leases_live",
        )
    )
    machine_reviews = _reviews_per_machine()
    alerts = _open_alert_starts()
    items = []
    for row in rows:
        reads_needed = 2 if needs_double_read(row["frame_id"], share) else 1
        reads_taken = row["reviews_done"] + row["leases_live"]
        if reads_taken >= reads_needed and not known_answers:
            continue
        value = learning_value(
            p_good=row["p_good"],
            assessment_label=row["assessment_label"],
            threshold=settings.FUSQA_GOOD_THRESHOLD,
            crl_ga_days=row["crl_ga_days"],
            reported_ga_days=row["reported_ga_days"],
            in_open_alert=_in_open_alert(row, alerts),
            machine_reviews=machine_reviews.get(row["machine_id"], 0),
            unknown_reasons=row["assessment_reasons"],
        )
        reasons = list(value.reasons)
        if reads_needed == 2:
            reasons.append({"code": "double_read", "message": "read by two experts, for agreement"})
        items.append(
            QueueItem(
                mask_id=row["id"],
                frame_id=row["frame_id"],
                hospital_id=row["hospital_id"],
                machine_id=row["machine_id"],
                p_good=row["p_good"],
                assessment_label=row["assessment_label"],
                reads_needed=reads_needed,
                reads_taken=reads_taken,
                score=value.score,
                reasons=reasons,
            )
        )
    items.sort(key=lambda item: (-item.score, item.frame_id))
    return items if limit is None else items[:limit]


def _count(rows) -> Subquery:
    return Coalesce(Subquery(rows.order_by().values("mask").annotate(n=Count("id")).values("n")[:1]), 0)


def _reviews_per_machine() -> dict[int | None, int]:
    """Reviews given so far per machine: how well the training set knows each machine."""
    counts = Review.objects.values("mask__frame__study__machine_id").annotate(n=Count("id"))
    return {row["mask__frame__study__machine_id"]: row["n"] for row in counts}


def _open_alert_starts() -> dict[tuple[str, int], date]:
    """Open (unacknowledged) drift alerts: the earliest start per machine, and per hospital for
    hospital-wide alerts (no machine)."""
    starts: dict[tuple[str, int], date] = {}
    for machine_id, hospital_id, started_on in DriftAlert.objects.filter(acknowledged_at__isnull=True).values_list(
        "machine_id", "hospital_id", "started_on"
    ):
        key = ("machine", machine_id) if machine_id is not None else ("hospital", hospital_id)
        starts[key] = min(started_on, starts.get(key, started_on))
    return starts


def _in_open_alert(row: dict, alerts: dict[tuple[str, int], date]) -> bool:
    for key in (("machine", row["machine_id"]), ("hospital", row["hospital_id"])):
        start = alerts.get(key)
        if start is not None and row["counted_on"] is not None and row["counted_on"] >= start:
            return True
    return False
