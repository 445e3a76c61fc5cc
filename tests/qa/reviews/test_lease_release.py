"""POST /api/review-queue/leases/{id}/release/: a skip gives the item back to the queue, unreviewed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from qa.models import AuditAction, AuditEvent, LeaseState, Review, ReviewLease
from tests.qa.reviews.conftest import waiting_item

pytestmark = pytest.mark.django_db


def release(client_for, user, lease_id, remote_addr="127.0.0.1"):
    return client_for(user).post(f"/api/review-queue/leases/{lease_id}/release/", REMOTE_ADDR=remote_addr)


def test_a_released_item_goes_to_the_next_expert_at_once(client_for, lease, ward):
    item = waiting_item(hospital=ward.hospital, machine=ward.machine)
    lease_id = lease(ward.expert).json()["lease_id"]
    assert lease(ward.colleague).status_code == 204

    response = release(client_for, ward.expert, lease_id)

    assert response.status_code == 200, response.content
    assert response.json() == {"lease_id": lease_id, "frame": item.frame_id, "mask": item.id, "state": "released"}
    assert ReviewLease.objects.get(pk=lease_id).state == LeaseState.RELEASED
    taken = lease(ward.colleague)
    assert taken.status_code == 201 and taken.json()["mask"] == item.id
    assert Review.objects.count() == 0


def test_the_expert_who_skipped_gets_the_next_item_not_the_same_one(client_for, lease, ward):
    best = waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=0.5)
    other = waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=0.95)
    first = lease(ward.expert).json()
    assert first["mask"] == best.id

    release(client_for, ward.expert, first["lease_id"])

    assert lease(ward.expert).json()["mask"] == other.id


def test_a_skipped_item_comes_back_to_its_expert_once_the_lease_would_have_expired(client_for, lease, ward):
    item = waiting_item(hospital=ward.hospital, machine=ward.machine)
    lease_id = lease(ward.expert).json()["lease_id"]
    release(client_for, ward.expert, lease_id)
    assert lease(ward.expert).status_code == 204

    ReviewLease.objects.filter(pk=lease_id).update(
        leased_at=timezone.now() - timedelta(minutes=20), expires_at=timezone.now() - timedelta(minutes=10)
    )

    assert lease(ward.expert).json()["mask"] == item.id


def test_a_release_is_recorded_in_the_audit_log(client_for, lease, ward):
    item = waiting_item(hospital=ward.hospital, machine=ward.machine)
    lease_id = lease(ward.expert).json()["lease_id"]

    release(client_for, ward.expert, lease_id, remote_addr="10.9.8.7")

    event = AuditEvent.objects.get(action=AuditAction.REVIEW_RELEASED)
    assert (event.actor, event.hospital, event.target_type, event.target_id, event.source) == (
        ward.expert,
        ward.hospital,
        "reviewlease",
        str(lease_id),
        "10.9.8.7",
    )
    assert event.detail == {"mask": item.id, "frame": item.frame_id, "slot": 1}


def test_another_experts_lease_cannot_be_released(client_for, lease, ward):
    waiting_item(hospital=ward.hospital, machine=ward.machine)
    lease_id = lease(ward.expert).json()["lease_id"]

    response = release(client_for, ward.colleague, lease_id)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "lease_not_yours"
    assert ReviewLease.objects.get(pk=lease_id).state == LeaseState.LIVE
    assert not AuditEvent.objects.filter(action=AuditAction.REVIEW_RELEASED).exists()


@pytest.mark.parametrize(
    ("state", "code"),
    [(LeaseState.DONE, "lease_used"), (LeaseState.RELEASED, "lease_released"), (LeaseState.EXPIRED, "lease_expired")],
)
def test_a_lease_that_is_no_longer_live_cannot_be_released(client_for, lease, ward, state, code):
    waiting_item(hospital=ward.hospital, machine=ward.machine)
    lease_id = lease(ward.expert).json()["lease_id"]
    ReviewLease.objects.filter(pk=lease_id).update(state=state)

    response = release(client_for, ward.expert, lease_id)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == code
    assert ReviewLease.objects.get(pk=lease_id).state == state
    assert not AuditEvent.objects.filter(action=AuditAction.REVIEW_RELEASED).exists()


def test_a_reviewed_item_is_not_given_back_by_a_late_release(client_for, lease, review, ward):
    waiting_item(hospital=ward.hospital, machine=ward.machine)
    lease_id = lease(ward.expert).json()["lease_id"]
    assert review(ward.expert, lease_id, "good").status_code == 201

    assert release(client_for, ward.expert, lease_id).status_code == 409
    assert lease(ward.colleague).status_code == 204
