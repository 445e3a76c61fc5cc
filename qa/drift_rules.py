"""The drift rule, as a pure function (no Django): a Bernoulli CUSUM on the poor rate, fed daily counts.

Why a CUSUM and not a p-chart. A p-chart looks at one day at a time: with 40 frames a day and a 5 % baseline
its 3-sigma upper limit sits at 15 %, so a machine whose poor rate doubles to 10 % is flagged on a given day
with probability about 0.1, and the limit moves with every day's volume. The CUSUM accumulates the evidence
of every frame since the rate left its baseline (a log-likelihood ratio of "odds x R" against "baseline"),
is the optimal detector for exactly that step change (Moustakides 1986), handles any daily volume without
new limits, and estimates when the change began (the last day the statistic stood at zero).

Steiner et al. (2000) form, with odds ratio R (`shift_ratio`): a poor frame adds ln R - ln(1 - p0 + R p0),
a good one adds -ln(1 - p0 + R p0); the statistic never drops below zero, and the rule signals when it
reaches h. An episode lasts from the signal until the statistic falls back to zero, and is reported once.

False alarms: see `DEFAULT_THRESHOLD` below and tests/qa/test_drift_rules.py, which checks the rate on
simulated stable series.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

# h = 6 with R = 2 and a 5 % baseline, on daily counts of 40 frames (simulated; tests/qa/test_drift_rules.py
# checks it): one false alarm per ~2,400 days, i.e. per ~97,000 frames. The rate per frame hardly depends on
# the volume, so a year's false alarms per watched series are about frames-a-year / 97,000: 0.15 for a
# machine at 40 frames a day, 0.45 for a hospital of three such machines (its own series), ~0.9 for that
# hospital's four series together. A doubling of the odds (5 % -> 9.5 %) is found in ~9 days at 40 a day.
DEFAULT_THRESHOLD = 6.0
DEFAULT_SHIFT_RATIO = 2.0


@dataclass(frozen=True)
class DayCount:
    day: date
    poor: int
    judged: int  # good + poor; unknown verdicts say nothing about the poor rate


@dataclass(frozen=True)
class Episode:
    started_on: date  # the first day after the statistic last stood at zero: the estimated change point
    detected_on: date  # the day the statistic reached the threshold
    ended_on: date | None  # the day it fell back to zero; None while the episode lasts
    statistic: float  # at the episode's end, or at the last day given
    poor: int  # from started_on to the last day above zero
    judged: int

    @property
    def poor_rate(self) -> float:
        return self.poor / self.judged if self.judged else 0.0


def baseline_rate(poor: int, judged: int) -> float:
    """The reference period's poor rate, (poor + 1) / (judged + 2): never exactly 0 or 1, which would
    make the log-likelihood ratio infinite, and within 1/judged of the plain ratio."""
    return (poor + 1) / (judged + 2)


def cusum_weights(p0: float, shift_ratio: float) -> tuple[float, float]:
    """What one poor and one good frame add to the statistic."""
    if not 0 < p0 < 1:
        raise ValueError(f"the baseline rate must lie strictly between 0 and 1, not {p0}")
    if shift_ratio <= 1:
        raise ValueError(f"the shift ratio must exceed 1, not {shift_ratio}")
    log_normaliser = math.log(1 - p0 + shift_ratio * p0)
    return math.log(shift_ratio) - log_normaliser, -log_normaliser


def bernoulli_cusum_episodes(
    days: Iterable[DayCount],
    *,
    p0: float,
    shift_ratio: float = DEFAULT_SHIFT_RATIO,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Episode]:
    """Every episode in the series (days in order; a day without frames may be left out)."""
    w_poor, w_good = cusum_weights(p0, shift_ratio)
    statistic = 0.0
    run_start: date | None = None  # first day of the current stretch above zero
    run_poor = run_judged = 0
    open_episode: dict | None = None
    episodes: list[Episode] = []
    for count in days:
        if count.judged == 0:
            continue
        if not 0 <= count.poor <= count.judged:
            raise ValueError(f"{count.day}: poor ({count.poor}) must lie between 0 and judged ({count.judged})")
        statistic = max(0.0, statistic + count.poor * w_poor + (count.judged - count.poor) * w_good)
        if statistic == 0.0:
            if open_episode is not None:
                episodes.append(Episode(**open_episode, ended_on=count.day, statistic=0.0))
                open_episode = None
            run_start, run_poor, run_judged = None, 0, 0
            continue
        if run_start is None:
            run_start = count.day
        run_poor += count.poor
        run_judged += count.judged
        if open_episode is None and statistic >= threshold:
            open_episode = {"started_on": run_start, "detected_on": count.day}
        if open_episode is not None:
            open_episode.update(poor=run_poor, judged=run_judged)
    if open_episode is not None:
        episodes.append(Episode(**open_episode, ended_on=None, statistic=statistic))
    return episodes
