"""Warnings in plain words: small numbers, incomplete follow-up, groups unlike at baseline."""

import datetime as dt

import polars as pl

from highharm.evaluation.engine import EvaluationParams, evaluate

CATALOGUE = pl.DataFrame({"code": ["CA"], "harm_days": [28.0]})
INDEX = dt.date(2024, 1, 1)


def people(prefix, n, index=INDEX):
    return pl.DataFrame(
        {"perpetrator_ref": [f"{prefix}{i}" for i in range(n)], "index_date": [index] * n}
    )


def incidents(spec):
    """spec: {ref: (before, after)} -> that many common assaults in each window."""
    rows = []
    for ref, (before, after) in spec.items():
        rows += [(ref, INDEX - dt.timedelta(days=1 + 7 * j), "CA") for j in range(before)]
        rows += [(ref, INDEX + dt.timedelta(days=7 * j), "CA") for j in range(after)]
    return pl.DataFrame(
        rows, schema=["perpetrator_ref", "occurred_on", "offence_code"], orient="row"
    )


def run(cohort, comparison, spec, **kw):
    return evaluate(
        cohort=cohort,
        comparison=comparison,
        incidents=incidents(spec),
        catalogue=CATALOGUE,
        params=EvaluationParams(bootstrap=100, **kw),
    )


def test_it_warns_when_groups_differ_at_baseline():
    spec = {f"M{i}": (8 + i % 3, 3) for i in range(30)} | {
        f"C{i}": (1 + i % 2, 1) for i in range(30)
    }
    result = run(people("M", 30), people("C", 30), spec, as_of=dt.date(2026, 1, 1))
    baseline = [w for w in result["warnings"] if "differ at baseline" in w]
    assert baseline and "regression to the mean" in baseline[0]
    assert (
        result["baseline"]["offences_before"]["cohort_mean"] == 9.0
    )  # ten each of 8, 9 and 10, by hand
    assert result["sms_level"] == 3
    assert not any("support a description" in w for w in result["warnings"])


def test_it_does_not_warn_about_baseline_when_groups_are_alike():
    spec = {f"M{i}": (3 + i % 2, 1) for i in range(40)} | {
        f"C{i}": (3 + i % 2, 2) for i in range(40)
    }
    result = run(people("M", 40), people("C", 40), spec, as_of=dt.date(2026, 1, 1))
    assert not any("differ at baseline" in w for w in result["warnings"])


def test_it_warns_when_follow_up_is_incomplete_for_many():
    late = people("L", 10, index=dt.date(2025, 6, 1))
    early = people("E", 30)
    cohort = pl.concat([early, late])
    result = run(cohort, None, {"E0": (2, 0)}, as_of=dt.date(2025, 7, 1))
    text = " ".join(result["warnings"])
    assert "10 of 40 people in the managed cohort (25%) have not yet had the full 365 days" in text
    assert result["cohort"]["incomplete_follow_up"] == 10


def test_it_warns_about_a_small_comparison_group():
    spec = {f"M{i}": (3, 1) for i in range(40)} | {f"C{i}": (3, 2) for i in range(5)}
    result = run(people("M", 40), people("C", 5), spec, as_of=dt.date(2026, 1, 1))
    assert any("comparison group has only 5 people" in w for w in result["warnings"])


def test_it_qualifies_level_3_when_the_groups_are_not_comparable():
    spec = {f"M{i}": (9, 3) for i in range(30)} | {f"C{i}": (1 + i % 2, 1) for i in range(30)}
    result = run(people("M", 30), people("C", 30), spec, as_of=dt.date(2026, 1, 1))
    assert result["sms_level"] == 3
    assert "comparability that level 3 assumes is not shown" in result["sms"]


def test_it_says_plainly_when_no_one_has_full_follow_up():
    result = run(people("M", 3, index=dt.date(2025, 6, 1)), None, {}, as_of=dt.date(2025, 7, 1))
    assert result["cohort"]["n_analysed"] == 0
    assert any(
        "No one in the managed cohort has had the full 365 days" in w for w in result["warnings"]
    )
    assert not any("support a description" in w for w in result["warnings"])
    assert result["naive"]["estimate"] is None
