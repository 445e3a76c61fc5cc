"""POST /api/review-queue/lease/: the next item to the caller, exclusively, for a while."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from qa.models import AuditAction, AuditEvent, LeaseState, ReviewLease, Role
from qa.review_selectors import QueueFilters
from qa.review_value import needs_double_read
from qa.services.reviews import review_lease_next
from tests.factories import HospitalFactory, UserFactory
from tests.qa.reviews.conftest import waiting_item

pytestmark = pytest.mark.django_db


def test_a_lease_gives_the_most_valuable_item_with_its_reason(lease, ward):
    waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=0.95)
    best = waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=0.5)
    before = timezone.now()

    response = lease(ward.expert)

    assert response.status_code == 201, response.content
    body = response.json()
    stored = ReviewLease.objects.get()
    assert body["lease_id"] == stored.id
    assert (body["frame"], body["mask"], body["slot"]) == (best.frame_id, best.id, 1)
    assert body["reason"][0]["code"] == "uncertain"
    assert stored.expert == ward.expert and stored.state == LeaseState.LIVE
    expires = timezone.datetime.fromisoformat(body["lease_expires_at"])
    after = timezone.now()
    # The TTL runs from the moment of leasing, somewhere inside the request (which may load torch first).
    assert stored.expires_at - stored.leased_at == timedelta(seconds=600)
    assert before + timedelta(seconds=600) <= expires <= after + timedelta(seconds=600)


def test_a_lease_is_recorded_in_the_audit_log(lease, ward):
    item = waiting_item(hospital=ward.hospital, machine=ward.machine)

    lease_id = lease(ward.expert, remote_addr="10.1.2.3").json()["lease_id"]

    event = AuditEvent.objects.get(action=AuditAction.REVIEW_LEASED)
    assert (event.actor, event.hospital, event.target_type, event.target_id) == (
        ward.expert,
        ward.hospital,
        "reviewlease",
        str(lease_id),
    )
    assert event.source == "10.1.2.3"
    assert event.detail["mask"] == item.id and event.detail["slot"] == 1 and event.detail["reads_needed"] == 1


def test_an_empty_queue_answers_204(lease, ward):
    response = lease(ward.expert)
    assert response.status_code == 204
    assert ReviewLease.objects.count() == 0


def test_a_leased_single_read_item_is_not_leased_again(lease, client_for, ward):
    item = waiting_item(hospital=ward.hospital, machine=ward.machine)

    assert lease(ward.expert).json()["mask"] == item.id
    assert lease(ward.colleague).status_code == 204
    assert client_for(ward.colleague).get("/api/review-queue/").json()["results"] == []
    assert ReviewLease.objects.filter(mask=item).count() == 1


def test_two_experts_get_different_items(lease, ward):
    first = waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=0.5)
    second = waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=0.9)

    assert lease(ward.expert).json()["mask"] == first.id
    assert lease(ward.colleague).json()["mask"] == second.id


def test_an_expired_lease_frees_its_item(lease, ward):
    item = waiting_item(hospital=ward.hospital, machine=ward.machine)
    lease(ward.expert)
    ReviewLease.objects.update(leased_at=timezone.now() - timedelta(minutes=20), expires_at=timezone.now())

    response = lease(ward.colleague)

    assert response.status_code == 201 and response.json()["mask"] == item.id
    assert list(ReviewLease.objects.order_by("id").values_list("expert__username", "state")) == [
        ("expert_one", "expired"),
        ("expert_two", "live"),
    ]


def test_the_lease_time_is_configurable(lease, ward, settings):
    settings.FUSQA_REVIEW_LEASE_SECONDS = 60
    waiting_item(hospital=ward.hospital, machine=ward.machine)

    lease(ward.expert)

    stored = ReviewLease.objects.get()
    assert stored.expires_at - stored.leased_at == timedelta(seconds=60)


def test_a_double_read_item_goes_to_two_experts_and_never_twice_to_one(lease, ward, settings):
    settings.FUSQA_REVIEW_DOUBLE_READ_SHARE = 1.0
    third = UserFactory(role=Role.EXPERT, member_of=[ward.hospital])
    item = waiting_item(hospital=ward.hospital, machine=ward.machine)

    first = lease(ward.expert).json()
    again = lease(ward.expert)
    second = lease(ward.colleague).json()
    late = lease(third)

    assert (first["mask"], first["slot"]) == (item.id, 1)
    assert "double_read" in [reason["code"] for reason in first["reason"]]
    assert again.status_code == 204
    assert (second["mask"], second["slot"]) == (item.id, 2)
    assert late.status_code == 204


def test_the_double_read_share_picks_frames_by_their_id(client_for, ward, settings):
    settings.FUSQA_REVIEW_DOUBLE_READ_SHARE = 0.5
    items = [waiting_item(hospital=ward.hospital, machine=ward.machine) for _ in range(12)]

    results = client_for(ward.expert).get("/api/review-queue/").json()["results"]

    reads = {item["mask"]: item["reads_needed"] for item in results}
    assert reads == {item.id: 2 if needs_double_read(item.frame_id, 0.5) else 1 for item in items}


def test_a_hospital_outside_the_membership_is_refused_and_nothing_leased(lease, ward):
    other = HospitalFactory()
    waiting_item(hospital=other)

    response = lease(ward.expert, hospital=other.id)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "hospital_not_yours"
    assert ReviewLease.objects.count() == 0 and not AuditEvent.objects.filter(action="review.leased").exists()


def test_a_qa_manager_cannot_lease(lease, ward):
    waiting_item(hospital=ward.hospital)
    manager = UserFactory(role=Role.QA_MANAGER, member_of=[ward.hospital])

    response = lease(manager)

    assert response.status_code == 403 and ReviewLease.objects.count() == 0


def test_filters_apply_to_the_lease(lease, ward):
    waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=0.5)
    wanted = waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=0.95)

    assert lease(ward.expert, p_min=0.9).json()["mask"] == wanted.id


@pytest.mark.django_db(transaction=True)
def test_experts_racing_for_one_item_never_share_it(settings_single_read):
    # Given one single-read item and eight experts asking at the same instant
    hospital = HospitalFactory()
    item = waiting_item(hospital=hospital)
    experts = [UserFactory(role=Role.EXPERT, member_of=[hospital]) for _ in range(8)]

    got = lease_at_once(experts)

    # Then exactly one of them holds it
    leases = [lease for lease in got if lease is not None]
    assert len(leases) == 1 and leases[0].mask_id == item.id
    assert ReviewLease.objects.filter(state=LeaseState.LIVE).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.REVIEW_LEASED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_experts_racing_for_a_double_read_item_fill_its_two_slots(settings_single_read):
    settings_single_read.FUSQA_REVIEW_DOUBLE_READ_SHARE = 1.0
    hospital = HospitalFactory()
    item = waiting_item(hospital=hospital)
    experts = [UserFactory(role=Role.EXPERT, member_of=[hospital]) for _ in range(6)]

    lease_at_once(experts)

    live = ReviewLease.objects.filter(mask=item, state=LeaseState.LIVE)
    assert sorted(live.values_list("slot", flat=True)) == [1, 2]
    assert live.values("expert").distinct().count() == 2


def test_a_lease_time_of_zero_is_a_configuration_error_not_an_empty_queue(ward, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.FUSQA_REVIEW_LEASE_SECONDS = 0
    waiting_item(hospital=ward.hospital, machine=ward.machine)

    with pytest.raises(ImproperlyConfigured, match="FUSQA_REVIEW_LEASE_SECONDS"):
        review_lease_next(expert=ward.expert, filters=QueueFilters())
    assert ReviewLease.objects.count() == 0


def lease_at_once(experts) -> list:
    """Every expert asks for a lease at the same instant, each in a thread with its own connection; the
    leases (or None) they got. Any exception in a thread fails the test."""
    start = threading.Barrier(len(experts))
    got, errors = [], []

    def ask(expert):
        try:
            start.wait(timeout=20)
            got.append(review_lease_next(expert=expert, filters=QueueFilters()))
        except Exception as exc:  # noqa: BLE001 - reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(expert,)) for expert in experts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return got
