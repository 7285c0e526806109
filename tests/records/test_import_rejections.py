"""Each reason a row is turned away, with its line, column and value, in words an analyst
understands; the good rows around it are still imported."""

import pytest

from highharm.people.models import Person
from highharm.records.models import Incident
from tests.records.importing import (
    INCIDENTS_HEADER,
    PEOPLE,
    PERSONS_HEADER,
    incident,
    read_rejects,
    run_import,
    write,
)

INCIDENT_CASES = [
    ("unknown offence", incident("CR2", code="XYZ"), "offence_code", "XYZ", "unknown offence code"),
    ("future", incident("CR2", "2099-01-01"), "occurred_on", "2099-01-01", "in the future"),
    ("not real", incident("CR2", "30/02/2025"), "occurred_on", "30/02/2025", "not a real date"),
    ("no perpetrator", incident("CR2", perp=""), "perpetrator_ref", "", "is missing"),
    (
        "perpetrator unknown",
        incident("CR2", perp="P404"),
        "perpetrator_ref",
        "P404",
        "Perpetrator P404 is not in the persons file or the database",
    ),
    (
        "victim unknown",
        incident("CR2", victim="V404"),
        "victim_ref",
        "V404",
        "Victim V404 is not in the persons file or the database",
    ),
    ("own victim", incident("CR2", victim="P1"), "victim_ref", "P1", "same person"),
    (
        "relationship",
        incident("CR2", relationship="neighbour"),
        "relationship",
        "neighbour",
        "unknown relationship value",
    ),
    ("outcome", incident("CR2", outcome="nfa"), "outcome", "nfa", "unknown outcome value"),
    ("flag", incident("CR2", weapon="maybe"), "weapon", "maybe", "not a yes/no value"),
    ("no reference", incident(""), "crime_reference", "", "Crime reference is missing"),
    ("too long", incident("C" * 41), "crime_reference", "C" * 41, "longer than 40"),
    (
        "conflicting duplicate",
        incident("CR1", outcome="caution"),
        "crime_reference",
        "CR1",
        "also on line 2 of this file with different content",
    ),
    ("truncated", "CR2,2025-01-10,CA,P1", "victim_ref", "", "4 fields but the header has 13"),
    ("too many", incident("CR2") + ",extra", "", "", "14 fields but the header has 13"),
]


@pytest.mark.parametrize(
    "line,column,value,words", [c[1:] for c in INCIDENT_CASES], ids=[c[0] for c in INCIDENT_CASES]
)
def test_it_rejects_a_bad_incident_with_line_column_and_reason(
    db, catalogue, tmp_path, line, column, value, words
):
    persons = write(tmp_path / "persons.csv", PERSONS_HEADER, PEOPLE)
    incidents = write(
        tmp_path / "incidents.csv", INCIDENTS_HEADER, [incident("CR1"), line, incident("CR3")]
    )

    code, out, _ = run_import("--persons", str(persons), "--incidents", str(incidents))

    assert code == 3
    rejects = read_rejects(tmp_path / "incidents.rejects.csv")
    assert len(rejects) == 1, rejects
    (reject,) = rejects
    assert reject["file"] == "incidents.csv"
    assert reject["line"] == "3"
    assert reject["column"] == column
    assert reject["value"] == value
    assert words in reject["reason"]
    assert reject["raw_row"] == line
    assert set(Incident.objects.values_list("crime_reference", flat=True)) == {"CR1", "CR3"}
    assert "rejected 1" in out


PERSON_CASES = [
    ("gender", "P9,Paul,Perry,,Q,,", "gender", "Q", "unknown gender value"),
    ("no reference", ",Paul,Perry,,M,,", "reference", "", "Person reference is missing"),
    ("birth in future", "P9,Paul,Perry,2099-01-01,M,,", "date_of_birth", "2099-01-01", "future"),
    ("not a date", "P9,Paul,Perry,yesterday,M,,", "date_of_birth", "yesterday", "not a date"),
    ("long name", "P9," + "A" * 101 + ",Perry,,M,,", "given_name", "A" * 101, "longer than 100"),
    ("long alias", "P9,Paul,Perry,,M,," + "B" * 201, "aliases", "B" * 201, "alias is longer"),
    ("conflict", "P1,Peter,Perp,1985-03-04,M,,", "reference", "P1", "also on line 2"),
]


@pytest.mark.parametrize(
    "line,column,value,words", [c[1:] for c in PERSON_CASES], ids=[c[0] for c in PERSON_CASES]
)
def test_it_rejects_a_bad_person_with_line_column_and_reason(
    db, tmp_path, line, column, value, words
):
    persons = write(tmp_path / "persons.csv", PERSONS_HEADER, [PEOPLE[0], line, PEOPLE[1]])

    code, _, _ = run_import("--persons", str(persons))

    assert code == 3
    (reject,) = read_rejects(tmp_path / "persons.rejects.csv")
    assert (reject["line"], reject["column"], reject["value"]) == ("3", column, value)
    assert words in reject["reason"]
    assert set(Person.objects.values_list("reference", flat=True)) == {"P1", "V1"}


def test_it_lists_every_problem_of_a_row_but_counts_the_row_once(db, catalogue, tmp_path):
    persons = write(tmp_path / "persons.csv", PERSONS_HEADER, PEOPLE)
    incidents = write(
        tmp_path / "incidents.csv",
        INCIDENTS_HEADER,
        [incident("CR1", "31/06/2025", code="XYZ", outcome="nfa")],
    )

    code, out, _ = run_import("--persons", str(persons), "--incidents", str(incidents))

    assert code == 3
    rejects = read_rejects(tmp_path / "incidents.rejects.csv")
    assert [(r["line"], r["column"]) for r in rejects] == [
        ("2", "occurred_on"),
        ("2", "offence_code"),
        ("2", "outcome"),
    ]
    assert "rejected 1," in out
    assert "3 problem(s) listed in" in out


def test_it_finds_the_perpetrator_in_the_database_when_not_in_the_file(
    db, catalogue, perpetrator, tmp_path
):
    # Pete Perp (P100) and Vera (V200) were imported before; this file has only incidents.
    incidents = write(
        tmp_path / "incidents.csv",
        INCIDENTS_HEADER,
        [incident("CR9", perp="P100", victim="V200")],
    )

    code, _, _ = run_import("--incidents", str(incidents))

    assert code == 0
    assert Incident.objects.get(crime_reference="CR9").perpetrator == perpetrator


def test_it_does_not_count_a_person_rejected_from_the_file_as_known(db, catalogue, tmp_path):
    persons = write(tmp_path / "persons.csv", PERSONS_HEADER, [*PEOPLE, "P2,Paul,Perry,,Q,,"])
    incidents = write(tmp_path / "incidents.csv", INCIDENTS_HEADER, [incident("CR1", perp="P2")])

    code, _, _ = run_import("--persons", str(persons), "--incidents", str(incidents))

    assert code == 3
    (reject,) = read_rejects(tmp_path / "incidents.rejects.csv")
    assert "Perpetrator P2 is not in the persons file" in reject["reason"]
