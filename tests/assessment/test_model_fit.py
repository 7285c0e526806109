"""The fitted model: cross-validated probabilities, and coefficients in plain words."""

import numpy as np
import polars as pl
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from highharm.assessment import model as M


def simulated(n=20000, seed=3):
    """Outcome drawn with log-odds -3 + ln(1.4) * victims + ln(3) * strangulation."""
    rng = np.random.default_rng(seed)
    victims = rng.poisson(1.2, n)
    strangulation = rng.random(n) < 0.15
    logit = -3 + np.log(1.4) * victims + np.log(3.0) * strangulation
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return pl.DataFrame({"victims": victims, "flag_strangulation": strangulation}), y


def test_it_states_each_coefficient_in_plain_words():
    frame, y = simulated()
    fitted = M.fit(frame, y)
    by_name = {c.feature: c for c in fitted.coefficients}
    assert by_name["victims"].odds_ratio == pytest.approx(1.4, abs=0.06)
    assert by_name["flag_strangulation"].odds_ratio == pytest.approx(3.0, rel=0.1)
    ratio = by_name["victims"].odds_ratio
    assert (
        by_name["victims"].text
        == f"Each extra victim in the two years multiplies the odds by {ratio:.2f}"
    )
    assert by_name["flag_strangulation"].text.startswith(
        "Strangulation in the records multiplies the odds by"
    )
    assert by_name["flag_strangulation"].text.endswith("(compared with people without it)")
    assert fitted.intercept == pytest.approx(-3, abs=0.1)


def test_it_says_when_a_measure_lowers_the_odds():
    rng = np.random.default_rng(5)
    recency = rng.integers(0, 730, 5000)
    y = (rng.random(5000) < 1 / (1 + np.exp(-(-1 - recency / 200)))).astype(int)
    fitted = M.fit(pl.DataFrame({"recency_days": recency}), y)
    (c,) = fitted.coefficients
    # ln-odds fall by 1/200 a day: 30 days multiply the odds by exp(-0.15) = 0.86
    assert c.odds_ratio == pytest.approx(np.exp(-30 / 200), abs=0.03)
    assert c.text.endswith(", that is, lowers them")


def test_its_probabilities_come_from_models_that_never_saw_the_person():
    frame, y = simulated(n=3000, seed=9)
    fitted = M.fit(frame, y, folds=5, seed=11)
    # An independent loop with the same folds gives the same out-of-fold probabilities.
    x = frame.with_columns(pl.col("flag_strangulation").cast(pl.Float64)).to_numpy().astype(float)
    expected = np.empty(len(y))
    for train, test in StratifiedKFold(5, shuffle=True, random_state=11).split(x, y):
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(
            x[train], y[train]
        )
        expected[test] = model.predict_proba(x[test])[:, 1]
    assert np.allclose(fitted.cv_probability, expected)
    assert len(fitted.fold_aucs) == 5
    assert roc_auc_score(y, fitted.cv_probability) == pytest.approx(roc_auc_score(y, expected))


def test_it_transforms_harm_to_doublings():
    frame = pl.DataFrame({"harm_sum": [0.0, 1.0, 3.0, 7.0], "frequency": [1, 2, 3, 4]})
    assert M.design(frame)["harm_sum"].to_list() == [0.0, 1.0, 2.0, 3.0]


def test_it_refuses_too_few_outcomes_to_cross_validate():
    frame = pl.DataFrame({"victims": list(range(20))})
    y = [1, 1, 1] + [0] * 17
    with pytest.raises(M.ModelInputError, match="too few people with each outcome"):
        M.fit(frame, y, folds=5)
    with pytest.raises(M.ModelInputError, match="0 or 1"):
        M.fit(frame, [2] * 20)
