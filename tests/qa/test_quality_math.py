"""The dashboard's numbers: the Wilson interval of a rate, and the GA-discrepancy bins."""

import pytest

from qa.quality_math import GA_BIN_COUNT, ga_bin, ga_bin_bounds, wilson_interval


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
