import pytest
from django.db import IntegrityError, transaction

from qa.models import MaskKind, ModelStatus
from tests.factories import FrameFactory, MaskFactory, ModelVersionFactory

pytestmark = pytest.mark.django_db


def test_a_mask_is_never_overwritten():
    mask = MaskFactory()
    mask.area_px = 10
    with pytest.raises(ValueError, match="never overwritten"):
        mask.save()


def test_one_model_makes_one_mask_per_frame():
    first = MaskFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        MaskFactory(frame=first.frame, model_version=first.model_version, kind=MaskKind.MODEL)


def test_spacing_must_be_positive():
    with pytest.raises(IntegrityError), transaction.atomic():
        FrameFactory(spacing_row_mm=0.0)


def test_only_one_active_model_per_kind():
    ModelVersionFactory(status=ModelStatus.ACTIVE)
    with pytest.raises(IntegrityError), transaction.atomic():
        ModelVersionFactory(status=ModelStatus.ACTIVE)
