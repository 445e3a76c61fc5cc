"""Reads of the re-assessments after activations."""

from django.db.models import QuerySet

from qa.models import Reassessment


def reassessment_list(*, model_version: int | None = None, kind: str | None = None) -> QuerySet[Reassessment]:
    rows = Reassessment.objects.select_related("model_version").order_by("-created_at", "-id")
    if model_version is not None:
        rows = rows.filter(model_version_id=model_version)
    if kind is not None:
        rows = rows.filter(model_version__kind=kind)
    return rows
