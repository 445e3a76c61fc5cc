"""Render the numbers of docs/models.md and the model cards from the JSON reports in workers/weights/.

    .venv/bin/python scripts/render_model_docs.py          # rewrite the rendered blocks in place (make docs)
    .venv/bin/python scripts/render_model_docs.py --check  # exit 1 with a diff where a document is stale

The documents are their own templates: prose is written by hand, and every figure sits in a block

    <!-- rendered: NAME -->
    ... (whatever the renderer NAME below makes of the reports; never edit by hand)
    <!-- /rendered -->

so prose and numbers cannot drift apart: retrain, write the reports, run `make docs`, and the tables follow
(tests/docs/test_model_docs.py fails while a committed document differs from what this script renders).
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WEIGHTS = ROOT / "workers" / "weights"
DOCUMENTS = [ROOT / "docs" / "models.md", WEIGHTS / "MODEL_CARD_fusqa.md", WEIGHTS / "MODEL_CARD_segmentation.md"]
BLOCK = re.compile(r"(<!-- rendered: (?P<name>[a-z0-9_]+) -->\n)(?P<body>.*?)(<!-- /rendered -->)", re.DOTALL)

Reports = dict[str, object]


def load_reports(folder: Path = WEIGHTS) -> Reports:
    """Every JSON report beside the weights, by file stem (fusqa.ood.json, the statistics, excluded)."""
    return {
        p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json")) if not p.name.endswith(".ood.json")
    }


def _table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def segmentation_per_machine(r: Reports) -> str:
    rows = []
    for profile, m in r["segmentation_report"]["per_machine"].items():
        hospital, machine = profile.split("/")
        where = hospital if hospital == "hospital_a" else f"{hospital} (unseen)"
        rows.append(
            [
                machine,
                where,
                m["count"],
                f"{m['dice_mean']:.3f}",
                f"{m['dice_p10']:.3f}",
                f"{m['crl_abs_error_pct_median']:.2f}",
                f"{m['crl_abs_error_pct_mean']:.2f}",
                f"{m['ga_abs_error_days_mean']:.2f}",
            ]
        )
    header = ["machine", "hospital", "frames", "Dice mean", "Dice p10", "abs. CRL error median %"]
    return _table(header + ["abs. CRL error mean %", "abs. GA error mean d"], rows)


def segmentation_weak_per_machine(r: Reports) -> str:
    rows = [
        [
            profile,
            f"{m['dice_mean']:.3f}",
            f"{m['dice_p10']:.3f}",
            f"{m['crl_abs_error_pct_mean']:.2f}",
            f"{m['ga_abs_error_days_mean']:.2f}",
        ]
        for profile, m in r["segmentation_report"]["weak_per_machine"].items()
    ]
    return _table(["machine", "Dice mean", "Dice p10", "abs. CRL error mean %", "abs. GA error mean d"], rows)


def fusqa_architectures(r: Reports) -> str:
    rows = [
        [
            a["architecture"],
            f"{a['accuracy']:.3f}",
            f"{a['balanced_accuracy']:.3f}",
            f"{a['auc']:.4f}",
            f"{a['ece']:.3f}",
            f"{a['auc_mask_only']:.3f}",
            f"{a['latency_ms_batch1_torch']:.2f}",
            f"{a['parameters']:,}",
            f"{a['train_seconds']:.0f} ({a['train_steps']})",
        ]
        for a in r["fusqa_architectures"]
    ]
    header = ["architecture", "accuracy", "balanced acc.", "AUC", "ECE", "mask-only AUC"]
    header += ["latency ms (batch 1, torch, 128 px)", "parameters", "training s (steps)"]
    training = r["fusqa_training"]
    shipped = (
        f"Shipped: the {training['architecture']} network trained {training['seconds']:.0f} s "
        f"({training['steps']} steps).\n"
    )
    return _table(header, rows) + "\n" + shipped


def fusqa_unseen_metrics(r: Reports) -> str:
    e = r["fusqa_evaluation"]
    rows = [
        ["accuracy", f"{e['accuracy']:.3f}", "≥ 0.95"],
        ["balanced accuracy", f"{e['balanced_accuracy']:.3f}", ""],
        ["sensitivity for poor masks", f"{e['sensitivity_poor']:.3f}", ""],
        ["specificity for poor masks", f"{e['specificity_poor']:.3f}", ""],
        ["ROC AUC", f"{e['auc']:.4f}", "≥ 0.98"],
        ["expected calibration error (10 bins)", f"{e['ece']:.4f}", "≤ 0.05"],
        ["mask-only AUC (image channel zeroed)", f"{e['auc_mask_only']:.3f}", "well below the AUC"],
        ["labelled candidates (good / poor)", f"{e['count']} ({e['good']} / {e['poor']})", ""],
        ["dropped (between the thresholds)", f"{e['dropped_middle_band']} of {e['candidates']}", ""],
    ]
    return _table(["metric (unseen hospital B)", "value", "target"], rows)


def fusqa_heldout(r: Reports) -> str:
    """Item 6 of issue #10: both held-out hospitals side by side, with the targets."""
    e = r["fusqa_evaluation"]
    rows = []
    for name, m in (("hospital B", e), ("far: hospital C transvaginal", e["far_profile"])):
        outputs, ga = m["model_outputs"], m["ga_error"]
        rows.append(
            [
                name,
                m["count"],
                f"{m['accuracy']:.3f}",
                f"{m['auc']:.4f}",
                f"{m['ece']:.3f}",
                f"{m['sensitivity_poor']:.3f}",
                f"{outputs['sensitivity_poor']:.3f} ({outputs['poor']} poor)",
                f"{ga['called_good']['mae_vs_reported_days']:.2f} / {ga['called_poor']['mae_vs_reported_days']:.2f} d "
                f"(x{ga['ratio_poor_to_good_vs_reported_days']:.1f})",
            ]
        )
    rows.append(["target", "", "≥ 0.95", "≥ 0.98", "≤ 0.05", "", "≥ 0.90", "≤ 1.5 d, x ≥ 5"])
    note = f"\nCalled good at p(good) >= {e.get('threshold', 0.5):g} (the operating threshold, chosen on hospital A).\n"
    header = [
        "held-out test",
        "labelled",
        "accuracy",
        "AUC",
        "ECE",
        "poor-mask sensitivity",
        "on segmentation outputs alone",
        "GA MAE called good / poor vs reported GA",
    ]
    return _table(header, rows) + note


def fusqa_screen(r: Reports) -> str:
    """What assess() answers on the segmentation models' masks of each held-out hospital."""
    e = r["fusqa_evaluation"]
    rows = []
    for name, m in (("hospital B", e), ("far: hospital C transvaginal", e["far_profile"])):
        s = m.get("screen_model_outputs")
        if not s:
            continue
        pv, gv = s["poor_verdicts"], s["good_verdicts"]
        rows.append(
            [
                name,
                s["masks"],
                f"{s['poor']}: {pv['poor']} / {pv['unknown']} / {pv['good']}",
                f"**{s['caught']:.3f}**",
                f"{s['good']}: {gv['good']} / {gv['unknown']} / {gv['poor']}",
                f"{100 * s['unknown_share_of_good']:.1f} %",
            ]
        )
    header = [
        "held-out test (3 segmentation models)",
        "masks",
        "poor masks: called poor / unknown / good",
        "poor caught (poor or unknown)",
        "good masks: called good / unknown / poor",
        "good masks sent to experts as unknown",
    ]
    return _table(header, rows)


def reference_scan(r: Reports) -> str:
    """Issue #10 item 7: the shipped weights' answers on the real scan (scripts/judge_reference_scan.py)."""
    scan = r["reference_scan"]
    rows = [
        [
            name,
            f"{m['dice_with_expert']:.3f}",
            f"{m['p_good']:.3f}",
            f"**{m['verdict']}**",
            "; ".join(m["reasons"]) or "-",
            f"{m['ood_score']:.2f}" if m["ood_score"] is not None else "-",
        ]
        for name, m in scan["masks"].items()
    ]
    table = _table(["mask", "Dice with the expert's", "p(good)", "verdict", "reasons", "OOD score"], rows)
    sha = scan["weights_sha256"]
    return table + f"\nJudged with fusqa.pt `{sha['fusqa'][:12]}` and segmentation.pt `{sha['segmentation'][:12]}`.\n"


def fusqa_per_machine(r: Reports) -> str:
    rows = [
        [p, m["count"], f"{m['accuracy']:.3f}", f"{m['balanced_accuracy']:.3f}", f"{m['auc']:.4f}", f"{m['ece']:.3f}"]
        for p, m in r["fusqa_evaluation"]["per_machine"].items()
    ]
    return _table(["machine", "count", "accuracy", "balanced acc.", "AUC", "ECE"], rows)


def fusqa_per_kind(r: Reports) -> str:
    kinds = sorted(r["fusqa_evaluation"]["per_kind"].items(), key=lambda kv: (kv[1]["accuracy"], kv[0]))
    rows = [[k, v["count"], v["good"], v["poor"], v["dropped"], f"{v['accuracy']:.3f}"] for k, v in kinds]
    return _table(["kind", "labelled", "good", "poor", "dropped", "accuracy"], rows)


def _ga_table(first: str, g: dict) -> str:
    good, poor = g["called_good"], g["called_poor"]
    rows = [
        ["called good", good["count"], f"{good['mae_vs_reported_days']:.2f}", f"{good['mae_vs_reference_days']:.2f}"],
        ["called poor", poor["count"], f"{poor['mae_vs_reported_days']:.2f}", f"{poor['mae_vs_reference_days']:.2f}"],
        [
            "ratio poor / good",
            "",
            f"{g['ratio_poor_to_good_vs_reported_days']:.2f}",
            f"{g['ratio_poor_to_good_vs_reference_days']:.2f}",
        ],
        ["reference mask itself (calliper-noise floor)", "", f"{g['noise_floor_days']:.2f}", "0"],
    ]
    return _table([first, "masks", "MAE vs reported GA (d)", "MAE vs reference-mask GA (d)"], rows)


def fusqa_ga_error(r: Reports) -> str:
    return _ga_table("all test masks", r["fusqa_evaluation"]["ga_error"])


def fusqa_ga_error_model_outputs(r: Reports) -> str:
    return _ga_table("segmentation-model outputs only", r["fusqa_evaluation"]["ga_error_model_outputs"])


def fusqa_ga_summary(r: Reports) -> str:
    g = r["fusqa_evaluation"]["ga_error"]
    return (
        f"Against the **reported** GA (the sonographer's calliper measurement, section 2) no mask can do better than "
        f"the calliper noise: the reference masks themselves are {g['noise_floor_days']:.2f} days off on average. "
        f"The masks called good are {g['called_good']['mae_vs_reported_days']:.2f} days off and those called poor "
        f"{g['called_poor']['mae_vs_reported_days']:.2f} (ratio {g['ratio_poor_to_good_vs_reported_days']:.1f}). "
        "Against the reference mask's GA (the analogue of the paper's "
        f'"doctors\' GA") the masks called good are {g["called_good"]["mae_vs_reference_days"]:.2f} days off and those '
        f"called poor {g['called_poor']['mae_vs_reference_days']:.2f} days (ratio "
        f"{g['ratio_poor_to_good_vs_reference_days']:.1f}).\n"
    )


def fusqa_ood(r: Reports) -> str:
    o = r["fusqa_ood_report"]
    rows = [
        [
            name,
            s["pairs"],
            f"{100 * s['unknown']:.0f} %",
            f"{100 * s['unknown_by_ood']:.0f} %",
            f"{100 * s['good']:.0f} %",
            f"{100 * s['poor']:.0f} %",
            f"{s['ood_score_median']:.2f}",
        ]
        for name, s in o["sets"].items()
    ]
    header = ["frames (reference or segmentation masks)", "pairs", "unknown", "of which OOD", "good", "poor"]
    table = _table(header + ["median OOD score"], rows)
    return (
        f"Fitted on {o['fitted_on']['fit']}; threshold {o['threshold']:.3f} (the 99th percentile on "
        f"{o['fitted_on']['threshold']}).\n\n" + table
    )


def inference_table(r: Reports) -> str:
    b = r["inference_benchmark"]
    rows = []
    for backend, x in b["results"].items():
        stages = ", ".join(f"{k} {v:.1f}" for k, v in x["batch1_stages_ms"].items())
        ratio = f"{x['batch1_matmul_ratio']:.2f}" if "batch1_matmul_ratio" in x else "not measured"
        rows.append(
            [
                backend,
                f"{x['batch1_ms_median']:.1f}",
                f"{x['batch1_ms_p90']:.1f}",
                ratio,
                stages,
                f"{x['batch16_ms_per_frame']:.1f}",
                f"{x['batch16_fps']:.0f}",
            ]
        )
    header = ["back end", "batch 1 ms/frame (median)", "p90", "x 1024³ matmul", "stages (ms)", "batch 16 ms/frame"]
    matmul = f"{b['matmul_1024_ms']:.1f} ms" if "matmul_1024_ms" in b else "not measured in this report"
    shape = " x ".join(str(s) for s in b["frame_shape"])
    return (
        _table(header + ["batch 16 frames/s"], rows)
        + f"\nFrames {shape} (`{b['profile']}`), networks at {b['segmentation_input']} / {b['fusqa_input']} px, "
        f"{b['threads']} threads; the 1024³ float32 matmul (torch, same threads, same run): {matmul}.\n"
    )


def fusqa_training_summary(r: Reports) -> str:
    """What the shipped classifier was trained on and how it did on the hospital A validation split."""
    t = r["fusqa_training"]
    kinds = t["train_kinds"]
    model_outputs = sum(n for k, n in kinds.items() if k.startswith("seg_"))
    views = sum(n for k, n in kinds.items() if k.startswith("other_view"))
    return (
        f"Trained {t['seconds']:.0f} s ({t['steps']} steps, batch 32, seed {t['seed']}) on "
        f"{t['train_candidates']} labelled candidates ({100 * t['train_good_share']:.0f} % good), of which "
        f"{model_outputs} are segmentation models' masks and {views} masks on other views. Validation on held-out "
        f"hospital A ({t['calibration_candidates']} labelled candidates, after calibration T = {t['temperature']:.3f}, "
        f"b = {t['bias']:.3f}): accuracy {t['val_accuracy']:.3f}, balanced accuracy {t['val_balanced_accuracy']:.3f}, "
        f"AUC {t['val_auc']:.4f}, ECE {t['val_ece']:.3f}; mask-only AUC {t['val_auc_mask_only']:.3f}.\n"
        + _operating_point(t)
    )


def fusqa_label_decisions(r: Reports) -> str:
    e = r["fusqa_evaluation"]
    parts = []
    for name, m in (("hospital B", e), ("the far profile", e["far_profile"])):
        d = m["label_decisions"]
        parts.append(
            f"on {name}'s {d['candidates']} test candidates {d['ga_makes_poor']} are poor by GA alone and "
            f"{d['ga_blocks_good']} kept from good by it ({d['previous_rule_ga_makes_poor']} and "
            f"{d['previous_rule_ga_blocks_good']} under the previous CRL-based rule)"
        )
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + ".\n"


def fusqa_card_facts(r: Reports) -> str:
    t = r["fusqa_training"]
    return (
        f"Calibration: Platt scaling, p = sigmoid(logit / T + b), T = {t['temperature']:.3f}, b = {t['bias']:.3f}, "
        f"fitted by NLL on held-out hospital A candidates. Budget: {t['seconds']:.0f} s wall clock on 2 CPU cores "
        f"({t['steps']} steps), seed {t['seed']}.\n"
    )


def _operating_point(t: dict) -> str:
    op = t.get("operating_point")
    if not op:
        return "Called good at p(good) >= 0.5.\n"
    at, half = op["at_threshold"], op["at_0.5"]
    return (
        f"\nCalled good at p(good) >= **{op['threshold']:g}** (`workers/ml/fusqa/operating_point.py`: {op['rule']}, "
        f"{op['validation_candidates']} candidates): there accuracy {at['accuracy']:.3f}, poor-mask sensitivity on "
        f"model outputs {at['model_outputs_sensitivity_poor']:.3f}, "
        f"specificity {at['model_outputs_specificity_poor']:.3f}; "
        f"at 0.5 they were {half['accuracy']:.3f}, {half['model_outputs_sensitivity_poor']:.3f} and "
        f"{half['model_outputs_specificity_poor']:.3f}.\n"
    )


def segmentation_card_training(r: Reports) -> str:
    t = r["segmentation_report"]["train"]
    return (
        f"Trained {t['seconds']:.0f} s ({t['steps']} steps, seed {t['seed']}) on split `{t['split']}` "
        f"({t['frames']} frames); validation Dice {t['val_dice']:.3f} on {t['val_count']} frames.\n"
    )


RENDERERS: dict[str, Callable[[Reports], str]] = {
    f.__name__: f
    for f in (
        segmentation_per_machine,
        segmentation_weak_per_machine,
        fusqa_architectures,
        fusqa_unseen_metrics,
        fusqa_heldout,
        fusqa_per_machine,
        fusqa_per_kind,
        fusqa_ga_error,
        fusqa_ga_error_model_outputs,
        fusqa_ga_summary,
        fusqa_ood,
        fusqa_screen,
        fusqa_label_decisions,
        fusqa_training_summary,
        reference_scan,
        inference_table,
        fusqa_card_facts,
        segmentation_card_training,
    )
}


def render(text: str, reports: Reports) -> str:
    """`text` with every rendered block made afresh from `reports`; an unknown block name is an error."""

    def fill(match: re.Match) -> str:
        name = match["name"]
        if name not in RENDERERS:
            raise KeyError(f"no renderer for block {name!r}; known: {', '.join(sorted(RENDERERS))}")
        return match.group(1) + RENDERERS[name](reports) + match.group(4)

    return BLOCK.sub(fill, text)


def stale(documents=DOCUMENTS, reports: Reports | None = None) -> dict[Path, str]:
    """{document: unified diff} for every document whose blocks differ from what the reports render."""
    reports = load_reports() if reports is None else reports
    out = {}
    for path in documents:
        text = path.read_text()
        fresh = render(text, reports)
        if fresh != text:
            rel = path.relative_to(ROOT)
            diff = difflib.unified_diff(
                text.splitlines(True), fresh.splitlines(True), f"{rel} (committed)", f"{rel} (rendered)"
            )
            out[path] = "".join(diff)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 with a diff if a document is stale"
    )
    args = parser.parse_args(argv)
    reports = load_reports()
    diffs = stale(reports=reports)
    if args.check:
        for diff in diffs.values():
            sys.stdout.write(diff)
        return 1 if diffs else 0
    for path in diffs:
        path.write_text(render(path.read_text(), reports))
        print(f"rendered {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
