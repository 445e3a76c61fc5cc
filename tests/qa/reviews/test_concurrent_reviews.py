"""Reviews assume they run concurrently with themselves: one lease gives one review, and two
corrections of one frame get versions one after the other."""

import threading

import pytest
from django.db import connection

from qa.models import Mask, MaskKind, Review, Role
from qa.review_selectors import QueueFilters
from qa.services.reviews import review_lease_next, review_submit
from tests.factories import HospitalFactory, UserFactory
from tests.qa.reviews.conftest import fetus, mask_png, waiting_item

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(*calls):
    """Run the calls in threads released together; the exceptions they raised, in order."""
    start = threading.Barrier(len(calls))
    raised: list = [None] * len(calls)

    def run(index, call):
        try:
            start.wait(timeout=20)
            call()
        except Exception as exc:  # noqa: BLE001 - returned to the test
            raised[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return raised


def test_two_corrections_of_one_double_read_frame_become_consecutive_versions(settings_single_read):
    settings_single_read.FUSQA_REVIEW_DOUBLE_READ_SHARE = 1.0
    hospital = HospitalFactory()
    item = waiting_item(hospital=hospital)
    experts = [UserFactory(role=Role.EXPERT, member_of=[hospital]) for _ in range(2)]
    leases = [review_lease_next(expert=expert, filters=QueueFilters()) for expert in experts]

    raised = at_once(
        *(
            lambda expert=expert, lease=lease, length=length: review_submit(
                expert=expert,
                lease_id=lease.id,
                verdict="poor",
                seconds_spent=10,
                corrected_png=mask_png(fetus(length_px=length)),
            )
            for expert, lease, length in zip(experts, leases, (120, 130), strict=True)
        )
    )

    assert raised == [None, None]
    corrections = Mask.objects.filter(frame=item.frame, kind=MaskKind.EXPERT).order_by("version")
    assert [(mask.version, mask.parent_id) for mask in corrections] == [(2, item.id), (3, item.id)]
    assert Review.objects.filter(mask=item).count() == 2


def test_one_lease_sent_twice_at_once_gives_one_review(settings_single_read):
    hospital = HospitalFactory()
    item = waiting_item(hospital=hospital)
    expert = UserFactory(role=Role.EXPERT, member_of=[hospital])
    lease = review_lease_next(expert=expert, filters=QueueFilters())

    def send():
        review_submit(expert=expert, lease_id=lease.id, verdict="good", seconds_spent=5)

    raised = at_once(send, send)

    assert sorted(type(exc).__name__ for exc in raised if exc is not None) == ["Conflict"]
    assert Review.objects.filter(mask=item).count() == 1
