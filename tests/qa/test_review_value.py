import pytest

from qa.review_value import (
    WEIGHT_GA_DISCORDANCE,
    WEIGHT_OPEN_ALERT,
    WEIGHT_RARE_MACHINE,
    WEIGHT_UNCERTAINTY,
    learning_value,
    needs_double_read,
)

CALM = {
    "p_good": 0.99,
    "assessment_label": "good",
    "threshold": 0.5,
    "crl_ga_days": 80.0,
    "reported_ga_days": 80.0,
    "in_open_alert": False,
    "machine_reviews": 10_000,
}


def test_the_weights_sum_to_one():
    assert WEIGHT_UNCERTAINTY + WEIGHT_GA_DISCORDANCE + WEIGHT_OPEN_ALERT + WEIGHT_RARE_MACHINE == pytest.approx(1)


def test_a_confident_concordant_item_of_a_well_known_machine_is_worth_almost_nothing():
    value = learning_value(**CALM)
    assert value.score == pytest.approx(0.4 * 0.02 + 0.1 / 501, abs=1e-6)
    assert value.reasons == [{"code": "unreviewed", "message": "not reviewed yet"}]


def test_p_good_at_the_threshold_is_the_most_uncertain():
    at = learning_value(**{**CALM, "p_good": 0.5}).score
    near = learning_value(**{**CALM, "p_good": 0.6}).score
    far = learning_value(**{**CALM, "p_good": 0.9}).score
    assert at > near > far
    assert at == pytest.approx(WEIGHT_UNCERTAINTY + WEIGHT_RARE_MACHINE / 501, abs=1e-6)


def test_uncertainty_is_measured_on_each_side_of_an_off_centre_threshold():
    # threshold 0.8: p = 0.4 is halfway to 0, p = 0.9 halfway to 1: equally uncertain.
    low = learning_value(**{**CALM, "threshold": 0.8, "p_good": 0.4}).score
    high = learning_value(**{**CALM, "threshold": 0.8, "p_good": 0.9}).score
    assert low == pytest.approx(high)


def test_an_unknown_assessment_counts_as_fully_uncertain():
    value = learning_value(**{**CALM, "assessment_label": "unknown", "p_good": 0.99})
    assert value.score == pytest.approx(WEIGHT_UNCERTAINTY + WEIGHT_RARE_MACHINE / 501, abs=1e-6)
    assert value.reasons[0]["code"] == "uncertain"


def test_ga_discordance_grows_with_the_gap_and_saturates_at_two_weeks():
    seven = learning_value(**{**CALM, "crl_ga_days": 87.0}).score
    fourteen = learning_value(**{**CALM, "crl_ga_days": 66.0}).score
    thirty = learning_value(**{**CALM, "crl_ga_days": 110.0}).score
    base = learning_value(**CALM).score
    assert seven - base == pytest.approx(WEIGHT_GA_DISCORDANCE / 2)
    assert fourteen - base == pytest.approx(WEIGHT_GA_DISCORDANCE)
    assert thirty == pytest.approx(fourteen)
    assert learning_value(**{**CALM, "crl_ga_days": 110.0}).reasons[0] == {
        "code": "ga_discordant",
        "message": "GA from the CRL is 30.0 days from the reported GA",
    }


def test_without_a_reported_ga_discordance_counts_nothing():
    assert learning_value(**{**CALM, "crl_ga_days": 120.0, "reported_ga_days": None}).score == pytest.approx(
        learning_value(**CALM).score
    )


def test_an_open_alert_adds_its_weight_and_its_reason():
    value = learning_value(**{**CALM, "in_open_alert": True})
    assert value.score - learning_value(**CALM).score == pytest.approx(WEIGHT_OPEN_ALERT)
    assert [reason["code"] for reason in value.reasons] == ["open_alert"]


def test_a_machine_without_reviews_is_rare_and_grows_common_with_them():
    unseen = learning_value(**{**CALM, "machine_reviews": 0})
    twenty = learning_value(**{**CALM, "machine_reviews": 20})
    assert unseen.score - twenty.score == pytest.approx(WEIGHT_RARE_MACHINE / 2)
    assert [reason["code"] for reason in unseen.reasons] == ["rare_machine"]


def test_reasons_come_strongest_first():
    value = learning_value(**{**CALM, "p_good": 0.5, "in_open_alert": True, "crl_ga_days": 110.0})
    assert [reason["code"] for reason in value.reasons] == ["uncertain", "ga_discordant", "open_alert"]


def test_double_reads_are_a_stable_share_of_frames():
    chosen = [frame_id for frame_id in range(1, 10_001) if needs_double_read(frame_id, 0.1)]
    assert 900 <= len(chosen) <= 1100
    assert chosen == [frame_id for frame_id in range(1, 10_001) if needs_double_read(frame_id, 0.1)]
    assert not any(needs_double_read(frame_id, 0.0) for frame_id in range(1, 100))
    assert all(needs_double_read(frame_id, 1.0) for frame_id in range(1, 100))
