"""The one place that decides which hospitals a user may see and act in."""

from django.db.models import QuerySet
from rest_framework.permissions import BasePermission

from qa.models import Hospital, Role, User


def hospitals_visible_to(user: User) -> QuerySet[Hospital]:
    """Admins see every hospital; QA managers and experts see the hospitals they are members of."""
    if not user.is_authenticated or not user.is_active:
        return Hospital.objects.none()
    if user.is_fusqa_admin:
        return Hospital.objects.all()
    return Hospital.objects.filter(memberships__user=user)


def scope_to_user(queryset: QuerySet, user: User, hospital_path: str = "hospital") -> QuerySet:
    """Filter any queryset down to rows of hospitals the user may see, through `hospital_path`."""
    return queryset.filter(**{f"{hospital_path}__in": hospitals_visible_to(user)})


def can_upload_to(user: User, hospital: Hospital) -> bool:
    """QA managers send their hospitals' scans; admins any hospital's. Experts review, they don't upload."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_fusqa_admin:
        return True
    return user.role == Role.QA_MANAGER and hospitals_visible_to(user).filter(pk=hospital.pk).exists()


def can_review_in(user: User, hospital: Hospital) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_fusqa_admin:
        return True
    return user.role == Role.EXPERT and hospitals_visible_to(user).filter(pk=hospital.pk).exists()


class IsFusqaAdmin(BasePermission):
    message = "Only an admin may do this."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_fusqa_admin)


def can_acknowledge_alerts_in(user: User, hospital: Hospital) -> bool:
    """Drift alerts are acknowledged by the hospital's QA managers, or an admin; experts only read them."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_fusqa_admin:
        return True
    return user.role == Role.QA_MANAGER and hospitals_visible_to(user).filter(pk=hospital.pk).exists()
