"""The indexes the import no longer maintains are gone, and what they guarded still holds:
a person reference is unique (in the database and when a model is validated), a link's
person keys are still found through the unique (perpetrator, victim) index, and an
import leaves the SQLite connection's WAL checkpoint setting as it found it."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from highharm.people.models import Person, Relationship
from tests.records.importing import (
    INCIDENTS_HEADER,
    PEOPLE,
    PERSONS_HEADER,
    incident,
    run_import,
    write,
)


def indexes_on(table: str) -> list[list[str]]:
    """The column lists of every index (unique or not) of ``table``."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [c["columns"] for c in constraints.values() if c["index"] or c["unique"]]


def test_a_person_reference_is_unique_in_the_database(db):
    Person.objects.create(reference="P1")

    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(reference="P1")


def test_a_person_reference_is_unique_when_a_person_is_validated(db):
    Person.objects.create(reference="P1")

    with pytest.raises(ValidationError, match="reference"):
        Person(reference="P1").full_clean()


def test_a_person_reference_has_one_index(db):
    # On PostgreSQL a unique=True field had a second, LIKE-pattern index.
    assert indexes_on(Person._meta.db_table).count(["reference"]) == 1


def test_a_link_has_no_index_on_the_perpetrator_alone(db):
    indexes = indexes_on(Relationship._meta.db_table)

    assert ["perpetrator_id"] not in indexes
    assert ["perpetrator_id", "victim_id"] in indexes  # serves lookups by perpetrator
    assert ["victim_id"] in indexes


def test_link_history_has_no_index_on_the_people(db):
    indexes = indexes_on(Relationship.history.model._meta.db_table)

    assert ["perpetrator_id"] not in indexes
    assert ["victim_id"] not in indexes
    assert ["id"] in indexes  # history is looked up by link


def test_an_import_updates_a_person_found_by_reference(db, catalogue, tmp_path):
    # The import's upsert names the reference as its conflict target: it needs the
    # unique index, whatever declares it.
    persons = write(tmp_path / "persons.csv", PERSONS_HEADER, PEOPLE)
    assert run_import("--persons", str(persons))[0] == 0
    changed = write(
        tmp_path / "changed.csv", PERSONS_HEADER, ["P1,Peter,Perp,1985-03-04,M,,", *PEOPLE[1:]]
    )

    code, _, _ = run_import("--persons", str(changed))

    assert code == 0
    assert Person.objects.get(reference="P1").given_name == "Peter"
    assert Person.objects.filter(reference="P1").count() == 1


def test_an_import_restores_the_sqlite_wal_checkpoint_setting(db, catalogue, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("a setting of SQLite connections")
    persons = write(tmp_path / "persons.csv", PERSONS_HEADER, PEOPLE)
    incidents = write(tmp_path / "incidents.csv", INCIDENTS_HEADER, [incident()])
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint = 777")

    code, _, _ = run_import("--persons", str(persons), "--incidents", str(incidents))

    assert code == 0
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == 777
