"""The gate between a candidate and the live model: per hospital, no metric may get worse than the margin.

A run stores its evaluation on the candidate (candidate and baseline, the version it was fine-tuned from,
on the same held-out cases: workers.ml.train.held_out). Which differences are regressions is decided here,
when asked, with the margins of the settings (FUSQA_GATE_MARGIN for rates and ECE,
FUSQA_GATE_GA_MARGIN_DAYS for GA errors). Activation goes through `model_version_activate_gated`: a
candidate with a regression, without an evaluation, or evaluated against a version no longer active needs
a written reason; a retired version (one that was live before) is the rollback and needs none.
"""

from django.conf import settings
from django.utils import timezone

from qa.errors import FusqaError
from qa.models import ModelStatus, ModelVersion, User
from qa.services.model_registry import model_version_activate
from workers.ml.train.held_out import metric_names

HIGHER_IS_BETTER = frozenset({"accuracy", "auc", "sensitivity_poor", "dice"})
LOWER_IS_BETTER_RATE = frozenset({"ece"})
LOWER_IS_BETTER_DAYS = frozenset({"ga_error_good_days", "ga_error_days"})


class GateRefused(FusqaError):
    status_code = 409
    code = "gate_refused"


class GateUnknown(FusqaError):
    status_code = 409
    code = "gate_unknown"


def _ref(model_version: ModelVersion | None) -> dict | None:
    if model_version is None:
        return None
    return {"id": model_version.id, "kind": model_version.kind, "version": model_version.version}


def evaluation_build(*, kind: str, comparison: list[dict], baseline: ModelVersion | None) -> dict:
    """What a run stores on its candidate: the rows of workers.ml.train.held_out.compare_on_held_out."""
    return {
        "baseline": _ref(baseline),
        "evaluated_at": timezone.now().isoformat(),
        "metrics": list(metric_names(kind)),
        "hospitals": comparison,
    }


def gate_regressions(evaluation: dict, *, margin: float, ga_margin_days: float) -> list[dict]:
    """[{hospital, metric, candidate, baseline, by}] for every metric of every hospital that is worse in
    the candidate by more than its margin; a metric either side could not give (null) is not compared."""
    found = []
    for row in evaluation.get("hospitals", []):
        candidate, baseline = row.get("candidate") or {}, row.get("baseline") or {}
        for metric in evaluation.get("metrics", []):
            new, old = candidate.get(metric), baseline.get(metric)
            if new is None or old is None:
                continue
            if metric in HIGHER_IS_BETTER:
                worse_by, allowed = old - new, margin
            elif metric in LOWER_IS_BETTER_RATE:
                worse_by, allowed = new - old, margin
            elif metric in LOWER_IS_BETTER_DAYS:
                worse_by, allowed = new - old, ga_margin_days
            else:
                continue
            if worse_by > allowed + 1e-12:
                found.append(
                    {"hospital": row["hospital"], "metric": metric, "candidate": new, "baseline": old, "by": worse_by}
                )
    return found


def model_version_gate(*, model_version: ModelVersion) -> dict:
    """The evaluation as the API shows it: candidate and baseline side by side per hospital, each row's
    regressions marked, and whether the gate lets the candidate through without a reason."""
    evaluation = model_version.evaluation or {}
    regressions = gate_regressions(
        evaluation, margin=settings.FUSQA_GATE_MARGIN, ga_margin_days=settings.FUSQA_GATE_GA_MARGIN_DAYS
    )
    active = ModelVersion.objects.filter(kind=model_version.kind, status=ModelStatus.ACTIVE).first()
    baseline = evaluation.get("baseline")
    baseline_is_active = bool(evaluation) and (baseline or {}).get("id") == (active.id if active else None)
    hospitals = [
        {**row, "regressions": [r for r in regressions if r["hospital"] == row["hospital"]]}
        for row in evaluation.get("hospitals", [])
    ]
    return {
        "candidate": _ref(model_version),
        "baseline": baseline,
        "active": _ref(active),
        "baseline_is_active": baseline_is_active,
        "evaluated_at": evaluation.get("evaluated_at"),
        "margin": {"rate": settings.FUSQA_GATE_MARGIN, "ga_days": settings.FUSQA_GATE_GA_MARGIN_DAYS},
        "metrics": evaluation.get("metrics", []),
        "hospitals": hospitals,
        "regressions": regressions,
        "allowed": bool(evaluation) and baseline_is_active and not regressions,
    }


def _describe(regressions: list[dict]) -> str:
    by_hospital: dict[str, list[str]] = {}
    for r in regressions:
        by_hospital.setdefault(r["hospital"], []).append(f"{r['metric']} {r['baseline']:.3f} → {r['candidate']:.3f}")
    return ", ".join(f"{hospital} ({'; '.join(items)})" for hospital, items in by_hospital.items())


def model_version_activate_gated(
    *, model_version: ModelVersion, reason: str = "", actor: User | None, source: str = ""
) -> ModelVersion:
    """Activate through the gate (see the module docstring); the verdict and any reason go to the audit log."""
    reason = (reason or "").strip()
    if model_version.status == ModelStatus.ACTIVE:
        return model_version
    if model_version.status == ModelStatus.RETIRED:
        return model_version_activate(
            model_version=model_version, actor=actor, source=source, detail={"reason": reason} if reason else None
        )
    gate = model_version_gate(model_version=model_version)
    if gate["regressions"] and not reason:
        hospitals = list(dict.fromkeys(r["hospital"] for r in gate["regressions"]))
        raise GateRefused(
            f"{model_version.version} would regress beyond the margin at {_describe(gate['regressions'])}; "
            "give a reason to override",
            details={"hospitals": hospitals, "regressions": gate["regressions"]},
        )
    if not gate["allowed"] and not gate["regressions"] and not reason:
        why = (
            "has no evaluation"
            if not gate["evaluated_at"]
            else f"was evaluated against {(gate['baseline'] or {}).get('version')}, no longer the active version"
        )
        raise GateUnknown(f"{model_version.version} {why}; give a reason to activate it anyway", details={"gate": why})
    detail = {
        "gate": {"allowed": gate["allowed"], "regressions": gate["regressions"]},
        "override": not gate["allowed"],
    }
    if reason:
        detail["reason"] = reason
    return model_version_activate(model_version=model_version, actor=actor, source=source, detail=detail)
