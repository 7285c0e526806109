"""Batches: however the file is cut into batches, the result is the same, including
duplicates that fall in different batches and a quoted value that crosses a batch edge."""

import pytest

from highharm.records.models import ImportRun
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

LINES = [
    incident("CR1", "2025-01-01"),
    incident("CR2", "2025-01-02", victim="V2", relationship="family"),
    "",
    incident("CR1", "01/01/2025"),  # exact duplicate of CR1, three lines later
    incident("CR3", "2025-01-03").replace(",partner,", ',"ex\npartner",'),  # two lines
    incident("CR2", "2025-01-02", victim="V2", relationship="family", outcome="caution"),
    incident("CR4", "2025-01-04", code="BAD"),
    incident("CR5", "2025-01-05", relationship="ex_partner"),
]


def outcome(tmp_path, batch_size):
    persons = write(tmp_path / "persons.csv", PERSONS_HEADER, PEOPLE)
    incidents = write(tmp_path / "incidents.csv", INCIDENTS_HEADER, LINES)
    code, out, _ = run_import(
        "--persons", str(persons), "--incidents", str(incidents), "--batch-size", str(batch_size)
    )
    rejects = [(r["line"], r["column"]) for r in read_rejects(tmp_path / "incidents.rejects.csv")]
    counts = ImportRun.objects.order_by("-pk").first().counts["incidents"]
    return code, rejects, counts


@pytest.mark.parametrize("batch_size", [1, 2, 3, 5])
def test_it_gives_the_same_result_whatever_the_batch_size(db, catalogue, tmp_path, batch_size):
    code, rejects, counts = outcome(tmp_path, batch_size)
    small = snapshot()
    # The same files in one batch, into an emptied database.
    from django.apps import apps

    for label in ("records.Incident", "people.Relationship", "people.PersonAlias"):
        apps.get_model(label).objects.all().delete()
    apps.get_model("people.Person").objects.all().delete()
    for model in apps.get_models():
        if model.__name__.startswith("Historical"):
            model.objects.all().delete()

    assert outcome(tmp_path, 50_000) == (code, rejects, counts)
    whole = snapshot()
    # The link's history depends on the batches (each batch writes the link as it then
    # stands); everything else is identical.
    for history in (small["history"], whole["history"]):
        for kind in ("+", "~", "-"):
            history.pop(("Relationship", kind))
    assert whole == small
    assert code == 3
    # line 8: CR2 again with a different outcome; line 9: unknown offence code
    assert rejects == [("8", "crime_reference"), ("9", "offence_code")]
    assert counts == {
        "read": 7,
        "inserted": 4,
        "updated": 0,
        "unchanged": 0,
        "duplicates": 1,
        "rejected": 2,
        "problems": 2,
    }
    assert {r[0] for r in small["incidents"]} == {"CR1", "CR2", "CR3", "CR5"}
