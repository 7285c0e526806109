"""Harm is held in hundredths of a day and shown in days: the shown value must be the double
nearest to n / 100 (what `float('0.35')` gives), not n times the double nearest to 0.01."""

import polars as pl

from highharm.scoring import engine


def _shown(hundredths: list[int]) -> list[float]:
    frame = pl.DataFrame({"h": hundredths}, schema={"h": pl.Int64})
    return (
        frame.select(engine._days(pl.col("h"), engine._hundreds(frame.height)))
        .to_series()
        .to_list()
    )


def test_hundredths_become_the_decimal_days_they_stand_for():
    # 35 * 0.01 is 0.35000000000000003 in binary floating point; 0.35 is what it means.
    assert 35 * (1 / 100) != 0.35
    assert _shown([35, 70, 0, 94000, 1825_00, 27_499_999_999]) == [
        0.35,
        0.7,
        0.0,
        940.0,
        1825.0,
        274999999.99,
    ]


def test_both_ways_of_dividing_agree_on_many_values():
    values = list(range(0, 20_000)) + [n * 7_919 + 13 for n in range(20_000)]
    frame = pl.DataFrame({"h": values}, schema={"h": pl.Int64})
    exact = frame.select(engine._days(pl.col("h"))).to_series().to_list()
    assert _shown(values) == exact
    assert exact == [float(f"{v // 100}.{v % 100:02d}") for v in values]
