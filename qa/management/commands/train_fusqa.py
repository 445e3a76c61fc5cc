import json
from pathlib import Path

from django.core.management.base import BaseCommand

from workers.ml.fusqa import DEFAULT_WEIGHTS


class Command(BaseCommand):
    help = (
        "Train the FUSQA classifier on hospital A candidates (graded degradations + the segmentation "
        "snapshots' real outputs), calibrated on held-out hospital A frames. --compare-architectures "
        "instead trains each architecture for the same budget and prints the comparison table."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", default=str(DEFAULT_WEIGHTS))
        parser.add_argument("--seconds", type=float, default=540.0, help="training budget (wall clock)")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--architecture", default="compact")
        parser.add_argument("--steps", type=int, default=1_000_000, help="step budget (the first of steps/seconds)")
        parser.add_argument("--lr", type=float, default=2e-3)
        parser.add_argument("--init-from", default=None, help="fine-tune from these FUSQA weights")
        parser.add_argument("--segmentation", default=None, help="final segmentation weights (default: shipped)")
        parser.add_argument("--snapshot-dir", default=None, help="default: var/checkpoints/segmentation")
        parser.add_argument("--cache-dir", default=None, help="phantom cache (default: var/cache)")
        parser.add_argument("--threads", type=int, default=2)
        parser.add_argument("--compare-architectures", action="store_true")
        parser.add_argument("--seconds-each", type=float, default=150.0)
        parser.add_argument("--table", default=None, help="with --compare-architectures: write the rows as JSON")
        parser.add_argument(
            "--skip-ood", action="store_true", help="leave the out-of-distribution statistics (refit_ood) for later"
        )

    def handle(self, *args, threads, compare_architectures, seconds_each, table, skip_ood, **opts):
        import torch

        from workers.ml.train import recipes

        torch.set_num_threads(threads)
        common = {
            "seed": opts["seed"], "segmentation_path": opts["segmentation"], "snapshot_dir": opts["snapshot_dir"],
            "cache_dir": opts["cache_dir"], "progress": lambda info: self.stderr.write(json.dumps(info, default=str)),
        }  # fmt: skip
        if compare_architectures:
            rows = recipes.compare_architectures(seconds_each=seconds_each, **common)
            if table:
                Path(table).write_text(json.dumps(rows, indent=2) + "\n")
            self.stdout.write(json.dumps(rows, indent=2))
            return
        metrics = recipes.run_fusqa(
            out=opts["out"], seconds=opts["seconds"], architecture=opts["architecture"], steps=opts["steps"],
            lr=opts["lr"], init_from=opts["init_from"], **common,
        )  # fmt: skip
        text = json.dumps(metrics, indent=2, default=str)
        # Beside the weights, as train_segmentation leaves segmentation_report.json: the model card reads it.
        Path(opts["out"]).with_name("fusqa_training.json").write_text(text + "\n")
        self.stdout.write(text)
        if not skip_ood:
            # New weights make the old OOD statistics stale (a side file made for other weights is ignored):
            # refit them on hospital A and measure the unknown rates (workers/ml/fusqa/refit_ood.py).
            from workers.ml.fusqa.refit_ood import REPORT, refit_and_measure

            report_path = Path(opts["out"]).with_name(REPORT.name)
            report = refit_and_measure(opts["out"], report_path=report_path)
            self.stdout.write(json.dumps({"ood": report["sets"], "threshold": report["threshold"]}, indent=2))
