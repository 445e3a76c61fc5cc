from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from qa.models import ModelKind, ModelStatus
from qa.services.model_registry import file_sha256, model_version_activate, model_version_register

# The audit log's "where from"; a command has no logged-in user, so its events have no actor.
AUDIT_SOURCE = "command:register_models"
SHIPPED = {ModelKind.SEGMENTATION: "segmentation.pt", ModelKind.FUSQA: "fusqa.pt"}


class Command(BaseCommand):
    help = (
        "Register the shipped weights (FUSQA_WEIGHTS_DIR/segmentation.pt, fusqa.pt) as model versions "
        "(version = the file's sha256 prefix, sha256 recorded) and activate them. Idempotent."
    )

    def handle(self, *args, **options):
        from workers.ml.networks import load_checkpoint

        for kind, name in SHIPPED.items():
            path = settings.FUSQA_WEIGHTS_DIR / name
            if not path.is_file():
                raise CommandError(f"no shipped {kind} weights at {path}")
            sha = file_sha256(path)
            _, _, payload = load_checkpoint(path, kind=str(kind), train_command="manage.py train_" + str(kind))
            version = model_version_register(
                kind=kind,
                version=sha[:16],
                weights_file=name,
                metrics=_json_safe(payload.get("metrics", {})),
                source=AUDIT_SOURCE,
            )
            if version.status != ModelStatus.ACTIVE:
                version = model_version_activate(model_version=version, source=AUDIT_SOURCE)
            self.stdout.write(f"  {kind:<13} {version.version}  active  ({name})")


def _json_safe(metrics: dict) -> dict:
    return {k: v for k, v in metrics.items() if isinstance(v, str | int | float | bool) or v is None}
