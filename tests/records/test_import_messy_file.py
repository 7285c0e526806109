"""The messy export from the issue: BOM, Windows line ends, blank lines, bad dates, unknown
codes, duplicate references and a truncated last line. Every bad row is reported with its
line and reason, no good row is lost, and importing the same files again changes nothing."""

import datetime as dt

import pytest

from highharm.records.models import Incident
from tests.records.importing import (
    INCIDENTS_HEADER,
    PEOPLE,
    PERSONS_HEADER,
    incident,
    read_rejects,
    run_import,
    snapshot,
    write,
)

MESSY = [
    incident("CR1", "2025-01-10"),  # line 2: good
    "",  # line 3: blank
    incident("CR2", "31/02/2025"),  # line 4: no 31 February
    incident("CR3", code="ZZZ"),  # line 5: unknown offence code
    incident("CR4", "14/02/2025", code="ABH", victim="V2"),  # line 6: good, UK date
    ",,,,,,,,,,,,",  # line 7: an empty row as Excel writes it
    incident("CR1", "10/01/2025", domestic="y"),  # line 8: same as line 2 once read
    incident("CR4", "14/02/2025", code="ABH", victim="V2", outcome="caution"),  # line 9
    incident("CR5", "2099-01-01"),  # line 10: in the future
    incident("CR6", perp=""),  # line 11: no perpetrator
    incident("CR7", perp="P9"),  # line 12: perpetrator nowhere
    incident("CR8", "2025-03-01", victim=""),  # line 13: good, no victim
    "CR9,2025-03-01,CA",  # line 14: cut short, and no final line end
]


@pytest.fixture
def files(tmp_path):
    persons = write(tmp_path / "persons.csv", PERSONS_HEADER, PEOPLE)
    incidents = write(
        tmp_path / "incidents.csv",
        INCIDENTS_HEADER,
        MESSY,
        bom=True,
        newline="\r\n",
        final_newline=False,
    )
    return persons, incidents


def test_it_reports_every_bad_row_and_keeps_every_good_one(db, catalogue, files):
    persons, incidents = files
    code, out, _ = run_import("--persons", str(persons), "--incidents", str(incidents))

    assert code == 3
    assert sorted(Incident.objects.values_list("crime_reference", flat=True)) == [
        "CR1",
        "CR4",
        "CR8",
    ]
    cr4 = Incident.objects.get(crime_reference="CR4")
    assert cr4.occurred_on == dt.date(2025, 2, 14)
    assert cr4.outcome == "charged"  # the row on line 6, not the conflicting line 9
    assert Incident.objects.get(crime_reference="CR8").victim is None

    rejects = read_rejects(tmp := incidents.with_name("incidents.rejects.csv"))
    assert tmp.exists()
    by_line = {int(r["line"]): r for r in rejects}
    assert sorted(by_line) == [4, 5, 9, 10, 11, 12, 14]
    expected = {
        4: ("occurred_on", "not a real date"),
        5: ("offence_code", "unknown offence code"),
        9: ("crime_reference", "also on line 6"),
        10: ("occurred_on", "in the future"),
        11: ("perpetrator_ref", "missing"),
        12: ("perpetrator_ref", "P9 is not in the persons file or the database"),
        14: ("perpetrator_ref", "3 fields but the header has 13"),
    }
    for line, (column, words) in expected.items():
        assert by_line[line]["column"] == column, line
        assert words in by_line[line]["reason"], (line, by_line[line]["reason"])
        assert by_line[line]["file"] == "incidents.csv"
    assert by_line[14]["raw_row"] == "CR9,2025-03-01,CA"
    # 11 records (two blank lines skipped): 3 imported + 1 exact duplicate + 7 rejected.
    assert "11 rows read" in out
    assert "inserted 3, updated 0, unchanged 0, rejected 7, exact duplicates skipped 1" in out


def test_it_changes_nothing_when_the_same_files_are_imported_again(db, catalogue, files):
    persons, incidents = files
    run_import("--persons", str(persons), "--incidents", str(incidents))
    before = snapshot()

    code, out, _ = run_import("--persons", str(persons), "--incidents", str(incidents))

    assert code == 3  # the same rows are still rejected
    assert snapshot() == before
    assert "inserted 0, updated 0, unchanged 3, rejected 0" in out  # persons
    assert "inserted 0, updated 0, unchanged 3, rejected 7, exact duplicates skipped 1" in out
