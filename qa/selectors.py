"""Reads. Every row a user may read comes through here, scoped by qa.permissions; nothing here writes.

A `*_get` of a row the user may not see raises Http404, exactly as for a row that does not exist,
so an id of another hospital tells nobody whether it is there.
"""

from datetime import date, datetime

from django.db.models import Count, F, JSONField, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404

from qa.frame_quality import STUDY_QUALITY, with_study_quality
from qa.models import (
    Assessment,
    AuditAction,
    AuditEvent,
    Frame,
    Hospital,
    Machine,
    Mask,
    Measurement,
    ModelVersion,
    ProcessingJob,
    Review,
    Role,
    Study,
    TrainingRun,
    User,
)
from qa.permissions import hospitals_visible_to, scope_to_user


def _get_or_404(queryset: QuerySet, *, pk: int, what: str):
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise Http404(f"No {what} with id {pk}.") from None


# Hospitals and machines


def hospital_list(*, user: User) -> QuerySet[Hospital]:
    return hospitals_visible_to(user).prefetch_related("machines").order_by("name")


def hospital_get(*, user: User, hospital_id: int) -> Hospital:
    return _get_or_404(hospital_list(user=user), pk=hospital_id, what="hospital")


def machine_list(*, user: User, hospital_id: int | None = None) -> QuerySet[Machine]:
    machines = scope_to_user(Machine.objects.select_related("hospital"), user)
    if hospital_id is not None:
        machines = machines.filter(hospital_id=hospital_id)
    return machines.order_by("hospital__name", "manufacturer", "model_name", "id")


# Studies and frames


def _latest_job():
    return ProcessingJob.objects.filter(frame=OuterRef("pk")).order_by("-created_at", "-id")


def _latest_assessment():
    return Assessment.objects.filter(mask__frame=OuterRef("pk")).order_by("-created_at", "-id")


def _with_status(frames: QuerySet[Frame]) -> QuerySet[Frame]:
    """The frame's processing status is its latest job's; its quality is its latest assessment's."""
    return frames.annotate(
        status=Subquery(_latest_job().values("status")[:1]),
        status_reason=Subquery(_latest_job().values("reason")[:1]),
        p_good=Subquery(_latest_assessment().values("p_good")[:1]),
        quality_label=Subquery(_latest_assessment().values("label")[:1]),
        quality_reasons=Subquery(_latest_assessment().values("reasons")[:1], output_field=JSONField()),
    )


def study_list(
    *,
    user: User,
    hospital_id: int | None = None,
    machine_id: int | None = None,
    exam_from: date | None = None,
    exam_to: date | None = None,
    quality: str | None = None,
    status: str | None = None,
    p_min: float | None = None,
    p_max: float | None = None,
    known_answers: bool = False,
) -> QuerySet[Study]:
    """Studies, latest exam date first (studies without one last, newest upload first), each with its frames'
    quality and processing status (qa.frame_quality.with_study_quality). `quality` and `status` filter on those
    summaries; p_min/p_max (inclusive) on the study's lowest p(good), so a range finds studies with a frame in
    it at the bottom. Phantom known-answer studies are left out of the list (`known_answers=True` keeps them,
    for one study opened by id: an expert's workspace must show such an item like any other)."""
    studies = scope_to_user(Study.objects.select_related("hospital", "machine"), user)
    if not known_answers:
        studies = studies.filter(known_answer=False)
    if hospital_id is not None:
        studies = studies.filter(hospital_id=hospital_id)
    if machine_id is not None:
        studies = studies.filter(machine_id=machine_id)
    if exam_from is not None:
        studies = studies.filter(exam_date__gte=exam_from)
    if exam_to is not None:
        studies = studies.filter(exam_date__lte=exam_to)
    studies = studies.annotate(frame_count=Count("frames"))
    if quality is not None or status is not None or p_min is not None or p_max is not None:
        # Filtering on the summaries computes them for every study of the selection; without these filters
        # they are read for the page's rows only (study_quality_attach).
        studies = with_study_quality(studies)
        if quality is not None:
            studies = studies.filter(quality=quality)
        if status is not None:
            studies = studies.filter(status=status)
        if p_min is not None:
            studies = studies.filter(lowest_p_good__gte=p_min)
        if p_max is not None:
            studies = studies.filter(lowest_p_good__lte=p_max)
    return studies.order_by(F("exam_date").desc(nulls_last=True), "-created_at", "-id")


def study_quality_attach(studies: list[Study]) -> list[Study]:
    """Sets each study's quality and status (qa.frame_quality.with_study_quality) in one query over these rows
    only, so a page of the list costs the same however many studies the hospital holds."""
    rows = with_study_quality(Study.objects.filter(id__in=[study.id for study in studies])).values("id", *STUDY_QUALITY)
    by_id = {row["id"]: row for row in rows}
    for study in studies:
        for name in STUDY_QUALITY:
            setattr(study, name, by_id[study.id][name])
    return studies


def study_get(*, user: User, study_id: int) -> Study:
    frames = _with_status(Frame.objects.order_by("frame_number", "id"))
    studies = study_list(user=user, known_answers=True).prefetch_related(Prefetch("frames", queryset=frames))
    return study_quality_attach([_get_or_404(studies, pk=study_id, what="study")])[0]


def frame_get(*, user: User, frame_id: int) -> Frame:
    """A frame with its masks (oldest version first), and its latest assessment and measurement."""
    masks = Mask.objects.select_related("model_version", "created_by").order_by("version")
    frames = scope_to_user(
        _with_status(Frame.objects.select_related("hospital", "study")).prefetch_related(
            Prefetch("masks", queryset=masks)
        ),
        user,
    )
    frame = _get_or_404(frames, pk=frame_id, what="frame")
    frame.latest_assessment = (
        Assessment.objects.filter(mask__frame=frame)
        .select_related("model_version")
        .order_by("-created_at", "-id")
        .first()
    )
    frame.latest_measurement = Measurement.objects.filter(mask__frame=frame).order_by("-created_at", "-id").first()
    return frame


def frame_image_get(*, user: User, frame_id: int) -> Frame:
    return _get_or_404(scope_to_user(Frame.objects.all(), user), pk=frame_id, what="frame")


# Masks and reviews


def mask_get(*, user: User, mask_id: int) -> Mask:
    masks = scope_to_user(
        Mask.objects.select_related("frame", "model_version", "created_by").prefetch_related(
            Prefetch("assessments", queryset=Assessment.objects.select_related("model_version")),
            "measurements",
        ),
        user,
        hospital_path="frame__hospital",
    )
    return _get_or_404(masks, pk=mask_id, what="mask")


def mask_dicom_get(*, user: User, mask_id: int) -> Mask:
    """A mask with its frame and model version, for building its DICOM SEG."""
    masks = scope_to_user(Mask.objects.select_related("frame", "model_version"), user, hospital_path="frame__hospital")
    return _get_or_404(masks, pk=mask_id, what="mask")


def mask_image_get(*, user: User, mask_id: int) -> Mask:
    masks = scope_to_user(Mask.objects.all(), user, hospital_path="frame__hospital")
    return _get_or_404(masks, pk=mask_id, what="mask")


def review_list(
    *,
    user: User,
    hospital_id: int | None = None,
    frame_id: int | None = None,
    mask_id: int | None = None,
) -> QuerySet[Review]:
    reviews = scope_to_user(
        Review.objects.select_related("mask__frame", "expert"), user, hospital_path="mask__frame__hospital"
    )
    if user.role == Role.QA_MANAGER:
        # Reviews of phantom known-answer items are the experts' test, not the hospital's data.
        reviews = reviews.filter(mask__frame__study__known_answer=False)
    if hospital_id is not None:
        reviews = reviews.filter(mask__frame__hospital_id=hospital_id)
    if frame_id is not None:
        reviews = reviews.filter(mask__frame_id=frame_id)
    if mask_id is not None:
        reviews = reviews.filter(mask_id=mask_id)
    return reviews.order_by("-created_at", "-id")


# Models and their training


def model_version_list(*, kind: str | None = None, status: str | None = None) -> QuerySet[ModelVersion]:
    """Model versions hold no patient data: every logged-in user may read them."""
    versions = ModelVersion.objects.select_related("parent")
    if kind is not None:
        versions = versions.filter(kind=kind)
    if status is not None:
        versions = versions.filter(status=status)
    return versions.order_by("kind", "-created_at", "-id")


def model_version_get(*, model_version_id: int) -> ModelVersion:
    return _get_or_404(model_version_list(), pk=model_version_id, what="model version")


def training_run_list(*, kind: str | None = None, status: str | None = None) -> QuerySet[TrainingRun]:
    """Only admins reach this (the API checks qa.permissions.IsFusqaAdmin)."""
    runs = TrainingRun.objects.select_related("created_by").prefetch_related("model_versions")
    if kind is not None:
        runs = runs.filter(kind=kind)
    if status is not None:
        runs = runs.filter(status=status)
    return runs.order_by("-created_at", "-id")


def training_run_get(*, training_run_id: int) -> TrainingRun:
    return _get_or_404(training_run_list(), pk=training_run_id, what="training run")


# The audit log


def audit_action_prefixes() -> set[str]:
    """ "upload" for upload.stored, upload.duplicate, ...: what the action filter takes besides full names."""
    return {action.split(".", 1)[0] for action in AuditAction.values}


def audit_event_list(
    *,
    user: User,
    actor: str | None = None,
    action: str | None = None,
    hospital_id: int | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events, newest first; admins alone read them, and read every hospital's. `actor` is a
    username as recorded; `action` a full action name or its prefix ("upload"); since/until inclusive."""
    if not (user.is_authenticated and user.is_active and user.is_fusqa_admin):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.select_related("hospital")
    if actor is not None:
        events = events.filter(actor_username=actor)
    if action is not None:
        if action in AuditAction.values:
            events = events.filter(action=action)
        else:
            events = events.filter(action__startswith=action.rstrip(".") + ".")
    if hospital_id is not None:
        events = events.filter(hospital_id=hospital_id)
    if target_type is not None:
        events = events.filter(target_type=target_type)
    if target_id is not None:
        events = events.filter(target_id=target_id)
    if since is not None:
        events = events.filter(at__gte=since)
    if until is not None:
        events = events.filter(at__lte=until)
    return events.order_by("-at", "-id")
