"""The numbers the dashboard shows, as pure functions (no Django): a rate with its Wilson interval, and
the bins of the GA-discrepancy histogram. The frontend formats these; it never recomputes them."""

import math
from dataclasses import dataclass

# z for a two-sided 95 % interval.
Z_95 = 1.959963984540054

# GA discrepancy (CRL-derived GA minus reported GA), in days. Two-day bins because the FUSQA label calls a
# GA within 2 days of the expert's good; the outer bins are open, so every frame lands in one bin.
GA_BIN_EDGES: tuple[int, ...] = tuple(range(-14, 15, 2))
GA_BIN_COUNT = len(GA_BIN_EDGES) + 1


@dataclass(frozen=True)
class Rate:
    """`value` = successes / trials, with its 95 % Wilson score interval; all None when there are no trials."""

    value: float | None
    low: float | None
    high: float | None


def wilson_interval(successes: int, trials: int, *, z: float = Z_95) -> Rate:
    """The proportion and its Wilson score interval (Wilson 1927). Unlike the normal approximation it stays
    inside [0, 1] and stays wide for a small sample, so three poor masks out of five do not shout 60 %."""
    if trials <= 0:
        return Rate(None, None, None)
    if not 0 <= successes <= trials:
        raise ValueError(f"successes ({successes}) must lie between 0 and trials ({trials})")
    p = successes / trials
    z2 = z * z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    # At p = 0 or 1 the bound is exactly 0 or 1 in exact arithmetic; floating point misses it by an ulp.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return Rate(p, low, high)


def ga_bin(discrepancy_days: float) -> int:
    """Index of the histogram bin of a GA discrepancy: bin 0 is (-inf, -14), bin i is [edge[i-1], edge[i]),
    the last is [14, inf)."""
    index = 0
    for edge in GA_BIN_EDGES:
        if discrepancy_days < edge:
            return index
        index += 1
    return index


def ga_bin_bounds() -> list[tuple[int | None, int | None]]:
    """(low, high) of every bin, None for the open ends."""
    lows: list[int | None] = [None, *GA_BIN_EDGES]
    highs: list[int | None] = [*GA_BIN_EDGES, None]
    return list(zip(lows, highs, strict=True))


@dataclass(frozen=True)
class Reliability:
    """How often masks scored like this one were good when the model was evaluated: of `count` test masks
    with p(good) in [p_low, p_high), a share `good_rate` was good, with its 95 % Wilson interval."""

    p_low: float
    p_high: float
    count: int
    good_rate: float
    good_rate_low: float
    good_rate_high: float


def p_good_reliability(p_good: float, bins: list[dict]) -> Reliability | None:
    """The reliability bin (`{"low", "high", "count", "good_rate"}`, as the evaluation writes them) holding
    p_good, with a Wilson interval on its observed good rate; None without bins or for an empty bin. The last
    bin holds 1.0. This is what a calibrated p(good) is worth: a 0.999 means "of the test masks scored this high,
    about this share was good", and that share has an uncertainty from the number of masks behind it."""
    for index, one in enumerate(bins):
        last = index == len(bins) - 1
        if one["low"] <= p_good < one["high"] or (last and p_good == one["high"]):
            count = int(one["count"])
            if count <= 0:
                return None
            good = min(count, max(0, round(one["good_rate"] * count)))
            rate = wilson_interval(good, count)
            return Reliability(one["low"], one["high"], count, good / count, rate.low, rate.high)
    return None


@dataclass(frozen=True)
class Dating:
    fit: bool
    reason: str | None


def ga_dating_fitness(label: str | None, in_formula_range: bool | None) -> Dating:
    """Whether a frame's CRL-derived GA may be used to date the pregnancy: only from a mask FUSQA judged good,
    with a CRL inside the formula's range."""
    if label == "poor":
        return Dating(False, "FUSQA judged the mask poor: its CRL, and so this GA, may be wrong.")
    if label == "unknown":
        return Dating(False, "FUSQA could not judge the mask (unusual image or implausible mask).")
    if label is None:
        return Dating(False, "The mask has not been assessed yet.")
    if in_formula_range is False:
        return Dating(False, "The CRL lies outside the range the GA formula was made for.")
    return Dating(True, None)
