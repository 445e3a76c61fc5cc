"""The dashboard's numbers: the Wilson interval of a rate, and the GA-discrepancy bins."""

import pytest

from qa.quality_math import GA_BIN_COUNT, ga_bin, ga_bin_bounds, ga_dating_fitness, p_good_reliability, wilson_interval


def test_the_wilson_interval_of_3_in_10_is_the_textbook_one():
    rate = wilson_interval(3, 10)

    assert rate.value == pytest.approx(0.3)
    assert rate.low == pytest.approx(0.10779, abs=1e-5)
    assert rate.high == pytest.approx(0.60322, abs=1e-5)


def test_none_or_all_in_a_small_sample_still_give_a_wide_interval_inside_0_1():
    none, every = wilson_interval(0, 10), wilson_interval(10, 10)

    assert (none.value, none.low) == (0.0, 0.0) and none.high == pytest.approx(0.27753, abs=1e-5)
    assert (every.value, every.high) == (1.0, 1.0) and every.low == pytest.approx(0.72247, abs=1e-5)


def test_a_rate_without_trials_has_no_value_and_no_bounds():
    assert tuple(vars(wilson_interval(0, 0)).values()) == (None, None, None)


def test_more_successes_than_trials_is_refused():
    with pytest.raises(ValueError):
        wilson_interval(11, 10)


@pytest.mark.parametrize(
    ("days", "index"),
    [(-30.0, 0), (-14.0, 1), (-13.9, 1), (-3.0, 6), (-0.5, 7), (0.0, 8), (1.5, 8), (4.0, 10), (13.99, 14), (14, 15)],
)
def test_a_discrepancy_lands_in_its_two_day_bin_with_open_outer_bins(days, index):
    assert ga_bin(days) == index


def test_the_bins_run_from_open_below_minus_14_to_open_above_14_days():
    bounds = ga_bin_bounds()

    assert len(bounds) == GA_BIN_COUNT == 16
    assert bounds[0] == (None, -14) and bounds[8] == (0, 2) and bounds[-1] == (14, None)


BINS = [
    {"low": 0.0, "high": 0.5, "count": 100, "mean_p": 0.1, "good_rate": 0.1},
    {"low": 0.5, "high": 0.9, "count": 0, "mean_p": 0.0, "good_rate": 0.0},
    {"low": 0.9, "high": 1.0, "count": 400, "mean_p": 0.99, "good_rate": 0.995},
]


def test_a_p_good_is_worth_the_good_rate_of_its_reliability_bin_with_a_wilson_interval():
    found = p_good_reliability(0.999, BINS)

    assert (found.p_low, found.p_high, found.count, found.good_rate) == (0.9, 1.0, 400, 398 / 400)
    assert found.good_rate_low == pytest.approx(wilson_interval(398, 400).low)
    assert found.good_rate_high == pytest.approx(wilson_interval(398, 400).high)
    assert found.good_rate_high < 1.0


def test_a_p_good_of_one_falls_in_the_last_bin_and_an_empty_bin_or_no_bins_say_nothing():
    assert p_good_reliability(1.0, BINS).p_low == 0.9
    assert p_good_reliability(0.7, BINS) is None
    assert p_good_reliability(0.7, []) is None


@pytest.mark.parametrize(
    ("label", "in_range", "fit", "reason_starts"),
    [
        ("good", True, True, None),
        ("good", False, False, "The CRL lies outside"),
        ("poor", True, False, "FUSQA judged the mask poor"),
        ("unknown", True, False, "FUSQA could not judge"),
        (None, None, False, "The mask has not been assessed"),
    ],
)
def test_only_a_good_masks_ga_in_the_formulas_range_is_fit_for_dating(label, in_range, fit, reason_starts):
    dating = ga_dating_fitness(label, in_range)

    assert dating.fit is fit
    if reason_starts is None:
        assert dating.reason is None
    else:
        assert dating.reason.startswith(reason_starts)
