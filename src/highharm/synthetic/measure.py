"""Measure the shape of a force (synthetic or not) from its import files.

Used to check the synthetic force against the published shape of harm
(docs/synthetic.md). Works on DataFrames in the import format, or on the
CSV files through `measure_files()` (lazy scan; fine for millions of rows).

Definitions (all per perpetrator over the whole window):
- harm: sum of the offence weights (harm_days) of his incidents;
- pair: a (perpetrator, victim) with a recorded victim;
- escalating: at least 4 incidents, and the later half of his incidents
  has both a higher mean harm and a shorter mean gap than the earlier half;
- stalking: at least one incident flagged stalking (incident or offence);
- serial: at least two different victims who were partners or ex-partners.
"""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl

from highharm.synthetic.catalogue import harm_weights, implied_flags

_FLAGS = ("domestic", "stalking", "sexual", "strangulation", "weapon", "breach")


def _with_harm(incidents: pl.LazyFrame, weights: dict[str, float]) -> pl.LazyFrame:
    implied = implied_flags()
    codes = pl.DataFrame(
        {
            "offence_code": list(weights),
            "harm": [float(w) for w in weights.values()],
            **{f"implied_{f}": [f in implied.get(c, ()) for c in weights] for f in _FLAGS},
        }
    ).lazy()
    return incidents.join(codes, on="offence_code", how="left").with_columns(
        pl.col("harm").fill_null(0.0),
        *[
            ((pl.col(f) == "Y") | pl.col(f"implied_{f}").fill_null(False)).alias(f"is_{f}")
            for f in _FLAGS
        ],
    )


def _top_share(values: pl.Series, share: float) -> float:
    ordered = values.sort(descending=True)
    total = ordered.sum()
    if not total:
        return 0.0
    top = max(1, math.ceil(share * len(ordered)))
    return float(ordered.head(top).sum() / total)


def measure(
    persons: pl.DataFrame | pl.LazyFrame,
    incidents: pl.DataFrame | pl.LazyFrame,
    weights: dict[str, float] | None = None,
) -> dict:
    """The published-shape figures for a force (see the module docstring)."""
    if weights is None:
        weights, source = harm_weights()
    else:
        source = "given"
    inc = _with_harm(incidents.lazy(), weights).collect()
    per = persons.lazy().collect()
    years = (
        inc.select(
            (pl.col("occurred_on").max() - pl.col("occurred_on").min()).dt.total_days() + 1
        ).item()
        / 365.25
    )

    by_perp = (
        inc.sort("perpetrator_ref", "occurred_on", "crime_reference")
        .with_columns(
            pl.int_range(pl.len()).over("perpetrator_ref").alias("i"),
            pl.len().over("perpetrator_ref").alias("n"),
            (pl.col("occurred_on").diff().over("perpetrator_ref").dt.total_days()).alias("gap"),
        )
        .with_columns((pl.col("i") >= pl.col("n") / 2).alias("late"))
        .group_by("perpetrator_ref")
        .agg(
            pl.col("harm").sum().alias("harm"),
            pl.len().alias("incidents"),
            pl.col("is_stalking").any().alias("stalking"),
            pl.col("is_strangulation").any().alias("strangulation"),
            pl.col("is_sexual").any().alias("sexual"),
            pl.col("harm").filter(pl.col("late")).mean().alias("late_harm"),
            pl.col("harm").filter(~pl.col("late")).mean().alias("early_harm"),
            pl.col("gap").filter(pl.col("late") & (pl.col("i") > 0)).mean().alias("late_gap"),
            pl.col("gap").filter(~pl.col("late") & (pl.col("i") > 0)).mean().alias("early_gap"),
            pl.col("victim_ref")
            .filter(pl.col("relationship").is_in(["partner", "ex_partner"]))
            .n_unique()
            .alias("partners"),
        )
        .with_columns(
            (
                (pl.col("incidents") >= 4)
                & (pl.col("late_harm") > pl.col("early_harm"))
                & (pl.col("late_gap") < pl.col("early_gap"))
            ).alias("escalating"),
            (pl.col("partners") >= 2).alias("serial"),
        )
    )
    n_perp = by_perp.height
    top_n = max(1, math.ceil(0.03 * n_perp))
    top = by_perp.sort("harm", descending=True).head(top_n)
    pairs = (
        inc.filter(pl.col("victim_ref").is_not_null())
        .group_by("perpetrator_ref", "victim_ref")
        .agg(pl.len().alias("n"), pl.col("harm").sum().alias("harm"))
    )
    victim_harm = (
        inc.filter(pl.col("victim_ref").is_not_null())
        .group_by("victim_ref")
        .agg(pl.col("harm").sum())
    )
    perp_refs = set(inc["perpetrator_ref"].unique().to_list())
    victim_refs = set(inc["victim_ref"].drop_nulls().unique().to_list())
    perp_people = per.filter(pl.col("reference").is_in(list(perp_refs)))
    ages = perp_people.select(
        (
            (pl.lit(inc["occurred_on"].max()) - pl.col("date_of_birth")).dt.total_days() / 365.25
        ).alias("age")
    ).drop_nulls()["age"]
    return {
        "harm_weights": source,
        "perpetrators": n_perp,
        "persons": per.height,
        "incidents": inc.height,
        "years": round(years, 2),
        "incidents_per_year": round(inc.height / years),
        "incidents_by_year": dict(
            inc.group_by(pl.col("occurred_on").dt.year().alias("y")).len().sort("y").iter_rows()
        ),
        "pairs": pairs.height,
        "single_incident_pair_share": round(float((pairs["n"] == 1).mean()), 4),
        "top_2pc_pairs_harm_share": round(_top_share(pairs["harm"], 0.02), 4),
        "top_3pc_perpetrators_harm_share": round(_top_share(by_perp["harm"], 0.03), 4),
        "top_4pc_victims_harm_share": round(_top_share(victim_harm["harm"], 0.04), 4),
        "single_incident_perpetrator_share": round(float((by_perp["incidents"] == 1).mean()), 4),
        "escalating_share": round(float(by_perp["escalating"].mean()), 4),
        "stalking_share": round(float(by_perp["stalking"].mean()), 4),
        "serial_share": round(float(by_perp["serial"].mean()), 4),
        "strangulation_share": round(float(by_perp["strangulation"].mean()), 4),
        "strangulation_share_top_3pc": round(float(top["strangulation"].mean()), 4),
        "sexual_incident_share": round(float(inc["is_sexual"].mean()), 4),
        "domnc_incident_share": round(float((inc["offence_code"] == "DOMNC").mean()), 4),
        "no_victim_incident_share": round(float(inc["victim_ref"].is_null().mean()), 4),
        "victims_also_perpetrators": len(perp_refs & victim_refs),
        "perpetrators_male_share": round(float((perp_people["gender"] == "M").mean()), 4),
        "perpetrators_aged_18_60_share": round(float(((ages >= 18) & (ages <= 60)).mean()), 4),
        "ethnicity_recorded_share": round(float(per["ethnicity"].is_not_null().mean()), 4),
    }


def measure_files(persons_csv: str | Path, incidents_csv: str | Path) -> dict:
    schema = {"occurred_on": pl.Date}
    persons = pl.scan_csv(persons_csv, schema_overrides={"date_of_birth": pl.Date})
    incidents = pl.scan_csv(incidents_csv, schema_overrides=schema)
    return measure(persons, incidents)
