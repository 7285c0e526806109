"""The negative binomial model of counts with exposure and a period x group interaction."""

import numpy as np
import pytest

from highharm.evaluation.stats import negative_binomial


def test_it_recovers_the_ratio_of_rate_ratios_in_a_saturated_design():
    # With one mean per group and period and equal exposure, the maximum-likelihood
    # means are the cell means, so exp(interaction) = (a_T/b_T) / (a_C/b_C).
    rng = np.random.default_rng(2)
    n_t, n_c = 60, 90
    before = np.concatenate([rng.poisson(4, n_t), rng.poisson(4, n_c)])
    after = np.concatenate([rng.negative_binomial(3, 3 / (3 + 2.0), n_t), rng.poisson(3, n_c)])
    treated = np.array([1] * n_t + [0] * n_c)
    days = np.full(n_t + n_c, 365)
    result = negative_binomial(before, after, days, days, treated)
    b_t, a_t = before[:n_t].mean(), after[:n_t].mean()
    b_c, a_c = before[n_t:].mean(), after[n_t:].mean()
    expected = (a_t / b_t) / (a_c / b_c)
    assert result["effect_term"] == "after_x_cohort"
    assert result["rate_ratio"] == pytest.approx(expected, rel=1e-3)
    assert result["ci"][0] < result["rate_ratio"] < result["ci"][1]
    assert result["coefficients"]["after"]["rate_ratio"] == pytest.approx(a_c / b_c, rel=1e-3)


def test_it_uses_exposure_so_half_a_year_observed_counts_as_half():
    # Everyone offends at the same rate; half the people are observed after for half
    # the time and have half the offences: the after/before rate ratio is 1.
    before = np.array([4, 4, 4, 4, 6, 6, 6, 6])
    after = np.array([4, 4, 2, 2, 6, 6, 3, 3])
    days_after = np.array([365, 365, 182.5, 182.5, 365, 365, 182.5, 182.5])
    result = negative_binomial(before, after, np.full(8, 365), days_after, np.ones(8))
    assert result["effect_term"] == "after"
    assert result["rate_ratio"] == pytest.approx(1.0, abs=1e-3)


def test_it_leaves_out_rows_never_observed_and_says_when_it_cannot_fit():
    result = negative_binomial(np.zeros(5), np.zeros(5), np.full(5, 365), np.zeros(5), np.ones(5))
    assert "not fitted" in result["note"]
    assert result["rows"] == 5  # the after rows had no days observed
