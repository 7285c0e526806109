"""Pure computation for the supervisor's dashboard: demand and capacity by month.

No Django here: the selectors read the dates and pass them in; everything is
computed in Polars column expressions over all cases at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class MonthFlow:
    month: dt.date
    referrals: int
    adopted: int
    opened: int
    closed: int
    open_at_end: int


def month_starts(today: dt.date, months: int) -> list[dt.date]:
    """The first day of each of the `months` calendar months ending with today's, oldest first."""
    index = today.year * 12 + today.month - 1
    return [dt.date((i) // 12, (i) % 12 + 1, 1) for i in range(index - months + 1, index + 1)]


def _counts(dates: list[dt.date], column: str) -> pl.DataFrame:
    frame = pl.DataFrame({"day": dates}, schema={"day": pl.Date})
    return frame.group_by(pl.col("day").dt.truncate("1mo").alias("month")).agg(
        pl.len().cast(pl.Int64).alias(column)
    )


def monthly_flow(
    *,
    today: dt.date,
    months: int,
    referral_dates: list[dt.date],
    adopt_dates: list[dt.date],
    case_spans: list[tuple[dt.date, dt.date | None]],
) -> list[MonthFlow]:
    """Per month: referrals, adoptions, cases opened and closed, and cases open at month end.

    A case is open at the end of a month if it opened on or before the month's last day
    (today, for the current month) and had not closed by then (closed after that day,
    or not at all).
    """
    starts = month_starts(today, months)
    grid = pl.DataFrame({"month": starts}, schema={"month": pl.Date}).with_columns(
        pl.min_horizontal(
            pl.col("month").dt.offset_by("1mo").dt.offset_by("-1d"), pl.lit(today)
        ).alias("month_end")
    )
    opened = [o for o, _ in case_spans]
    closed = [c for _, c in case_spans if c is not None]
    for column, dates in (
        ("referrals", referral_dates),
        ("adopted", adopt_dates),
        ("opened", opened),
        ("closed", closed),
    ):
        grid = grid.join(_counts(dates, column), on="month", how="left")
    spans = pl.DataFrame(
        {"opened_on": opened, "closed_on": [c for _, c in case_spans]},
        schema={"opened_on": pl.Date, "closed_on": pl.Date},
    )
    open_at_end = (
        grid.select("month", "month_end")
        .join(spans, how="cross")
        .filter(
            (pl.col("opened_on") <= pl.col("month_end"))
            & (pl.col("closed_on").is_null() | (pl.col("closed_on") > pl.col("month_end")))
        )
        .group_by("month")
        .agg(pl.len().cast(pl.Int64).alias("open_at_end"))
    )
    grid = grid.join(open_at_end, on="month", how="left").fill_null(0).sort("month")
    return [
        MonthFlow(
            month=row["month"],
            referrals=row["referrals"],
            adopted=row["adopted"],
            opened=row["opened"],
            closed=row["closed"],
            open_at_end=row["open_at_end"],
        )
        for row in grid.iter_rows(named=True)
    ]


def months_until_full(*, spare: int, intake_per_month: float, exits_per_month: float):
    """Months until the spare places are used at the current net growth; None if not growing."""
    growth = intake_per_month - exits_per_month
    if growth <= 0:
        return None
    return max(0.0, spare / growth)
