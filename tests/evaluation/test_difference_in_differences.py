"""Difference in differences and its bootstrap against plain-Python loops."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from highharm.evaluation.stats import (
    bootstrap_indices,
    did_bootstrap,
    did_replicates,
    percentile_interval,
)


def plain_mean(values):
    return sum(values) / len(values)


def plain_percentile(values, q):
    """Linear interpolation between order statistics (numpy's default), by hand."""
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


changes = st.lists(st.integers(min_value=-8, max_value=8), min_size=1, max_size=25)


@settings(max_examples=40, deadline=None)
@given(changes, changes)
def test_it_estimates_mean_change_minus_mean_change(cohort, comparison):
    result = did_bootstrap(np.array(cohort), np.array(comparison), replicates=100, seed=3)
    expected = plain_mean(cohort) - plain_mean(comparison)
    assert result["did"]["estimate"][0] == pytest.approx(expected)
    assert result["naive"]["estimate"][0] == pytest.approx(plain_mean(cohort))


def test_it_computes_each_replicate_as_a_plain_loop_would():
    rng = np.random.default_rng(11)
    cohort = rng.integers(-5, 3, size=9).astype(float)
    comparison = rng.integers(-4, 4, size=14).astype(float)
    idx_c = next(bootstrap_indices(cohort.size, 50, rng))
    idx_k = next(bootstrap_indices(comparison.size, 50, rng))
    assert idx_c.shape == (50, 9) and idx_k.shape == (50, 14)
    reps = did_replicates(cohort, comparison, idx_c, idx_k)
    for r in range(50):
        a = [cohort[i] for i in idx_c[r]]
        b = [comparison[i] for i in idx_k[r]]
        assert reps[r] == pytest.approx(plain_mean(a) - plain_mean(b))


def test_it_takes_the_percentile_interval_of_the_replicates():
    values = [float(v) for v in np.random.default_rng(5).normal(size=401)]
    lo, hi = percentile_interval(values)
    assert lo == pytest.approx(plain_percentile(values, 0.025))
    assert hi == pytest.approx(plain_percentile(values, 0.975))


def test_it_is_reproducible_with_a_seed_and_handles_two_measures_together():
    rng = np.random.default_rng(1)
    cohort = np.column_stack([rng.integers(-5, 2, 40), rng.normal(-50, 30, 40)])
    comparison = np.column_stack([rng.integers(-3, 2, 60), rng.normal(-20, 30, 60)])
    first = did_bootstrap(cohort, comparison, replicates=300, seed=9)
    again = did_bootstrap(cohort, comparison, replicates=300, seed=9)
    assert first == again
    for m in range(2):
        lo, hi = first["did"]["ci"][m]
        assert lo < first["did"]["estimate"][m] < hi
    assert first["did"]["estimate"][1] == pytest.approx(
        cohort[:, 1].mean() - comparison[:, 1].mean()
    )


def test_it_gives_no_difference_in_differences_without_a_comparison():
    result = did_bootstrap(np.array([-1.0, -2.0, 0.0]), None, replicates=100)
    assert result["did"] is None
    assert result["naive"]["estimate"] == [-1.0]
