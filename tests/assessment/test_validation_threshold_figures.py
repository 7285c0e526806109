"""Accuracy, FPR, FNR and PPV at a threshold, against a plain-Python reference."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from highharm.assessment.validation import confusion, data_from_arrays, validate


def reference(score, outcome, threshold):
    tp = fp = tn = fn = 0
    for s, y in zip(score, outcome, strict=True):
        if s >= threshold:
            if y == 1:
                tp += 1
            else:
                fp += 1
        elif y == 1:
            fn += 1
        else:
            tn += 1
    return {
        "tp": tp,
        "fp": fp,
        "tn": tn,
        "fn": fn,
        "accuracy": (tp + tn) / len(score),
        "fpr": fp / (fp + tn) if fp + tn else None,
        "fnr": fn / (fn + tp) if fn + tp else None,
        "ppv": tp / (tp + fp) if tp + fp else None,
    }


def test_it_computes_a_small_table_by_hand():
    # scores 1 2 2 3 4, outcomes 0 0 1 1 0, threshold 2 (score >= 2 is positive):
    # predicted positive rows: 2(0) 2(1) 3(1) 4(0) -> TP 2, FP 2; predicted negative: 1(0) -> TN 1, FN 0
    report = validate(data_from_arrays([1, 2, 2, 3, 4], [0, 0, 1, 1, 0]), threshold=2, bootstrap=0)
    assert report["confusion"] == {"tp": 2, "fp": 2, "tn": 1, "fn": 0}
    assert report["accuracy"] == pytest.approx(3 / 5)
    assert report["fpr"] == pytest.approx(2 / 3)
    assert report["fnr"] == 0
    assert report["ppv"] == pytest.approx(2 / 4)
    assert report["threshold_rule"] == "given"


def test_it_uses_the_median_score_by_default_and_says_so():
    # median of 1 2 2 3 4 is 2
    report = validate(data_from_arrays([4, 2, 1, 3, 2], [0, 1, 0, 1, 0]), bootstrap=0)
    assert report["threshold"] == 2
    assert report["threshold_rule"] == "default: the median score"


def test_it_gives_none_with_a_reason_when_a_figure_is_undefined():
    figures = confusion(tp=0, fp=3, tn=2, fn=0)  # no outcome-1 rows
    assert figures["fnr"] is None
    assert "no rows with outcome 1" in figures["undefined"]["fnr"]
    assert figures["fpr"] == pytest.approx(3 / 5)
    nothing_flagged = confusion(tp=0, fp=0, tn=4, fn=2)
    assert nothing_flagged["ppv"] is None
    assert "nothing is predicted positive" in nothing_flagged["undefined"]["ppv"]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 9), st.integers(0, 1)), min_size=1, max_size=80),
    st.integers(-1, 11),
)
def test_it_agrees_with_a_plain_reference(rows, threshold):
    score = [r[0] for r in rows]
    outcome = [r[1] for r in rows]
    report = validate(data_from_arrays(score, outcome), threshold=threshold, bootstrap=0)
    expected = reference(score, outcome, threshold)
    assert report["confusion"] == {k: expected[k] for k in ("tp", "fp", "tn", "fn")}
    for key in ("accuracy", "fpr", "fnr", "ppv"):
        if expected[key] is None:
            assert report[key] is None and key in report["undefined"]
        else:
            assert report[key] == pytest.approx(expected[key])
    assert report["n"] == len(rows)
    assert report["base_rate"] == pytest.approx(sum(outcome) / len(rows))


def test_it_reports_a_degenerate_sample_with_one_outcome_only():
    report = validate(data_from_arrays(np.arange(10.0), np.zeros(10)), bootstrap=100)
    assert report["base_rate"] == 0
    assert report["auc"] is None and report["auc_ci"] is None
    assert "outcome 0" in report["undefined"]["auc"]
    assert report["fnr"] is None
    assert report["fpr"] == pytest.approx(5 / 10)  # median 4.5: scores 5..9 flagged
