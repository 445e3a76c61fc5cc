"""Users and their hospital memberships."""

from django.db import transaction

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
