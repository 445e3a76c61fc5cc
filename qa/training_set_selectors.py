"""Reads of frozen training sets (admins only: the API checks the role; these hold no hospital scope because
a training set spans every hospital)."""

from django.db.models import QuerySet
from django.http import Http404

from qa.models import TrainingSet


def training_set_list() -> QuerySet[TrainingSet]:
    return TrainingSet.objects.select_related("created_by").order_by("-version")


def training_set_get(*, training_set_id: int) -> TrainingSet:
    training_set = training_set_list().filter(pk=training_set_id).first()
    if training_set is None:
        raise Http404(f"No training set with id {training_set_id}.")
    return training_set
