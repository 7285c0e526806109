"""Wilcoxon signed-rank against scipy, with zeros handled explicitly (Pratt and Wilcoxon)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from highharm.evaluation.stats import wilcoxon_signed_rank


def test_it_reports_zeros_and_both_zero_methods():
    d = [-3, -1, -2, 0, 0, 1, -4, -1]
    result = wilcoxon_signed_rank(d)
    assert result["zeros"] == 2
    assert result["pratt"]["n_used"] == 6
    assert result["wilcox"]["n_used"] == 6
    # Pratt ranks |d| with zeros: 0,0 -> 1.5; 1,1,1 -> 4; 2 -> 6; 3 -> 7; 4 -> 8.
    assert result["pratt"]["r_plus"] == 4.0
    assert result["pratt"]["r_minus"] == 4 + 4 + 6 + 7 + 8
    # Wilcoxon drops zeros first: 1,1,1 -> 2; 2 -> 4; 3 -> 5; 4 -> 6.
    assert result["wilcox"]["r_plus"] == 2.0
    assert result["wilcox"]["r_minus"] == 2 + 2 + 4 + 5 + 6
    assert "2 of 8 people had a zero change" in result["zero_handling"]


@pytest.mark.parametrize("zero_method", ["pratt", "wilcox"])
def test_it_matches_scipy_normal_approximation_on_larger_samples(zero_method):
    rng = np.random.default_rng(7)
    d = rng.integers(-4, 4, size=300)  # many ties and zeros
    ours = wilcoxon_signed_rank(d)[zero_method]
    theirs = scipy_stats.wilcoxon(d, zero_method=zero_method, method="asymptotic", correction=False)
    assert ours["method"].startswith("normal")
    assert ours["r_plus"] + ours["r_minus"] > 0
    assert min(ours["r_plus"], ours["r_minus"]) == pytest.approx(theirs.statistic)
    assert abs(ours["z"]) == pytest.approx(abs(theirs.zstatistic), abs=1e-3)
    assert ours["p_value"] == pytest.approx(theirs.pvalue, abs=1e-4)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(min_value=-6, max_value=6), min_size=2, max_size=9),
    st.sampled_from(["pratt", "wilcox"]),
)
def test_it_matches_scipy_exact_permutation_with_ties_and_zeros(changes, zero_method):
    d = np.array(changes)
    ours = wilcoxon_signed_rank(d)[zero_method]
    if not (d != 0).any():
        assert ours["p_value"] is None
        return
    # scipy enumerates every sign pattern exactly when n <= 13.
    theirs = scipy_stats.wilcoxon(d, zero_method=zero_method, method="auto")
    assert min(ours["r_plus"], ours["r_minus"]) == pytest.approx(theirs.statistic)
    assert ours["p_value"] == pytest.approx(theirs.pvalue, abs=1e-4)


def test_it_matches_scipy_exact_without_ties_or_zeros():
    d = np.array([-1, -2, 3, -4, -5, -6, 7, -8, -9, -10, -11, -12, 13, -14, -15, -16, -17, -18])
    ours = wilcoxon_signed_rank(d)["pratt"]
    theirs = scipy_stats.wilcoxon(d, method="exact")
    assert ours["method"].startswith("exact")
    assert ours["p_value"] == pytest.approx(theirs.pvalue, rel=1e-3)
