"""Incidents imply perpetrator–victim links (people.Relationship): the relationship of the
latest incident between the two wins, across files and imports; 'unknown' does not
overwrite a known relationship."""

from highharm.people.models import Relationship
from tests.records.importing import (
    INCIDENTS_HEADER,
    PEOPLE,
    PERSONS_HEADER,
    incident,
    run_import,
    write,
)


def kinds():
    return {
        (r.perpetrator.reference, r.victim.reference): r.kind
        for r in Relationship.objects.select_related("perpetrator", "victim")
    }


def test_it_links_perpetrator_and_victim_with_the_latest_relationship(db, catalogue, tmp_path):
    persons = write(tmp_path / "persons.csv", PERSONS_HEADER, PEOPLE)
    incidents = write(
        tmp_path / "incidents.csv",
        INCIDENTS_HEADER,
        [
            incident("CR2", "2025-06-01", relationship="ex_partner"),
            incident("CR1", "2024-01-01", relationship="partner"),
            incident("CR3", "2025-09-01", relationship="unknown"),
            incident("CR4", "2025-01-01", victim="V2", relationship="Family"),
            incident("CR5", "2025-01-01", victim=""),
        ],
    )

    code, out, _ = run_import("--persons", str(persons), "--incidents", str(incidents))

    assert code == 0
    assert kinds() == {("P1", "V1"): "ex_partner", ("P1", "V2"): "family"}
    assert "relationships: inserted 2, updated 0" in out


def test_it_updates_the_link_when_a_later_incident_arrives(db, catalogue, tmp_path):
    persons = write(tmp_path / "persons.csv", PERSONS_HEADER, PEOPLE)
    first = write(tmp_path / "first.csv", INCIDENTS_HEADER, [incident("CR1", "2025-01-01")])
    run_import("--persons", str(persons), "--incidents", str(first))
    assert kinds() == {("P1", "V1"): "partner"}

    older = write(
        tmp_path / "older.csv",
        INCIDENTS_HEADER,
        [incident("CR0", "2020-01-01", relationship="acquaintance")],
    )
    run_import("--incidents", str(older))
    assert kinds() == {("P1", "V1"): "partner"}  # an older incident does not win

    newer = write(
        tmp_path / "newer.csv",
        INCIDENTS_HEADER,
        [incident("CR9", "2025-08-01", relationship="ex-partner")],
    )
    code, out, _ = run_import("--incidents", str(newer))

    assert code == 0
    assert kinds() == {("P1", "V1"): "ex_partner"}
    assert "relationships: inserted 0, updated 1" in out
    link = Relationship.objects.get()
    assert list(link.history.order_by("history_id").values_list("history_type", "kind")) == [
        ("+", "partner"),
        ("~", "ex_partner"),
    ]


def test_it_keeps_the_latest_link_whatever_the_batch_order(db, catalogue, tmp_path):
    persons = write(tmp_path / "persons.csv", PERSONS_HEADER, PEOPLE)
    incidents = write(
        tmp_path / "incidents.csv",
        INCIDENTS_HEADER,
        [
            incident("CR3", "2025-03-01", relationship="ex_partner"),
            incident("CR1", "2025-01-01", relationship="partner"),
            incident("CR2", "2025-02-01", relationship="family"),
        ],
    )

    run_import("--persons", str(persons), "--incidents", str(incidents), "--batch-size", "1")

    assert kinds() == {("P1", "V1"): "ex_partner"}
