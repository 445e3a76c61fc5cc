"""Model versions: which weights are active, and the loaded networks a worker keeps between tasks.

A worker loads each active model once and keeps it; before each batch it asks the database which
versions are active (one cheap query) and reloads only when that changed, so promoting a new
ModelVersion takes effect without restarting any worker.
"""

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from qa.errors import FusqaError
from qa.models import AuditAction, ModelKind, ModelStatus, ModelVersion, User
from qa.services.audit import audit_record


class NoActiveModel(FusqaError):
    status_code = 409
    code = "no_active_model"


def weights_path(model_version: ModelVersion) -> Path:
    path = Path(model_version.weights_file)
    return path if path.is_absolute() else Path(settings.FUSQA_WEIGHTS_DIR) / path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@transaction.atomic
def model_version_register(
    *,
    kind: str,
    version: str,
    weights_file: str,
    metrics: dict | None = None,
    activate: bool = False,
    actor: User | None = None,
    source: str = "",
) -> ModelVersion:
    """Record a weights file as a model version (its sha256 taken now); optionally make it active.
    `actor` and `source` (who asked, from where) go to the audit log."""
    path = Path(weights_file)
    resolved = path if path.is_absolute() else Path(settings.FUSQA_WEIGHTS_DIR) / path
    if not resolved.is_file():
        raise FusqaError(f"weights file {resolved} does not exist", code="weights_missing")
    model_version, created = ModelVersion.objects.get_or_create(
        kind=kind,
        version=version,
        defaults={"weights_file": str(weights_file), "sha256": file_sha256(resolved), "metrics": metrics or {}},
    )
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.MODEL_REGISTERED,
            target=model_version,
            source=source,
            detail={"kind": kind, "version": version, "sha256": model_version.sha256},
        )
    if activate:
        model_version_activate(model_version=model_version, actor=actor, source=source)
    return model_version


@transaction.atomic
def model_version_activate(
    *, model_version: ModelVersion, actor: User | None = None, source: str = "", detail: dict | None = None
) -> ModelVersion:
    """Make this version the active one of its kind; the previous active one is retired. Activating a
    retired version (one that was active before) is recorded as a roll-back; activating the active
    version changes nothing and records nothing. `detail` (the gate's verdict, a reason) joins the audit
    event's. The gate itself is qa.services.model_gate's: this is the bare switch."""
    was = ModelVersion.objects.select_for_update().values_list("status", flat=True).get(pk=model_version.pk)
    if was == ModelStatus.ACTIVE:
        model_version.refresh_from_db()
        return model_version
    previous = list(
        ModelVersion.objects.select_for_update()
        .filter(kind=model_version.kind, status=ModelStatus.ACTIVE)
        .exclude(pk=model_version.pk)
        .values_list("pk", "version")
    )
    ModelVersion.objects.filter(pk__in=[pk for pk, _ in previous]).update(status=ModelStatus.RETIRED)
    ModelVersion.objects.filter(pk=model_version.pk).update(status=ModelStatus.ACTIVE, activated_at=timezone.now())
    model_version.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditAction.MODEL_ROLLED_BACK if was == ModelStatus.RETIRED else AuditAction.MODEL_ACTIVATED,
        target=model_version,
        source=source,
        detail={
            "kind": model_version.kind,
            "version": model_version.version,
            "previous": [{"id": pk, "version": version} for pk, version in previous],
            **(detail or {}),
        },
    )
    return model_version


def active_model_version(kind: str) -> ModelVersion:
    model_version = ModelVersion.objects.filter(kind=kind, status=ModelStatus.ACTIVE).first()
    if model_version is None:
        raise NoActiveModel(f"no active {kind} model: register one (manage.py register_models) and activate it")
    return model_version


@dataclass
class LoadedModel:
    model_version: ModelVersion
    model: Any


class ModelCache:
    """Per worker process: kind → the loaded network of the active version."""

    def __init__(self) -> None:
        self._loaded: dict[str, LoadedModel] = {}
        self._lock = threading.Lock()

    def get(self, kind: str) -> LoadedModel:
        active = active_model_version(kind)
        with self._lock:
            current = self._loaded.get(kind)
            if current is None or current.model_version.pk != active.pk:
                current = LoadedModel(model_version=active, model=_load(kind, active))
                self._loaded[kind] = current
            return current

    def clear(self) -> None:
        with self._lock:
            self._loaded.clear()


def _load(kind: str, model_version: ModelVersion) -> Any:
    path = weights_path(model_version)
    if not path.is_file():
        raise NoActiveModel(f"weights of {kind} {model_version.version} are missing at {path}")
    if file_sha256(path) != model_version.sha256:
        raise NoActiveModel(f"weights of {kind} {model_version.version} at {path} do not match their sha256")
    backend = inference_backend()
    if kind == ModelKind.SEGMENTATION:
        from workers.ml import segmentation

        return segmentation.load_model(path, backend=backend)
    if kind == ModelKind.FUSQA:
        from workers.ml import fusqa

        return fusqa.load_model(path, backend=backend)
    raise ValueError(f"unknown model kind {kind!r}")


def inference_backend() -> str:
    """torch on a GPU worker; ONNX Runtime on a CPU worker (about twice as fast there), unless set."""
    choice = settings.FUSQA_INFERENCE_BACKEND
    if choice != "auto":
        return choice
    import torch

    return "torch" if torch.cuda.is_available() else "onnx"


model_cache = ModelCache()
