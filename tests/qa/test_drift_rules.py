"""The drift rule (Bernoulli CUSUM on the poor rate) on synthetic daily series."""

import math
from datetime import date, timedelta

import numpy as np
import pytest

from qa.drift_rules import DayCount, baseline_rate, bernoulli_cusum_episodes, cusum_weights

DAY0 = date(2025, 1, 1)


def series(*stretches: tuple[int, int, int]) -> list[DayCount]:
    """(days, poor a day, frames a day) stretches, one after another from DAY0."""
    days, offset = [], 0
    for length, poor, frames in stretches:
        days += [DayCount(DAY0 + timedelta(days=offset + i), poor, frames) for i in range(length)]
        offset += length
    return days


def test_a_frame_weighs_the_log_likelihood_ratio_of_doubled_odds():
    w_poor, w_good = cusum_weights(0.05, 2.0)

    assert w_poor == pytest.approx(math.log(2) - math.log(1.05))
    assert w_good == pytest.approx(-math.log(1.05))


def test_a_step_from_5_to_10_percent_signals_on_the_eighth_day_and_dates_the_change():
    # 2 poor in 40 a day adds 2 x 0.6444 - 38 x 0.0488 < 0; 4 in 40 adds 0.8210 a day: 6 / 0.8210 = 7.3 days.
    days = series((60, 2, 40), (20, 4, 40))

    (episode,) = bernoulli_cusum_episodes(days, p0=0.05)

    assert episode.started_on == DAY0 + timedelta(days=60)
    assert episode.detected_on == DAY0 + timedelta(days=67)
    assert episode.ended_on is None
    assert (episode.poor, episode.judged) == (80, 800) and episode.poor_rate == pytest.approx(0.1)
    assert episode.statistic == pytest.approx(20 * (4 * math.log(2) - 40 * math.log(1.05)))


def test_an_episode_is_reported_once_however_long_it_lasts_and_ends_when_the_statistic_is_back_at_zero():
    # After 20 shifted days the statistic is 16.42; the baseline takes 0.5653 a day off: zero on the 30th day.
    days = series((60, 2, 40), (20, 4, 40), (100, 2, 40))

    (episode,) = bernoulli_cusum_episodes(days, p0=0.05)

    assert episode.ended_on == DAY0 + timedelta(days=80 + 29)
    assert episode.statistic == 0.0
    assert (episode.poor, episode.judged) == (80 + 29 * 2, 800 + 29 * 40)


def test_a_second_shift_after_the_first_ended_is_a_second_episode():
    days = series((60, 2, 40), (20, 4, 40), (100, 2, 40), (15, 5, 40))

    episodes = bernoulli_cusum_episodes(days, p0=0.05)

    assert [e.started_on for e in episodes] == [DAY0 + timedelta(days=60), DAY0 + timedelta(days=180)]
    assert episodes[1].ended_on is None


def test_a_rate_exactly_at_baseline_never_signals():
    assert bernoulli_cusum_episodes(series((3650, 2, 40)), p0=0.05) == []


def test_days_without_frames_change_nothing():
    with_gaps = [d for d in series((60, 2, 40), (20, 4, 40))] + [DayCount(DAY0 + timedelta(days=80), 0, 0)]

    assert bernoulli_cusum_episodes(with_gaps, p0=0.05) == bernoulli_cusum_episodes(with_gaps[:-1], p0=0.05)


def test_a_stable_rate_raises_the_stated_false_alarms_about_015_a_year_at_40_frames_a_day():
    rng = np.random.default_rng(2026)
    years, runs = 10, 60
    poor = rng.binomial(40, 0.05, size=(runs, 365 * years))
    days = [DAY0 + timedelta(days=i) for i in range(365 * years)]

    alarms = sum(
        len(bernoulli_cusum_episodes([DayCount(d, int(p), 40) for d, p in zip(days, row, strict=True)], p0=0.05))
        for row in poor
    )

    # qa.drift_rules states ~0.15 a year (2,000 simulated machine-years gave 0.155); 600 here.
    assert 0.10 <= alarms / (runs * years) <= 0.20


def test_the_baseline_is_never_exactly_zero_so_a_clean_reference_still_watches():
    assert baseline_rate(0, 998) == pytest.approx(1 / 1000)
    assert baseline_rate(180, 3600) == pytest.approx(181 / 3602)


def test_impossible_counts_and_parameters_are_refused():
    with pytest.raises(ValueError):
        bernoulli_cusum_episodes([DayCount(DAY0, 5, 4)], p0=0.05)
    with pytest.raises(ValueError):
        cusum_weights(0.0, 2.0)
    with pytest.raises(ValueError):
        cusum_weights(0.05, 1.0)
