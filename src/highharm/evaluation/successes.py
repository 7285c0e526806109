"""Other successes of management: interventions, safeguarding outputs, engagement (pure; no Django).

Input: the evaluated people (`perpetrator_ref, index_date, cohort`) and the
interventions recorded on their cases (`perpetrator_ref, kind, type, status,
outcome, engaged, started_on`). An intervention counts for a person when it
started on or after their index date and on or before the as-of date; a person
in both the cohort and the comparison group is counted in each.

Definitions (docs/evaluation.md, "Other successes"):
- DVDS disclosures: right-to-ask or right-to-know interventions with the
  outcome `disclosure_made`;
- protection orders obtained: DVPO, DAPO, SPO, NMO, RO, SHPO or SRO
  interventions with the outcome `order_obtained` (notices are not orders);
- victims referred to an IDVA (ISVA): IDVA (ISVA) referral interventions that
  went ahead (status not `planned` and not `declined`);
- engagement rate: engaged / (engaged + partly + not engaged); `not known yet`
  and `not applicable` are left out of the rate and reported as unknown.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

ORDER_TYPES = ("dvpo", "dapo", "spo", "nmo", "ro", "shpo", "sro")
DVDS_TYPES = ("dvds_right_to_ask", "dvds_right_to_know")
NOT_MADE = ("planned", "declined")
KINDS = ("engagement", "enforcement", "safeguarding")
INTERVENTION_COLUMNS = {
    "perpetrator_ref": pl.String,
    "kind": pl.String,
    "type": pl.String,
    "status": pl.String,
    "outcome": pl.String,
    "engaged": pl.String,
    "started_on": pl.Date,
}


def empty_interventions() -> pl.DataFrame:
    return pl.DataFrame(schema=INTERVENTION_COLUMNS)


def _engagement(frame: pl.DataFrame) -> dict:
    counts = {v: int((frame["engaged"] == v).sum()) for v in ("engaged", "partly", "not_engaged")}
    known = sum(counts.values())
    return {
        "interventions": frame.height,
        **counts,
        "unknown": frame.height - known,
        "rate": round(counts["engaged"] / known, 4) if known else None,
    }


def _summary(people: pl.DataFrame, done: pl.DataFrame) -> dict:
    by_type_outcome = (
        done.group_by("kind", "type", "outcome")
        .agg(pl.len().alias("count"))
        .sort(["kind", "type", "outcome"])
        .with_columns(pl.col("count").cast(pl.Int64))
        .to_dicts()
    )
    by_type = (
        done.group_by("kind", "type")
        .agg(
            pl.len().alias("count"),
            (pl.col("status") == "completed").sum().alias("completed"),
        )
        .sort(["kind", "type"])
        .with_columns(pl.col("count").cast(pl.Int64), pl.col("completed").cast(pl.Int64))
        .to_dicts()
    )
    outcomes = (
        done.group_by("outcome")
        .agg(pl.len().alias("count"))
        .sort(["count", "outcome"], descending=[True, False])
        .with_columns(pl.col("count").cast(pl.Int64))
        .to_dicts()
    )

    def n(expr) -> int:
        return int(done.filter(expr).height)

    made = ~pl.col("status").is_in(NOT_MADE)
    safeguarding = {
        "dvds_disclosures": n(
            pl.col("type").is_in(DVDS_TYPES) & (pl.col("outcome") == "disclosure_made")
        ),
        "protection_orders_obtained": n(
            pl.col("type").is_in(ORDER_TYPES) & (pl.col("outcome") == "order_obtained")
        ),
        "idva_referrals": n((pl.col("type") == "idva_referral") & made),
        "isva_referrals": n((pl.col("type") == "isva_referral") & made),
    }
    return {
        "people": int(people["perpetrator_ref"].n_unique()),
        "people_with_interventions": int(done["perpetrator_ref"].n_unique()),
        "interventions": done.height,
        "by_type": by_type,
        "by_type_outcome": by_type_outcome,
        "outcomes": outcomes,
        "safeguarding": safeguarding,
        "engagement": {
            "overall": _engagement(done),
            "by_kind": [
                {"kind": k} | _engagement(done.filter(pl.col("kind") == k))
                for k in KINDS
                if (done["kind"] == k).any()
            ],
        },
    }


def other_successes(
    *, people: pl.DataFrame, interventions: pl.DataFrame | None, as_of: dt.date | None
) -> dict:
    """Counts per cohort label (`cohort`, and `comparison` when present) as a JSON-ready dict."""
    if interventions is None:
        return {
            "available": False,
            "note": "the case records (interventions) were not read: they are read only when "
            "the evaluation uses the database",
        }
    people = people.select(
        pl.col("perpetrator_ref").cast(pl.String),
        pl.col("index_date").cast(pl.Date),
        pl.col("cohort").cast(pl.String),
    )
    interventions = interventions.select(
        [pl.col(c).cast(t) for c, t in INTERVENTION_COLUMNS.items()]
    )
    joined = people.join(interventions, on="perpetrator_ref", how="inner").filter(
        pl.col("started_on") >= pl.col("index_date")
    )
    if as_of is not None:
        joined = joined.filter(pl.col("started_on") <= pl.lit(as_of))
    out: dict = {
        "available": True,
        "window": "interventions started on or after the person's index date, up to the as-of date",
    }
    for label in ("cohort", "comparison"):
        part = people.filter(pl.col("cohort") == label)
        if part.height:
            out[label] = _summary(part, joined.filter(pl.col("cohort") == label))
    return out
