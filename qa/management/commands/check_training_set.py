import hashlib
import zipfile
from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from workers.ml.train.training_set import MANIFEST, TrainingSetError, read_manifest, read_training_set


class Command(BaseCommand):
    help = (
        "Open a training-set zip and check it against its manifest: every named file present and matching its "
        "sha256 (through workers.ml.train.training_set, the reader retraining uses), no file the manifest does "
        "not name, and the images the sizes of their masks. Prints counts per label and split."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            records = read_manifest(path)
            items = read_training_set(path, include_excluded=True)
        except (TrainingSetError, OSError, zipfile.BadZipFile, KeyError) as exc:
            raise CommandError(f"{path} is not a valid training set: {exc}") from exc
        named = {MANIFEST}
        for record in records:
            named |= {record["frame"]["path"], record["mask"]["path"], *(c["path"] for c in record["corrections"])}
        with zipfile.ZipFile(path) as archive:
            extra = set(archive.namelist()) - named
        if extra:
            raise CommandError(f"{path} holds files its manifest does not name: {', '.join(sorted(extra)[:5])}")
        for item in items:
            shapes = {item.image.shape, item.mask.shape, *(c.shape for c in item.corrections)}
            if len(shapes) != 1:
                raise CommandError(f"frame {item.record['frame_id']}: image and masks differ in size {shapes}")
        with open(path, "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        labels = dict(Counter(item.label for item in items))
        splits = dict(Counter(item.split for item in items))
        files = len(named) - 1
        self.stdout.write(
            f"OK {path}: {len(items)} items, {files} files checked against their sha256; "
            f"labels {labels}; splits {splits}; corrections {sum(len(i.corrections) for i in items)}; "
            f"zip sha256 {digest}"
        )
