"""A small hand-made data set for the dashboard, with every count worked out by hand in its docstring."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from qa.models import Assessment, Frame, Hospital, Machine, Role, User
from tests.factories import (
    AssessmentFactory,
    FrameFactory,
    HospitalFactory,
    MachineFactory,
    MaskFactory,
    MeasurementFactory,
    ProcessingJobFactory,
    StudyFactory,
    UserFactory,
)


def judged_frame(study, label: str | None, *, measured_ga: float | None = None, job: str | None = None) -> Frame:
    """A frame of the study with, when `label` is given, a model mask, its assessment and (when
    `measured_ga` is given) a measurement; `job` adds a processing job in that state."""
    frame = FrameFactory(study=study)
    if job is not None:
        ProcessingJobFactory(frame=frame, status=job)
    if label is not None:
        mask = MaskFactory(frame=frame, version=1)
        AssessmentFactory(mask=mask, label=label, p_good={"good": 0.9, "poor": 0.1, "unknown": 0.5}[label])
        if measured_ga is not None:
            MeasurementFactory(mask=mask, ga_days=measured_ga)
    return frame


@dataclass
class DashboardWorld:
    a: Hospital
    b: Hospital
    m1: Machine
    m2: Machine
    m3: Machine
    qa_manager_of_a: User
    expert_of_a: User
    qa_manager_of_b: User
    admin: User


def build_dashboard_world() -> DashboardWorld:
    """Hospital A (machines M1, M2, and a study naming no machine), hospital B (machine M3); March 2026.

    A, M1, Mon 2 March, reported GA 80: good (GA 81.5: +1.5), good (77: -3), poor (95: +15).
    A, M1, Wed 4 March: poor with no reported GA; a failed frame (unknown); a pending frame (not counted).
    A, no machine, no exam date, uploaded Tue 3 March, reported GA 80: good (84: +4).
    A, M2, Tue 10 March, reported GA 80: good without a measurement; good (80: 0); unknown; and a frame
        assessed poor by an older model, then good (79: -1) by the newer one: it counts good.
    A, M1, Fri 20 February: good (outside March).
    B, M3, Mon 2 March: good (80: 0).

    So A in March: good 6, poor 2, unknown 2 (10 frames), poor rate 2 / 8. Week of 2 March: good 3, poor 2,
    unknown 1; week of 9 March: good 3, unknown 1. GA of good: +1.5, -3, +4, 0, -1 (mean |.| 1.9), one
    without a measurement; of poor: +15, one without a reported GA.
    """
    a = HospitalFactory(name="Alpha General", slug="alpha")
    b = HospitalFactory(name="Beta Royal", slug="beta")
    m1 = MachineFactory(hospital=a, manufacturer="GE", model_name="Voluson E8")
    m2 = MachineFactory(hospital=a, manufacturer="Philips", model_name="EPIQ 7")
    m3 = MachineFactory(hospital=b, manufacturer="GE", model_name="Voluson E10")

    monday = StudyFactory(hospital=a, machine=m1, exam_date=date(2026, 3, 2), reported_ga_days=80.0)
    judged_frame(monday, "good", measured_ga=81.5)
    judged_frame(monday, "good", measured_ga=77.0)
    judged_frame(monday, "poor", measured_ga=95.0)
    wednesday = StudyFactory(hospital=a, machine=m1, exam_date=date(2026, 3, 4), reported_ga_days=None)
    judged_frame(wednesday, "poor", measured_ga=70.0)
    judged_frame(wednesday, None, job="failed")
    judged_frame(wednesday, None, job="pending")

    undated = StudyFactory(hospital=a, machine=None, exam_date=None, reported_ga_days=80.0)
    frame = judged_frame(undated, "good", measured_ga=84.0)
    Frame.objects.filter(pk=frame.pk).update(created_at=datetime(2026, 3, 3, 23, 30, tzinfo=UTC))

    tuesday = StudyFactory(hospital=a, machine=m2, exam_date=date(2026, 3, 10), reported_ga_days=80.0)
    judged_frame(tuesday, "good")
    judged_frame(tuesday, "good", measured_ga=80.0)
    judged_frame(tuesday, "unknown")
    reassessed = judged_frame(tuesday, "poor", measured_ga=90.0)
    Assessment.objects.filter(mask__frame=reassessed).update(created_at=datetime(2026, 3, 10, 9, tzinfo=UTC))
    newer = MaskFactory(frame=reassessed, version=2)
    AssessmentFactory(mask=newer, label="good", p_good=0.8)
    MeasurementFactory(mask=newer, ga_days=79.0)

    february = StudyFactory(hospital=a, machine=m1, exam_date=date(2026, 2, 20), reported_ga_days=80.0)
    judged_frame(february, "good", measured_ga=80.0)

    judged_frame(StudyFactory(hospital=b, machine=m3, exam_date=date(2026, 3, 2)), "good", measured_ga=80.0)

    return DashboardWorld(
        a=a,
        b=b,
        m1=m1,
        m2=m2,
        m3=m3,
        qa_manager_of_a=UserFactory(role=Role.QA_MANAGER, member_of=[a]),
        expert_of_a=UserFactory(role=Role.EXPERT, member_of=[a]),
        qa_manager_of_b=UserFactory(role=Role.QA_MANAGER, member_of=[b]),
        admin=UserFactory(role=Role.ADMIN),
    )
