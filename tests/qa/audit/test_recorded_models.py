"""Model versions registered, activated and rolled back are recorded with who did it."""

from io import StringIO

import pytest
from django.core.management import call_command

from qa.models import AuditEvent, ModelKind, ModelStatus, Role
from qa.services.model_registry import model_version_activate
from tests.factories import ModelVersionFactory, UserFactory
from tests.qa.test_model_commands import weights_dir  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_activating_a_candidate_is_recorded_with_the_version_it_replaced():
    admin = UserFactory(username="root", role=Role.ADMIN)
    old = ModelVersionFactory(kind=ModelKind.FUSQA, version="1.0", status=ModelStatus.ACTIVE)
    new = ModelVersionFactory(kind=ModelKind.FUSQA, version="1.1")

    model_version_activate(model_version=new, actor=admin, source="203.0.113.9")

    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.source, event.target_type, event.target_id) == (
        "model.activated",
        admin,
        "203.0.113.9",
        "modelversion",
        str(new.id),
    )
    assert event.detail == {"kind": "fusqa", "version": "1.1", "previous": [{"id": old.id, "version": "1.0"}]}


def test_activating_a_retired_version_again_is_recorded_as_a_roll_back():
    admin = UserFactory(role=Role.ADMIN)
    old = ModelVersionFactory(kind=ModelKind.FUSQA, version="1.0", status=ModelStatus.ACTIVE)
    new = ModelVersionFactory(kind=ModelKind.FUSQA, version="1.1")
    model_version_activate(model_version=new, actor=admin)

    model_version_activate(model_version=old, actor=admin)

    assert list(AuditEvent.objects.order_by("id").values_list("action", "target_id")) == [
        ("model.activated", str(new.id)),
        ("model.rolled_back", str(old.id)),
    ]
    old.refresh_from_db()
    assert old.status == ModelStatus.ACTIVE


def test_activating_the_active_version_changes_nothing_and_records_nothing():
    active = ModelVersionFactory(kind=ModelKind.FUSQA, status=ModelStatus.ACTIVE)

    model_version_activate(model_version=active)

    assert AuditEvent.objects.count() == 0


def test_register_models_records_each_registration_and_activation_as_the_command(weights_dir):  # noqa: F811
    call_command("register_models", stdout=StringIO())
    call_command("register_models", stdout=StringIO())

    rows = list(AuditEvent.objects.order_by("id").values_list("action", "actor", "source", "detail__kind"))
    # The second run finds everything registered and active: nothing more happened, nothing more is recorded.
    assert rows == [
        ("model.registered", None, "command:register_models", "segmentation"),
        ("model.activated", None, "command:register_models", "segmentation"),
        ("model.registered", None, "command:register_models", "fusqa"),
        ("model.activated", None, "command:register_models", "fusqa"),
    ]
