"""The sweeper takes back a run whose worker stopped beating (it resumes elsewhere), fails one that killed
its worker too often, and leaves a beating run alone."""

import pytest
from django.db import IntegrityError
from django.utils import timezone

from qa.models import RunStatus, TrainingRun
from qa.services.training_runs import training_runs_requeue_stuck
from tests.factories import TrainingRunFactory

pytestmark = pytest.mark.django_db


def ago(seconds: float):
    return timezone.now() - timezone.timedelta(seconds=seconds)


def test_a_run_whose_heartbeat_went_silent_goes_back_to_pending_and_is_queued_again(settings):
    settings.FUSQA_HEARTBEAT_SECONDS, settings.FUSQA_HEARTBEAT_MISSES = 5, 3
    silent = TrainingRunFactory(kind="fusqa", status=RunStatus.RUNNING, attempts=1, heartbeat_at=ago(16), epoch=2)
    beating = TrainingRunFactory(kind="segmentation", status=RunStatus.RUNNING, attempts=1, heartbeat_at=ago(4))

    assert training_runs_requeue_stuck() == [silent.id]

    silent.refresh_from_db()
    assert (silent.status, silent.epoch, silent.attempts) == (RunStatus.PENDING, 2, 1)
    assert TrainingRun.objects.get(pk=beating.pk).status == RunStatus.RUNNING


def test_a_run_that_lost_its_worker_too_often_fails_with_the_reason(settings):
    settings.FUSQA_MAX_ATTEMPTS = 3
    run = TrainingRunFactory(status=RunStatus.RUNNING, attempts=3, heartbeat_at=ago(3600))

    assert training_runs_requeue_stuck() == []

    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error == "the worker died 3 times during this run"


def test_a_pending_run_that_never_reached_the_broker_is_sent(settings):
    run = TrainingRunFactory(status=RunStatus.PENDING, task_id="")
    TrainingRun.objects.filter(pk=run.pk).update(created_at=ago(60))
    sent = TrainingRunFactory(kind="fusqa", status=RunStatus.PENDING, task_id="abc")
    TrainingRun.objects.filter(pk=sent.pk).update(created_at=ago(60))

    assert training_runs_requeue_stuck() == [run.id]


def test_the_database_holds_one_going_run_per_kind():
    TrainingRunFactory(kind="fusqa", status=RunStatus.RUNNING)

    with pytest.raises(IntegrityError):
        TrainingRunFactory(kind="fusqa", status=RunStatus.PENDING)
