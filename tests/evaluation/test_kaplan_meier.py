"""Kaplan-Meier time to first further offence against a hand product-limit computation."""

import pytest

from highharm.evaluation.stats import kaplan_meier


def hand_product_limit(durations, events):
    times = sorted({d for d, e in zip(durations, events, strict=True) if e})
    survival, curve = 1.0, {}
    for t in times:
        at_risk = sum(1 for d in durations if d >= t)
        died = sum(1 for d, e in zip(durations, events, strict=True) if e and d == t)
        survival *= 1 - died / at_risk
        curve[t] = survival
    return curve


def test_it_matches_the_product_limit_estimate_with_censoring():
    durations = [5, 10, 10, 30, 40, 90, 120, 365, 365, 200]
    events = [True, True, False, True, False, True, False, False, False, True]
    result = kaplan_meier(durations, events, ["cohort"] * 10, horizon=365)
    curve = result["curves"]["cohort"]
    expected = hand_product_limit(durations, events)
    observed = dict(zip(curve["times"], curve["survival"], strict=True))
    for t, s in expected.items():
        assert observed[t] == pytest.approx(s, abs=1e-6)
    assert curve["events"] == 5 and curve["censored"] == 5
    assert curve["free_at_horizon"] == pytest.approx(expected[200], abs=1e-4)


def test_it_compares_two_groups_with_a_log_rank_test():
    durations = [10, 20, 30, 365, 365, 365, 5, 6, 7, 8, 365, 9]
    events = [True, True, True, False, False, False, True, True, True, True, False, True]
    labels = ["cohort"] * 6 + ["comparison"] * 6
    result = kaplan_meier(durations, events, labels, horizon=365)
    assert set(result["curves"]) == {"cohort", "comparison"}
    assert result["curves"]["cohort"]["free_at_horizon"] == pytest.approx(0.5)
    assert result["curves"]["comparison"]["free_at_horizon"] == pytest.approx(1 / 6, abs=1e-4)
    assert 0 < result["logrank_p"] < 1
