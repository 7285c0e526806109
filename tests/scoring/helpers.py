import datetime as dt

import polars as pl

from highharm.scoring.engine import INPUT_COLUMNS

FLAGS = ("domestic", "stalking", "sexual", "strangulation", "weapon", "breach")


def incident(
    perpetrator: str,
    day: dt.date,
    *,
    victim: str | None = "V1",
    harm: float | None = 28.0,
    category: str = "violence_without_injury",
    relationship: str = "partner",
    **flags: bool,
) -> dict:
    return {
        "perpetrator_ref": perpetrator,
        "victim_ref": victim,
        "occurred_on": day,
        "category": category,
        "harm_days": harm,
        "relationship": relationship,
        **{f: bool(flags.get(f, False)) for f in FLAGS},
    }


def frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "perpetrator_ref": pl.String,
            "victim_ref": pl.String,
            "occurred_on": pl.Date,
            "category": pl.String,
            "harm_days": pl.Float64,
            "relationship": pl.String,
            **{f: pl.Boolean for f in FLAGS},
        },
    ).select(list(INPUT_COLUMNS))
