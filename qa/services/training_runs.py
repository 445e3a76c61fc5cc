"""Training runs: started by an admin, executed by a task on the gpu queue, watched, cancelled, resumed.

A run's row exists (pending) before its task is queued; the task claims it with a conditional UPDATE
(pending → running, attempts + 1), so a task delivered twice runs it once. The attempt number fences
every later write: a worker the sweeper gave up on can no longer touch the run another worker resumed.
The ML core (workers.ml.train.finetune) does the work from paths and parameters and checkpoints every
epoch; this module turns its callbacks into row updates (qa.services.training_progress) and its result
into a candidate ModelVersion with its evaluation (qa.services.model_gate).
"""

import logging
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Now
from django.utils import timezone

from qa.errors import FusqaError, InvalidInput
from qa.models import AuditAction, ModelKind, ModelStatus, ModelVersion, RunStatus, TrainingRun, TrainingSet, User
from qa.services.audit import audit_record
from qa.services.model_gate import evaluation_build
from qa.services.model_registry import active_model_version, file_sha256, weights_path
from qa.services.training_progress import RunReporter
from workers.ml.train.finetune import TrainingCancelled, finetune
from workers.ml.train.finetune_parameters import ParameterError, finetune_parameters

logger = logging.getLogger(__name__)

TRAIN_TASK = "workers.tasks.training.train_model"
GOING = (RunStatus.PENDING, RunStatus.RUNNING)
FINISHED = (RunStatus.DONE, RunStatus.FAILED, RunStatus.CANCELLED)


class RunInProgress(FusqaError):
    status_code = 409
    code = "run_in_progress"


class RunFinished(FusqaError):
    status_code = 409
    code = "run_finished"


def _run_in_progress(kind: str) -> RunInProgress:
    going = TrainingRun.objects.filter(kind=kind, status__in=GOING).order_by("created_at").first()
    if going is None:  # it ended between the insert and this read
        return RunInProgress(f"a {kind} training run is already going")
    return RunInProgress(
        f"a {kind} training run is already going: run {going.id} ({going.status})",
        details={"run": going.id, "status": going.status},
    )


def _ref(model_version: ModelVersion) -> dict:
    return {"id": model_version.id, "version": model_version.version, "sha256": model_version.sha256}


@transaction.atomic
def training_run_start(
    *, kind: str, training_set_id: int, parameters: dict | None, actor: User | None, source: str = ""
) -> TrainingRun:
    """A pending run of `kind` on the training set, fine-tuning the active version of that kind; its task
    is queued once this commits. One run per kind at a time (a partial unique index decides, so two
    admins pressing at once get one run and one 409). Bad input stores nothing."""
    if kind not in ModelKind.values:
        raise InvalidInput(f"kind must be one of {', '.join(ModelKind.values)}", field="kind")
    training_set = TrainingSet.objects.filter(pk=training_set_id).first()
    if training_set is None:
        raise InvalidInput(f"there is no training set {training_set_id}", field="training_set")
    if not training_set.archive:
        raise InvalidInput(f"training set v{training_set.version} has no archive", field="training_set")
    try:
        parameters = finetune_parameters(kind, parameters)
    except ParameterError as exc:
        raise InvalidInput(f"parameters: {exc}", field="parameters", details=exc.problems) from exc
    if TrainingRun.objects.filter(kind=kind, status__in=GOING).exists():
        raise _run_in_progress(kind)
    parent = active_model_version(kind)  # 409 without one: there is nothing to fine-tune
    snapshot = {
        "training_set": {"id": training_set.id, "version": training_set.version, "sha256": training_set.sha256},
        "parent": _ref(parent),
    }
    try:
        with transaction.atomic():
            run = TrainingRun.objects.create(
                kind=kind, training_set=training_set, parameters=parameters, data_snapshot=snapshot, created_by=actor
            )
    except IntegrityError as exc:
        raise _run_in_progress(kind) from exc
    audit_record(
        actor=actor,
        action=AuditAction.TRAINING_RUN_STARTED,
        target=run,
        source=source,
        detail={"kind": kind, "training_set": training_set.version, "parent": parent.version, "parameters": parameters},
    )
    transaction.on_commit(lambda: training_run_enqueue(run_id=run.id))
    return run


@transaction.atomic
def training_run_cancel(*, training_run: TrainingRun, actor: User | None, source: str = "") -> TrainingRun:
    """Cancelled at once in the row; a running task notices before its next batch and stops."""
    if not TrainingRun.objects.filter(pk=training_run.pk, status__in=GOING).update(
        status=RunStatus.CANCELLED, finished_at=Now(), eta_seconds=None
    ):
        training_run.refresh_from_db()
        raise RunFinished(f"training run {training_run.pk} has already ended ({training_run.status})")
    audit_record(
        actor=actor, action=AuditAction.TRAINING_RUN_CANCELLED, target=training_run, source=source,
        detail={"kind": training_run.kind, "was": training_run.status, "epoch": training_run.epoch},
    )  # fmt: skip
    training_run.refresh_from_db()
    return training_run


def training_run_enqueue(*, run_id: int) -> bool:
    """Send the run's task to the gpu queue (FUSQA_TRAINING_QUEUE); a broker that is away is logged, and the
    sweeper sends it later."""
    from fusqa_web.celery import app as celery_app
    from qa.services.jobs import _publishing_connection

    try:
        with _publishing_connection() as connection:
            result = celery_app.send_task(
                TRAIN_TASK,
                args=[run_id],
                queue=settings.FUSQA_TRAINING_QUEUE,
                producer=connection.Producer(),
                retry=False,
            )
        TrainingRun.objects.filter(pk=run_id, status=RunStatus.PENDING).update(task_id=result.id)
        return True
    except Exception as exc:  # noqa: BLE001 - the run stays pending without a task id; the sweeper sends it
        logger.warning("training run %s not queued (%s); the sweeper will send it", run_id, exc)
        return False


def run_folder(run: TrainingRun) -> Path:
    return Path(settings.FUSQA_TRAINING_DIR) / f"run-{run.pk}"


def candidate_weights_file(run: TrainingRun) -> str:
    """Relative to FUSQA_WEIGHTS_DIR."""
    return f"runs/{run.kind}-run{run.pk}.pt"


def code_version() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=5, check=True
        )
        return out.stdout.strip()[:64] or settings.FUSQA_CODE_VERSION or "unknown"
    except (OSError, subprocess.SubprocessError):
        return settings.FUSQA_CODE_VERSION or "unknown"


def training_run_execute(*, training_run_id: int, worker: str = "") -> str:
    """The task's body: claim, fine-tune (resuming from the run's checkpoint if there is one), register
    the candidate. Returns what became of it: done, failed, cancelled, or skipped (not pending: taken
    by another worker, or ended)."""
    claimed = TrainingRun.objects.filter(pk=training_run_id, status=RunStatus.PENDING).update(
        status=RunStatus.RUNNING,
        attempts=F("attempts") + 1,
        heartbeat_at=Now(),
        started_at=Coalesce(F("started_at"), Now()),
        error="",
    )
    if not claimed:
        return "skipped"
    run = TrainingRun.objects.select_related("training_set", "created_by").get(pk=training_run_id)
    reporter = RunReporter(run_id=run.pk, attempt=run.attempts)
    reporter.log(f"attempt {run.attempts} on {worker or 'a worker'}")
    try:
        parent = ModelVersion.objects.get(pk=run.data_snapshot["parent"]["id"])
        assessor = _active_or_none(ModelKind.FUSQA) if run.kind == ModelKind.SEGMENTATION else None
        result = finetune(
            kind=run.kind,
            parent_weights=weights_path(parent),
            training_set=run.training_set.archive.path,
            parameters=run.parameters,
            work_dir=run_folder(run),
            out_path=Path(settings.FUSQA_WEIGHTS_DIR) / candidate_weights_file(run),
            callbacks=reporter.callbacks(),
            assessor_weights=weights_path(assessor) if assessor else None,
        )
    except TrainingCancelled:
        reporter.log("stopped: the run was cancelled (or taken back from this worker)")
        reporter.close()
        return "cancelled"
    except Exception as exc:  # noqa: BLE001 - any failure ends the run with its reason, shown to the admin
        logger.exception("training run %s failed", run.pk)
        reporter.log(f"failed: {exc}")
        reporter.close()
        TrainingRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING, attempts=run.attempts).update(
            status=RunStatus.FAILED, error=str(exc)[:2000] or type(exc).__name__, finished_at=Now(), eta_seconds=None
        )
        return "failed"
    reporter.log(f"candidate written: {candidate_weights_file(run)}")
    reporter.close()
    return "done" if _candidate_register(run=run, parent=parent, result=result) else "cancelled"


def _active_or_none(kind: str) -> ModelVersion | None:
    return ModelVersion.objects.filter(kind=kind, status=ModelStatus.ACTIVE).first()


@transaction.atomic
def _candidate_register(*, run: TrainingRun, parent: ModelVersion, result) -> ModelVersion | None:
    """The candidate and the run's end in one transaction, only if the run is still this attempt's."""
    mine = TrainingRun.objects.select_for_update().filter(pk=run.pk, status=RunStatus.RUNNING, attempts=run.attempts)
    if not mine.exists():
        return None
    weights_file = candidate_weights_file(run)
    candidate, _ = ModelVersion.objects.update_or_create(
        kind=run.kind,
        version=f"run{run.pk}",
        defaults={
            "weights_file": weights_file,
            "sha256": file_sha256(Path(settings.FUSQA_WEIGHTS_DIR) / weights_file),
            "metrics": {**result.metrics, "history": result.history},
            "status": ModelStatus.CANDIDATE,
            "training_run": run,
            "training_set": run.training_set,
            "parent": parent,
            "parameters": run.parameters,
            "code_version": code_version(),
            "evaluation": evaluation_build(kind=run.kind, comparison=result.comparison, baseline=parent),
        },
    )
    audit_record(
        actor=run.created_by, action=AuditAction.MODEL_REGISTERED, target=candidate, source="training",
        detail={"kind": run.kind, "version": candidate.version, "sha256": candidate.sha256, "training_run": run.pk},
    )  # fmt: skip
    last = result.history[-1] if result.history else {}
    mine.update(
        status=RunStatus.DONE,
        progress=1.0,
        eta_seconds=0.0,
        history=result.history,
        epoch=last.get("epoch"),
        loss=last.get("loss"),
        validation_metric=last.get("validation_metric"),
        finished_at=Now(),
        heartbeat_at=Now(),
    )
    return candidate


def training_runs_requeue_stuck(*, unqueued_grace_seconds: int = 5) -> list[int]:
    """The sweeper for runs: a running run whose heartbeat is older than FUSQA_HEARTBEAT_SECONDS ×
    FUSQA_HEARTBEAT_MISSES lost its worker: back to pending and queued again (it resumes from its last
    checkpoint), or failed after FUSQA_MAX_ATTEMPTS. Pending runs that never reached the broker are sent."""
    silent_for = timezone.timedelta(seconds=settings.FUSQA_HEARTBEAT_SECONDS * settings.FUSQA_HEARTBEAT_MISSES)
    lost = TrainingRun.objects.filter(status=RunStatus.RUNNING).filter(
        Q(heartbeat_at__lt=Now() - silent_for) | Q(heartbeat_at__isnull=True)
    )
    taken_back = []
    for run_id, attempts in lost.values_list("id", "attempts"):
        same = lost.filter(pk=run_id, attempts=attempts)  # conditional: a worker beating right now keeps it
        if attempts >= settings.FUSQA_MAX_ATTEMPTS:
            reason = f"the worker died {attempts} times during this run"
            if same.update(status=RunStatus.FAILED, error=reason, finished_at=Now(), eta_seconds=None):
                logger.warning("training run %s failed: %s", run_id, reason)
        elif same.update(status=RunStatus.PENDING, task_id=""):
            logger.warning("training run %s lost its worker; queued again to resume", run_id)
            taken_back.append(run_id)
    unsent = TrainingRun.objects.filter(
        status=RunStatus.PENDING,
        task_id="",
        created_at__lt=timezone.now() - timezone.timedelta(seconds=unqueued_grace_seconds),
    )
    run_ids = sorted(set(taken_back) | set(unsent.values_list("id", flat=True)))
    for run_id in run_ids:
        training_run_enqueue(run_id=run_id)
    return run_ids
