"""Two admins freezing at once get two consecutive versions, each recorded once."""

import pytest

from qa.models import AuditAction, AuditEvent, Review, Role, TrainingSet
from qa.services.training_sets import training_set_freeze
from tests.factories import HospitalFactory, ReviewFactory, UserFactory
from tests.qa.reviews.conftest import waiting_item
from tests.qa.reviews.test_concurrent_reviews import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_freezes_at_once_become_versions_one_and_two(settings):
    hospital = HospitalFactory()
    for _ in range(3):
        ReviewFactory(mask=waiting_item(hospital=hospital), training_label="good")
    admins = [UserFactory(role=Role.ADMIN) for _ in range(2)]

    raised = at_once(*(lambda admin=admin: training_set_freeze(actor=admin) for admin in admins))

    assert raised == [None, None]
    sets = list(TrainingSet.objects.order_by("version"))
    assert [s.version for s in sets] == [1, 2] and all(s.items == 3 for s in sets)
    assert sets[0].sha256 == sets[1].sha256  # the same reviews give the same bytes
    assert {s.created_by for s in sets} == set(admins)
    events = AuditEvent.objects.filter(action=AuditAction.TRAINING_SET_EXPORTED)
    assert sorted(e.detail["version"] for e in events) == [1, 2]
    assert Review.objects.count() == 3
