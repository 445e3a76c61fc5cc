"""`manage.py seed_demo`: the demo's people and phantom studies, through the real ingest path."""

import datetime as dt

import pytest
from django.core.management import call_command

from qa.models import Frame, Machine, ProcessingJob, Role, Study, User
from qa.permissions import hospitals_visible_to
from qa.services.demo import demo_accounts_seed, demo_studies_seed

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

    counts = demo_studies_seed(studies_per_machine=2, days=60, today=dt.date(2026, 11, 26), drift_from_days_ago=30)

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


def test_seeding_twice_stores_nothing_new():
    call_command("seed_demo", "--studies-per-machine", "1", "--password", "pw-for-demo-123")
    studies = Study.objects.count()

    call_command("seed_demo", "--studies-per-machine", "1", "--password", "pw-for-demo-123")

    assert Study.objects.count() == studies == 4
