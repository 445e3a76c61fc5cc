"""`manage.py seed_demo`: the demo's people and phantom studies, through the real ingest path."""

import datetime as dt

import pytest
from django.core.management import call_command

from qa.models import Frame, Machine, ProcessingJob, Role, Study, User
from qa.permissions import hospitals_visible_to
from qa.services.demo import (
    DRIFTING_PROFILE,
    demo_accounts_seed,
    demo_history_progress,
    demo_studies_seed,
    demo_study_plan,
)

pytestmark = pytest.mark.django_db


def test_the_demo_has_one_user_per_role_and_each_qa_manager_sees_one_hospital():
    demo_accounts_seed(password="pw-for-demo-123")

    roles = dict(User.objects.values_list("username", "role"))
    assert roles == {
        "qa_north": Role.QA_MANAGER,
        "qa_south": Role.QA_MANAGER,
        "expert": Role.EXPERT,
        "admin": Role.ADMIN,
    }
    assert [h.slug for h in hospitals_visible_to(User.objects.get(username="qa_north"))] == ["northgate"]
    assert User.objects.get(username="admin").check_password("pw-for-demo-123")


def test_phantom_studies_arrive_as_dicom_with_machines_dates_and_pending_jobs():
    demo_accounts_seed(password="pw-for-demo-123")
    first, rest = demo_study_plan(studies_per_machine=2, days=60, today=dt.date(2026, 11, 26), first_per_machine=2)

    counts = demo_studies_seed(studies=first + rest, today=dt.date(2026, 11, 26), drift_from_days_ago=30)

    assert counts == {"created": 8, "duplicates": 0}
    assert Machine.objects.count() == 4
    assert set(Machine.objects.filter(hospital__slug="southbank").values_list("manufacturer", flat=True)) == {
        "Canon Medical Systems",
        "Philips Medical Systems",
    }
    assert all(f.source == "dicom" and f.spacing_source == "ultrasound_region" for f in Frame.objects.all())
    dates = sorted(Study.objects.values_list("exam_date", flat=True))
    assert dates[0] >= dt.date(2026, 9, 27) and dates[-1] <= dt.date(2026, 11, 26)
    assert all(s.reported_ga_days and 50 < s.reported_ga_days < 110 for s in Study.objects.all())
    assert ProcessingJob.objects.filter(status="pending").count() == 8


def test_the_first_slice_spans_the_whole_period_and_the_history_holds_the_rest_oldest_first():
    first, rest = demo_study_plan(studies_per_machine=40, days=150, today=dt.date(2026, 11, 26), first_per_machine=4)

    assert len(first) == 16 and len(rest) == 144
    assert {s.seed for s in first}.isdisjoint(s.seed for s in rest)
    for profile in {s.profile for s in first}:
        dates = sorted(s.exam_date for s in first if s.profile == profile)
        assert dates[0] < dt.date(2026, 8, 1) and dates[-1] > dt.date(2026, 10, 1)
    assert [s.exam_date for s in rest] == sorted(s.exam_date for s in rest)


def test_the_drifting_machine_images_in_another_preset_from_its_drift_date(monkeypatch):
    from workers.ml import synth

    seen = []
    real = synth.generate_scan

    def spy(profile, seed, **kwargs):
        scan = real(profile, seed, **kwargs)
        seen.append((scan.profile, scan.study_date, scan.machine.preset))
        return scan

    monkeypatch.setattr(synth, "generate_scan", spy)
    demo_accounts_seed(password="pw-for-demo-123")
    _, rest = demo_study_plan(studies_per_machine=4, days=80, today=dt.date(2026, 11, 26), first_per_machine=0)
    aplio = [s for s in rest if s.profile == DRIFTING_PROFILE]

    demo_studies_seed(studies=aplio, today=dt.date(2026, 11, 26), drift_from_days_ago=45)

    drift_start = dt.date(2026, 11, 26) - dt.timedelta(days=45)
    assert [(d > drift_start, preset) for _, d, preset in seen] == [
        (False, "OB 1st Trim"),
        (False, "OB 1st Trim"),
        (True, "Abd General"),
        (True, "Abd General"),
    ]


def test_seeding_twice_stores_nothing_new(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    args = ["--studies-per-machine", "2", "--first-per-machine", "1", "--password", "pw-for-demo-123"]
    call_command("seed_demo", *args)
    assert Study.objects.count() == 4
    assert demo_history_progress()["state"] == "queued"

    call_command("seed_demo", *args)
    call_command("seed_demo", *args, "--history")
    call_command("seed_demo", *args, "--history")

    assert Study.objects.count() == 8
    assert demo_history_progress() | {"updated_at": None} == {
        "state": "done",
        "seeded": 4,
        "total": 4,
        "updated_at": None,
    }
