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
