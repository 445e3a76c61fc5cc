"""GET /api/demo/progress/: how far the demo's history has been seeded, and the user's frames still waiting."""

import pytest

from qa.models import JobStatus, Role
from qa.services.demo import demo_history_record
from tests.factories import FrameFactory, HospitalFactory, ProcessingJobFactory, StudyFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_without_a_history_run_the_state_is_none(client_for, settings, tmp_path):
    settings.VAR_DIR = tmp_path

    response = client_for(UserFactory(role=Role.ADMIN)).get("/api/demo/progress/")

    assert response.status_code == 200
    assert response.json() == {"state": "none", "seeded": 0, "total": 0, "updated_at": None, "frames_waiting": 0}


def test_it_reports_the_seeded_share_and_only_the_users_waiting_frames(client_for, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    a, b = HospitalFactory(name="Alpha"), HospitalFactory(name="Beta")
    for hospital, status in [(a, JobStatus.PENDING), (a, JobStatus.DONE), (b, JobStatus.PENDING)]:
        ProcessingJobFactory(frame=FrameFactory(study=StudyFactory(hospital=hospital)), status=status)
    demo_history_record(state="running", seeded=120, total=2180)

    body = client_for(UserFactory(role=Role.QA_MANAGER, member_of=[a])).get("/api/demo/progress/").json()

    assert body["state"] == "running" and (body["seeded"], body["total"]) == (120, 2180)
    assert body["updated_at"] is not None
    assert body["frames_waiting"] == 1


def test_an_anonymous_visitor_is_refused(client):
    assert client.get("/api/demo/progress/").status_code in (401, 403)
