"""Ethnicity, gender, age, date of birth and address are never inputs to the score."""

import datetime as dt

import pytest

from highharm.scoring import selectors
from highharm.scoring.config import load_config
from highharm.scoring.engine import INPUT_COLUMNS, PROTECTED_COLUMNS, ScoringInputError, score
from tests.scoring.helpers import frame, incident

CONFIG = load_config("src/highharm/data/scoring.toml")
PROTECTED = ["ethnicity", "gender", "sex", "age", "date_of_birth", "dob", "address", "postcode"]


def test_it_has_no_protected_characteristic_in_its_input_schema():
    assert not set(INPUT_COLUMNS) & set(PROTECTED)
    assert set(PROTECTED) <= PROTECTED_COLUMNS


@pytest.mark.parametrize("column", PROTECTED + ["Ethnicity", "GENDER"])
def test_it_refuses_a_frame_carrying_a_protected_characteristic(column):
    df = frame([incident("P1", dt.date(2026, 2, 1))]).with_columns(
        __import__("polars").lit("x").alias(column)
    )
    with pytest.raises(ScoringInputError, match="protected characteristic"):
        score(df, as_of=dt.date(2026, 3, 1), config=CONFIG)


def test_it_refuses_any_column_outside_the_schema():
    import polars as pl

    df = frame([incident("P1", dt.date(2026, 2, 1))]).with_columns(pl.lit(1).alias("risk_hint"))
    with pytest.raises(ScoringInputError, match="risk_hint"):
        score(df, as_of=dt.date(2026, 3, 1), config=CONFIG)


def test_it_never_reads_a_protected_characteristic_from_the_database(db):
    sql = selectors._incident_sql().lower()
    for word in ("ethnicity", "gender", "date_of_birth", "given_name", "family_name", "address"):
        assert word not in sql


def test_it_gives_the_same_scores_whatever_a_persons_ethnicity_gender_or_age(perpetrator):
    from highharm.people.models import Person

    as_of = dt.date(2026, 3, 1)
    before, _ = selectors.score_database(as_of=as_of, config=CONFIG)
    Person.objects.filter(pk=perpetrator.pk).update(
        ethnicity="Any other ethnic group", gender="F", date_of_birth=dt.date(2001, 1, 1)
    )
    after, _ = selectors.score_database(as_of=as_of, config=CONFIG)
    assert before.height == 1
    assert before.equals(after)
