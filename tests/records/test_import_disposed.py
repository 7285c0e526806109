"""A person disposed of under the retention rules is never imported again: their row in a
persons file, and every incident naming them as perpetrator or victim, is rejected with
the reason, and the anonymised records stay anonymous."""

import datetime as dt

import pytest

from highharm.accounts.permissions import Role
from highharm.audit.retention_services import person_dispose
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

DISPOSED_WORDS = "was disposed of under the retention rules"


@pytest.fixture
def disposed_p1(db, catalogue, users, tmp_path):
    """P1, V1 and V2 imported with incident CR1 (P1 against V1); then P1 disposed of."""
    persons = write(tmp_path / "first_persons.csv", PERSONS_HEADER, PEOPLE)
    incidents = write(tmp_path / "first_incidents.csv", INCIDENTS_HEADER, [incident("CR1")])
    assert run_import("--persons", str(persons), "--incidents", str(incidents))[0] == 0
    p1 = Person.objects.get(reference="P1")
    person_dispose(
        person=p1,
        reason="no policing purpose remains for this record",
        by=users[Role.SUPERVISOR],
        as_of=dt.date(2026, 1, 1),
        exceptional=True,
    )
    p1.refresh_from_db()
    assert p1.reference == f"DISPOSED-{p1.pk}"
    return p1


def test_a_disposed_person_in_a_persons_file_is_rejected_with_the_reason(disposed_p1, tmp_path):
    persons = write(
        tmp_path / "persons.csv",
        PERSONS_HEADER,
        [PEOPLE[0], "P7,Sam,Seven,1980-01-01,M,,"],
    )

    code, out, _ = run_import("--persons", str(persons))

    assert code == 3
    (reject,) = read_rejects(tmp_path / "persons.rejects.csv")
    assert (reject["line"], reject["column"], reject["value"]) == ("2", "reference", "P1")
    assert reject["reason"].startswith(f"Person P1 {DISPOSED_WORDS}")
    assert "inserted 1," in out
    references = set(Person.objects.values_list("reference", flat=True))
    assert references == {disposed_p1.reference, "V1", "V2", "P7"}
    assert not Person.objects.filter(given_name="Pete").exists()


def test_the_pseudonym_of_a_disposed_person_cannot_be_given_an_identity(disposed_p1, tmp_path):
    pseudonym = disposed_p1.reference
    persons = write(tmp_path / "persons.csv", PERSONS_HEADER, [f"{pseudonym},Pete,Perp,,M,,"])

    code, _, _ = run_import("--persons", str(persons))

    assert code == 3
    (reject,) = read_rejects(tmp_path / "persons.rejects.csv")
    assert (reject["line"], reject["column"], reject["value"]) == ("2", "reference", pseudonym)
    assert DISPOSED_WORDS in reject["reason"]
    disposed_p1.refresh_from_db()
    assert (disposed_p1.given_name, disposed_p1.family_name) == ("", "")


def test_incidents_of_a_disposed_person_are_rejected_as_perpetrator_and_as_victim(
    disposed_p1, tmp_path
):
    incidents = write(
        tmp_path / "incidents.csv",
        INCIDENTS_HEADER,
        [
            incident("CR1"),  # the incident that was anonymised, sent again
            incident("CR2", perp="V2", victim="P1"),
            incident("CR3", perp="V2", victim="V1"),
            incident("CR4", perp=disposed_p1.reference, victim="V1"),
        ],
    )

    code, out, _ = run_import("--incidents", str(incidents))

    assert code == 3
    rejects = read_rejects(tmp_path / "incidents.rejects.csv")
    assert [(r["line"], r["column"], r["value"]) for r in rejects] == [
        ("2", "perpetrator_ref", "P1"),
        ("3", "victim_ref", "P1"),
        ("5", "perpetrator_ref", disposed_p1.reference),
    ]
    assert rejects[0]["reason"].startswith(f"Perpetrator P1 {DISPOSED_WORDS}")
    assert rejects[1]["reason"].startswith(f"Victim P1 {DISPOSED_WORDS}")
    assert "rejected 3," in out
    # Only CR3 was added; the anonymised incident kept its pseudonymous reference.
    assert set(Incident.objects.values_list("crime_reference", flat=True)) == {
        f"DISPOSED-{Incident.objects.get(perpetrator=disposed_p1).pk}",
        "CR3",
    }


def test_a_disposed_person_in_both_files_of_one_run_is_rejected_in_both(disposed_p1, tmp_path):
    persons = write(tmp_path / "persons.csv", PERSONS_HEADER, [PEOPLE[0]])
    incidents = write(tmp_path / "incidents.csv", INCIDENTS_HEADER, [incident("CR8")])

    code, _, _ = run_import("--persons", str(persons), "--incidents", str(incidents))

    assert code == 3
    (person_reject,) = read_rejects(tmp_path / "persons.rejects.csv")
    assert DISPOSED_WORDS in person_reject["reason"]
    (incident_reject,) = read_rejects(tmp_path / "incidents.rejects.csv")
    assert incident_reject["column"] == "perpetrator_ref"
    assert DISPOSED_WORDS in incident_reject["reason"]
    assert not Incident.objects.filter(crime_reference="CR8").exists()


def test_a_dry_run_reports_the_disposed_person_too(disposed_p1, tmp_path):
    persons = write(tmp_path / "persons.csv", PERSONS_HEADER, [PEOPLE[0]])

    code, _, _ = run_import("--persons", str(persons), "--dry-run")

    assert code == 3
    (reject,) = read_rejects(tmp_path / "persons.rejects.csv")
    assert DISPOSED_WORDS in reject["reason"]
