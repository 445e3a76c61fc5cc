"""qa.agreement: Cohen's kappa on worked examples, active time and throughput."""

from datetime import UTC, datetime, timedelta

import pytest

from qa.agreement import active_seconds, cohen_kappa, items_per_hour, median_or_none


def pairs_from_table(table: dict[tuple[str, str], int]) -> list[tuple[str, str]]:
    return [pair for pair, count in table.items() for _ in range(count)]


def test_kappa_of_the_textbook_yes_no_example_is_0_4():
    # 50 items: both yes 20, A yes B no 5, A no B yes 10, both no 15 (Wikipedia's worked example).
    pairs = pairs_from_table({("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15})
    assert cohen_kappa(pairs) == pytest.approx(0.4)


def test_kappa_of_three_categories_matches_a_hand_computation():
    # 80 items. p_o = (25+20+10)/80 = 0.6875; margins A 35/25/20, B 33/35/12;
    # p_e = (35*33 + 25*35 + 20*12)/80^2 = 0.3546875; kappa = (0.6875 - p_e)/(1 - p_e) = 0.515738...
    table = {
        ("good", "good"): 25, ("good", "poor"): 8, ("good", "unusable"): 2,
        ("poor", "good"): 5, ("poor", "poor"): 20,
        ("unusable", "good"): 3, ("unusable", "poor"): 7, ("unusable", "unusable"): 10,
    }  # fmt: skip
    assert cohen_kappa(pairs_from_table(table)) == pytest.approx(0.5157385, abs=1e-6)


def test_perfect_agreement_is_1_and_systematic_disagreement_is_negative():
    assert cohen_kappa([("good", "good"), ("poor", "poor")] * 5) == pytest.approx(1.0)
    assert cohen_kappa([("good", "poor"), ("poor", "good")] * 5) == pytest.approx(-1.0)


def test_kappa_is_undefined_without_items_or_without_any_variety():
    assert cohen_kappa([]) is None
    assert cohen_kappa([("good", "good")] * 4) is None


def test_active_time_counts_gaps_up_to_five_minutes_and_each_reviews_own_time_after_a_break():
    start = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    reviews = [
        (start, 40.0),  # first of a session: its own 40 s
        (start + timedelta(seconds=60), 50.0),  # 60 s gap
        (start + timedelta(seconds=150), 80.0),  # 90 s gap
        (start + timedelta(hours=2), 30.0),  # back from lunch: its own 30 s
    ]
    assert active_seconds(reviews) == pytest.approx(40 + 60 + 90 + 30)
    assert items_per_hour(4, 220.0) == pytest.approx(4 * 3600 / 220)


def test_throughput_and_median_are_none_without_reviews():
    assert items_per_hour(0, 0.0) is None
    assert median_or_none([]) is None
    assert median_or_none([30.0, 10.0, 20.0]) == 20.0
