import json

from django.core.management.base import BaseCommand

from workers.ml.segmentation import DEFAULT_WEIGHTS


class Command(BaseCommand):
    help = (
        "Train the segmentation UNet on hospital A phantoms (seeded), with snapshots for FUSQA training; "
        "prints progress on stderr and the per-machine report (Dice, CRL and GA error) as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", default=str(DEFAULT_WEIGHTS))
        parser.add_argument("--seconds", type=float, default=600.0, help="training budget (wall clock)")
        parser.add_argument("--weak-seconds", type=float, default=45.0, help="budget of the deliberately weak model")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--frames", type=int, default=None, help="training frames (default: the whole split)")
        parser.add_argument("--cache-dir", default=None, help="phantom cache (default: var/cache)")
        parser.add_argument("--snapshot-dir", default=None, help="default: var/checkpoints/segmentation")
        parser.add_argument("--threads", type=int, default=2)

    def handle(self, *args, out, seconds, weak_seconds, seed, frames, cache_dir, snapshot_dir, threads, **options):
        import torch

        from workers.ml.train.recipes import run_segmentation

        torch.set_num_threads(threads)
        report = run_segmentation(
            out=out, seconds=seconds, weak_seconds=weak_seconds, seed=seed, frames=frames, cache_dir=cache_dir,
            snapshot_dir=snapshot_dir, progress=lambda info: self.stderr.write(json.dumps(info)),
        )  # fmt: skip
        self.stdout.write(json.dumps(report, indent=2, default=str))
