"""Exit codes: 0 when every row was taken, 3 when some were rejected, 2 when a file could
not be read at all, and then nothing is written (not even from the other file)."""

import pytest

from highharm.people.models import Person
from highharm.records.models import ImportRun, Incident
from tests.records.importing import (
    INCIDENTS_HEADER,
    PEOPLE,
    PERSONS_HEADER,
    incident,
    run_import,
    write,
)


def test_it_exits_0_when_every_row_is_taken(db, catalogue, tmp_path):
    persons = write(tmp_path / "persons.csv", PERSONS_HEADER, PEOPLE)
    incidents = write(tmp_path / "incidents.csv", INCIDENTS_HEADER, [incident("CR1")])

    code, _, _ = run_import("--persons", str(persons), "--incidents", str(incidents))

    assert code == 0
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.COMPLETED
    assert run.counts["incidents"]["inserted"] == 1
    assert run.batches_committed == 2


def test_it_exits_3_when_some_rows_are_rejected(db, catalogue, tmp_path):
    persons = write(tmp_path / "persons.csv", PERSONS_HEADER, PEOPLE)
    incidents = write(
        tmp_path / "incidents.csv", INCIDENTS_HEADER, [incident("CR1"), incident("CR2", code="?")]
    )

    code, _, err = run_import("--persons", str(persons), "--incidents", str(incidents))

    assert code == 3
    assert "1 row(s) rejected" in err
    assert ImportRun.objects.get().status == ImportRun.Status.COMPLETED_WITH_REJECTS
    assert Incident.objects.count() == 1


BAD_FILES = [
    ("missing", None, "file not found"),
    ("excel.xlsx", b"PK\x03\x04 not a csv", "is not a CSV or Parquet file"),
    ("binary.csv", b"crime_reference\x00\x01\x02", "binary data"),
    ("empty.csv", b"\r\n\r\n", "no header line"),
    (
        "no_header.csv",
        incident("CR1").encode(),
        "none of the expected column names",
    ),
    (
        "short_header.csv",
        b"crime_reference,occurred_on,offence_code,perpetrator_ref,victim_ref,relationship,"
        b"domestic,stalking,sexual,strangulation,weapon,breach\nCR1",
        "missing the column outcome",
    ),
    ("fake.parquet", b"not parquet", "could not be read as a Parquet file"),
    ("utf16.csv", "crime_reference".encode("utf-16"), "UTF-16"),
]


@pytest.mark.parametrize("name,content,words", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_it_exits_2_and_writes_nothing_when_a_file_cannot_be_read(
    db, catalogue, tmp_path, name, content, words
):
    persons = write(tmp_path / "persons.csv", PERSONS_HEADER, PEOPLE)
    incidents = tmp_path / name
    if content is not None:
        incidents.write_bytes(content)

    code, _, err = run_import("--persons", str(persons), "--incidents", str(incidents))

    assert code == 2
    assert words in err
    assert "Nothing was imported" in err
    assert Person.objects.count() == 0  # the good persons file was not imported either
    assert ImportRun.objects.count() == 0
    assert not (tmp_path / "persons.rejects.csv").exists()


def test_it_names_every_missing_column(db, tmp_path):
    persons = tmp_path / "persons.csv"
    persons.write_text("reference;given_name;gender\nP1;Pete;M\n")

    code, _, err = run_import("--persons", str(persons))

    assert code == 2
    assert "missing the columns family_name, date_of_birth" in err


def test_it_exits_2_when_no_file_is_given(db):
    code, _, err = run_import()

    assert code == 2
    assert "--persons" in err
