"""Backtesting: score every perpetrator as of a past date, then see who went on to cause harm.

Pure computation (Polars, numpy; no Django). Given the force's incidents (the
identification engine's input, covering the look-back window before the date
and the follow-up period after it):

1. the identification engine scores every perpetrator with an incident in the
   window as of ``as_of`` (the RFGV priority score and its measures);
2. the HHU tool's data part is computed from those measures (its judgement
   items cannot be backtested: no one answered them at the time);
3. optionally, the fitted model (assessment.model) gives each person a
   cross-validated probability from the same measures;
4. the outcome of each person is whether the harm of their incidents in the
   ``outcome_days`` after ``as_of`` was above ``harm_threshold`` days;
5. the validation workbench (assessment.validation) reports each score
   against that outcome, side by side, with bootstrap intervals for the AUC.

Every step is a column expression over the whole force: no loop per person.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

import numpy as np
import polars as pl

from highharm.assessment import model as fitted_model
from highharm.assessment import validation
from highharm.assessment.instruments import Definition, data_points_frame
from highharm.scoring import engine
from highharm.scoring.config import ScoringConfig

DEFAULT_OUTCOME_DAYS = 365
DEFAULT_HARM_THRESHOLD = 180.0
DEFAULT_FLAG_SHARE = 0.05
DEFAULT_BOOTSTRAP = 1000

SCORES = {
    "rfgv": "RFGV priority score (identification engine)",
    "hhu_data": "HHU tool, data part",
    "model": "Fitted model (cross-validated probability)",
}


class BacktestError(ValueError):
    """The backtest cannot run as asked; the message says why."""


def lookback_days(config: ScoringConfig) -> int:
    """Days of records before as_of the engine reads."""
    return max(config.window_days, 2 * config.period_days)


def outcomes(
    incidents: pl.DataFrame | pl.LazyFrame, *, as_of: dt.date, outcome_days: int
) -> pl.DataFrame:
    """Harm per perpetrator in (as_of, as_of + outcome_days], unknown harm counted as 0."""
    end = as_of + dt.timedelta(days=outcome_days)
    lf = incidents.lazy() if isinstance(incidents, pl.DataFrame) else incidents
    return (
        lf.filter((pl.col("occurred_on") > as_of) & (pl.col("occurred_on") <= end))
        .group_by(pl.col("perpetrator_ref").cast(pl.String))
        .agg(
            future_harm=pl.col("harm_days").cast(pl.Float64).fill_null(0).sum(),
            future_incidents=pl.len(),
        )
        .collect()
    )


def backtest_frame(
    incidents: pl.DataFrame,
    *,
    as_of: dt.date,
    config: ScoringConfig,
    hhu: Definition,
    outcome_days: int = DEFAULT_OUTCOME_DAYS,
    harm_threshold: float = DEFAULT_HARM_THRESHOLD,
) -> pl.DataFrame:
    """One row per perpetrator scored as of ``as_of``: the scores, the measures and the outcome."""
    if outcome_days < 1:
        raise BacktestError("the follow-up period must be at least one day")
    if not math.isfinite(harm_threshold) or harm_threshold < 0:
        raise BacktestError("the harm level must be a number, 0 or more")
    scored = engine.score(incidents, as_of=as_of, config=config, explain=False)
    if scored.height == 0:
        raise BacktestError(
            f"no perpetrator has an incident in the {config.window_days} days to {as_of:%d/%m/%Y}"
        )
    data = data_points_frame(scored, hhu, score_column="hhu_data")
    future = outcomes(incidents, as_of=as_of, outcome_days=outcome_days)
    frame = (
        pl.concat(
            [
                scored.select(
                    "perpetrator_ref",
                    pl.col("priority_score").cast(pl.Float64).alias("rfgv"),
                    *fitted_model.ALLOWED_FEATURES,
                ),
                data.select("hhu_data"),
            ],
            how="horizontal",
        )
        .join(future, on="perpetrator_ref", how="left")
        .with_columns(
            pl.col("future_harm").fill_null(0.0),
            pl.col("future_incidents").fill_null(0).cast(pl.Int64),
        )
        .with_columns(outcome=(pl.col("future_harm") > harm_threshold).cast(pl.Int8))
    )
    return frame


def flag_threshold(score: np.ndarray, share: float) -> float:
    """The score at or above which about ``share`` of people are flagged: the k-th highest
    score, k = ceil(share * n) (ties at the threshold are all flagged)."""
    k = max(1, math.ceil(share * score.size))
    return float(np.sort(score)[::-1][k - 1])


def backtest(
    incidents: pl.DataFrame,
    *,
    as_of: dt.date,
    config: ScoringConfig,
    hhu: Definition,
    outcome_days: int = DEFAULT_OUTCOME_DAYS,
    harm_threshold: float = DEFAULT_HARM_THRESHOLD,
    flag_share: float = DEFAULT_FLAG_SHARE,
    bootstrap: int = DEFAULT_BOOTSTRAP,
    seed: int = validation.DEFAULT_SEED,
    fit_model: bool = True,
    folds: int = fitted_model.DEFAULT_FOLDS,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """The backtest report: the set-up, and the workbench report for each score side by side."""
    if not 0 < flag_share < 1:
        raise BacktestError("the share of people flagged must be between 0 and 1")

    def say(message: str) -> None:
        if progress is not None:
            progress(message)

    say("scoring every perpetrator as of the date")
    frame = backtest_frame(
        incidents,
        as_of=as_of,
        config=config,
        hhu=hhu,
        outcome_days=outcome_days,
        harm_threshold=harm_threshold,
    )
    y = frame.get_column("outcome").to_numpy()
    positives = int(y.sum())
    columns = {
        "rfgv": frame.get_column("rfgv").to_numpy(),
        "hhu_data": frame.get_column("hhu_data").to_numpy(),
    }
    model_report: dict | None = None
    model_note = ""
    if fit_model:
        say("fitting the model (cross-validated)")
        try:
            fitted = fitted_model.fit(
                frame.select(fitted_model.ALLOWED_FEATURES), y, folds=folds, seed=seed
            )
        except fitted_model.ModelInputError as error:
            model_note = f"The model was not fitted: {error}."
        else:
            columns["model"] = fitted.cv_probability
            model_report = fitted.describe()
    reports: dict[str, dict] = {}
    for key, score in columns.items():
        say(f"validating: {SCORES[key]}")
        threshold = flag_threshold(score, flag_share)
        if positives == 0 or positives == y.size:
            report = validation.validate(
                validation.data_from_arrays(score, y), threshold=threshold, bootstrap=0, seed=seed
            )
        else:
            report = validation.validate(
                validation.data_from_arrays(score, y, score_column=key, outcome_column="outcome"),
                threshold=threshold,
                bootstrap=bootstrap,
                seed=seed,
            )
        report["label"] = SCORES[key]
        reports[key] = report
    best_points = max(
        (reports[k]["auc"] for k in ("rfgv", "hhu_data") if reports[k]["auc"] is not None),
        default=None,
    )
    summary = {
        "as_of": as_of.isoformat(),
        "window_days": config.window_days,
        "scoring_config": config.version,
        "hhu_version": hhu.version,
        "hhu_sha256": hhu.sha256,
        "outcome_days": outcome_days,
        "outcome_end": (as_of + dt.timedelta(days=outcome_days)).isoformat(),
        "harm_threshold": harm_threshold,
        "outcome_rule": (
            f"harm of more than {harm_threshold:g} days in the {outcome_days} days after "
            f"{as_of:%d/%m/%Y}"
        ),
        "flag_share": flag_share,
        "threshold_rule": (
            f"each score's threshold flags the top {flag_share:.0%} of people "
            "(the k-th highest score; ties at it are all flagged)"
        ),
        "n": int(y.size),
        "positives": positives,
        "base_rate": positives / y.size if y.size else None,
        "bootstrap": bootstrap,
        "seed": seed,
        "reports": reports,
        "model": model_report,
        "model_note": model_note,
        "model_at_least_as_good": (
            None
            if "model" not in reports or best_points is None or reports["model"]["auc"] is None
            else bool(reports["model"]["auc"] >= best_points)
        ),
    }
    return summary


def comparison_rows(result: dict) -> list[dict]:
    """One row per score: the headline figures side by side (for text, JSON and the page)."""
    rows = []
    for key, report in result["reports"].items():
        rows.append(
            {
                "key": key,
                "label": report["label"],
                "auc": report["auc"],
                "auc_ci": report["auc_ci"],
                "threshold": report["threshold"],
                "flagged": report["confusion"]["tp"] + report["confusion"]["fp"],
                "accuracy": report["accuracy"],
                "fpr": report["fpr"],
                "fnr": report["fnr"],
                "ppv": report["ppv"],
            }
        )
    return rows


def format_text(result: dict) -> str:
    """The backtest as plain text for the terminal."""

    def num(x, digits=3):
        return "–" if x is None else f"{x:.{digits}f}"

    lines = [
        f"Backtest as of {result['as_of']} (scoring {result['scoring_config']}, "
        f"HHU tool {result['hhu_version']})",
        f"Outcome: {result['outcome_rule']}",
        f"People scored: {result['n']:,}; with the outcome: {result['positives']:,} "
        f"(base rate {num(result['base_rate'] and 100 * result['base_rate'], 1)}%)",
        f"Thresholds: {result['threshold_rule']}",
        "",
        f"{'score':<44} {'AUC':>6} {'95% CI':>15} {'flagged':>8} {'FPR':>6} {'FNR':>6} {'PPV':>6}",
    ]
    for row in comparison_rows(result):
        ci = row["auc_ci"]
        ci_text = f"{num(ci[0])}–{num(ci[1])}" if ci else "–"
        lines.append(
            f"{row['label']:<44} {num(row['auc']):>6} {ci_text:>15} {row['flagged']:>8,} "
            f"{num(row['fpr']):>6} {num(row['fnr']):>6} {num(row['ppv']):>6}"
        )
    if result["model"]:
        m = result["model"]
        lines += [
            "",
            f"Fitted model: {m['model']}; {m['folds']}-fold cross-validation, seed {m['seed']}; "
            f"AUC by fold {', '.join(num(a) for a in m['fold_aucs'])}",
        ]
        lines += [f"  - {c['text']}" for c in m["coefficients"]]
        verdict = result["model_at_least_as_good"]
        if verdict is not None:
            lines.append(
                "The fitted model is "
                + ("at least as good as" if verdict else "NOT as good as")
                + " the better of the RFGV score and the HHU data part (by AUC)."
            )
    elif result["model_note"]:
        lines += ["", result["model_note"]]
    return "\n".join(lines) + "\n"


def without_curves(result: dict) -> dict:
    slim = dict(result)
    slim["reports"] = {k: validation.without_curves(r) for k, r in result["reports"].items()}
    return slim
