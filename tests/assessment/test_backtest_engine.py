"""Backtesting: outcomes counted by hand, scores equal to the engines', figures equal to sklearn's."""

import datetime as dt

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import roc_auc_score

from highharm.assessment import backtest as B
from highharm.assessment import instruments
from highharm.scoring import engine
from highharm.scoring.config import load_config
from highharm.settings import DATA_DIR

CONFIG = load_config(DATA_DIR / "scoring.toml")
HHU = instruments.builtin_definitions()["hhu"]
AS_OF = dt.date(2024, 6, 30)


def incidents(rows):
    """rows: (perpetrator, date, harm, strangulation)."""
    return pl.DataFrame(
        {
            "perpetrator_ref": [r[0] for r in rows],
            "victim_ref": [f"V-{r[0]}" for r in rows],
            "occurred_on": [r[1] for r in rows],
            "category": ["violence_with_injury"] * len(rows),
            "harm_days": [r[2] for r in rows],
            "domestic": [True] * len(rows),
            "stalking": [False] * len(rows),
            "sexual": [False] * len(rows),
            "strangulation": [r[3] if len(r) > 3 else False for r in rows],
            "weapon": [False] * len(rows),
            "breach": [False] * len(rows),
            "relationship": ["partner"] * len(rows),
        },
        schema_overrides={"harm_days": pl.Float64},
    )


def test_it_counts_the_harm_after_the_date_within_the_follow_up_period():
    frame = incidents(
        [
            ("A", dt.date(2024, 1, 1), 28.0),
            ("A", dt.date(2024, 7, 1), 100.0),  # day 1 after: counts
            ("A", dt.date(2025, 6, 30), 100.0),  # day 365: counts
            ("A", dt.date(2025, 7, 1), 900.0),  # day 366: too late
            ("B", dt.date(2024, 6, 30), 540.0),  # on the date: before, not after
            ("C", dt.date(2024, 8, 1), 540.0),  # only after: not scored at all
        ]
    )
    out = B.backtest_frame(frame, as_of=AS_OF, config=CONFIG, hhu=HHU, harm_threshold=180)
    rows = {r["perpetrator_ref"]: r for r in out.iter_rows(named=True)}
    assert set(rows) == {"A", "B"}
    assert (rows["A"]["future_harm"], rows["A"]["future_incidents"], rows["A"]["outcome"]) == (
        200.0,
        2,
        1,
    )
    assert (rows["B"]["future_harm"], rows["B"]["outcome"]) == (0.0, 0)
    at_200 = B.backtest_frame(frame, as_of=AS_OF, config=CONFIG, hhu=HHU, harm_threshold=200)
    assert at_200.filter(pl.col("perpetrator_ref") == "A")["outcome"].item() == 0  # more than 200


def test_its_scores_are_the_engines_own():
    frame = incidents(
        [(f"P{p}", dt.date(2023, 1, 1) + dt.timedelta(days=50 * k), 28.0 * (1 + p % 3), p % 4 == 0)
         for p in range(12) for k in range(1 + p % 5)]
    )  # fmt: skip
    out = B.backtest_frame(frame, as_of=AS_OF, config=CONFIG, hhu=HHU)
    scored = engine.score(frame, as_of=AS_OF, config=CONFIG)
    expected = dict(zip(scored["perpetrator_ref"], scored["priority_score"], strict=True))
    assert dict(zip(out["perpetrator_ref"], out["rfgv"], strict=True)) == expected
    data = instruments.data_points_frame(scored, HHU, score_column="hhu")
    expected_hhu = dict(zip(scored["perpetrator_ref"], data["hhu"], strict=True))
    assert dict(zip(out["perpetrator_ref"], out["hhu_data"], strict=True)) == expected_hhu


@pytest.mark.parametrize(
    ("scores", "share", "expected"),
    [([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.2, 9), ([5, 5, 5, 1], 0.25, 5), ([3, 1, 2], 0.01, 3)],
)
def test_it_sets_each_threshold_at_the_kth_highest_score(scores, share, expected):
    assert B.flag_threshold(np.array(scores, dtype=float), share) == expected


def test_it_reports_each_score_side_by_side_with_sklearns_auc():
    rng = np.random.default_rng(2)
    rows = []
    for p in range(300):
        risk = rng.integers(1, 6)
        for k in range(risk):
            rows.append(
                (
                    f"P{p}",
                    dt.date(2023, 9, 1) + dt.timedelta(days=int(rng.integers(0, 300))),
                    28.0 * risk,
                    bool(risk == 5 and k == 0),
                )
            )
        if rng.random() < 0.08 * risk:
            rows.append((f"P{p}", dt.date(2024, 10, 1), 365.0))
    frame = incidents(rows)
    result = B.backtest(frame, as_of=AS_OF, config=CONFIG, hhu=HHU, bootstrap=100, folds=3)
    out = B.backtest_frame(frame, as_of=AS_OF, config=CONFIG, hhu=HHU)
    y = out["outcome"].to_numpy()
    assert result["n"] == out.height and result["positives"] == int(y.sum())
    for key in ("rfgv", "hhu_data"):
        assert result["reports"][key]["auc"] == pytest.approx(roc_auc_score(y, out[key].to_numpy()))
        low, high = result["reports"][key]["auc_ci"]
        assert low <= result["reports"][key]["auc"] <= high
    assert set(result["reports"]) == {"rfgv", "hhu_data", "model"}
    assert isinstance(result["model_at_least_as_good"], bool)
    assert [r["key"] for r in B.comparison_rows(result)] == ["rfgv", "hhu_data", "model"]
    text = B.format_text(result)
    assert (
        "RFGV priority score" in text and "HHU tool, data part" in text and "Fitted model" in text
    )


def test_it_says_why_when_no_one_is_scored_or_the_options_are_impossible():
    frame = incidents([("A", dt.date(2020, 1, 1), 28.0)])
    with pytest.raises(B.BacktestError, match="no perpetrator has an incident"):
        B.backtest(frame, as_of=AS_OF, config=CONFIG, hhu=HHU)
    with pytest.raises(B.BacktestError, match="between 0 and 1"):
        B.backtest(frame, as_of=AS_OF, config=CONFIG, hhu=HHU, flag_share=5)
    with pytest.raises(B.BacktestError, match="at least one day"):
        B.backtest_frame(frame, as_of=AS_OF, config=CONFIG, hhu=HHU, outcome_days=0)


def test_it_reports_without_the_model_when_outcomes_are_too_few():
    frame = incidents(
        [(f"P{p}", dt.date(2024, 3, 1), 28.0) for p in range(10)]
        + [("P1", dt.date(2024, 9, 1), 540.0)]
    )
    result = B.backtest(frame, as_of=AS_OF, config=CONFIG, hhu=HHU, bootstrap=0)
    assert "model" not in result["reports"] and result["model"] is None
    assert result["model_note"].startswith("The model was not fitted: too few people")
    assert result["model_at_least_as_good"] is None
