"""Long imports show progress on stderr (rows done, rows per second) and end with a
summary on stdout for each file."""

import io

from django.core.management import call_command

from tests.records.importing import INCIDENTS_HEADER, PEOPLE, PERSONS_HEADER, incident, write


def test_it_shows_progress_on_stderr_and_a_summary_per_file(db, catalogue, tmp_path, capsys):
    persons = write(tmp_path / "persons.csv", PERSONS_HEADER, PEOPLE)
    incidents = write(
        tmp_path / "incidents.csv",
        INCIDENTS_HEADER,
        [incident(f"CR{i}", f"2025-01-{i:02d}") for i in range(1, 8)],
    )
    out = io.StringIO()

    call_command(
        "import_records",
        "--persons",
        str(persons),
        "--incidents",
        str(incidents),
        "--batch-size",
        "2",
        stdout=out,
    )

    progress = capsys.readouterr().err
    assert "persons: 3 rows" in progress
    assert "incidents: 7 rows" in progress
    assert "rows/s" in progress
    summary = out.getvalue()
    assert f"{persons} (CSV, UTF-8, comma-separated): 3 rows read" in summary
    assert "inserted 3, updated 0, unchanged 0, rejected 0" in summary
    assert f"{incidents} (CSV, UTF-8, comma-separated): 7 rows read" in summary
    assert "inserted 7, updated 0, unchanged 0, rejected 0" in summary
    assert "6 batches" in summary  # 3 persons in 2 batches, 7 incidents in 4
