"""The audit log cannot be changed or emptied: by the ORM on every database, by the trigger on PostgreSQL."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, connection, transaction

from qa.models import AuditAction, AuditEvent, AuditLogIsAppendOnly
from qa.models.audit import TRUNCATE_SETTING
from qa.services.audit import audit_record
from tests.factories import HospitalFactory, UserFactory

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only"
)


@pytest.fixture
def event():
    return audit_record(
        actor=UserFactory(username="maria"), action=AuditAction.LOGIN, source="10.0.0.7", detail={"n": 1}
    )


def unchanged(event) -> bool:
    row = AuditEvent.objects.values("action", "actor_username", "source", "detail").get(pk=event.pk)
    return row == {"action": "auth.login", "actor_username": "maria", "source": "10.0.0.7", "detail": {"n": 1}}


def test_audit_record_writes_one_row_with_everything_it_was_given():
    hospital = HospitalFactory()
    user = UserFactory(username="maria")

    event = audit_record(
        actor=user,
        action=AuditAction.UPLOAD_STORED,
        target=hospital,
        hospital=hospital,
        source="192.0.2.1",
        detail={"size_bytes": 12},
    )

    row = AuditEvent.objects.get()
    assert row.pk == event.pk
    assert (row.actor, row.actor_username, row.action, row.hospital) == (user, "maria", "upload.stored", hospital)
    assert (row.target_type, row.target_id, row.source, row.detail) == (
        "hospital",
        str(hospital.pk),
        "192.0.2.1",
        {"size_bytes": 12},
    )
    assert row.at is not None


def test_audit_record_refuses_an_action_that_is_not_in_the_list():
    with pytest.raises(ValueError, match="unknown audit action 'upload.stord'"):
        audit_record(actor=None, action="upload.stord")

    assert AuditEvent.objects.count() == 0


def test_an_anonymous_actor_is_recorded_as_nobody():
    event = audit_record(actor=AnonymousUser(), action=AuditAction.LOGIN_FAILED, actor_username="ghost")

    assert (event.actor, event.actor_username) == (None, "ghost")


def test_saving_an_existing_event_again_is_refused(event):
    event.action = AuditAction.LOGOUT

    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.save(update_fields=["action"])

    assert unchanged(event)


def test_deleting_an_event_is_refused(event):
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()

    assert unchanged(event)


def test_queryset_update_and_delete_are_refused(event):
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(action=AuditAction.LOGOUT)
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()
    event.action = AuditAction.LOGOUT
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.bulk_update([event], ["action"])

    assert unchanged(event)


def test_a_user_with_a_history_cannot_be_deleted_so_the_history_keeps_its_actor(event):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        event.actor.delete()

    assert unchanged(event)


@on_postgresql
def test_an_update_in_raw_sql_is_refused_by_the_trigger(event):
    with pytest.raises(DatabaseError, match="Cannot update or delete rows from qa_auditevent"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE qa_auditevent SET action = 'auth.logout' WHERE id = %s", [event.pk])

    assert unchanged(event)


@on_postgresql
def test_a_delete_in_raw_sql_is_refused_by_the_trigger(event):
    with pytest.raises(DatabaseError, match="Cannot update or delete rows from qa_auditevent"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM qa_auditevent WHERE id = %s", [event.pk])

    assert unchanged(event)


@on_postgresql
def test_a_truncate_is_refused_by_the_trigger_unless_the_session_allows_it(event):
    # The test settings allow TRUNCATE for Django's flush; a deployment's sessions do not.
    with connection.cursor() as cursor:
        # The event's foreign keys are checked at commit; TRUNCATE refuses to run before that check.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(DatabaseError, match="Cannot truncate qa_auditevent"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL {TRUNCATE_SETTING} = ''")
            cursor.execute("TRUNCATE qa_auditevent")

    assert unchanged(event)

    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL {TRUNCATE_SETTING} = 'allowed'")
        cursor.execute("TRUNCATE qa_auditevent")

    assert AuditEvent.objects.count() == 0


@on_postgresql
def test_an_insert_in_raw_sql_is_allowed():
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO qa_auditevent (at, actor_username, action, target_type, target_id, source, detail) "
            "VALUES (now(), 'pacs', 'auth.login', '', '', 'dicom:PACS', '{}')"
        )

    assert list(AuditEvent.objects.values_list("actor_username", "source")) == [("pacs", "dicom:PACS")]
