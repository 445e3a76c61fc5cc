"""A frame's counted verdict as a query annotation: the same rule as the dashboard's rollups
(qa.services.rollups.frame_verdicts), so a drill-down lists exactly the frames a dashboard point counts.

- its latest assessment of a model mask: that assessment's label, p(good) and mask;
- no such assessment and its latest processing job failed: unknown (no p(good), no mask);
- otherwise (pending, running, never queued): no verdict, not counted.
A frame counts on its study's exam date, else on its upload date (UTC).
"""

from datetime import UTC

from django.db.models import Case, CharField, Count, F, Min, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, TruncDate

from qa.models import Assessment, Frame, JobStatus, MaskKind, ProcessingJob, Study


def _latest_model_assessment():
    return Assessment.objects.filter(mask__frame=OuterRef("pk"), mask__kind=MaskKind.MODEL).order_by(
        "-created_at", "-id"
    )


def _latest_job_status():
    return ProcessingJob.objects.filter(frame=OuterRef("pk")).order_by("-created_at", "-id").values("status")[:1]


def with_verdict(frames: QuerySet[Frame]) -> QuerySet[Frame]:
    """Annotates `verdict` (good, poor, unknown or None), `verdict_p_good`, `verdict_mask_id`,
    `verdict_model_version_id` and `verdict_model_version` (the FUSQA version that judged it) and `counted_on`
    (the day the frame counts on)."""
    latest = _latest_model_assessment()
    return frames.annotate(
        assessed_label=Subquery(latest.values("label")[:1]),
        verdict_p_good=Subquery(latest.values("p_good")[:1]),
        verdict_mask_id=Subquery(latest.values("mask_id")[:1]),
        verdict_model_version_id=Subquery(latest.values("model_version_id")[:1]),
        verdict_model_version=Subquery(latest.values("model_version__version")[:1]),
        latest_job_status=Subquery(_latest_job_status()),
    ).annotate(
        verdict=Case(
            When(assessed_label__isnull=False, then=F("assessed_label")),
            When(latest_job_status=JobStatus.FAILED, then=Value(Assessment.Label.UNKNOWN)),
            default=None,
            output_field=CharField(),
        ),
        counted_on=Coalesce("study__exam_date", TruncDate("created_at", tzinfo=UTC)),
    )


def _per_study(aggregate) -> Subquery:
    frames = with_verdict(Frame.objects.filter(study=OuterRef("pk"))).order_by().values("study")
    return Subquery(frames.annotate(value=aggregate).values("value")[:1])


IN_FLIGHT = (JobStatus.PENDING, JobStatus.RUNNING)
STUDY_QUALITY = (
    "good_frames",
    "poor_frames",
    "unknown_frames",
    "in_flight_frames",
    "failed_frames",
    "queued_frames",
    "lowest_p_good",
    "quality",
    "status",
)


def with_study_quality(studies: QuerySet[Study]) -> QuerySet[Study]:
    """Annotates each study with its frames' counted verdicts (`good_frames`, `poor_frames`, `unknown_frames`),
    `in_flight_frames` (latest job pending or running), `failed_frames`, `lowest_p_good`, and two summaries:
    `quality` (poor if any frame is poor, else unknown if any is, else good if any is; None without verdicts) and
    `status` (pending while any frame is in flight, else failed if any failed, else done; None if never queued)."""

    def count(**condition):
        return Coalesce(_per_study(Count("id", filter=Q(**condition))), 0)

    studies = studies.annotate(
        good_frames=count(verdict=Assessment.Label.GOOD),
        poor_frames=count(verdict=Assessment.Label.POOR),
        unknown_frames=count(verdict=Assessment.Label.UNKNOWN),
        in_flight_frames=count(latest_job_status__in=IN_FLIGHT),
        failed_frames=count(latest_job_status=JobStatus.FAILED),
        queued_frames=count(latest_job_status__isnull=False),
        lowest_p_good=_per_study(Min("verdict_p_good")),
    )
    return studies.annotate(
        quality=Case(
            When(poor_frames__gt=0, then=Value(Assessment.Label.POOR)),
            When(unknown_frames__gt=0, then=Value(Assessment.Label.UNKNOWN)),
            When(good_frames__gt=0, then=Value(Assessment.Label.GOOD)),
            default=None,
            output_field=CharField(),
        ),
        status=Case(
            When(in_flight_frames__gt=0, then=Value(JobStatus.PENDING)),
            When(failed_frames__gt=0, then=Value(JobStatus.FAILED)),
            When(queued_frames__gt=0, then=Value(JobStatus.DONE)),
            default=None,
            output_field=CharField(),
        ),
    )
