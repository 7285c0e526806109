"""--dry-run checks the files and reports what would happen, writing nothing to the
database (no records, no history, no ledger row)."""

from django.apps import apps

from tests.records.importing import (
    INCIDENTS_HEADER,
    PEOPLE,
    PERSONS_HEADER,
    incident,
    read_rejects,
    run_import,
    write,
)


def row_counts() -> dict:
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def test_it_validates_and_reports_without_writing(db, catalogue, perpetrator, tmp_path):
    persons = write(tmp_path / "persons.csv", PERSONS_HEADER, PEOPLE)
    incidents = write(
        tmp_path / "incidents.csv",
        INCIDENTS_HEADER,
        [
            incident("CR7"),  # new: its people are only in the persons file
            incident("CR7", outcome="caution"),  # conflicting duplicate
            incident("CR8", code="XYZ"),
            incident("CR9", perp="P100", victim="V200"),  # people already in the database
        ],
    )
    before = row_counts()

    code, out, _ = run_import("--persons", str(persons), "--incidents", str(incidents), "--dry-run")

    assert code == 3
    assert row_counts() == before
    assert "Dry run: nothing was written" in out
    assert "would be inserted 3, would be updated 0, unchanged 0, rejected 0" in out
    assert "would be inserted 2, would be updated 0, unchanged 0, rejected 2" in out
    rejects = read_rejects(tmp_path / "incidents.rejects.csv")
    assert [r["line"] for r in rejects] == ["3", "4"]


def test_it_reports_updates_it_would_make(db, catalogue, perpetrator, tmp_path):
    # CR1 exists (fixture) with a different content hash: a real import would update it.
    incidents = write(
        tmp_path / "incidents.csv",
        INCIDENTS_HEADER,
        [incident("CR1", perp="P100", victim="V200")],
    )
    before = row_counts()

    code, out, _ = run_import("--incidents", str(incidents), "--dry-run")

    assert code == 0
    assert "would be inserted 0, would be updated 1, unchanged 0" in out
    assert row_counts() == before
