"""Experts who have reviewed items through the real API, an admin, and phantom known-answer items."""

import pytest
from django.core.files.base import ContentFile

from qa.models import KnownAnswer, KnownAnswerSource, Role
from tests.factories import StudyFactory, UserFactory
from tests.qa.reviews.conftest import (  # noqa: F401  (fixtures)
    fetus,
    lease,
    mask_png,
    review,
    settings_single_read,
    waiting_item,
    ward,
)


@pytest.fixture
def admin(db):
    return UserFactory(username="boss", role=Role.ADMIN)


@pytest.fixture
def no_known_answers(settings):
    settings.FUSQA_KNOWN_ANSWER_RATE = 0.0
    return settings


def read(take, send, user, verdict="good", *, mask=None, seconds_spent=30.0):
    """Lease the caller's next item (`take`: the lease fixture) and give it a verdict (`send`: the review
    fixture): the reviewed mask id."""
    response = take(user)
    assert response.status_code == 201, response.content
    body = response.json()
    answer = send(user, body["lease_id"], verdict, mask=mask, seconds_spent=seconds_spent)
    assert answer.status_code == 201, answer.content
    return body["mask"]


def phantom_known_answer(*, hospital, machine=None, expected="poor", shown=None, p_good=0.55):
    """A known-answer item as seed_known_answers stores it: a phantom study, its shown (model) mask, the
    ground truth kept on the KnownAnswer row."""
    mask = waiting_item(hospital=hospital, machine=machine, p_good=p_good, model_mask=shown)
    study = mask.frame.study
    study.known_answer = True
    study.save(update_fields=["known_answer"])
    known = KnownAnswer(
        mask=mask,
        frame=mask.frame,
        source=KnownAnswerSource.PHANTOM,
        expected_verdict=expected,
        expected_label=expected,
    )
    known.reference.save("reference.png", ContentFile(mask_png(fetus())), save=False)
    known.save()
    return known


__all__ = ["StudyFactory", "phantom_known_answer", "read"]
