"""Users and their hospital memberships; ending a user's tokens and sessions."""

from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from knox.models import AuthToken

from qa.models import Hospital, Membership, Role, User


@transaction.atomic
def user_upsert(*, username: str, password: str, role: Role, hospitals: list[Hospital] = ()) -> User:
    """Create or update a user with exactly the given role and memberships."""
    user, _ = User.objects.get_or_create(username=username, defaults={"role": role})
    user.role = role
    user.is_staff = role == Role.ADMIN
    user.is_superuser = role == Role.ADMIN
    user.set_password(password)
    user.save()
    Membership.objects.filter(user=user).exclude(hospital__in=hospitals).delete()
    for hospital in hospitals:
        Membership.objects.get_or_create(user=user, hospital=hospital)
    return user


def user_tokens_revoke(*, user: User) -> int:
    """Revoke every API token of the user; the number revoked."""
    count, _ = AuthToken.objects.filter(user=user).delete()
    return count


def user_sessions_end(*, user: User) -> int:
    """End every browser session of the user; the number ended.

    Sessions are signed blobs with no user column, so each live one is decoded. Sessions last a shift
    (SESSION_COOKIE_AGE), which keeps the live ones few."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def user_log_out_everywhere(*, user: User) -> dict[str, int]:
    return {"tokens_revoked": user_tokens_revoke(user=user), "sessions_ended": user_sessions_end(user=user)}


def _note_password_change(sender, instance: User, update_fields=None, **kwargs) -> None:
    # Compared with the stored hash rather than hooked into set_password, so that every way of changing a
    # password (the admin, a command, a shell, a migration) is seen.
    instance._fusqa_password_changed = False
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._fusqa_password_changed = stored is not None and stored != instance.password


def _revoke_tokens_after_password_change(sender, instance: User, **kwargs) -> None:
    # A token outlives the password it was issued against otherwise: a stolen token would survive the
    # very change that is meant to lock the thief out. Sessions need nothing here: Django already ends
    # every session whose stored password hash no longer matches.
    if getattr(instance, "_fusqa_password_changed", False):
        user_tokens_revoke(user=instance)


def connect_signals() -> None:
    pre_save.connect(_note_password_change, sender=User, dispatch_uid="fusqa-note-password-change")
    post_save.connect(_revoke_tokens_after_password_change, sender=User, dispatch_uid="fusqa-revoke-tokens")
