"""A training set frozen by the real freeze (POST /api/training-sets/) is what a run reads: every labelled
item lands in training, validation or the gate's held-out cases, with its expert's correction."""

import pytest

from qa.models import TrainingSet
from tests.qa.trainset.conftest import (  # noqa: F401  (fixtures, with the review ones it re-exports)
    admin,
    fetus,
    lease,
    mask_png,
    no_known_answers,
    read,
    review,
    settings_single_read,
    waiting_item,
    ward,
)
from workers.ml.train.finetune_data import finetune_data
from workers.ml.train.finetune_parameters import finetune_parameters

pytestmark = pytest.mark.django_db


def test_a_frozen_set_gives_the_run_its_samples(client_for, admin, ward, lease, review, no_known_answers):  # noqa: F811
    good = waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=0.5)
    poor = waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=0.55, model_mask=fetus(length_px=110))
    assert read(lease, review, ward.expert, "good") == good.id
    assert read(lease, review, ward.expert, "poor", mask=mask_png(fetus())) == poor.id
    assert client_for(admin).post("/api/training-sets/", {}, format="json").status_code == 201
    archive = TrainingSet.objects.get().archive.path
    parameters = finetune_parameters("fusqa", {"synthetic_base": 0, "synthetic_test": 0})

    data = finetune_data("fusqa", archive, parameters)

    held_out = [case for cases in data.held_out.values() for case in cases]
    samples = data.train + data.validation
    assert data.counts["training_set_items"] == 2
    assert set(data.held_out) <= {ward.hospital.slug}
    labels = {label for *_, label in samples} | {case.label for case in held_out}
    assert labels == {0, 1}
    corrected = [s for s in samples if s[1].shape == fetus().shape and (s[1] == fetus()).all()]
    assert corrected or any(case.reference is not None and (case.reference == fetus()).all() for case in held_out)
