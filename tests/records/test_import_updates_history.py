"""A changed row updates the record and writes its change history: one simple-history
row per insert ('+') and per update ('~'), written in bulk; an unchanged row writes none."""

import datetime as dt

from highharm.people.models import Person
from highharm.records.models import ImportRun, Incident
from tests.records.importing import (
    INCIDENTS_HEADER,
    PEOPLE,
    PERSONS_HEADER,
    history_counts,
    incident,
    run_import,
    write,
)


def test_it_updates_a_changed_incident_and_records_the_change(db, catalogue, tmp_path):
    persons = write(tmp_path / "persons.csv", PERSONS_HEADER, PEOPLE)
    first = write(
        tmp_path / "incidents.csv",
        INCIDENTS_HEADER,
        [incident("CR1"), incident("CR2", "2025-02-01", code="ABH")],
    )
    run_import("--persons", str(persons), "--incidents", str(first))
    cr1 = Incident.objects.get(crime_reference="CR1")
    assert [h.history_type for h in cr1.history.all()] == ["+"]

    # The RMS export a month later: CR1's outcome and weapon flag changed, CR2 did not.
    later = write(
        tmp_path / "incidents.csv",
        INCIDENTS_HEADER,
        [
            incident("CR1", outcome="victim_withdrew", weapon="Y"),
            incident("CR2", "2025-02-01", code="ABH"),
        ],
    )
    code, out, _ = run_import("--incidents", str(later))

    assert code == 0
    assert "inserted 0, updated 1, unchanged 1" in out
    cr1.refresh_from_db()
    assert (cr1.outcome, cr1.weapon) == ("victim_withdrew", True)
    newest, oldest = list(cr1.history.all())
    assert (oldest.history_type, newest.history_type) == ("+", "~")
    assert (oldest.outcome, newest.outcome) == ("charged", "victim_withdrew")
    changed = {c.field for c in newest.diff_against(oldest).changes}
    assert changed == {"outcome", "weapon"}
    run = ImportRun.objects.order_by("-pk").first()
    assert newest.history_change_reason == f"import run {run.pk} (incidents.csv)"
    assert newest.history_user is None
    cr2 = Incident.objects.get(crime_reference="CR2")
    assert cr2.history.count() == 1


def test_it_updates_a_person_bumps_the_version_and_adds_new_aliases(db, tmp_path):
    path = tmp_path / "persons.csv"
    run_import("--persons", str(write(path, PERSONS_HEADER, PEOPLE)))
    pete = Person.objects.get(reference="P1")
    assert pete.version == 1

    changed = ["P1,Pete,Perp,1985-03-05,M,,Pete P|The Perp", *PEOPLE[1:]]
    code, out, _ = run_import("--persons", str(write(path, PERSONS_HEADER, changed)))

    assert code == 0
    assert "inserted 0, updated 1, unchanged 2" in out
    pete.refresh_from_db()
    assert pete.date_of_birth == dt.date(1985, 3, 5)
    assert pete.version == 2
    assert sorted(pete.aliases.values_list("name", flat=True)) == ["Pete P", "The Perp"]
    types = list(pete.history.order_by("history_id").values_list("history_type", "version"))
    assert types == [("+", 1), ("~", 2)]
    assert "aliases added: 1" in out


def test_it_writes_no_history_for_unchanged_rows(db, catalogue, tmp_path):
    persons = write(tmp_path / "persons.csv", PERSONS_HEADER, PEOPLE)
    incidents = write(
        tmp_path / "incidents.csv", INCIDENTS_HEADER, [incident("CR1"), incident("CR2")]
    )
    run_import("--persons", str(persons), "--incidents", str(incidents))
    before = history_counts()
    assert before[("Incident", "+")] == 2
    assert before[("Person", "+")] == 3
    assert before[("PersonAlias", "+")] == 1
    assert before[("Relationship", "+")] == 1

    run_import("--persons", str(persons), "--incidents", str(incidents))

    assert history_counts() == before
