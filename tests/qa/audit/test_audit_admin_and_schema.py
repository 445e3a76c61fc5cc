"""The Django admin shows the log read-only; the OpenAPI schema describes both endpoints."""

import pytest

from qa.models import AuditAction, AuditEvent, Role
from qa.services.audit import audit_record
from tests.factories import UserFactory
from tests.qa.test_schema import schema  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_the_admin_site_lists_events_but_offers_no_add_change_or_delete(client):
    root = UserFactory(username="root", role=Role.ADMIN, is_staff=True, is_superuser=True)
    event = audit_record(actor=root, action=AuditAction.LOGIN, source="203.0.113.9")
    client.force_login(root)

    listing = client.get("/admin/qa/auditevent/")
    add = client.get("/admin/qa/auditevent/add/")
    delete = client.post(f"/admin/qa/auditevent/{event.pk}/delete/", {"post": "yes"})
    change = client.post(f"/admin/qa/auditevent/{event.pk}/change/", {"action": "auth.logout"})

    assert listing.status_code == 200 and b"203.0.113.9" in listing.content
    assert (add.status_code, delete.status_code, change.status_code) == (403, 403, 403)
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["auth.login"] * 2  # force_login is a login


def test_the_schema_describes_the_list_and_the_csv_export(schema):  # noqa: F811
    assert "/api/audit-events/" in schema["paths"]
    export = schema["paths"]["/api/audit-events/export.csv"]["get"]
    assert export["operationId"] == "audit_events_export_csv"
    assert export["responses"]["200"]["content"] == {"text/csv": {"schema": {"type": "string"}}}
    assert {p["name"] for p in export["parameters"]} == {
        "actor", "action", "hospital", "target_type", "target_id", "from", "to"
    }  # fmt: skip
    assert schema["components"]["schemas"]["AuditAction"]["enum"] == AuditAction.values
