"""Reading cohort, incident and catalogue files: encodings, separators, dates, clear errors."""

import datetime as dt

import polars as pl
import pytest

from highharm.evaluation.readers import (
    EvaluationInputError,
    read_catalogue,
    read_cohort,
    read_incidents,
)


def test_it_reads_windows_1252_semicolons_and_uk_dates(tmp_path):
    path = tmp_path / "cohort.csv"
    path.write_bytes("perpetrator_ref;index_date;group\nP1;31/12/2023;Ésprit\n".encode("cp1252"))
    frame = read_cohort(path)
    assert frame["perpetrator_ref"].to_list() == ["P1"]
    assert frame["index_date"].to_list() == [dt.date(2023, 12, 31)]
    assert frame["group"].to_list() == ["Ésprit"]


def test_it_reads_utf8_with_a_byte_order_mark_and_no_group(tmp_path):
    path = tmp_path / "cohort.csv"
    path.write_bytes("\ufeffperpetrator_ref,index_date\nP1,2024-02-29\n".encode())
    frame = read_cohort(path)
    assert frame["group"].to_list() == [""]
    assert frame["index_date"].to_list() == [dt.date(2024, 2, 29)]


def test_it_names_missing_columns(tmp_path):
    path = tmp_path / "cohort.csv"
    path.write_text("ref,date\nP1,2024-01-01\n")
    with pytest.raises(EvaluationInputError, match="missing columns perpetrator_ref, index_date"):
        read_cohort(path)


def test_it_refuses_a_person_twice_in_one_cohort(tmp_path):
    path = tmp_path / "cohort.csv"
    path.write_text("perpetrator_ref,index_date\nP1,2024-01-01\nP2,2024-01-01\nP1,2024-03-01\n")
    with pytest.raises(EvaluationInputError, match="rows 2, 4: perpetrator_ref 'P1' appears"):
        read_cohort(path)


def test_it_names_empty_references(tmp_path):
    path = tmp_path / "cohort.csv"
    path.write_text("perpetrator_ref,index_date\n,2024-01-01\n")
    with pytest.raises(EvaluationInputError, match="row 2: field perpetrator_ref is empty"):
        read_cohort(path)


def test_it_reads_parquet_incidents_with_real_dates(tmp_path):
    path = tmp_path / "incidents.parquet"
    pl.DataFrame(
        {
            "perpetrator_ref": ["P1"],
            "occurred_on": [dt.date(2024, 5, 1)],
            "offence_code": ["abh"],
            "victim_ref": [""],
        }
    ).write_parquet(path)
    frame = read_incidents(path)
    assert frame["occurred_on"].to_list() == [dt.date(2024, 5, 1)]
    assert frame["offence_code"].to_list() == ["ABH"]


def test_it_checks_catalogue_weights(tmp_path):
    path = tmp_path / "catalogue.csv"
    path.write_text("code,harm_days\nABH,180\nCA,-1\n")
    with pytest.raises(EvaluationInputError, match="row 3: field harm_days"):
        read_catalogue(path)


def test_it_reads_the_default_catalogue():
    from pathlib import Path

    import highharm

    frame = read_catalogue(Path(highharm.__file__).parent / "data" / "offences.csv")
    weights = dict(frame.iter_rows())
    assert weights["DOMNC"] == 0
    assert weights["ABH"] > weights["CA"] > 0
