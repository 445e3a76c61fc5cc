"""POST /api/reviews/: a verdict on a leased item, with a corrected mask as a new version."""

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from qa.models import AuditAction, AuditEvent, LeaseState, Mask, MaskKind, Measurement, Review, ReviewLease, Role
from tests.factories import UserFactory
from tests.qa.ingest.conftest import media_files
from tests.qa.reviews.conftest import HEIGHT, SPACING_MM, WIDTH, fetus, image_png, mask_png, waiting_item
from workers.ml.fusqa.labels import quality_label

pytestmark = pytest.mark.django_db


@pytest.fixture
def leased(lease, ward):
    """One item leased to the ward's expert: (mask, lease id)."""
    item = waiting_item(hospital=ward.hospital, machine=ward.machine)
    return item, lease(ward.expert).json()["lease_id"]


@pytest.fixture
def nothing_stored():
    counts = {model: model.objects.count() for model in (Review, Mask, Measurement)}
    files = media_files()
    audit = AuditEvent.objects.filter(action__in=["review.verdict", "mask.corrected"]).count()

    def check():
        assert {model: model.objects.count() for model in counts} == counts
        assert media_files() - files == set()
        assert AuditEvent.objects.filter(action__in=["review.verdict", "mask.corrected"]).count() == audit

    return check


def test_a_verdict_without_a_correction_is_the_training_label(review, ward, leased):
    item, lease_id = leased

    response = review(ward.expert, lease_id, "poor", seconds_spent=42.5, comment="rump cut")

    assert response.status_code == 201, response.content
    body = response.json()
    stored = Review.objects.get()
    assert body["corrected_mask"] is None and body["corrected_mask_version"] is None
    assert body["review"]["id"] == stored.id and body["review"]["training_label"] == "poor"
    assert (stored.mask, stored.expert, stored.verdict, stored.seconds_spent) == (item, ward.expert, "poor", 42.5)
    assert (stored.training_label, stored.label_dice, stored.comment) == ("poor", None, "rump cut")
    assert ReviewLease.objects.get(pk=lease_id).state == LeaseState.DONE


def test_an_unusable_image_is_excluded_from_training(review, ward, leased):
    _, lease_id = leased
    assert review(ward.expert, lease_id, "unusable").json()["review"]["training_label"] == "excluded"


def test_a_correction_is_a_new_measured_version_and_derives_the_label(review, ward, leased):
    item, lease_id = leased
    drawn = fetus(length_px=120)  # the model's mask (150 px long) overshoots by a quarter

    response = review(ward.expert, lease_id, "good", mask=mask_png(drawn, high=1))

    assert response.status_code == 201, response.content
    body = response.json()
    corrected = Mask.objects.get(pk=body["corrected_mask"])
    assert (corrected.kind, corrected.parent, corrected.created_by) == (MaskKind.EXPERT, item, ward.expert)
    assert corrected.version == body["corrected_mask_version"] == 2
    assert corrected.area_px == int(drawn.sum())
    with corrected.data.open("rb") as handle:
        from PIL import Image

        assert np.array_equal(np.asarray(Image.open(handle)) > 0, drawn)
    measured = Measurement.objects.get(mask=corrected)
    assert measured.crl_mm == pytest.approx(119 * SPACING_MM, abs=1.0) and measured.formula == "robinson"
    assert measured.ga_days is not None
    # The verdict is kept; the label comes from the training rule, with the correction as the reference
    expected = quality_label(fetus(), drawn, (SPACING_MM, SPACING_MM))
    stored = Review.objects.get()
    assert stored.verdict == "good" and stored.corrected_mask == corrected
    assert stored.training_label == expected.label == "poor"
    assert stored.label_dice == pytest.approx(expected.dice)
    assert stored.label_crl_error == pytest.approx(expected.crl_error)
    assert stored.label_ga_error_days == pytest.approx(expected.ga_error_days)
    # The parent is untouched
    item.refresh_from_db()
    assert (item.kind, item.version, item.parent) == (MaskKind.MODEL, 1, None)


def test_a_correction_close_to_the_model_s_mask_derives_good(review, ward, leased):
    _, lease_id = leased
    response = review(ward.expert, lease_id, "poor", mask=mask_png(fetus(shift_px=1)))
    assert response.json()["review"]["training_label"] == "good"
    assert response.json()["review"]["verdict"] == "poor"


def test_verdicts_and_corrections_are_recorded_in_the_audit_log(review, ward, leased):
    item, lease_id = leased

    body = review(ward.expert, lease_id, "poor", mask=mask_png(fetus(length_px=120)), REMOTE_ADDR="10.9.8.7").json()

    verdict = AuditEvent.objects.get(action=AuditAction.REVIEW_VERDICT)
    assert (verdict.actor, verdict.hospital, verdict.target_type, verdict.target_id) == (
        ward.expert,
        ward.hospital,
        "review",
        str(body["review"]["id"]),
    )
    assert verdict.detail == {
        "mask": item.id,
        "verdict": "poor",
        "seconds_spent": 30.0,
        "lease": lease_id,
        "training_label": "poor",
    }
    corrected = AuditEvent.objects.get(action=AuditAction.MASK_CORRECTED)
    assert (corrected.target_type, corrected.target_id) == ("mask", str(body["corrected_mask"]))
    assert corrected.detail == {"parent": item.id, "version": 2, "review": body["review"]["id"]}


def test_the_reviews_list_still_answers_on_the_same_path(client_for, review, ward, leased):
    _, lease_id = leased
    review(ward.expert, lease_id, "good")

    results = client_for(ward.expert).get("/api/reviews/").json()["results"]

    assert [row["lease"] for row in results] == [lease_id]


@pytest.mark.parametrize(
    "make_png, code, message",
    [
        (
            lambda: mask_png(np.ones((HEIGHT, WIDTH + 1), bool)),
            "mask_wrong_size",
            f"The corrected mask is {WIDTH + 1}x{HEIGHT} pixels; frame {{frame}} is {WIDTH}x{HEIGHT}.",
        ),
        (
            lambda: image_png((np.arange(HEIGHT * WIDTH).reshape(HEIGHT, WIDTH) % 256).astype(np.uint8)),
            "mask_not_binary",
            "The corrected mask holds the values 0, 1, 2, 3, 4, 5…: a mask is 0/1 or 0/255 "
            "(an image was sent instead of a mask?).",
        ),
        (
            lambda: image_png(fetus().astype(np.uint8) * 255, mode="RGB"),
            "mask_not_binary",
            "The corrected mask has RGB pixels (colour or transparency): a mask is one channel, "
            "0 for background and 1 or 255 for the fetus.",
        ),
        (
            lambda: image_png(fetus().astype(np.uint8) * 255, fmt="JPEG"),
            "mask_not_png",
            "The corrected mask is a JPEG image: send a PNG (lossy formats blur the edge).",
        ),
        (lambda: b"not an image at all", "mask_not_png", "The corrected mask is not an image: send a PNG."),
        (
            lambda: mask_png(np.zeros((HEIGHT, WIDTH), bool)),
            "mask_empty",
            "The corrected mask is empty: draw the fetus, or give the verdict without a mask.",
        ),
    ],
    ids=["other-size", "an-image", "colour", "jpeg", "not-an-image", "empty"],
)
def test_a_bad_mask_is_refused_and_nothing_stored(review, ward, leased, nothing_stored, make_png, code, message):
    item, lease_id = leased

    response = review(ward.expert, lease_id, "poor", mask=make_png())

    assert response.status_code == 400
    assert response.json()["error"] == {"code": code, "message": message.format(frame=item.frame_id), "field": "mask"}
    nothing_stored()
    assert ReviewLease.objects.get(pk=lease_id).state == LeaseState.LIVE


def test_a_review_on_an_expired_lease_is_refused(review, ward, leased, nothing_stored):
    _, lease_id = leased
    ReviewLease.objects.filter(pk=lease_id).update(
        leased_at=timezone.now() - timedelta(minutes=11), expires_at=timezone.now() - timedelta(minutes=1)
    )

    response = review(ward.expert, lease_id, "good", mask=mask_png(fetus()))

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "lease_expired" and error["field"] == "lease_id"
    assert error["message"].startswith(f"Lease {lease_id} expired at ")
    nothing_stored()


def test_a_review_on_someone_else_s_lease_is_refused(review, ward, leased, nothing_stored):
    _, lease_id = leased

    response = review(ward.colleague, lease_id, "good")

    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "lease_not_yours",
        "message": f"Lease {lease_id} is not yours: lease the item yourself.",
        "field": "lease_id",
    }
    nothing_stored()


def test_a_lease_gives_one_review_only(review, ward, leased):
    _, lease_id = leased
    assert review(ward.expert, lease_id, "good").status_code == 201

    again = review(ward.expert, lease_id, "poor")

    assert again.status_code == 409 and again.json()["error"]["code"] == "lease_used"
    assert Review.objects.count() == 1


def test_an_expert_removed_from_the_hospital_cannot_finish_their_lease(review, ward, leased, nothing_stored):
    _, lease_id = leased
    ward.expert.memberships.all().delete()

    response = review(ward.expert, lease_id, "good")

    assert response.status_code == 403 and response.json()["error"]["code"] == "hospital_not_yours"
    nothing_stored()


def test_a_qa_manager_cannot_review(review, ward, leased, nothing_stored):
    _, lease_id = leased
    manager = UserFactory(role=Role.QA_MANAGER, member_of=[ward.hospital])

    assert review(manager, lease_id, "good").status_code == 403
    nothing_stored()


def test_an_unusable_verdict_with_a_mask_is_refused(review, ward, leased, nothing_stored):
    _, lease_id = leased
    response = review(ward.expert, lease_id, "unusable", mask=mask_png(fetus()))
    assert response.status_code == 400 and response.json()["error"]["field"] == "mask"
    nothing_stored()


def test_an_unknown_verdict_is_refused(review, ward, leased, nothing_stored):
    _, lease_id = leased
    response = review(ward.expert, lease_id, "maybe")
    assert response.status_code == 400 and response.json()["error"]["message"].startswith("verdict:")
    nothing_stored()


def test_a_double_read_item_waits_for_its_second_review(client_for, lease, review, ward, settings):
    settings.FUSQA_REVIEW_DOUBLE_READ_SHARE = 1.0
    item = waiting_item(hospital=ward.hospital, machine=ward.machine)

    first = lease(ward.expert).json()["lease_id"]
    review(ward.expert, first, "good")
    # The first reader is done with it; the second still finds it
    assert client_for(ward.expert).get("/api/review-queue/").json()["results"] == []
    waiting = client_for(ward.colleague).get("/api/review-queue/").json()["results"]
    assert [(row["mask"], row["reads_taken"], row["reads_needed"]) for row in waiting] == [(item.id, 1, 2)]
    second = lease(ward.colleague).json()
    review(ward.colleague, second["lease_id"], "poor", mask=mask_png(fetus(length_px=120)))

    assert second["slot"] == 2
    assert sorted(Review.objects.values_list("expert__username", "verdict")) == [
        ("expert_one", "good"),
        ("expert_two", "poor"),
    ]
    third = UserFactory(role=Role.EXPERT, member_of=[ward.hospital])
    assert lease(third).status_code == 204
