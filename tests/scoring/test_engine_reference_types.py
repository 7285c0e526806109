"""References may be text, categorical or whole numbers (database ids): same scores."""

import datetime as dt

import polars as pl

from highharm.scoring.config import load_config
from highharm.scoring.engine import score
from tests.scoring.helpers import frame, incident

CONFIG = load_config("src/highharm/data/scoring.toml")
AS_OF = dt.date(2026, 3, 1)
D = dt.date

ROWS = [
    incident("P7", D(2025, 1, 10), victim="V1", harm=8.0, relationship="ex_partner"),
    incident("P7", D(2025, 9, 1), victim="V2", harm=252.0, relationship="partner"),
    incident("P7", D(2026, 2, 20), victim=None, harm=None, category="coercive_control"),
    incident("P3", D(2026, 2, 1), victim="V1", harm=365.0, stalking=True),
    incident("P3", D(2026, 2, 1), victim="V3", harm=0.0, relationship="family"),
    incident("P5", D(2024, 3, 2), victim="V9", harm=28.0),
]
IDS = {"P7": 7, "P3": 3, "P5": 5, "V1": 101, "V2": 102, "V3": 103, "V9": 109}


def without_refs(out: pl.DataFrame) -> pl.DataFrame:
    return out.drop("perpetrator_ref")


def test_it_gives_the_same_scores_for_categorical_references():
    text = score(frame(ROWS), as_of=AS_OF, config=CONFIG)
    categorical = frame(ROWS).with_columns(
        pl.col("perpetrator_ref", "victim_ref", "category", "relationship").cast(pl.Categorical)
    )
    got = score(categorical, as_of=AS_OF, config=CONFIG)
    assert (
        got.get_column("perpetrator_ref").to_list() == text.get_column("perpetrator_ref").to_list()
    )
    assert without_refs(got).equals(without_refs(text))


def test_it_gives_the_same_scores_for_whole_number_references():
    text = score(frame(ROWS), as_of=AS_OF, config=CONFIG)
    numbers = frame(ROWS).with_columns(
        pl.col("perpetrator_ref").replace_strict(IDS, return_dtype=pl.Int64),
        pl.col("victim_ref").replace_strict(IDS, default=None, return_dtype=pl.Int64),
    )
    got = score(numbers, as_of=AS_OF, config=CONFIG)
    assert sorted(got.get_column("perpetrator_ref").to_list()) == [3, 5, 7]
    by_ref = {r["perpetrator_ref"]: r for r in got.to_dicts()}
    for row in text.to_dicts():
        other = by_ref[IDS[row["perpetrator_ref"]]]
        for key in (
            "priority_score",
            "frequency",
            "victims",
            "partner_victims",
            "harm_sum",
            "explanation",
        ):
            assert other[key] == row[key]


def test_it_encodes_references_too_large_for_its_sort_key():
    huge = frame(ROWS).with_columns(
        (pl.col("perpetrator_ref").replace_strict(IDS, return_dtype=pl.Int64) + (1 << 40)),
        (pl.col("victim_ref").replace_strict(IDS, default=None, return_dtype=pl.Int64) - 1000),
    )
    got = score(huge, as_of=AS_OF, config=CONFIG)
    assert sorted(got.get_column("perpetrator_ref").to_list()) == [
        (1 << 40) + 3,
        (1 << 40) + 5,
        (1 << 40) + 7,
    ]
    text = score(frame(ROWS), as_of=AS_OF, config=CONFIG)
    assert sorted(got.get_column("priority_score").to_list()) == sorted(
        text.get_column("priority_score").to_list()
    )
    assert sorted(got.get_column("victims").to_list()) == sorted(
        text.get_column("victims").to_list()
    )


def test_it_gives_the_same_scores_for_enum_references():
    text = score(frame(ROWS), as_of=AS_OF, config=CONFIG)
    enum = pl.Enum(["P7", "P5", "P3"])  # not in text order
    got = score(
        frame(ROWS).with_columns(pl.col("perpetrator_ref").cast(enum)), as_of=AS_OF, config=CONFIG
    )
    assert got.schema["perpetrator_ref"] == enum
    assert got.get_column("perpetrator_ref").cast(pl.String).to_list() == (
        text.get_column("perpetrator_ref").to_list()
    )
    assert without_refs(got).equals(without_refs(text))
