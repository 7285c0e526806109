"""No protected characteristic, proxy or unlisted column ever reaches the fitted model."""

import datetime as dt

import numpy as np
import polars as pl
import pytest

from highharm.assessment import backtest, instruments
from highharm.assessment import model as M
from highharm.scoring import engine
from highharm.scoring.config import load_config

# What must never be an input, whatever anyone adds to ALLOWED_FEATURES.
NEVER = [
    "ethnicity", "religion", "postcode", "gender", "age", "nationality", "disability",
    "sex", "date_of_birth", "address", "lsoa", "ward", "sexual_orientation", "pregnancy",
    "marital_status", "country_of_birth", "given_name", "family_name",
]  # fmt: skip


def test_it_allows_exactly_the_reviewed_list_of_behavioural_measures():
    # Changing this list is a decision for the force's data protection and equality review
    # (docs/risk-tool.md, ALGO-CARE "Lawful"): update the test only with that review.
    assert M.ALLOWED_FEATURES == (
        "recency_days", "frequency", "harm_sum", "harm_max", "victims", "partner_victims",
        "incidents_recent", "harm_recent", "serial", "escalating_harm", "gaps_shortening",
        "flag_stalking", "flag_strangulation", "flag_breach", "flag_sexual", "flag_weapon",
        "flag_coercive_control",
    )  # fmt: skip
    assert set(M.ALLOWED_FEATURES) <= set(engine.OUTPUT_COLUMNS)
    assert set(M.ALLOWED_FEATURES) == set(M.FEATURES)


def test_no_protected_characteristic_or_proxy_is_allowed():
    allowed = {f.lower() for f in M.ALLOWED_FEATURES}
    assert not allowed & set(NEVER)
    assert not allowed & M.PROTECTED_OR_PROXY
    assert set(NEVER) <= M.PROTECTED_OR_PROXY


@pytest.mark.parametrize("column", NEVER)
def test_it_refuses_a_protected_column_naming_it(column):
    frame = pl.DataFrame({"victims": [1, 2], column: ["a", "b"]})
    with pytest.raises(M.ModelInputError, match=f"{column} is a protected characteristic"):
        M.fit(frame, [0, 1])


def test_it_refuses_any_column_not_in_the_allowed_list():
    with pytest.raises(M.ModelInputError, match="remove shoe_size"):
        M.check_columns(["victims", "shoe_size"])
    with pytest.raises(M.ModelInputError, match="no features"):
        M.check_columns([])


def test_the_fitted_model_sees_only_allowed_features(monkeypatch):
    rng = np.random.default_rng(1)
    n = 400
    frame = pl.DataFrame(
        {
            "victims": rng.integers(0, 5, n),
            "harm_sum": rng.gamma(2, 100, n),
            "flag_strangulation": rng.random(n) < 0.1,
        }
    )
    y = (rng.random(n) < 0.2).astype(int)
    fitted = M.fit(frame, y)
    assert list(fitted.pipeline.feature_names_in_) == ["victims", "harm_sum", "flag_strangulation"]
    with pytest.raises(M.ModelInputError, match="ethnicity is a protected"):
        fitted.predict(frame.with_columns(ethnicity=pl.lit("x")))


def test_the_backtest_gives_the_model_only_allowed_features(monkeypatch):
    seen = []
    real_fit = M.fit

    def spy(frame, outcome, **kwargs):
        seen.append(list(frame.columns))
        return real_fit(frame, outcome, **kwargs)

    monkeypatch.setattr(M, "fit", spy)
    incidents = _incidents()
    backtest.backtest(
        incidents, as_of=dt.date(2024, 6, 30), config=load_config(_config()),
        hhu=instruments.builtin_definitions()["hhu"], bootstrap=0, folds=2,
    )  # fmt: skip
    assert seen and set(seen[0]) <= set(M.ALLOWED_FEATURES)
    assert not {c.lower() for c in seen[0]} & M.PROTECTED_OR_PROXY


def test_the_backtest_refuses_incidents_carrying_a_protected_column():
    incidents = _incidents().with_columns(ethnicity=pl.lit("White"))
    with pytest.raises(engine.ScoringInputError, match="ethnicity is a protected"):
        backtest.backtest(
            incidents, as_of=dt.date(2024, 6, 30), config=load_config(_config()),
            hhu=instruments.builtin_definitions()["hhu"], bootstrap=0,
        )  # fmt: skip


def _config():
    from highharm.settings import DATA_DIR

    return DATA_DIR / "scoring.toml"


def _incidents() -> pl.DataFrame:
    """Twenty perpetrators: the odd ones offend again after the date."""
    rows = []
    for p in range(20):
        for k in range(1 + p % 4):
            rows.append((f"P{p}", f"V{p}", dt.date(2024, 1, 1) + dt.timedelta(days=40 * k),
                         "violence_with_injury", 180.0, p % 5 == 0))  # fmt: skip
        if p % 2:
            rows.append(
                (f"P{p}", f"V{p}", dt.date(2024, 9, 1), "violence_with_injury", 540.0, False)
            )
    return pl.DataFrame(
        {
            "perpetrator_ref": [r[0] for r in rows],
            "victim_ref": [r[1] for r in rows],
            "occurred_on": [r[2] for r in rows],
            "category": [r[3] for r in rows],
            "harm_days": [r[4] for r in rows],
            "domestic": [True] * len(rows),
            "stalking": [False] * len(rows),
            "sexual": [False] * len(rows),
            "strangulation": [r[5] for r in rows],
            "weapon": [False] * len(rows),
            "breach": [False] * len(rows),
            "relationship": ["partner"] * len(rows),
        }
    )
