"""Known-answer items: mixed into leases unseen, read by every expert once, scored, kept off managers' views."""

from datetime import date
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from PIL import Image
from scipy import ndimage

from qa.models import (
    AuditAction,
    AuditEvent,
    DailyQuality,
    KnownAnswer,
    KnownAnswerSource,
    MaskKind,
    ModelKind,
    ModelStatus,
    Review,
    ReviewLease,
    Role,
    Study,
)
from qa.services.rollups import quality_rollups_rebuild
from tests.factories import ModelVersionFactory, UserFactory
from tests.qa.reviews.conftest import fetus, mask_png, waiting_item
from tests.qa.trainset.conftest import phantom_known_answer, read
from workers.ml.fusqa.labels import quality_label

pytestmark = pytest.mark.django_db


@pytest.fixture
def always_known(settings):
    settings.FUSQA_KNOWN_ANSWER_RATE = 1.0
    return settings


def test_a_known_answer_lease_looks_exactly_like_an_ordinary_one(lease, ward, settings):
    ordinary = waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=0.52)
    known = phantom_known_answer(hospital=ward.hospital, machine=ward.machine, p_good=0.52)

    settings.FUSQA_KNOWN_ANSWER_RATE = 1.0
    secret = lease(ward.expert).json()
    settings.FUSQA_KNOWN_ANSWER_RATE = 0.0
    plain = lease(ward.colleague).json()

    assert (secret["mask"], plain["mask"]) == (known.mask_id, ordinary.id)
    assert secret.keys() == plain.keys()
    assert secret["slot"] == plain["slot"] == 1
    assert [r["code"] for r in secret["reason"]] == [r["code"] for r in plain["reason"]]
    assert secret["reason"][0]["code"] == "uncertain"
    assert ReviewLease.objects.get(pk=secret["lease_id"]).known_answer is True
    assert ReviewLease.objects.get(pk=plain["lease_id"]).known_answer is False
    leased = AuditEvent.objects.filter(action=AuditAction.REVIEW_LEASED).order_by("id")
    assert [set(e.detail) for e in leased][0] == [set(e.detail) for e in leased][1]


def test_every_expert_reads_a_known_answer_item_once(lease, ward, always_known):
    known = phantom_known_answer(hospital=ward.hospital, machine=ward.machine)
    ordinary = waiting_item(hospital=ward.hospital, machine=ward.machine)
    third = UserFactory(username="expert_three", role=Role.EXPERT, member_of=[ward.hospital])

    masks = [lease(user).json()["mask"] for user in (ward.expert, ward.colleague, third)]
    again = lease(ward.expert)

    assert masks == [known.mask_id] * 3
    assert again.status_code == 201 and again.json()["mask"] == ordinary.id  # the known one is theirs already


def test_a_known_answer_read_is_scored_against_the_expected_verdict(lease, review, ward, always_known):
    phantom_known_answer(hospital=ward.hospital, machine=ward.machine, expected="poor")
    third = UserFactory(username="expert_three", role=Role.EXPERT, member_of=[ward.hospital])

    read(lease, review, ward.expert, "poor")
    read(lease, review, ward.colleague, "good")
    read(lease, review, third, "unusable")

    scored = dict(Review.objects.values_list("expert__username", "known_answer_correct"))
    assert scored == {"expert_one": True, "expert_two": False, "expert_three": False}


def test_ordinary_reads_are_not_scored(lease, review, ward, no_known_answers):
    waiting_item(hospital=ward.hospital, machine=ward.machine)
    read(lease, review, ward.expert, "good")
    assert Review.objects.get().known_answer_correct is None


def test_known_answers_never_join_the_ordinary_queue(lease, client_for, ward, no_known_answers):
    phantom_known_answer(hospital=ward.hospital, machine=ward.machine, p_good=0.5)

    listed = client_for(ward.expert).get("/api/review-queue/").json()
    response = lease(ward.expert)

    assert listed["count"] == 0 and listed["results"] == []
    assert response.status_code == 204 and ReviewLease.objects.count() == 0


def test_known_answer_leases_keep_to_the_experts_hospitals(lease, ward, always_known):
    from tests.factories import HospitalFactory

    elsewhere = HospitalFactory(name="Beta", slug="beta")
    phantom_known_answer(hospital=elsewhere)

    assert lease(ward.expert).status_code == 204


def test_known_answer_studies_stay_off_the_managers_views(client_for, ward):
    manager = UserFactory(role=Role.QA_MANAGER, member_of=[ward.hospital])
    day = date(2026, 5, 4)
    ordinary = waiting_item(hospital=ward.hospital, machine=ward.machine, exam_date=day, p_good=0.2)
    known = phantom_known_answer(hospital=ward.hospital, machine=ward.machine)
    Study.objects.filter(pk=known.frame.study_id).update(exam_date=day)
    client = client_for(manager)

    studies = client.get("/api/studies/").json()
    frames = client.get(
        "/api/dashboard/frames/", {"hospital": ward.hospital.id, "from": "2026-05-01", "to": "2026-05-31"}
    ).json()
    quality_rollups_rebuild()

    assert [s["id"] for s in studies["results"]] == [ordinary.frame.study_id]
    assert [f["id"] for f in frames["results"]] == [ordinary.frame_id]
    rows = DailyQuality.objects.filter(hospital=ward.hospital, day=day)
    assert sum(row.good + row.poor + row.unknown for row in rows) == 1
    # An expert's workspace may still open the item's study and frame by id, like any other.
    assert client_for(ward.expert).get(f"/api/studies/{known.frame.study_id}/").status_code == 200
    assert client_for(ward.expert).get(f"/api/frames/{known.frame_id}/").status_code == 200


def test_a_manager_does_not_see_reviews_of_known_answer_items(client_for, lease, review, ward, always_known):
    manager = UserFactory(role=Role.QA_MANAGER, member_of=[ward.hospital])
    phantom_known_answer(hospital=ward.hospital, machine=ward.machine)
    ordinary = waiting_item(hospital=ward.hospital, machine=ward.machine)
    read(lease, review, ward.expert, "poor")  # the known-answer item
    read(lease, review, ward.expert, "good")  # the ordinary one

    listed = client_for(manager).get("/api/reviews/").json()["results"]
    mine = client_for(ward.expert).get("/api/reviews/").json()["results"]

    assert [r["mask"] for r in listed] == [ordinary.id]
    assert len(mine) == 2


def test_a_reviewed_phantom_never_reaches_a_training_set(client_for, lease, review, ward, always_known):
    phantom_known_answer(hospital=ward.hospital, machine=ward.machine)
    read(lease, review, ward.expert, "poor", mask=mask_png(fetus()))
    admin = UserFactory(role=Role.ADMIN)

    response = client_for(admin).post("/api/training-sets/")

    assert response.status_code == 409 and response.json()["error"]["code"] == "nothing_reviewed"


def test_agreed_double_reads_become_adjudicated_known_answers(lease, review, ward, settings):
    settings.FUSQA_REVIEW_DOUBLE_READ_SHARE = 1.0
    settings.FUSQA_KNOWN_ANSWER_RATE = 0.0
    agreed = waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=0.5)
    split = waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=0.6)
    for user in (ward.expert, ward.colleague):
        read(lease, review, user, "poor")  # agreed: both poor
    read(lease, review, ward.expert, "good")
    read(lease, review, ward.colleague, "poor")  # split: good vs poor

    out = StringIO()
    call_command("seed_known_answers", "--adjudicated", stdout=out)

    known = KnownAnswer.objects.get()
    assert (known.mask_id, known.source, known.expected_verdict) == (agreed.id, KnownAnswerSource.ADJUDICATED, "poor")
    assert "1 adjudicated" in out.getvalue()
    assert split.id != known.mask_id
    call_command("seed_known_answers", "--adjudicated", stdout=StringIO())
    assert KnownAnswer.objects.count() == 1  # once

    settings.FUSQA_KNOWN_ANSWER_RATE = 1.0
    third = UserFactory(username="expert_three", role=Role.EXPERT, member_of=[ward.hospital])
    assert lease(third).json()["mask"] == agreed.id
    assert lease(ward.expert).status_code == 204  # read it already; nothing else waits


def test_the_seed_command_makes_phantom_items_labelled_by_the_label_rule(ward, settings):
    ModelVersionFactory(kind=ModelKind.SEGMENTATION, status=ModelStatus.ACTIVE, weights_file="segmentation.pt")
    ModelVersionFactory(kind=ModelKind.FUSQA, status=ModelStatus.ACTIVE, weights_file="fusqa.pt")
    out = StringIO()

    call_command("seed_known_answers", "--hospital", "alpha", "--count", "3", "--seed", "11", stdout=out)

    items = list(KnownAnswer.objects.select_related("mask__frame__study").order_by("id"))
    assert len(items) == 3 and "3 phantom known-answer items in alpha" in out.getvalue()
    for item in items:
        frame, mask = item.mask.frame, item.mask
        assert frame.study.known_answer is True and frame.hospital == ward.hospital
        assert mask.kind == MaskKind.MODEL and mask.version == 1 and mask.assessments.count() == 1
        assert mask.measurements.count() == 1 and frame.masks.count() == 1  # the ground truth is not on the frame
        shown = np.asarray(Image.open(mask.data.open("rb"))) > 0
        truth = np.asarray(Image.open(item.reference.open("rb"))) > 0
        expected = quality_label(shown, truth, (frame.spacing_row_mm, frame.spacing_col_mm)).label
        assert item.source == KnownAnswerSource.PHANTOM and item.expected_verdict == item.expected_label == expected
        assert expected == "poor" or ndimage.label(shown)[1] == 1  # a good answer is one piece
    event = AuditEvent.objects.get(action=AuditAction.KNOWN_ANSWERS_CREATED)
    assert event.hospital == ward.hospital and event.detail["count"] == 3


def test_the_seed_command_names_what_is_missing(ward):
    with pytest.raises(CommandError, match="No hospital with slug 'nowhere'"):
        call_command("seed_known_answers", "--hospital", "nowhere", "--count", "2", stdout=StringIO())
    with pytest.raises(CommandError, match="No active segmentation model"):
        call_command("seed_known_answers", "--hospital", "alpha", "--count", "2", stdout=StringIO())
    with pytest.raises(CommandError, match="Nothing to do"):
        call_command("seed_known_answers", stdout=StringIO())
    assert KnownAnswer.objects.count() == 0 and Study.objects.count() == 0


@pytest.mark.parametrize("rate", [0.05, 0.25])
def test_about_the_configured_share_of_leases_turns_to_a_known_answer(settings, rate):
    import random

    from qa.services.reviews import _known_answer_turn

    settings.FUSQA_KNOWN_ANSWER_RATE = rate
    random.seed(20261127)
    turns = sum(_known_answer_turn() for _ in range(4000))
    assert abs(turns / 4000 - rate) < 0.02
    settings.FUSQA_KNOWN_ANSWER_RATE = 0.0
    assert not any(_known_answer_turn() for _ in range(100))
