import shutil

from django.core.management.base import BaseCommand, CommandError

from qa.errors import FusqaError
from qa.services.training_sets import training_set_download, training_set_freeze


class Command(BaseCommand):
    help = (
        "Freeze every reviewed item into the next training-set version (as POST /api/training-sets/ does); "
        "--out PATH also writes a copy of the zip there (recorded as a download in the audit log)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", help="write a copy of the zip to this path")

    def handle(self, *args, out, **options):
        try:
            training_set = training_set_freeze(actor=None, source="command:freeze_training_set")
        except FusqaError as exc:
            raise CommandError(exc.message) from exc
        summary = training_set.summary
        self.stdout.write(
            f"training set v{training_set.version}: {training_set.items} items "
            f"(labels {summary['labels']}, splits {summary['splits']}), sha256 {training_set.sha256}"
        )
        if out:
            training_set_download(actor=None, training_set=training_set, source="command:freeze_training_set")
            with training_set.archive.open("rb") as source, open(out, "wb") as target:
                shutil.copyfileobj(source, target)
            self.stdout.write(f"written to {out}")
