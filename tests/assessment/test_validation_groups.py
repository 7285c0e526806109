"""Figures for each group, and the largest gaps between groups."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from highharm.assessment.validation import data_from_arrays, validate


def small_two_group_report():
    # Group A: scores 1 2 3 4, outcomes 0 1 0 1.  Group B: scores 1 5 5, outcomes 0 0 0.
    score = [1, 2, 3, 4, 1, 5, 5]
    outcome = [0, 1, 0, 1, 0, 0, 0]
    group = ["A", "A", "A", "A", "B", "B", "B"]
    return validate(data_from_arrays(score, outcome, group), threshold=3, bootstrap=0)


def test_it_computes_each_group_by_hand():
    groups = small_two_group_report()["groups"]
    assert set(groups) == {"A", "B"}
    a = groups["A"]
    # A: pairs (2,1)=1 (2,3)=0 (4,1)=1 (4,3)=1 -> 3/4. Threshold 3: TP 1 (4), FP 1 (3), TN 1, FN 1.
    assert a["n"] == 4 and a["base_rate"] == 0.5
    assert a["auc"] == pytest.approx(0.75)
    assert (a["fpr"], a["fnr"], a["ppv"]) == (0.5, 0.5, 0.5)


def test_it_handles_a_group_with_no_positives():
    b = small_two_group_report()["groups"]["B"]
    # B: no outcome-1 rows. Scores 5, 5 are >= 3: FP 2, TN 1; nothing to find, so FNR undefined.
    assert b["base_rate"] == 0
    assert b["auc"] is None and "auc" in b["undefined"]
    assert b["fnr"] is None and "fnr" in b["undefined"]
    assert b["fpr"] == pytest.approx(2 / 3)
    assert b["ppv"] == 0
    assert b["small"] is True


def test_it_reports_the_largest_gap_between_groups():
    disparities = small_two_group_report()["disparities"]
    # FPR: A 1/2, B 2/3 -> gap 1/6, B highest.
    assert disparities["fpr"]["gap"] == pytest.approx(2 / 3 - 1 / 2)
    assert disparities["fpr"]["highest"] == "B" and disparities["fpr"]["lowest"] == "A"
    # FNR: only A has one, so no gap.
    assert disparities["fnr"]["gap"] is None
    assert "fewer than two groups" in disparities["fnr"]["reason"]


def test_it_matches_a_plain_computation_on_each_subset():
    rng = np.random.default_rng(11)
    n = 3000
    group = rng.choice(["north", "south", "east"], n)
    outcome = (rng.random(n) < np.where(group == "east", 0.3, 0.1)).astype(int)
    score = rng.integers(0, 20, n) + 3 * outcome
    report = validate(data_from_arrays(score, outcome, group), threshold=10, bootstrap=0)
    for label in ("north", "south", "east"):
        rows = group == label
        s, y = score[rows], outcome[rows]
        figures = report["groups"][label]
        tp = int(((s >= 10) & (y == 1)).sum())
        fp = int(((s >= 10) & (y == 0)).sum())
        assert figures["n"] == rows.sum()
        assert figures["base_rate"] == pytest.approx(y.mean())
        assert figures["auc"] == pytest.approx(roc_auc_score(y, s))
        assert figures["fpr"] == pytest.approx(fp / (y == 0).sum())
        assert figures["fnr"] == pytest.approx(1 - tp / (y == 1).sum())
        assert figures["ppv"] == pytest.approx(tp / (tp + fp))
    fprs = {g: report["groups"][g]["fpr"] for g in report["groups"]}
    assert report["disparities"]["fpr"]["gap"] == pytest.approx(
        max(fprs.values()) - min(fprs.values())
    )


def test_it_puts_blank_groups_under_missing():
    report = validate(data_from_arrays([1, 2, 3], [0, 1, 1], ["A", "", None]), bootstrap=0)
    assert set(report["groups"]) == {"A", "(missing)"}
    assert report["groups"]["(missing)"]["n"] == 2
