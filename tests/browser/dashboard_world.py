"""Eight weeks of results for the dashboard's browser tests, ending this week, so the dashboard's default
period (the last 90 days) shows them all. Counts per machine and week (good, poor, unknown), oldest first:
Philips EPIQ 7 at St Mary's drifts in week 5 (5 poor of 7 judged) and has an open drift alert from it."""

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from django.core.files.base import ContentFile
from django.utils import timezone

from qa.models import DriftAlert, DriftRule, Hospital, Machine, ModelKind, Role, User
from qa.services.rollups import quality_rollups_rebuild
from tests.browser.test_study_page import _ellipse, _scan
from tests.factories import (
    AssessmentFactory,
    FrameFactory,
    HospitalFactory,
    MachineFactory,
    MaskFactory,
    MeasurementFactory,
    ModelVersionFactory,
    StudyFactory,
    UserFactory,
    png_bytes,
)

WEEKS = 8
DRIFT_WEEK = 4  # index, oldest first
COUNTS = {
    "E8": [(6, 0, 0), (6, 1, 0), (7, 0, 0), (6, 0, 1), (7, 0, 0), (6, 1, 0), (7, 0, 0), (6, 0, 0)],
    "EPIQ": [(6, 0, 0), (6, 0, 0), (5, 1, 0), (5, 1, 0), (2, 5, 0), (3, 4, 1), (6, 1, 0), (5, 0, 0)],
    "APLIO": [(4, 0, 0), (5, 0, 0), (4, 1, 0), (5, 0, 0), (4, 0, 0), (5, 0, 0), (4, 1, 0), (5, 0, 0)],
}


@dataclass
class DashboardWorld:
    st_marys: Hospital
    northgate: Hospital
    e8: Machine
    epiq: Machine
    aplio: Machine
    manager: User
    admin: User
    alert: DriftAlert
    drift_monday: date
    today: date

    def totals(self, *keys: str) -> tuple[int, int, int]:
        return tuple(sum(week[i] for key in keys for week in COUNTS[key]) for i in range(3))  # type: ignore[return-value]


def _images(seed: int) -> tuple[bytes, bytes, bytes]:
    """A phantom frame, the mask that fits its fetus, and a poor one (shifted and cut short)."""
    fetus = _ellipse((150 + seed % 7, 190 + seed % 11), 70, 34, 10 + seed % 9)
    poor = _ellipse((128 + seed % 7, 230 + seed % 11), 48, 30, 35)
    as_png = lambda mask: png_bytes(np.where(mask, 255, 0).astype(np.uint8))  # noqa: E731
    return png_bytes(_scan(fetus, seed)), as_png(fetus), as_png(poor)


def build_dashboard_world() -> DashboardWorld:
    today = timezone.localdate()
    this_monday = today - timedelta(days=today.weekday())
    mondays = [this_monday - timedelta(weeks=WEEKS - 1 - i) for i in range(WEEKS)]
    st_marys = HospitalFactory(name="St Mary's Maternity Unit", slug="st-marys")
    northgate = HospitalFactory(name="Northgate General Hospital", slug="northgate")
    machines = {
        "E8": MachineFactory(hospital=st_marys, manufacturer="GE", model_name="Voluson E8"),
        "EPIQ": MachineFactory(hospital=st_marys, manufacturer="Philips", model_name="EPIQ 7"),
        "APLIO": MachineFactory(hospital=northgate, manufacturer="Canon", model_name="Aplio i700"),
    }
    segmenter = ModelVersionFactory(kind=ModelKind.SEGMENTATION)
    fusqa = ModelVersionFactory(kind=ModelKind.FUSQA)
    seed = 0
    for key, weeks in COUNTS.items():
        for monday, (good, poor, unknown) in zip(mondays, weeks, strict=True):
            exam = min(monday + timedelta(days=2), today)
            study = StudyFactory(hospital=machines[key].hospital, machine=machines[key], exam_date=exam)
            labels = ["poor"] * poor + ["unknown"] * unknown + ["good"] * good
            for number, label in enumerate(labels, start=1):
                seed += 1
                image, fitting, misplaced = _images(seed)
                frame = FrameFactory(
                    study=study, frame_number=number, width=400, height=300, pixels=ContentFile(image, name="f.png")
                )
                mask = MaskFactory(
                    frame=frame,
                    version=1,
                    model_version=segmenter,
                    area_px=1,
                    data=ContentFile(misplaced if label == "poor" else fitting, name="m.png"),
                )
                p_good = {"good": 0.9 + (seed % 9) / 100, "poor": 0.02 + (seed % 25) / 100, "unknown": 0.5}[label]
                AssessmentFactory(mask=mask, model_version=fusqa, p_good=p_good, label=label)
                MeasurementFactory(mask=mask, ga_days=80.0 + (12.0 if label == "poor" else (seed % 5) - 2.0))
    quality_rollups_rebuild()
    drift_monday = mondays[DRIFT_WEEK]
    alert = DriftAlert.objects.create(
        hospital=st_marys,
        machine=machines["EPIQ"],
        rule=DriftRule.BERNOULLI_CUSUM,
        started_on=drift_monday,
        detected_on=min(drift_monday + timedelta(days=2), today),
        baseline_poor_rate=0.05,
        current_poor_rate=0.45,
        statistic=7.1,
    )
    return DashboardWorld(
        st_marys=st_marys,
        northgate=northgate,
        e8=machines["E8"],
        epiq=machines["EPIQ"],
        aplio=machines["APLIO"],
        manager=UserFactory(username="ana.qa", role=Role.QA_MANAGER, member_of=[st_marys]),
        admin=UserFactory(username="root", role=Role.ADMIN),
        alert=alert,
        drift_monday=drift_monday,
        today=today,
    )
