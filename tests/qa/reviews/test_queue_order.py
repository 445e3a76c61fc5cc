"""GET /api/review-queue/: the waiting items, most valuable first, each with why it is there."""

from datetime import date

import pytest

from qa.models import DriftAlert, DriftRule, Role
from tests.factories import HospitalFactory, MachineFactory, ReviewFactory, UserFactory
from tests.qa.reviews.conftest import waiting_item

pytestmark = pytest.mark.django_db


def queue(client_for, user, **params):
    response = client_for(user).get("/api/review-queue/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_items_come_most_valuable_first_with_their_reasons(client_for, ward):
    # Given four frames: confident, near the threshold, unknown, and GA far from the reported one
    confident = waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=0.97)
    near = waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=0.52)
    unknown = waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=0.97, label="unknown")
    discordant = waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=0.97, crl_ga_days=110.0)
    ReviewFactory.create_batch(40, mask__frame__study__machine=ward.machine, mask__frame__hospital=ward.hospital)

    # When the expert reads the queue
    body = queue(client_for, ward.expert)

    # Then: unknown (fully uncertain), near the threshold, GA-discordant, confident
    mask_ids = [item["mask"] for item in body["results"]]
    assert mask_ids == [unknown.id, near.id, discordant.id, confident.id]
    first = body["results"][0]
    assert first["frame"] == unknown.frame_id and first["hospital"] == ward.hospital.id
    assert first["machine"] == ward.machine.id and first["assessment_label"] == "unknown"
    assert first["reads_needed"] == 1 and first["reads_taken"] == 0
    assert first["reasons"][0]["code"] == "uncertain"
    assert body["results"][2]["reasons"][0] == {
        "code": "ga_discordant",
        "message": "GA from the CRL is 30.0 days from the reported GA",
    }
    assert body["results"][3]["reasons"] == [{"code": "unreviewed", "message": "not reviewed yet"}]
    assert body["count"] == 4


def test_frames_of_an_open_alert_come_before_their_equals(client_for, ward):
    drifting = MachineFactory(hospital=ward.hospital)
    calm = waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=0.9, exam_date=date(2026, 3, 5))
    alerted = waiting_item(hospital=ward.hospital, machine=drifting, p_good=0.9, exam_date=date(2026, 3, 5))
    before = waiting_item(hospital=ward.hospital, machine=drifting, p_good=0.9, exam_date=date(2026, 2, 1))
    # Both machines equally known, so only the alert tells the frames apart
    for machine in (ward.machine, drifting):
        ReviewFactory.create_batch(3, mask__frame__study__machine=machine, mask__frame__hospital=ward.hospital)
    DriftAlert.objects.create(
        hospital=ward.hospital,
        machine=drifting,
        rule=DriftRule.BERNOULLI_CUSUM,
        started_on=date(2026, 3, 1),
        detected_on=date(2026, 3, 4),
        baseline_poor_rate=0.1,
        current_poor_rate=0.4,
        statistic=5.0,
    )

    results = queue(client_for, ward.expert)["results"]

    assert [item["mask"] for item in results] == [alerted.id, calm.id, before.id]
    assert "open_alert" in [reason["code"] for reason in results[0]["reasons"]]


def test_a_machine_under_represented_in_the_training_set_comes_first(client_for, ward):
    rare = MachineFactory(hospital=ward.hospital)
    common_item = waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=0.9)
    rare_item = waiting_item(hospital=ward.hospital, machine=rare, p_good=0.9)
    ReviewFactory.create_batch(30, mask__frame__study__machine=ward.machine, mask__frame__hospital=ward.hospital)

    results = queue(client_for, ward.expert)["results"]

    assert [item["mask"] for item in results] == [rare_item.id, common_item.id]
    assert results[0]["reasons"][0]["code"] == "rare_machine"


def test_filters_narrow_the_queue(client_for, ward):
    other_machine = MachineFactory(hospital=ward.hospital)
    low = waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=0.2, exam_date=date(2026, 3, 1))
    mid = waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=0.5, exam_date=date(2026, 3, 10))
    waiting_item(hospital=ward.hospital, machine=other_machine, p_good=0.5, exam_date=date(2026, 3, 10))

    def masks(**params):
        return {item["mask"] for item in queue(client_for, ward.expert, **params)["results"]}

    assert masks(machine=ward.machine.id) == {low.id, mid.id}
    assert masks(machine=ward.machine.id, p_min=0.4, p_max=0.6) == {mid.id}
    assert masks(machine=ward.machine.id, **{"from": "2026-03-05", "to": "2026-03-31"}) == {mid.id}
    assert masks(hospital=ward.hospital.id, machine=ward.machine.id, p_max=0.3) == {low.id}


def test_reviewed_items_and_older_model_masks_are_not_waiting(client_for, ward):
    reviewed = waiting_item(hospital=ward.hospital, machine=ward.machine)
    ReviewFactory(mask=reviewed)
    waiting = waiting_item(hospital=ward.hospital, machine=ward.machine)

    results = queue(client_for, ward.expert)["results"]

    assert [item["mask"] for item in results] == [waiting.id]


def test_an_expert_sees_only_their_hospitals_items_and_an_admin_sees_all(client_for, ward):
    other = HospitalFactory()
    mine = waiting_item(hospital=ward.hospital, machine=ward.machine)
    theirs = waiting_item(hospital=other, machine=MachineFactory(hospital=other))

    assert {item["mask"] for item in queue(client_for, ward.expert)["results"]} == {mine.id}
    admin = UserFactory(role=Role.ADMIN)
    assert {item["mask"] for item in queue(client_for, admin)["results"]} == {mine.id, theirs.id}


def test_a_hospital_outside_the_expert_s_membership_is_refused(client_for, ward):
    other = HospitalFactory()
    waiting_item(hospital=other)

    response = client_for(ward.expert).get("/api/review-queue/", {"hospital": other.id})

    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "hospital_not_yours",
        "message": f"You do not review in hospital {other.id}: it is not one of your hospitals.",
        "field": "hospital",
    }


def test_qa_managers_may_not_review(client_for, ward):
    manager = UserFactory(role=Role.QA_MANAGER, member_of=[ward.hospital])
    waiting_item(hospital=ward.hospital)

    response = client_for(manager).get("/api/review-queue/")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_a_reviewer"


def test_bad_filters_are_refused_with_the_field_named(client_for, ward):
    response = client_for(ward.expert).get("/api/review-queue/", {"p_min": 0.8, "p_max": 0.2})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "p_min: p_min must be at most p_max."


def test_an_unknown_item_is_in_the_queue_with_the_reasons_the_classifier_gave(client_for, ward):
    unknown = waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=0.97, label="unknown")
    unknown.assessments.update(reasons=["the mask touches the image border: the fetus may be cut off"])

    [item] = queue(client_for, ward.expert)["results"]

    assert item["mask"] == unknown.id and item["assessment_label"] == "unknown"
    assert item["reasons"][0] == {
        "code": "uncertain",
        "message": "the classifier could not judge this mask (unknown): "
        "the mask touches the image border: the fetus may be cut off",
    }
