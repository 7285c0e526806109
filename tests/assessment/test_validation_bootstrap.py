"""The bootstrap interval of the AUC: reproducible, sensible, and exact in its counts."""

import numpy as np
import pytest

from highharm.assessment.validation import (
    auc_from_counts,
    bin_table,
    binned_auc,
    bootstrap_auc,
    data_from_arrays,
    quantile_ids,
    score_table,
    validate,
)


def sample(n=600, seed=1):
    rng = np.random.default_rng(seed)
    outcome = (rng.random(n) < 0.25).astype(int)
    score = rng.normal(size=n) + outcome
    return score, outcome


def test_it_gives_the_same_interval_for_the_same_seed():
    data = data_from_arrays(*sample())
    first = validate(data, bootstrap=300, seed=42)["auc_ci"]
    again = validate(data, bootstrap=300, seed=42)["auc_ci"]
    other = validate(data, bootstrap=300, seed=43)["auc_ci"]
    assert first == again
    assert first != other


def test_its_interval_contains_the_point_estimate_and_is_narrow_for_a_big_sample():
    report = validate(data_from_arrays(*sample()), bootstrap=500)
    low, high = report["auc_ci"]
    assert low < report["auc"] < high
    assert 0.02 < high - low < 0.2
    big = validate(data_from_arrays(*sample(n=20_000)), bootstrap=300)
    assert big["auc_ci"][1] - big["auc_ci"][0] < (high - low) / 3


def test_its_binned_auc_is_exact_on_the_original_sample():
    score, outcome = sample(n=5000)  # 5000 distinct scores merged into 40 bins
    table = score_table(score, outcome)
    binned = bin_table(table, 40)
    assert len(binned.pos) == 40 and not binned.exact
    assert binned_auc(binned.pos, binned.neg, binned.concordance)[0] == pytest.approx(
        auc_from_counts(table.pos, table.neg), abs=1e-12
    )


def resample_errors(score, outcome, max_bins, resamples=40):
    """For the very same stratified row resamples: exact AUC minus binned AUC, and the bound."""
    rng = np.random.default_rng(9)
    table = score_table(score, outcome)
    binned = bin_table(table, max_bins)
    ids = quantile_ids(table.total, max_bins)
    value_of_row = np.searchsorted(table.values, score)
    pos_rows, neg_rows = np.flatnonzero(outcome == 1), np.flatnonzero(outcome == 0)
    errors, bounds = [], []
    for _ in range(resamples):
        pos = np.bincount(value_of_row[rng.choice(pos_rows, pos_rows.size)], minlength=len(ids))
        neg = np.bincount(value_of_row[rng.choice(neg_rows, neg_rows.size)], minlength=len(ids))
        bin_pos = np.bincount(ids, weights=pos).astype(np.int64)
        bin_neg = np.bincount(ids, weights=neg).astype(np.int64)
        approx = binned_auc(bin_pos, bin_neg, binned.concordance)[0]
        errors.append(abs(approx - auc_from_counts(pos, neg)))
        # within a bin both the truth and the estimate lie between 0 and pos·neg
        bounds.append((bin_pos * bin_neg).sum() / (pos_rows.size * neg_rows.size))
    return np.array(errors), np.array(bounds)


def test_its_resample_auc_is_exact_when_no_bins_are_merged():
    score, outcome = sample(n=400)
    score = np.round(score, 1)  # about 60 distinct values, fewer than the 1000 bins
    errors, _ = resample_errors(score, outcome, max_bins=1000)
    assert errors.max() < 1e-12


def test_its_resample_auc_is_close_when_bins_are_merged():
    score, outcome = sample(n=4000)
    errors, bounds = resample_errors(score, outcome, max_bins=100)
    assert (errors <= bounds + 1e-12).all()
    assert errors.max() < 1e-3  # against a bootstrap spread of about 0.01


def test_its_distribution_matches_a_plain_row_bootstrap():
    score, outcome = sample(n=800, seed=4)
    rng = np.random.default_rng(21)
    pos_rows, neg_rows = np.flatnonzero(outcome == 1), np.flatnonzero(outcome == 0)
    plain = []
    for _ in range(1500):
        rows = np.concatenate(
            [rng.choice(pos_rows, pos_rows.size), rng.choice(neg_rows, neg_rows.size)]
        )
        table = score_table(score[rows], outcome[rows])
        plain.append(auc_from_counts(table.pos, table.neg))
    table = score_table(score, outcome)
    fast = bootstrap_auc(bin_table(table, 1000), resamples=1500, rng=np.random.default_rng(22))
    assert np.mean(fast) == pytest.approx(np.mean(plain), abs=0.003)
    assert np.std(fast) == pytest.approx(np.std(plain), rel=0.1)


def test_it_skips_the_interval_when_asked_for_no_resamples():
    report = validate(data_from_arrays(*sample()), bootstrap=0)
    assert report["auc_ci"] is None
    assert "no bootstrap" in report["undefined"]["auc_ci"]


def test_it_gives_each_group_its_own_interval():
    score, outcome = sample(n=2000)
    group = np.where(np.arange(2000) % 2 == 0, "even", "odd")
    report = validate(data_from_arrays(score, outcome, group), bootstrap=200)
    for figures in report["groups"].values():
        low, high = figures["auc_ci"]
        assert low < figures["auc"] < high


def test_a_groups_interval_does_not_depend_on_the_other_groups():
    score, outcome = sample(n=900)
    two = np.array(["A", "B"] * 450)
    three = np.array(["A", "B", "C"] * 300)
    # Same rows for group A in both: take A's rows plus different others.
    a_rows = score[two == "A"], outcome[two == "A"]
    with_b = validate(data_from_arrays(score, outcome, two), bootstrap=200, seed=5)
    only_a_and_c = validate(
        data_from_arrays(
            np.concatenate([a_rows[0], score[three == "C"]]),
            np.concatenate([a_rows[1], outcome[three == "C"]]),
            np.array(["A"] * a_rows[0].size + ["C"] * int((three == "C").sum())),
        ),
        bootstrap=200,
        seed=5,
    )
    assert with_b["groups"]["A"]["auc_ci"] == only_a_and_c["groups"]["A"]["auc_ci"]
