"""How far experts agree, and how fast they work: the numbers behind the expert statistics page.

Plain Python (no Django), so each rule is tested on worked examples of its own:

- Cohen's kappa on verdicts: (p_o - p_e) / (1 - p_e), where p_o is the share of items both raters
  called the same and p_e the share expected by chance from each rater's own category frequencies
  (Cohen 1960). 1 is perfect agreement, 0 what chance gives, below 0 worse than chance. When chance
  alone already gives perfect agreement (both raters used one and the same category throughout), kappa
  is undefined and reported as None; so is kappa over no items.
- Active time: an expert's reviews in time order; the gap before a review counts as work when it is at
  most `idle_after_s` (default 5 minutes), else the expert was away and only that review's own
  `seconds_spent` counts. Items per hour = reviews / active hours.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime

IDLE_AFTER_SECONDS = 300.0


def cohen_kappa(pairs: Iterable[tuple[str, str]]) -> float | None:
    """Cohen's kappa of two raters over items, each item a (first rater's category, second's)."""
    pairs = list(pairs)
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(1 for a, b in pairs if a == b) / n
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    expected = sum(first[c] * second[c] for c in first.keys() | second.keys()) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def active_seconds(reviews: Sequence[tuple[datetime, float]], *, idle_after_s: float = IDLE_AFTER_SECONDS) -> float:
    """Seconds an expert was at work over their reviews, each a (submitted at, seconds_spent)."""
    total = 0.0
    previous: datetime | None = None
    for at, spent in sorted(reviews, key=lambda r: r[0]):
        gap = (at - previous).total_seconds() if previous is not None else None
        total += gap if gap is not None and 0 <= gap <= idle_after_s else max(spent, 0.0)
        previous = at
    return total


def items_per_hour(count: int, seconds: float) -> float | None:
    return None if count == 0 or seconds <= 0 else count * 3600.0 / seconds


def median_or_none(values: Iterable[float]) -> float | None:
    values = list(values)
    return statistics.median(values) if values else None


def mean_or_none(values: Iterable[float]) -> float | None:
    values = list(values)
    return statistics.fmean(values) if values else None
