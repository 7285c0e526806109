"""The sign test against a hand computation of the binomial distribution."""

from math import comb

from hypothesis import given
from hypothesis import strategies as st

from highharm.evaluation.stats import sign_test


def hand_two_sided_p(decreases: int, increases: int) -> float:
    n = decreases + increases
    k = min(decreases, increases)
    tail = sum(comb(n, i) for i in range(k + 1)) / 2**n
    return min(1.0, 2 * tail)


def test_it_counts_signs_and_reports_zeros_instead_of_dropping_them_silently():
    result = sign_test([-3, -1, -2, 0, 0, 1, -4, -1])
    assert result["decreases"] == 5
    assert result["increases"] == 1
    assert result["zeros"] == 2
    assert result["n"] == 8
    assert "2 people with no change" in result["zero_handling"]
    # 5 of 6 non-zero changes fell: P = 2 * (1 + 6) / 64
    assert abs(result["p_value"] - 14 / 64) < 1e-4


def test_it_says_when_every_change_is_zero():
    result = sign_test([0, 0, 0])
    assert result["p_value"] is None
    assert result["zeros"] == 3
    assert "cannot be run" in result["note"]


@given(st.lists(st.integers(min_value=-5, max_value=5), min_size=1, max_size=60))
def test_it_matches_a_hand_binomial_computation(changes):
    result = sign_test(changes)
    down = sum(1 for c in changes if c < 0)
    up = sum(1 for c in changes if c > 0)
    assert result["decreases"] == down and result["increases"] == up
    assert result["zeros"] == len(changes) - down - up
    if down + up:
        assert abs(result["p_value"] - hand_two_sided_p(down, up)) < 1e-4
