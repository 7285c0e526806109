"""A batch is all or nothing: an import killed in the middle of a batch leaves the batches
before it committed and nothing of the one it was writing; running the same command
again completes the import, with the same result as an uninterrupted one.

The import runs in a subprocess against a database file (SQLite) or the test database
(PostgreSQL); HIGHHARM_IMPORT_CRASH_IN_BATCH makes it os._exit() inside batch 3, after
that batch's rows were written but before its transaction commits.
"""

import os
import sqlite3
import subprocess
import sys

import pytest
from django.db import connection

from highharm.records.services import CRASH_ENV, CRASH_EXIT_CODE
from tests.records.importing import INCIDENTS_HEADER, PERSONS_HEADER, incident, write

PERSONS = ["P1,Pete,Perp,1985-03-04,M,,", "V1,Vera,Victim,,F,,", "V2,Wendy,Witness,,F,,"]
INCIDENTS = [
    incident(
        f"CR{i:02d}",
        f"2025-01-{i:02d}",
        victim=("V1", "V2", "")[i % 3],
        relationship=("partner", "ex_partner", "family", "unknown")[i % 4],
        code=("CA", "ABH")[i % 2],
    )
    for i in range(1, 13)
]
# batch 1 = the three persons; batches 2-5 = three incidents each
SNAPSHOT_SQL = {
    "persons": "SELECT reference, given_name, family_name, date_of_birth, gender, content_hash,"
    " version FROM people_person",
    "incidents": "SELECT i.crime_reference, i.occurred_on, o.code, p.reference, v.reference,"
    " i.relationship, i.domestic, i.outcome, i.content_hash FROM records_incident i"
    " JOIN records_offence o ON o.id = i.offence_id JOIN people_person p"
    " ON p.id = i.perpetrator_id LEFT JOIN people_person v ON v.id = i.victim_id",
    "relationships": "SELECT p.reference, v.reference, r.kind FROM people_relationship r"
    " JOIN people_person p ON p.id = r.perpetrator_id JOIN people_person v"
    " ON v.id = r.victim_id",
    "incident_history": "SELECT crime_reference, history_type, outcome FROM"
    " records_historicalincident",
    "person_history": "SELECT reference, history_type, version FROM people_historicalperson",
    "relationship_history": "SELECT history_type, kind FROM people_historicalrelationship",
}
CLEAR = [
    "people_historicalrelationship",
    "people_relationship",
    "records_historicalincident",
    "records_incident",
    "people_historicalpersonalias",
    "people_personalias",
    "people_historicalperson",
    "people_person",
    "records_importrun",
]


@pytest.fixture
def database(transactional_db, tmp_path):
    """(url for the subprocess, a DB-API connect function) for a migrated database."""
    if connection.vendor == "sqlite":
        path = tmp_path / "kill.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        url, connect = f"sqlite:///{path}", lambda: sqlite3.connect(path)
    else:
        import psycopg

        s = connection.settings_dict
        url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        connect = lambda: psycopg.connect(url.replace("postgres://", "postgresql://"))  # noqa: E731
    with connect() as conn:
        conn.execute(
            "INSERT INTO records_offence (code, name, category, domestic, stalking, sexual,"
            " strangulation, weapon, breach, harm_days, source, catalogue) VALUES"
            " ('CA', 'Common assault', 'violence_without_injury', true, false, false, false,"
            " false, false, 28, 'test', 'test'),"
            " ('ABH', 'ABH', 'violence_with_injury', true, false, false, false, false, false,"
            " 180, 'test', 'test')"
        )
        conn.commit()
    return url, connect


def import_in_subprocess(url, persons, incidents, crash_in=None):
    env = {
        **os.environ,
        "HIGHHARM_DATABASE_URL": url,
        "HIGHHARM_SECRET_KEY": "test-only",
        "HIGHHARM_DEBUG": "0",
    }
    env.pop(CRASH_ENV, None)
    if crash_in:
        env[CRASH_ENV] = str(crash_in)
    args = ["--persons", str(persons), "--incidents", str(incidents), "--batch-size", "3"]
    cmd = [sys.executable, "-m", "highharm", "import-records", *args, "--no-progress"]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)


def snapshot(connect) -> dict:
    with connect() as conn:
        return {
            name: sorted(tuple(str(v) for v in row) for row in conn.execute(sql).fetchall())
            for name, sql in SNAPSHOT_SQL.items()
        }


def test_it_resumes_a_killed_import_to_the_same_result(database, tmp_path):
    url, connect = database
    persons = write(tmp_path / "persons.csv", PERSONS_HEADER, PERSONS)
    incidents = write(tmp_path / "incidents.csv", INCIDENTS_HEADER, INCIDENTS)

    killed = import_in_subprocess(url, persons, incidents, crash_in=3)

    assert killed.returncode == CRASH_EXIT_CODE, killed.stderr
    after_kill = snapshot(connect)
    # Batches 1 and 2 are in (3 persons, incidents 1-3); nothing of batch 3 (incidents 4-6).
    assert len(after_kill["persons"]) == 3
    assert sorted(r[0] for r in after_kill["incidents"]) == ["CR01", "CR02", "CR03"]
    assert len(after_kill["incident_history"]) == 3
    with connect() as conn:
        status, batches = conn.execute(
            "SELECT status, batches_committed FROM records_importrun"
        ).fetchone()
    assert (status, batches) == ("running", 2)

    resumed = import_in_subprocess(url, persons, incidents)

    assert resumed.returncode == 0, resumed.stderr
    assert "inserted 9, updated 0, unchanged 3" in resumed.stdout
    result = snapshot(connect)
    assert len(result["incidents"]) == 12

    with connect() as conn:
        for table in CLEAR:
            conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
        conn.commit()
    uninterrupted = import_in_subprocess(url, persons, incidents)

    assert uninterrupted.returncode == 0, uninterrupted.stderr
    assert snapshot(connect) == result
