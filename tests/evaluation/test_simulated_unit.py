"""Acceptance: on a simulated unit with a known true effect, the difference in differences
recovers it where the naive before/after count overstates it (regression to the mean)."""

from highharm.evaluation.engine import EvaluationParams, evaluate
from highharm.evaluation.simulate import simulate_unit


def run(unit):
    return evaluate(
        cohort=unit.cohort,
        comparison=unit.comparison,
        incidents=unit.incidents,
        catalogue=unit.catalogue,
        params=EvaluationParams(as_of=unit.as_of, bootstrap=1000, seed=5),
    )


def test_it_recovers_the_true_effect_where_the_naive_count_does_not():
    # 30% fewer offences under management, 10% natural decline for everyone,
    # both groups chosen for having at least 4 offences in the year before.
    unit = simulate_unit(seed=0, population=20_000, effect=0.7, natural_decline=0.9)
    result = run(unit)
    truth = unit.truth["did_offences"]
    assert truth < 0

    lo, hi = result["did"]["ci"]
    assert lo <= truth <= hi, (truth, result["did"])

    naive_lo, naive_hi = result["naive"]["ci"]
    assert not naive_lo <= truth <= naive_hi
    assert naive_hi < truth  # the naive count overstates the fall

    harm_lo, harm_hi = result["did"]["harm"]["ci"]
    assert harm_lo <= unit.truth["did_harm"] <= harm_hi

    # The negative binomial interaction estimates the multiplicative effect itself.
    nb = result["statistics"]["negative_binomial"]
    assert nb["effect_term"] == "after_x_cohort"
    assert nb["ci"][0] <= 0.7 <= nb["ci"][1]

    assert result["sms_level"] == 3
    assert result["cohort"]["n"] == unit.truth["adopted"]
    assert result["comparison"]["n"] == unit.truth["comparison"]


def test_it_finds_no_effect_when_management_does_nothing():
    unit = simulate_unit(seed=3, population=20_000, effect=1.0, natural_decline=0.9)
    result = run(unit)
    assert unit.truth["did_offences"] == 0
    lo, hi = result["did"]["ci"]
    assert lo <= 0 <= hi
    assert result["naive"]["ci"][1] < 0  # yet the naive count shows a fall


def test_it_selects_both_groups_the_same_way():
    unit = simulate_unit(seed=1, population=5_000, threshold=4)
    result = run(unit)
    baseline = result["baseline"]["offences_before"]
    assert baseline["cohort_mean"] >= 4 and baseline["comparison_mean"] >= 4
    assert abs(baseline["standardised_difference"]) < 0.25
