"""The evaluation engine: before and after, against a comparison group (pure; no Django).

Inputs are Polars frames:

- cohort (and optionally comparison): `perpetrator_ref`, `index_date` (Date),
  `group` (text, may be empty). If no comparison frame is given and the cohort
  has rows whose group is `comparison`, those rows are the comparison group.
- incidents: `perpetrator_ref`, `occurred_on` (Date), `offence_code`, and
  optionally `crime_reference` (duplicates dropped) and `_row` (file row, for
  messages).
- catalogue: `code`, `harm_days`.

Windows, for a person with index date I (days are whole calendar days):

- before = [I - before_days, I): the before_days days up to the day before I;
- after  = [I, I + after_days): I itself and the after_days - 1 days after it;
- data are taken to run to `as_of` inclusive (default: the latest incident
  date in the data). The after window is observed up to min(I + after_days,
  as_of + 1); when I + after_days > as_of + 1 the person's follow-up is
  incomplete: they are listed, used (with their exposure) in the negative
  binomial model and the Kaplan-Meier curves, but not counted in the totals,
  the percentage changes, the numbers reduced / with no further offending, or
  the difference in differences.

An incident counts as an offence unless its code is in `exclude_codes`
(default DOMNC, a domestic incident recorded as no crime); its harm is its
offence's `harm_days` in the catalogue.

`evaluate(...)` returns one JSON-ready dict: the report, the CLI output and
the PDF are all made from it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass

import numpy as np
import polars as pl

from highharm.evaluation import stats
from highharm.evaluation.readers import EvaluationInputError

COHORT = "cohort"
COMPARISON = "comparison"
MONTH_DAYS = 365.25 / 12


@dataclass(frozen=True)
class EvaluationParams:
    before_days: int = 365
    after_days: int = 365
    as_of: dt.date | None = None
    bootstrap: int = 2000
    seed: int = 20240601
    exclude_codes: tuple[str, ...] = ("DOMNC",)
    small_n: int = 30
    incomplete_warning_share: float = 0.2
    baseline_smd_warning: float = 0.25

    def __post_init__(self):
        if self.before_days < 1 or self.after_days < 1:
            raise EvaluationInputError("before and after windows must be at least 1 day")
        if self.bootstrap < 100:
            raise EvaluationInputError("use at least 100 bootstrap replicates")


# --- preparing the people ----------------------------------------------------


def _cohort_frame(frame: pl.DataFrame, label: str) -> pl.DataFrame:
    if "group" not in frame.columns:
        frame = frame.with_columns(pl.lit("").alias("group"))
    return frame.select(
        pl.col("perpetrator_ref").cast(pl.String),
        pl.col("index_date").cast(pl.Date),
        pl.col("group").cast(pl.String).fill_null(""),
        pl.lit(label).alias("cohort"),
    )


def prepare_people(cohort: pl.DataFrame, comparison: pl.DataFrame | None) -> pl.DataFrame:
    """Stack cohort and comparison into one frame with a person id `pid`."""
    if comparison is None and "group" in cohort.columns:
        is_comparison = pl.col("group").str.to_lowercase() == COMPARISON
        if cohort.filter(is_comparison).height:
            comparison = cohort.filter(is_comparison)
            cohort = cohort.filter(~is_comparison)
    frames = [_cohort_frame(cohort, COHORT)]
    if comparison is not None and comparison.height:
        frames.append(_cohort_frame(comparison, COMPARISON))
    people = pl.concat(frames).with_row_index("pid")
    if people.filter(pl.col("cohort") == COHORT).height == 0:
        raise EvaluationInputError("the cohort has no people in it")
    return people


# --- per person --------------------------------------------------------------


def _relevant_incidents(
    people: pl.DataFrame, incidents: pl.DataFrame, catalogue: pl.DataFrame, p: EvaluationParams
) -> tuple[pl.DataFrame, int]:
    """Incidents of cohort people inside their windows, with offset (days from index) and harm."""
    cols = ["perpetrator_ref", "occurred_on", "offence_code"]
    cols += [c for c in ("crime_reference", "_row") if c in incidents.columns]
    joined = (
        incidents.lazy()
        .select(cols)
        .with_columns(
            pl.col("perpetrator_ref").cast(pl.String),
            pl.col("offence_code").cast(pl.String),
            pl.col("occurred_on").cast(pl.Date),
        )
        .join(
            people.lazy().select("pid", "perpetrator_ref", "index_date"),
            on="perpetrator_ref",
            how="inner",
        )
        .with_columns(
            (pl.col("occurred_on") - pl.col("index_date")).dt.total_days().alias("offset")
        )
        .filter(
            (pl.col("offset") >= -p.before_days)
            & (pl.col("offset") < p.after_days)
            & (pl.col("occurred_on") <= p.as_of)
        )
        .collect()
    )
    if "crime_reference" in joined.columns:
        has_ref = pl.col("crime_reference").is_not_null() & (pl.col("crime_reference") != "")
        joined = pl.concat(
            [
                joined.filter(has_ref).unique(subset=["pid", "crime_reference"], keep="first"),
                joined.filter(~has_ref),
            ]
        )
    excluded = joined.filter(pl.col("offence_code").is_in(list(p.exclude_codes)))
    joined = joined.filter(~pl.col("offence_code").is_in(list(p.exclude_codes)))
    joined = joined.join(
        catalogue.select(
            pl.col("code").alias("offence_code"), pl.col("harm_days").cast(pl.Float64)
        ),
        on="offence_code",
        how="left",
    )
    unknown = joined.filter(pl.col("harm_days").is_null())
    if unknown.height:
        codes = unknown["offence_code"].unique().sort().to_list()
        where = ""
        if "_row" in unknown.columns:
            rows = unknown["_row"].sort().head(5).to_list()
            where = (
                f" (incident rows {', '.join(map(str, rows))}{' …' if unknown.height > 5 else ''})"
            )
        raise EvaluationInputError(
            f"incidents: offence code{'s' if len(codes) > 1 else ''} "
            f"{', '.join(repr(c) for c in codes[:10])} not in the offence catalogue{where}; "
            "load the force's catalogue or give one with --catalogue"
        )
    return joined, excluded.height


def person_windows(
    people: pl.DataFrame, relevant: pl.DataFrame, p: EvaluationParams
) -> pl.DataFrame:
    """One row per person: counts and harm before and after, follow-up, success flags."""
    per = relevant.group_by("pid").agg(
        (pl.col("offset") < 0).sum().alias("offences_before"),
        (pl.col("offset") >= 0).sum().alias("offences_after"),
        pl.col("harm_days").filter(pl.col("offset") < 0).sum().alias("harm_before"),
        pl.col("harm_days").filter(pl.col("offset") >= 0).sum().alias("harm_after"),
        pl.col("offset").filter(pl.col("offset") >= 0).min().alias("days_to_first_offence"),
    )
    as_of_next = p.as_of + dt.timedelta(days=1)
    start = pl.col("index_date") - pl.duration(days=p.before_days)
    frame = (
        people.join(per, on="pid", how="left")
        .with_columns(
            pl.col("offences_before").fill_null(0).cast(pl.Int64),
            pl.col("offences_after").fill_null(0).cast(pl.Int64),
            pl.col("harm_before").fill_null(0.0),
            pl.col("harm_after").fill_null(0.0),
            (pl.lit(as_of_next) - pl.col("index_date"))
            .dt.total_days()
            .clip(0, p.after_days)
            .alias("follow_up_days"),
            (pl.min_horizontal(pl.col("index_date"), pl.lit(as_of_next)) - start)
            .dt.total_days()
            .clip(0, p.before_days)
            .alias("before_observed_days"),
        )
        .with_columns((pl.col("follow_up_days") == p.after_days).alias("follow_up_complete"))
        .with_columns(
            pl.when(pl.col("follow_up_complete"))
            .then(pl.col("offences_after") < pl.col("offences_before"))
            .alias("reduced"),
            pl.when(pl.col("follow_up_complete"))
            .then(pl.col("offences_after") == 0)
            .alias("no_further_offending"),
            (pl.col("offences_after") - pl.col("offences_before")).alias("offences_change"),
            (pl.col("harm_after") - pl.col("harm_before")).alias("harm_change"),
        )
        .sort("pid")
    )
    return frame


# --- per cohort --------------------------------------------------------------


def _pct(before: float, after: float):
    if not before:
        return None
    return round(100.0 * (after - before) / before, 1)


def _r(x, digits: int = 1):
    return None if x is None else round(float(x), digits)


def cohort_summary(frame: pl.DataFrame) -> dict:
    """Totals over the people with complete follow-up; counts of everyone."""
    done = frame.filter(pl.col("follow_up_complete"))
    n_done = done.height
    ob, oa = int(done["offences_before"].sum()), int(done["offences_after"].sum())
    hb, ha = float(done["harm_before"].sum()), float(done["harm_after"].sum())
    return {
        "n": frame.height,
        "n_analysed": n_done,
        "incomplete_follow_up": frame.height - n_done,
        "offences_before": ob,
        "offences_after": oa,
        "offences_change_pct": _pct(ob, oa),
        "harm_before": _r(hb),
        "harm_after": _r(ha),
        "harm_change_pct": _pct(hb, ha),
        "reduced": int(done["reduced"].sum()),
        "no_further_offending": int(done["no_further_offending"].sum()),
        "increased": int((done["offences_after"] > done["offences_before"]).sum()),
        "unchanged": int((done["offences_after"] == done["offences_before"]).sum()),
        "mean_offences_before": _r(ob / n_done, 2) if n_done else None,
        "mean_offences_after": _r(oa / n_done, 2) if n_done else None,
        "mean_harm_before": _r(hb / n_done, 1) if n_done else None,
        "mean_harm_after": _r(ha / n_done, 1) if n_done else None,
    }


def group_summaries(frame: pl.DataFrame) -> list[dict]:
    groups = [g for g in frame["group"].unique().sort().to_list() if g]
    out = []
    for g in groups:
        summary = cohort_summary(frame.filter(pl.col("group") == g))
        out.append({"group": g} | summary)
    return out


# --- monthly trend -----------------------------------------------------------


def monthly_trend(
    frame: pl.DataFrame, relevant: pl.DataFrame, p: EvaluationParams, labels: list[str]
) -> list[dict]:
    """Offences per person per month (of 30.44 days) by month relative to the index date.

    Each rate divides the offences in that month by the person-months actually
    observed in it, so people with incomplete follow-up count only for the
    months they were observed.
    """
    first = math.floor(-p.before_days / MONTH_DAYS)
    last = math.ceil(p.after_days / MONTH_DAYS) - 1
    months = np.arange(first, last + 1)
    edges = np.ceil(np.arange(first, last + 2) * MONTH_DAYS).astype(np.int64)
    edges[0], edges[-1] = max(edges[0], -p.before_days), min(edges[-1], p.after_days)
    counts = (
        relevant.join(frame.select("pid", "cohort"), on="pid")
        .with_columns((pl.col("offset") / MONTH_DAYS).floor().cast(pl.Int64).alias("month"))
        .group_by("cohort", "month")
        .len()
    )
    lookup = {(c, m): n for c, m, n in counts.iter_rows()}
    rows = []
    observed = {}
    for label in labels:
        part = frame.filter(pl.col("cohort") == label)
        lo = -part["before_observed_days"].to_numpy()
        hi = part["follow_up_days"].to_numpy()
        s, e = edges[:-1, None], edges[1:, None]
        overlap = np.clip(np.minimum(e, hi[None, :]) - np.maximum(s, lo[None, :]), 0, None)
        observed[label] = overlap.sum(axis=1)
    for i, m in enumerate(months):
        row = {"month": int(m)}
        for label in labels:
            days = float(observed[label][i])
            n = lookup.get((label, int(m)), 0)
            row[f"{label}_offences"] = int(n)
            row[f"{label}_person_months"] = round(days / MONTH_DAYS, 2)
            row[f"{label}_rate"] = round(n / (days / MONTH_DAYS), 4) if days else None
        rows.append(row)
    return rows


# --- warnings and words ------------------------------------------------------


def _people(n: int) -> str:
    return f"{n:,} {'person' if n == 1 else 'people'}"


def _smd(a: np.ndarray, b: np.ndarray) -> float | None:
    if a.size < 2 or b.size < 2:
        return None
    pooled = math.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
    if pooled == 0:
        return 0.0 if a.mean() == b.mean() else None
    return float((a.mean() - b.mean()) / pooled)


def build_warnings(
    frame: pl.DataFrame, summaries: dict, p: EvaluationParams, overlap: int, future: int
) -> tuple[list[str], dict]:
    warnings, baseline = [], {}
    c = summaries[COHORT]
    k = summaries.get(COMPARISON)
    if c["n_analysed"] == 0:
        warnings.append(
            f"No one in the managed cohort has had the full {p.after_days} days of follow-up "
            "yet: there are no before-and-after figures to report."
        )
    elif c["n_analysed"] < p.small_n:
        supports = "supports" if c["n_analysed"] == 1 else "support"
        warnings.append(
            f"{_people(c['n_analysed'])} {supports} a description, not a claim: with fewer than "
            f"{p.small_n} people with full follow-up, chance alone can produce changes this large."
        )
    if k is None:
        warnings.append(
            "There is no comparison group, so this is a before-and-after count (Maryland Scientific "
            "Methods Scale level 1). People are chosen for management because their recent "
            "offending was high, and high counts tend to fall on their own (regression to the "
            "mean): the fall shown here is likely to overstate any effect of management."
        )
    elif k["n_analysed"] < p.small_n:
        warnings.append(
            f"The comparison group has only {_people(k['n_analysed'])} with full follow-up: "
            "the difference in differences is too uncertain to support a claim."
        )
    for label, s in summaries.items():
        if s["n"] and s["incomplete_follow_up"] / s["n"] >= p.incomplete_warning_share:
            name = "managed cohort" if label == COHORT else "comparison group"
            share = round(100 * s["incomplete_follow_up"] / s["n"])
            warnings.append(
                f"{s['incomplete_follow_up']} of {s['n']} people in the {name} ({share}%) have "
                f"not yet had the full {p.after_days} days of follow-up; they are listed but not "
                "counted in the totals or as successes."
            )
    if k is not None:
        done = frame.filter(pl.col("follow_up_complete"))
        for measure, word in (("offences_before", "offences"), ("harm_before", "harm days")):
            a = done.filter(pl.col("cohort") == COHORT)[measure].to_numpy().astype(float)
            b = done.filter(pl.col("cohort") == COMPARISON)[measure].to_numpy().astype(float)
            smd = _smd(a, b)
            baseline[measure] = {
                "cohort_mean": _r(a.mean(), 2) if a.size else None,
                "comparison_mean": _r(b.mean(), 2) if b.size else None,
                "standardised_difference": _r(smd, 2),
            }
            if smd is not None and abs(smd) >= p.baseline_smd_warning:
                warnings.append(
                    f"The groups differ at baseline: the managed cohort averaged {a.mean():.1f} "
                    f"{word} in the before window against {b.mean():.1f} in the comparison group "
                    f"(standardised difference {smd:.2f}). The group with the higher baseline "
                    "tends to fall further on its own (regression to the mean), so read the "
                    "difference in differences with caution."
                )
    if overlap:
        warnings.append(
            f"{_people(overlap)} appear in both the cohort and the comparison group; "
            "each appearance is counted in its own group."
        )
    if future:
        warnings.append(
            f"{_people(future)} have an index date after the as-of date ({p.as_of:%d/%m/%Y}): "
            "they have no follow-up yet."
        )
    return warnings, baseline


def _signed(x: float, digits: int = 2) -> str:
    return f"{x:+.{digits}f}".replace("-", "−")


def build_findings(summaries: dict, did: dict, p: EvaluationParams) -> list[str]:
    c = summaries[COHORT]
    lines = []
    if c["n_analysed"]:
        lines.append(
            f"Of {_people(c['n_analysed'])} in the managed cohort with a full {p.after_days}-day "
            f"follow-up, {c['reduced']} reduced their recorded offending and "
            f"{c['no_further_offending']} had no further recorded offence."
        )
        pct = c["offences_change_pct"]
        lines.append(
            f"Their recorded offences went from {c['offences_before']:,} to {c['offences_after']:,}"
            + (f" ({_signed(pct, 1)}%)" if pct is not None else "")
            + f", and harm from {c['harm_before']:,.1f} to {c['harm_after']:,.1f} days"
            + (
                f" ({_signed(c['harm_change_pct'], 1)}%)."
                if c["harm_change_pct"] is not None
                else "."
            )
        )
    else:
        lines.append("No one in the managed cohort has yet had a full follow-up.")
    k = summaries.get(COMPARISON)
    if k is not None and k["n_analysed"]:
        pct = k["offences_change_pct"]
        lines.append(
            f"In the comparison group ({_people(k['n_analysed'])} with full follow-up), offences "
            f"went from {k['offences_before']:,} to {k['offences_after']:,}"
            + (f" ({_signed(pct, 1)}%)." if pct is not None else ".")
        )
    if did.get("estimate") is not None:
        lo, hi = did["ci"]
        lines.append(
            f"Difference in differences: {_signed(did['estimate'])} offences per person "
            f"(95% interval {_signed(lo)} to {_signed(hi)}), the managed cohort's mean change "
            "minus the comparison group's"
            + (
                "; the interval includes no change, so the data are consistent with no effect."
                if lo <= 0 <= hi
                else "."
            )
        )
    return lines


SMS_TEXT = {
    1: (
        "Level 1 of the Maryland Scientific Methods Scale: a before-and-after comparison of "
        "the managed people without an untreated comparison group. It describes what happened; "
        "it cannot show that management caused it."
    ),
    3: (
        "Level 3 of the Maryland Scientific Methods Scale: the managed people's change is "
        "compared with a comparison group's change over the same windows (difference in "
        "differences). It removes regression to the mean and general trends only as far as "
        "the comparison group resembles the managed cohort."
    ),
}

SMS_CAVEAT = (
    " Here the groups differ at baseline (see the warnings), so the comparability that "
    "level 3 assumes is not shown: on the original Maryland scale this design would count as "
    "level 2."
)


# --- the whole evaluation ----------------------------------------------------


def evaluate(
    *,
    cohort: pl.DataFrame,
    incidents: pl.DataFrame,
    catalogue: pl.DataFrame,
    comparison: pl.DataFrame | None = None,
    params: EvaluationParams | None = None,
    sources: dict | None = None,
) -> dict:
    """Evaluate a cohort (against a comparison group, when given). Returns a JSON-ready dict."""
    p = params or EvaluationParams()
    people = prepare_people(cohort, comparison)
    if p.as_of is None:
        latest = incidents["occurred_on"].max() if incidents.height else None
        latest = latest or people["index_date"].max()
        p = EvaluationParams(**{**asdict(p), "as_of": latest})
    relevant, excluded = _relevant_incidents(people, incidents, catalogue, p)
    frame = person_windows(people, relevant, p)
    labels = [COHORT] + ([COMPARISON] if (frame["cohort"] == COMPARISON).any() else [])
    has_comparison = COMPARISON in labels

    summaries = {}
    for label in labels:
        part = frame.filter(pl.col("cohort") == label)
        summaries[label] = cohort_summary(part) | {"groups": group_summaries(part)}

    done = frame.filter(pl.col("follow_up_complete"))
    done_c = done.filter(pl.col("cohort") == COHORT)
    done_k = done.filter(pl.col("cohort") == COMPARISON)
    changes_c = done_c.select("offences_change", "harm_change").to_numpy().astype(float)
    changes_k = (
        done_k.select("offences_change", "harm_change").to_numpy().astype(float)
        if has_comparison
        else None
    )
    boot = stats.did_bootstrap(changes_c, changes_k, replicates=p.bootstrap, seed=p.seed)

    def pair(block, i, digits=2):
        if not block:
            return {"estimate": None, "ci": None}
        return {
            "estimate": round(block["estimate"][i], digits),
            "ci": [round(block["ci"][i][0], digits), round(block["ci"][i][1], digits)],
        }

    method = (
        f"percentile bootstrap, {p.bootstrap} replicates resampling people within each group, "
        f"seed {p.seed}"
    )
    naive = pair(boot["naive"], 0) | {
        "harm": pair(boot["naive"], 1, 1),
        "unit": "mean change in offences per person (after - before), managed cohort",
        "method": method,
    }
    if boot.get("did"):
        did = pair(boot["did"], 0) | {
            "harm": pair(boot["did"], 1, 1),
            "unit": "offences per person: cohort mean change - comparison mean change",
            "method": method,
        }
    else:
        did = {
            "estimate": None,
            "ci": None,
            "harm": {"estimate": None, "ci": None},
            "note": "no comparison group with full follow-up: no difference in differences",
        }

    statistics = {
        "sign_test": {COHORT: stats.sign_test(changes_c[:, 0])},
        "wilcoxon": {COHORT: stats.wilcoxon_signed_rank(changes_c[:, 0])},
    }
    if has_comparison:
        statistics["sign_test"][COMPARISON] = stats.sign_test(changes_k[:, 0])
        statistics["wilcoxon"][COMPARISON] = stats.wilcoxon_signed_rank(changes_k[:, 0])
    statistics["negative_binomial"] = stats.negative_binomial(
        frame["offences_before"].to_numpy(),
        frame["offences_after"].to_numpy(),
        frame["before_observed_days"].to_numpy(),
        frame["follow_up_days"].to_numpy(),
        (frame["cohort"] == COHORT).to_numpy(),
    )
    observed = frame.filter(pl.col("follow_up_days") > 0)
    event = observed["days_to_first_offence"].is_not_null().to_numpy()
    duration = np.where(
        event,
        observed["days_to_first_offence"].fill_null(0).to_numpy(),
        observed["follow_up_days"].to_numpy(),
    )
    statistics["kaplan_meier"] = (
        stats.kaplan_meier(duration, event, observed["cohort"].to_numpy(), horizon=p.after_days)
        if observed.height
        else {"horizon_days": p.after_days, "curves": {}}
    )

    overlap = 0
    if has_comparison:
        refs = frame.group_by("perpetrator_ref").agg(pl.col("cohort").n_unique().alias("k"))
        overlap = int((refs["k"] > 1).sum())
    future = int((frame["index_date"] > p.as_of).sum())
    warnings, baseline = build_warnings(frame, summaries, p, overlap, future)
    sms_level = 3 if has_comparison and summaries[COMPARISON]["n_analysed"] else 1
    unlike = any(
        b["standardised_difference"] is not None
        and abs(b["standardised_difference"]) >= p.baseline_smd_warning
        for b in baseline.values()
    )

    people_rows = frame.select(
        "perpetrator_ref",
        "cohort",
        "group",
        pl.col("index_date").dt.strftime("%Y-%m-%d"),
        "offences_before",
        "offences_after",
        pl.col("harm_before").round(1),
        pl.col("harm_after").round(1),
        "follow_up_days",
        "follow_up_complete",
        "reduced",
        "no_further_offending",
        "days_to_first_offence",
    ).to_dicts()

    result = {
        "parameters": {
            "before_days": p.before_days,
            "after_days": p.after_days,
            "as_of": p.as_of.isoformat(),
            "before_window": "[index − before_days, index): the before_days days before the index date",
            "after_window": "[index, index + after_days): the index date and the days after it",
            "bootstrap": p.bootstrap,
            "seed": p.seed,
            "excluded_codes": list(p.exclude_codes),
            "excluded_incidents": excluded,
            "incidents_in_windows": relevant.height,
        }
        | ({"sources": sources} if sources else {}),
        COHORT: summaries[COHORT],
    }
    if has_comparison:
        result[COMPARISON] = summaries[COMPARISON]
    result |= {
        "did": did,
        "naive": naive,
        "sms_level": sms_level,
        "sms": SMS_TEXT[sms_level] + (SMS_CAVEAT if sms_level == 3 and unlike else ""),
        "baseline": baseline,
        "statistics": statistics,
        "trend": monthly_trend(frame, relevant, p, labels),
        "findings": build_findings(summaries, did, p),
        "warnings": warnings,
        "people": people_rows,
    }
    return result
