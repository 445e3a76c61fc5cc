"""A fine-tuning run's parameters: the defaults, the ranges, and the one check every way in shares.

The API validates a request with `finetune_parameters` before anything is stored, and the worker
reads the same filled-in dictionary back from the run's row, so a run is reproduced from its row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

KINDS = ("fusqa", "segmentation")


class ParameterError(ValueError):
    """Bad parameters; `problems` maps each offending key to what is wrong with it."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{key}: {problem}" for key, problem in problems.items()))
        self.problems = problems


@dataclass(frozen=True)
class Spec:
    kind: type
    low: float | None = None
    high: float | None = None
    nullable: bool = False


SPECS: dict[str, Spec] = {
    "epochs": Spec(int, 1, 200),
    "lr": Spec(float, 1e-6, 1.0),
    "batch_size": Spec(int, 2, 256),
    "seed": Spec(int, 0, 2**31 - 1),
    "synthetic_base": Spec(int, 0, 5000),
    "synthetic_test": Spec(int, 0, 2000),
    "steps_per_epoch": Spec(int, 1, 100_000, nullable=True),
    "reference_candidates": Spec(bool),
}


def _defaults(*, lr: float) -> dict[str, Any]:
    """One kind's defaults: the kinds differ only in their learning rate."""
    return {
        "epochs": 5,
        "lr": lr,
        "batch_size": 16,
        "seed": 0,
        "synthetic_base": 120,
        "synthetic_test": 40,
        "steps_per_epoch": None,
        "reference_candidates": True,
    }


DEFAULTS: dict[str, dict[str, Any]] = {
    "fusqa": _defaults(lr=3e-4),
    "segmentation": _defaults(lr=5e-4),
}


def _checked(key: str, value: Any, spec: Spec) -> Any:
    if value is None:
        if spec.nullable:
            return None
        raise ValueError("may not be null")
    if spec.kind is bool:
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"must be a number, not {type(value).__name__}")
    if spec.kind is int:
        if isinstance(value, float) and not value.is_integer():
            raise ValueError("must be a whole number")
        value = int(value)
    else:
        value = float(value)
    if spec.low is not None and value < spec.low:
        raise ValueError(f"must be at least {spec.low:g}")
    if spec.high is not None and value > spec.high:
        raise ValueError(f"must be at most {spec.high:g}")
    return value


def finetune_parameters(kind: str, given: dict[str, Any] | None) -> dict[str, Any]:
    """The defaults of `kind` overridden by `given`, every value checked; raises ParameterError naming
    each unknown key and each bad value."""
    if kind not in KINDS:
        raise ParameterError({"kind": f"must be one of {', '.join(KINDS)}"})
    given = {} if given is None else given
    if not isinstance(given, dict):
        raise ParameterError({"parameters": "must be an object"})
    problems: dict[str, str] = {}
    out = dict(DEFAULTS[kind])
    for key, value in given.items():
        spec = SPECS.get(key)
        if spec is None:
            problems[key] = f"unknown parameter; known: {', '.join(SPECS)}"
            continue
        try:
            out[key] = _checked(key, value, spec)
        except ValueError as exc:
            problems[key] = str(exc)
    if problems:
        raise ParameterError(problems)
    return out
