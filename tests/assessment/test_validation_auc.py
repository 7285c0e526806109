"""The AUC: hand-computed tables, a published example, scikit-learn and the rank formula."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import rankdata
from sklearn.metrics import roc_auc_score

from highharm.assessment.validation import auc, auc_from_counts, score_table


def rank_formula_auc(score, outcome):
    """Plain reference: Mann–Whitney U from average ranks, U / (P·N)."""
    ranks = rankdata(score)  # ties get the average of their ranks
    pos = [r for r, y in zip(ranks, outcome, strict=True) if y == 1]
    n_pos = len(pos)
    n_neg = len(outcome) - n_pos
    u = sum(pos) - n_pos * (n_pos + 1) / 2
    return u / (n_pos * n_neg)


def test_it_computes_a_small_table_by_hand():
    # outcome-1 scores {2, 3}; outcome-0 scores {1, 2, 4}; six (1, 0) pairs:
    # (2,1)=1  (2,2)=1/2 tie  (2,4)=0  (3,1)=1  (3,2)=1  (3,4)=0  -> 3.5 / 6
    assert auc([1, 2, 2, 3, 4], [0, 0, 1, 1, 0]) == pytest.approx(3.5 / 6)


def test_it_counts_a_perfect_and_a_reversed_score():
    assert auc([1, 2, 3, 4], [0, 0, 1, 1]) == 1.0
    assert auc([1, 2, 3, 4], [1, 1, 0, 0]) == 0.0


def test_it_gives_one_half_when_every_score_ties():
    # every pair is a tie: each counts 1/2
    assert auc([7, 7, 7, 7, 7], [1, 0, 1, 0, 0]) == 0.5


def test_it_matches_the_published_pROC_example():
    # Bob Horton, "AUC Meets the Wilcoxon-Mann-Whitney U-Statistic" (Revolutions blog, 2017,
    # https://blog.revolutionanalytics.com/2017/03/auc-meets-u-stat.html): pROC gives 0.825
    # for these labels with scores 20..1 where the 9th and 10th scores are replaced by their mean.
    category = [1, 1, 1, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0]
    prediction = list(range(20, 0, -1))
    prediction[8] = prediction[9] = (prediction[8] + prediction[9]) / 2
    assert auc(prediction, category) == pytest.approx(0.825)


def test_it_is_none_when_one_outcome_is_absent():
    assert auc([1, 2, 3], [0, 0, 0]) is None
    assert auc([1, 2, 3], [1, 1, 1]) is None


def test_it_builds_the_table_of_counts_per_distinct_score():
    table = score_table(np.array([3.0, 1.0, 3.0, 2.0, 3.0]), np.array([1, 0, 0, 1, 1]))
    assert table.values.tolist() == [1.0, 2.0, 3.0]
    assert table.pos.tolist() == [0, 1, 2]
    assert table.neg.tolist() == [1, 0, 1]
    # from counts: outcome-1 at 2 (beats 1 row) and two at 3 (beat 1, tie 1): (1 + 2*1.5)/(3*2)
    assert auc_from_counts(table.pos, table.neg) == pytest.approx(4 / 6)


scores_with_ties = st.lists(st.integers(0, 6), min_size=2, max_size=60)
scores_continuous = st.lists(
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False), min_size=2, max_size=60
)


@st.composite
def scored(draw, scores):
    s = draw(scores)
    y = draw(st.lists(st.integers(0, 1), min_size=len(s), max_size=len(s)))
    y[0], y[1] = 0, 1  # both outcomes present
    return s, y


@settings(max_examples=150, deadline=None)
@given(scored(scores_with_ties))
def test_it_agrees_with_scikit_learn_and_the_rank_formula_with_ties(data):
    s, y = data
    expected = roc_auc_score(y, s)
    assert auc(s, y) == pytest.approx(expected, abs=1e-12)
    assert auc(s, y) == pytest.approx(rank_formula_auc(s, y), abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(scored(scores_continuous))
def test_it_agrees_with_scikit_learn_on_continuous_scores(data):
    s, y = data
    assert auc(s, y) == pytest.approx(roc_auc_score(y, s), abs=1e-12)


def test_it_agrees_with_scikit_learn_on_a_larger_random_sample():
    rng = np.random.default_rng(5)
    y = (rng.random(20_000) < 0.2).astype(int)
    s = np.round(rng.normal(size=20_000) + y, 2)  # rounded: many ties
    assert auc(s, y) == pytest.approx(roc_auc_score(y, s), abs=1e-12)
