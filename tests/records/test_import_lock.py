"""New rows are written by a plain INSERT (no ON CONFLICT): each batch holds the import
lock, and a row that appears all the same makes its whole batch roll back."""

import polars as pl
import pytest
from django.db import IntegrityError, connection

from highharm.records import services
from highharm.records.models import Incident
from tests.records.importing import INCIDENTS_HEADER, PEOPLE, PERSONS_HEADER, incident, write


@pytest.fixture
def cr1(db, catalogue, tmp_path):
    persons = write(tmp_path / "persons.csv", PERSONS_HEADER, PEOPLE)
    first = write(tmp_path / "first.csv", INCIDENTS_HEADER, [incident("CR1")])
    services.records_import(persons_path=persons, incidents_path=first)
    return Incident.objects.get(crime_reference="CR1")


def test_a_row_that_appears_after_the_lookup_rolls_its_batch_back(cr1, tmp_path, monkeypatch):
    # Make the lookup miss CR1, as if another writer added it after the batch looked.
    def stored_hashes_none(self, kind, keys):
        key = services.STORED[kind][1]
        return pl.DataFrame(schema={key: pl.String, "stored_hash": pl.String})

    monkeypatch.setattr(services._Staging, "stored_hashes", stored_hashes_none)
    second = write(
        tmp_path / "second.csv",
        INCIDENTS_HEADER,
        [incident("CR2", victim="V2"), incident("CR1", outcome="caution")],
    )

    with pytest.raises(IntegrityError):
        services.records_import(incidents_path=second)

    # Nothing of the batch was kept: CR2 is absent, CR1 as it was, no new history.
    assert list(Incident.objects.values_list("crime_reference", "outcome")) == [("CR1", "charged")]
    assert Incident.history.count() == 1


def test_each_batch_holds_the_import_lock(cr1, tmp_path, monkeypatch):
    held = []
    real = services._Staging.upsert_incidents

    def upsert_and_look(self, now, reason):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND pid = pg_backend_pid() AND classid = 0 AND objid = %s",
                    [services.IMPORT_LOCK_KEY],
                )
                held.append(cursor.fetchone()[0] == 1)
        else:
            # SQLite: every transaction takes the write lock when it begins.
            held.append(
                connection.in_atomic_block
                and connection.settings_dict["OPTIONS"].get("transaction_mode") == "IMMEDIATE"
            )
        return real(self, now, reason)

    monkeypatch.setattr(services._Staging, "upsert_incidents", upsert_and_look)
    more = write(
        tmp_path / "more.csv",
        INCIDENTS_HEADER,
        [incident("CR2", victim="V2"), incident("CR3", victim="V2", day="2025-02-01")],
    )

    services.records_import(incidents_path=more, batch_size=1)

    assert held == [True, True]
    assert Incident.objects.count() == 3
