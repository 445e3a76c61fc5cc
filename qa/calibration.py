"""Where a FUSQA model's reliability table (its evaluation's calibration bins) comes from, for
qa.quality_math.p_good_reliability: the model version's own metrics when they hold one ("reliability"), else the
shipped evaluation (FUSQA_WEIGHTS_DIR/fusqa_evaluation.json) when the version is exactly the shipped weights
(same sha256). Another model without its own table gets none: no number is better than another model's."""

import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from qa.models import ModelVersion
from qa.services.model_registry import file_sha256


@lru_cache(maxsize=4)
def _shipped(weights: Path, evaluation: Path, _stamp: tuple) -> tuple[str, list[dict]] | None:
    if not weights.is_file() or not evaluation.is_file():
        return None
    bins = json.loads(evaluation.read_text()).get("reliability")
    return (file_sha256(weights), bins) if isinstance(bins, list) else None


def reliability_bins(model_version: ModelVersion | None) -> list[dict] | None:
    if model_version is None:
        return None
    own = (model_version.metrics or {}).get("reliability")
    if isinstance(own, list):
        return own
    weights = Path(settings.FUSQA_WEIGHTS_DIR) / "fusqa.pt"
    evaluation = Path(settings.FUSQA_WEIGHTS_DIR) / "fusqa_evaluation.json"
    stamp = tuple(p.stat().st_mtime_ns if p.is_file() else 0 for p in (weights, evaluation))
    shipped = _shipped(weights, evaluation, stamp)
    if shipped is None or shipped[0] != model_version.sha256:
        return None
    return shipped[1]
