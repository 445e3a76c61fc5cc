from pathlib import Path

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Evaluate the shipped FUSQA classifier on the unseen hospital (B): accuracy, balanced accuracy, "
        "sensitivity / specificity for poor masks, AUC, ECE, per-damage accuracy, mask-only AUC, GA error "
        "of masks called good / poor."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the whole report as JSON")
        parser.add_argument("--fusqa", default=None, help="classifier weights (default: shipped)")
        parser.add_argument("--segmentation", default=None, help="segmentation weights (default: shipped)")
        parser.add_argument("--cache-dir", default=None, help="phantom cache (default: var/cache)")
        parser.add_argument("--diagram", default=None, help="write the reliability diagram PNG here")
        parser.add_argument("--report", default=None, help="also write the JSON report to this file")
        parser.add_argument("--threads", type=int, default=2)

    def handle(self, *args, json: bool, fusqa, segmentation, cache_dir, diagram, report, threads, **options):
        import json as json_lib

        import torch

        from workers.ml.train.recipes import evaluate_fusqa

        torch.set_num_threads(threads)
        result = evaluate_fusqa(
            fusqa_path=fusqa, segmentation_path=segmentation, cache_dir=cache_dir, diagram=diagram,
            progress=lambda info: self.stderr.write(json_lib.dumps(info)),
        )  # fmt: skip
        text = json_lib.dumps(result, indent=2, default=str)
        if report:
            Path(report).write_text(text + "\n")
        if json:
            self.stdout.write(text)
            return
        keys = ("accuracy", "balanced_accuracy", "sensitivity_poor", "specificity_poor", "auc", "ece", "auc_mask_only")
        for key in keys:
            self.stdout.write(f"{key:>20}: {result[key]:.4f}")
        self.stdout.write(f"{'count':>20}: {result['count']} (dropped middle band: {result['dropped_middle_band']})")
        ga = result["ga_error"]
        self.stdout.write(
            f"GA MAE vs reported: called good {ga['called_good']['mae_vs_reported_days']:.2f} d, "
            f"called poor {ga['called_poor']['mae_vs_reported_days']:.2f} d"
        )
