"""Lists: their shape, filters, pagination, and a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qa.models import ModelKind, ModelStatus, Role, RunStatus
from tests.factories import (
    FrameFactory,
    HospitalFactory,
    MachineFactory,
    ModelVersionFactory,
    ReviewFactory,
    StudyFactory,
    TrainingRunFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return UserFactory(role=Role.ADMIN)


def test_a_study_lists_its_hospital_machine_and_frame_count(admin, client_for):
    study = StudyFactory(reported_ga_days=84.0)
    FrameFactory(study=study)
    FrameFactory(study=study)

    [row] = client_for(admin).get("/api/studies/").json()["results"]

    assert row == {
        "id": study.id,
        "hospital": {"id": study.hospital.id, "name": study.hospital.name, "slug": study.hospital.slug},
        "machine": {
            "id": study.machine.id,
            "manufacturer": study.machine.manufacturer,
            "model_name": study.machine.model_name,
        },
        "patient_key": study.patient_key,
        "exam_date": None,
        "reported_ga_days": 84.0,
        "created_at": row["created_at"],
        "frame_count": 2,
        # Neither frame judged nor queued.
        "quality": None,
        "status": None,
        "good_frames": 0,
        "poor_frames": 0,
        "unknown_frames": 0,
        "in_flight_frames": 0,
        "lowest_p_good": None,
    }


def test_studies_filter_by_hospital(admin, client_for):
    wanted, other = StudyFactory(), StudyFactory()

    body = client_for(admin).get(f"/api/studies/?hospital={wanted.hospital_id}").json()

    assert [row["id"] for row in body["results"]] == [wanted.id]
    assert other.id not in [row["id"] for row in body["results"]]


def test_a_hospital_filter_that_is_not_a_number_is_named_in_the_error(admin, client_for):
    response = client_for(admin).get("/api/studies/?hospital=alpha")

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "hospital: A valid integer is required."


def test_lists_are_paginated_by_limit_and_offset(admin, client_for):
    studies = [StudyFactory() for _ in range(3)]

    body = client_for(admin).get("/api/studies/?limit=2&offset=1").json()

    assert body["count"] == 3
    assert [row["id"] for row in body["results"]] == [studies[1].id, studies[0].id]
    assert body["previous"] is not None and body["next"] is None


def test_a_hospital_lists_its_machines(admin, client_for):
    hospital = HospitalFactory(name="Alpha", slug="alpha")
    first, second = (
        MachineFactory(hospital=hospital, model_name="A1"),
        MachineFactory(hospital=hospital, model_name="B2"),
    )

    body = client_for(admin).get(f"/api/hospitals/{hospital.id}/").json()

    assert body["machines"] == [
        {"id": first.id, "manufacturer": "Phantom Medical", "model_name": "A1"},
        {"id": second.id, "manufacturer": "Phantom Medical", "model_name": "B2"},
    ]


def test_model_versions_filter_by_kind_and_status(admin, client_for):
    active = ModelVersionFactory(kind=ModelKind.FUSQA, status=ModelStatus.ACTIVE)
    ModelVersionFactory(kind=ModelKind.FUSQA, status=ModelStatus.RETIRED)
    ModelVersionFactory(kind=ModelKind.SEGMENTATION, status=ModelStatus.ACTIVE)

    body = client_for(admin).get("/api/model-versions/?kind=fusqa&status=active").json()

    assert [row["id"] for row in body["results"]] == [active.id]


def test_an_unknown_model_kind_is_named_in_the_error(admin, client_for):
    response = client_for(admin).get("/api/model-versions/?kind=oracle")

    assert response.status_code == 400
    assert response.json()["error"]["message"] == 'kind: "oracle" is not a valid choice.'


def test_a_training_run_lists_the_versions_it_produced(admin, client_for):
    run = TrainingRunFactory(created_by=admin, status=RunStatus.DONE)
    version = ModelVersionFactory(training_run=run, version="3.1")

    [row] = client_for(admin).get("/api/training-runs/").json()["results"]

    assert row["created_by"] == {"id": admin.id, "username": admin.username}
    assert row["model_versions"] == [{"id": version.id, "kind": "segmentation", "version": "3.1"}]
    assert "log" not in row


def test_reviews_filter_by_mask_and_name_their_expert(admin, client_for):
    review = ReviewFactory(comment="head cut off")
    ReviewFactory()

    body = client_for(admin).get(f"/api/reviews/?mask={review.mask_id}").json()

    assert body["results"] == [
        {
            "id": review.id,
            "mask": review.mask_id,
            "frame": review.mask.frame_id,
            "hospital": review.mask.frame.hospital_id,
            "expert": {"id": review.expert.id, "username": review.expert.username},
            "verdict": "good",
            "corrected_mask": None,
            "seconds_spent": 12.0,
            "comment": "head cut off",
            "lease": None,
            "training_label": "",
            "label_dice": None,
            "label_crl_error": None,
            "label_ga_error_days": None,
            "created_at": body["results"][0]["created_at"],
        }
    ]


@pytest.mark.parametrize(
    "url, make_row",
    [
        ("/api/hospitals/", lambda: MachineFactory().hospital),
        ("/api/machines/", MachineFactory),
        ("/api/studies/", lambda: FrameFactory().study),
        ("/api/reviews/", ReviewFactory),
        ("/api/training-runs/", lambda: ModelVersionFactory(training_run=TrainingRunFactory())),
    ],
)
def test_a_list_costs_the_same_queries_for_one_row_as_for_many(
    admin, client_for, django_assert_num_queries, url, make_row
):
    client = client_for(admin)
    make_row()

    with CaptureQueriesContext(connection) as one_row:
        client.get(url)
    for _ in range(4):
        make_row()

    with django_assert_num_queries(len(one_row.captured_queries)):
        assert client.get(url).json()["count"] == 5
