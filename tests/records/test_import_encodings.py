"""Files as forces really export them: UTF-8 with or without a BOM, Windows-1252,
semicolons, Windows line ends, quoted values; Parquet with the same columns."""

import datetime as dt

import polars as pl
import pytest

from highharm.people.models import Person
from highharm.records.models import Incident
from tests.records.importing import (
    INCIDENTS_HEADER,
    PEOPLE,
    PERSONS_HEADER,
    incident,
    run_import,
    write,
)

ZOE = "P2,Zoë,Léger,1980-07-08,F,,Zoé L"


@pytest.mark.parametrize(
    "encoding,bom,separator,newline",
    [
        ("utf-8", False, ",", "\n"),
        ("utf-8", True, ",", "\r\n"),
        ("cp1252", False, ";", "\r\n"),
        ("utf-8", True, ";", "\n"),
    ],
)
def test_it_reads_accented_names_in_every_accepted_encoding(
    db, tmp_path, encoding, bom, separator, newline
):
    persons = write(
        tmp_path / "persons.csv",
        PERSONS_HEADER,
        [*PEOPLE, ZOE],
        encoding=encoding,
        bom=bom,
        separator=separator,
        newline=newline,
    )

    code, out, _ = run_import("--persons", str(persons))

    assert code == 0, out
    zoe = Person.objects.get(reference="P2")
    assert (zoe.given_name, zoe.family_name) == ("Zoë", "Léger")
    assert list(zoe.aliases.values_list("name", flat=True)) == ["Zoé L"]
    assert Person.objects.get(reference="P1").given_name == "Pete"  # the BOM is not a name
    described = {"utf-8": "UTF-8", "cp1252": "Windows-1252"}[encoding]
    assert described in out
    assert ("semicolon" if separator == ";" else "comma") in out


def test_it_takes_quoted_values_with_separators_quotes_and_line_breaks(db, tmp_path):
    persons = write(
        tmp_path / "persons.csv",
        PERSONS_HEADER,
        [
            '"P1","Pete","O\'Neill, Jnr","1985-03-04","M","","Pete ""PJ"" O|Peter"',
            'P2,Paula,"Two\nLines",,F,,',
            "P3,Peter,Plain,,M,,",
        ],
    )

    code, _, _ = run_import("--persons", str(persons))

    assert code == 0
    p1 = Person.objects.get(reference="P1")
    assert p1.family_name == "O'Neill, Jnr"
    assert sorted(p1.aliases.values_list("name", flat=True)) == ['Pete "PJ" O', "Peter"]
    assert Person.objects.get(reference="P2").family_name == "Two\nLines"
    assert Person.objects.get(reference="P3").family_name == "Plain"


def test_it_numbers_lines_after_a_value_that_runs_over_two_lines(db, catalogue, tmp_path):
    persons = write(tmp_path / "persons.csv", PERSONS_HEADER, PEOPLE)
    incidents = write(
        tmp_path / "incidents.csv",
        INCIDENTS_HEADER,
        [
            incident("CR1").replace(",partner,", ',"partner",').replace("CR1", '"CR\n1"'),
            incident("CR2", code="NOPE"),
        ],
    )

    code, _, _ = run_import("--persons", str(persons), "--incidents", str(incidents))

    assert code == 3
    assert Incident.objects.filter(crime_reference="CR\n1").exists()
    rejects = incidents.with_name("incidents.rejects.csv").read_text(encoding="utf-8-sig")
    assert "incidents.csv,4,offence_code,NOPE" in rejects  # header 1, record on lines 2-3


def test_it_reads_parquet_with_the_same_columns(db, catalogue, tmp_path):
    persons = tmp_path / "persons.parquet"
    pl.DataFrame(
        {
            "reference": ["P1", "V1"],
            "given_name": ["Pete", "Vera"],
            "family_name": ["Perp", "Victim"],
            "date_of_birth": [dt.date(1985, 3, 4), None],
            "gender": ["M", "F"],
            "ethnicity": [None, None],
            "aliases": [None, None],
        }
    ).write_parquet(persons)
    incidents = tmp_path / "incidents.parquet"
    pl.DataFrame(
        {
            "crime_reference": ["CR1", "CR2"],
            "occurred_on": [dt.date(2025, 1, 10), dt.date(2099, 1, 1)],
            "offence_code": ["CA", "CA"],
            "perpetrator_ref": ["P1", "P1"],
            "victim_ref": ["V1", None],
            "relationship": ["partner", "partner"],
            "domestic": [True, False],
            "stalking": [False, False],
            "sexual": [False, False],
            "strangulation": [False, False],
            "weapon": [1, 0],
            "breach": [None, None],
            "outcome": ["charged", "charged"],
        }
    ).write_parquet(incidents)

    code, out, _ = run_import("--persons", str(persons), "--incidents", str(incidents))

    assert code == 3
    assert Person.objects.get(reference="P1").date_of_birth == dt.date(1985, 3, 4)
    cr1 = Incident.objects.get(crime_reference="CR1")
    assert (cr1.domestic, cr1.weapon, cr1.breach) == (True, True, False)
    rejects = incidents.with_name("incidents.rejects.csv").read_text(encoding="utf-8-sig")
    assert "incidents.parquet,2,occurred_on,2099-01-01" in rejects  # row 2 of the file
