"""GET /api/experts/stats/: throughput, agreement and known-answer accuracy per expert (admins only)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from qa.models import Review, Role
from tests.factories import UserFactory
from tests.qa.reviews.conftest import fetus, mask_png, waiting_item
from tests.qa.trainset.conftest import phantom_known_answer, read

pytestmark = pytest.mark.django_db


def row_of(body, username):
    return next(row for row in body["experts"] if row["expert"]["username"] == username)


def spread_in_time(gaps_s: dict[str, list[float]]):
    """Place each expert's reviews (oldest first) at the given gaps after a common start."""
    start = timezone.now() - timedelta(days=1)
    for username, gaps in gaps_s.items():
        at = start
        reviews = Review.objects.filter(expert__username=username).order_by("created_at", "id")
        for review, gap in zip(reviews, gaps, strict=True):
            at += timedelta(seconds=gap)
            Review.objects.filter(pk=review.pk).update(created_at=at)


def test_agreement_throughput_and_accuracy_per_expert(client_for, lease, review, ward, admin, settings):
    settings.FUSQA_REVIEW_DOUBLE_READ_SHARE = 1.0
    settings.FUSQA_KNOWN_ANSWER_RATE = 0.0
    for p in (0.5, 0.55, 0.6, 0.65):
        waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=p)
    # Four double-read items: verdict pairs (good, good), (poor, poor), (good, poor), (poor, poor);
    # on the second both correct, 6 px apart.
    for mine, theirs, corrections in [
        ("good", "good", None),
        ("poor", "poor", (fetus(), fetus(shift_px=6))),
        ("good", "poor", None),
        ("poor", "poor", None),
    ]:
        read(lease, review, ward.expert, mine, mask=mask_png(corrections[0]) if corrections else None, seconds_spent=20)
        read(
            lease,
            review,
            ward.colleague,
            theirs,
            mask=mask_png(corrections[1]) if corrections else None,
            seconds_spent=40,
        )
    # One known-answer item (expected poor): the expert gets it right, the colleague wrong.
    settings.FUSQA_KNOWN_ANSWER_RATE = 1.0
    phantom_known_answer(hospital=ward.hospital, machine=ward.machine, expected="poor")
    read(lease, review, ward.expert, "poor", seconds_spent=10)
    read(lease, review, ward.colleague, "good", seconds_spent=50)
    # expert_one: 60 s apart throughout (5 reviews: 20 s for the first + 4 x 60 s = 260 s active);
    # expert_two: a lunch break before the last (40 + 3 x 60 + its own 50 s = 270 s).
    spread_in_time({"expert_one": [0, 60, 60, 60, 60], "expert_two": [30, 60, 60, 60, 3600]})

    response = client_for(admin).get("/api/experts/stats/")

    assert response.status_code == 200, response.content
    body = response.json()
    one, two = row_of(body, "expert_one"), row_of(body, "expert_two")
    # kappa: p_o = 3/4; margins (good 2, poor 2) vs (good 1, poor 3): p_e = (2*1 + 2*3)/16 = 0.5 -> 0.5
    assert one["kappa_with_others"] == two["kappa_with_others"] == pytest.approx(0.5)
    assert body["overall"]["kappa"] == pytest.approx(0.5) and body["overall"]["double_read_items"] == 4
    a, b = fetus(), fetus(shift_px=6)
    dice = 2 * (a & b).sum() / (a.sum() + b.sum())
    assert one["correction_dice"] == pytest.approx(dice, abs=1e-4) == body["pairs"][0]["correction_dice"]
    assert body["pairs"][0]["items"] == 4 and body["pairs"][0]["kappa"] == pytest.approx(0.5)
    assert (one["reviews"], one["corrections"], one["double_reads"]) == (5, 1, 4)
    assert one["median_seconds_per_item"] == 20.0 and two["median_seconds_per_item"] == 40.0
    assert one["items_per_hour"] == pytest.approx(5 * 3600 / 260, abs=0.01)
    assert two["items_per_hour"] == pytest.approx(5 * 3600 / 270, abs=0.01)
    assert (one["known_answer_reads"], one["known_answer_accuracy"]) == (1, 1.0)
    assert (two["known_answer_reads"], two["known_answer_accuracy"]) == (1, 0.0)
    assert body["overall"]["known_answer_accuracy"] == 0.5


def test_an_expert_without_reviews_is_listed_with_empty_numbers(client_for, ward, admin):
    body = client_for(admin).get("/api/experts/stats/").json()

    row = row_of(body, "expert_one")
    assert (row["reviews"], row["items_per_hour"], row["median_seconds_per_item"]) == (0, None, None)
    assert (row["kappa_with_others"], row["known_answer_accuracy"]) == (None, None)
    assert body["pairs"] == [] and body["overall"]["kappa"] is None


@pytest.mark.parametrize("role", [Role.EXPERT, Role.QA_MANAGER])
def test_only_admins_see_expert_statistics(client_for, ward, role):
    user = ward.expert if role == Role.EXPERT else UserFactory(role=role, member_of=[ward.hospital])

    response = client_for(user).get("/api/experts/stats/")

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Only an admin may do this."


def test_anonymous_callers_are_refused(api_client):
    assert api_client.get("/api/experts/stats/").status_code in (401, 403)
