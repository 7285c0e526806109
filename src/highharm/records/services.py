"""Writes for the records app: the force-records import (``highharm import-records``).

``records_import`` reads the files in chunks (``records.importer``, pure Polars, in a
background thread) and for each chunk runs one transaction that

1. asks the database, one query each with the chunk's keys as a single parameter
   (SQLite ``json_each``, PostgreSQL ``unnest``), what a chunk cannot know alone: the
   ids of the perpetrators and victims, the references already taken from an earlier
   chunk of the same file, and the stored ``content_hash`` of the references already in
   the database;
2. classifies each row, in Polars, as new (I), changed (U) or unchanged (N);
3. loads the new and changed rows into a temporary staging table (PostgreSQL ``COPY``
   through psycopg 3; SQLite ``executemany``);
4. upserts them: ``INSERT … SELECT … ON CONFLICT (key) DO UPDATE … WHERE content_hash <>
   excluded.content_hash``, so an unchanged row is never rewritten;
5. writes the change history (simple-history ``Historical*`` rows) of every inserted and
   updated row in one ``INSERT … SELECT``, then the aliases and perpetrator–victim links.

A dry run does steps 1–2 (writing only to its connection's temporary tables).

The SQL is built from table and column names taken from the models and from constants
in this module, never from input; every value from a file is a bound parameter or goes
through COPY.
"""
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import polars as pl
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from highharm.audit.models import RetentionDecision
from highharm.audit.retention_services import DISPOSED_PREFIX, reference_digest
from highharm.people.models import Person, PersonAlias, Relationship
from highharm.records.importer import schema, validation
from highharm.records.importer.reading import InputError, Source, open_source
from highharm.records.importer.rejects import RejectsWriter
from highharm.records.models import ImportRun, Incident, Offence

BATCH_SIZE_DEFAULT = 50_000
# Test hook: abandon the process (os._exit, no clean-up, no commit) in the middle of this
# batch number, after its rows were written but before its transaction commits. The
# kill-and-resume test uses it to prove a batch is all or nothing.
CRASH_ENV = "HIGHHARM_IMPORT_CRASH_IN_BATCH"
CRASH_EXIT_CODE = 70
# SQLite page cache for the import's connection (the default is 2 MB). 32 MB imported 1
# million incidents as fast as 128 MB did, with 100 MB less memory (docs/performance.md).
SQLITE_CACHE_KB = 32 * 1024
# SQLite: WAL pages after which a commit of the import copies the WAL into the database
# file (a checkpoint, with its fsyncs). SQLite's default is 1,000 pages; each batch of 50,000
# new incidents writes about 11,500, so every commit checkpointed. With 50,000 the
# checkpoint comes every four batches or so and a page written by several of them is
# copied once: commits of 1 million incidents 2.8-3.2 s -> 1.9-2.4 s (docs/performance.md).
# Restored, and the rest checkpointed, when the import ends.
SQLITE_WAL_CHECKPOINT_PAGES = 50_000

ProgressCallback = Callable[[str, int], None]


@dataclass
class FileReport:
    kind: str
    path: Path
    described: str = ""
    rejects_path: Path | None = None
    ignored_columns: list[str] = field(default_factory=list)
    read: int = 0  # records read (blank lines are not records)
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0  # exact repeats of an earlier row of the same file, counted once
    rejected: int = 0  # rows rejected (a row with three problems counts once)
    problems: int = 0  # lines in the rejects file
    seconds: float = 0.0

    def counts(self) -> dict:
        return {
            k: v
            for k, v in asdict(self).items()
            if k
            in ("read", "inserted", "updated", "unchanged", "duplicates", "rejected", "problems")
        }


@dataclass
class ImportResult:
    dry_run: bool
    run_id: int | None = None
    files: list[FileReport] = field(default_factory=list)
    relationships_inserted: int = 0
    relationships_updated: int = 0
    aliases_added: int = 0
    batches: int = 0
    seconds: float = 0.0

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def exit_code(self) -> int:
        return 3 if self.rejected else 0

    def counts(self) -> dict:
        out: dict = {f.kind: f.counts() for f in self.files}
        out["relationships"] = {
            "inserted": self.relationships_inserted,
            "updated": self.relationships_updated,
        }
        out["aliases_added"] = self.aliases_added
        return out


def records_import(
    *,
    persons_path: Path | str | None = None,
    incidents_path: Path | str | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE_DEFAULT,
    progress: ProgressCallback | None = None,
    today: dt.date | None = None,
    run_by: str = "",
) -> ImportResult:
    """Import a persons file, an incidents file, or both (persons first).

    Raises InputError, before anything is written, when a file cannot be read at all.
    Each batch of ``batch_size`` lines is one transaction.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    sources: list[Source] = []
    if persons_path:
        sources.append(open_source(persons_path, schema.PERSONS))
    if incidents_path:
        sources.append(open_source(incidents_path, schema.INCIDENTS))
    if not sources:
        raise InputError("", "give a persons file, an incidents file or both")

    started = time.monotonic()
    today = today or timezone.localdate()
    offences = dict(Offence.objects.values_list("code", "id"))
    offence_codes = list(offences)
    disposed = _disposed_digests()
    result = ImportResult(dry_run=dry_run)
    run = None
    if not dry_run:
        run = ImportRun.objects.create(
            started_at=timezone.now(),
            persons_file=str(persons_path or ""),
            incidents_file=str(incidents_path or ""),
            batch_size=batch_size,
            run_by=run_by[:150],
        )
        result.run_id = run.pk
    crash_in = int(os.environ.get(CRASH_ENV) or 0)
    db = _Staging()
    try:
        db.create()
        for source in sources:
            report = FileReport(
                kind=source.kind,
                path=source.path,
                described=source.describe(),
                ignored_columns=source.ignored_columns,
            )
            result.files.append(report)
            file_started = time.monotonic()
            reason = f"import run {run.pk if run else '-'} ({source.path.name})"[:100]
            batch = _persons_batch if source.kind == schema.PERSONS else _incidents_batch
            checked_chunks = _in_background(
                _checked_chunks(source, batch_size, today, offence_codes)
            )
            with RejectsWriter(source.path) as rejects:
                report.rejects_path = rejects.path
                for read, checked in checked_chunks:
                    result.batches += 1
                    report.read += read
                    with transaction.atomic():
                        db.lock()
                        checked = batch(
                            db, checked, report, result, dry_run, reason, offences, disposed
                        )
                        if result.batches == crash_in:
                            os._exit(CRASH_EXIT_CODE)
                        if run is not None:
                            ImportRun.objects.filter(pk=run.pk).update(
                                batches_committed=F("batches_committed") + 1,
                                counts=result.counts(),
                            )
                    rejects.write(checked.rejects)
                    report.seconds = time.monotonic() - file_started
                    if progress:
                        progress(source.kind, report.read)
    except BaseException as exc:
        if run is not None:
            ImportRun.objects.filter(pk=run.pk).update(
                status=ImportRun.Status.FAILED,
                finished_at=timezone.now(),
                error=f"{type(exc).__name__}: {exc}"[:2000],
            )
        raise
    finally:
        db.drop()
    result.seconds = time.monotonic() - started
    if run is not None:
        ImportRun.objects.filter(pk=run.pk).update(
            status=(
                ImportRun.Status.COMPLETED_WITH_REJECTS
                if result.rejected
                else ImportRun.Status.COMPLETED
            ),
            finished_at=timezone.now(),
            counts=result.counts(),
        )
    return result


# ---------------------------------------------------------------- one batch


def _checked_chunks(source: Source, batch_size: int, today: dt.date, codes: list[str]):
    """(lines read, field checks done) for each chunk: the pure part of a batch."""
    for chunk in source.chunks(batch_size):
        if source.kind == schema.PERSONS:
            checked = validation.check_persons(chunk, header=source.header, today=today)
        else:
            checked = validation.check_incidents(
                chunk, header=source.header, today=today, offence_codes=codes
            )
        yield chunk.height, checked


def _in_background(items: Iterator, depth: int = 2) -> Iterator:
    """Run a generator in a thread, ``depth`` items ahead of the consumer.

    Reading and checking the next chunk (Polars, mostly outside the GIL) then overlaps
    with writing the current one (the database driver releases the GIL while a statement
    runs). Memory stays bounded by ``depth`` chunks. Only pure code runs in the thread:
    it never touches the database connection.
    """
    done = object()
    out: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce():
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        out.put(item, timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            out.put(done)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            out.put(exc)

    thread = threading.Thread(target=produce, name="import-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = out.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)


def _disposed_digests() -> frozenset[str]:
    """The keyed hashes of the references of every person disposed of under retention."""
    return frozenset(
        RetentionDecision.objects.filter(decision=RetentionDecision.Decision.DISPOSE)
        .exclude(reference_digest="")
        .values_list("reference_digest", flat=True)
    )


def _disposed_refs(refs: pl.Series, candidates: pl.Series, disposed: frozenset[str]) -> list[str]:
    """Which references name a disposed person: a pseudonym (``DISPOSED-<id>``) anywhere
    in ``refs``, or one of ``candidates`` (references not, or no longer, in the database)
    whose keyed hash a disposal recorded. Hashing is skipped when nobody was disposed."""
    out = refs.filter(refs.str.starts_with(DISPOSED_PREFIX)).unique().to_list()
    if disposed:
        out += [r for r in candidates.unique().to_list() if reference_digest(r) in disposed]
    return out


def _persons_batch(db, checked, report, result, dry_run, reason, offences, disposed):
    kind = schema.PERSONS
    checked = _dedupe(db, checked, kind=kind)
    valid = _classify(db, checked.valid, kind=kind)
    checked = validation.reject_disposed(
        validation.Checked(valid=valid, rejects=checked.rejects, duplicates=checked.duplicates),
        _disposed_refs(
            valid.get_column("reference"),
            valid.filter(pl.col("action") == "I").get_column("reference"),
            disposed,
        ),
        {"reference": "Person"},
    )
    valid = checked.valid
    _count(report, checked)
    changed = valid.filter(pl.col("action") != "N")
    if dry_run or not changed.height:
        db.remember_seen(kind, valid)
        return checked
    db.remember_seen(kind, valid.filter(pl.col("action") == "N"))
    now = timezone.now()
    db.load("hh_imp_person", changed)
    db.remember_staged(kind)
    db.upsert_persons(now, reason)
    aliases = (
        changed.select("reference", pl.col("aliases").str.split(schema.ALIAS_SEPARATOR))
        .explode("aliases")
        .filter(pl.col("aliases").is_not_null() & (pl.col("aliases") != ""))
        .rename({"aliases": "name"})
    )
    result.aliases_added += db.add_aliases(aliases, now, reason)
    return checked


def _incidents_batch(db, checked, report, result, dry_run, reason, offences, disposed):
    kind = schema.INCIDENTS
    refs = pl.concat(
        [checked.valid.get_column("perpetrator_ref"), checked.valid.get_column("victim_ref")]
    )
    people = db.lookup_people(refs.drop_nulls().unique())
    checked = validation.reject_disposed(
        checked,
        _disposed_refs(
            people.get_column("reference"),
            people.filter(pl.col("person_id").is_null()).get_column("reference"),
            disposed,
        ),
        {"perpetrator_ref": "Perpetrator", "victim_ref": "Victim"},
    )
    checked = validation.attach_people(checked, people)
    checked = _dedupe(db, checked, kind=kind)
    valid = _classify(db, checked.valid, kind=kind)
    checked = validation.Checked(
        valid=valid, rejects=checked.rejects, duplicates=checked.duplicates
    )
    _count(report, checked)
    changed = valid.filter(pl.col("action") != "N")
    if dry_run or not changed.height:
        db.remember_seen(kind, valid)
        return checked
    db.remember_seen(kind, valid.filter(pl.col("action") == "N"))
    now = timezone.now()
    db.load(
        "hh_imp_incident",
        changed.with_columns(
            pl.col("offence_code")
            .replace_strict(offences, return_dtype=pl.Int64)
            .alias("offence_id"),
            validation.flag_bits(),
        ),
    )
    db.remember_staged(kind)
    db.stage_pairs_of_changed_incidents(before_upsert=True)
    db.upsert_incidents(now, reason)
    db.stage_pairs_of_changed_incidents(before_upsert=False)
    inserted, updated = db.refresh_relationships(now, reason)
    result.relationships_inserted += inserted
    result.relationships_updated += updated
    return checked


def _dedupe(db, checked, *, kind):
    key = schema.KEY[kind]
    what = schema.WHAT[key]
    earlier = db.seen(kind, checked.valid.get_column(key))
    checked = validation.dedupe_across(checked, earlier, key=key, what=what)
    return validation.dedupe_within(checked, key=key, what=what)


def _classify(db, valid: pl.DataFrame, *, kind: str) -> pl.DataFrame:
    key = schema.KEY[kind]
    return validation.classify(valid, db.stored_hashes(kind, valid.get_column(key)), key=key)


def _count(report: FileReport, checked) -> None:
    counts = dict(checked.valid.get_column("action").value_counts().iter_rows())
    report.inserted += counts.get("I", 0)
    report.updated += counts.get("U", 0)
    report.unchanged += counts.get("N", 0)
    report.duplicates += checked.duplicates
    report.rejected += validation.rejected_lines(checked.rejects)
    report.problems += checked.rejects.height


# ---------------------------------------------------------------- SQL


def _hist(model):
    return model.history.model


def _tracked_columns(model) -> list[str]:
    """The columns a simple-history row copies from the record (all but its own)."""
    return [
        f.column for f in _hist(model)._meta.concrete_fields if not f.name.startswith("history_")
    ]


STAGE_COLUMNS = {
    "hh_imp_person": [
        ("line", "bigint"),
        ("reference", "text"),
        ("given_name", "text"),
        ("family_name", "text"),
        ("date_of_birth", "date"),
        ("gender", "text"),
        ("ethnicity", "text"),
        ("aliases", "text"),
        ("content_hash", "text"),
        ("action", "text"),
    ],
    "hh_imp_incident": [
        ("line", "bigint"),
        ("crime_reference", "text"),
        ("occurred_on", "date"),
        ("offence_id", "bigint"),
        ("perpetrator_id", "bigint"),
        ("victim_id", "bigint"),
        ("relationship", "text"),
        ("flags", "integer"),  # the six flags as bits: far fewer values to send
        ("outcome", "text"),
        ("content_hash", "text"),
        ("action", "text"),
    ],
    "hh_imp_alias": [("reference", "text"), ("name", "text"), ("action", "text")],
}
STAGE_INDEXES = {
    "hh_imp_person": ("reference",),
    "hh_imp_alias": ("reference", "name"),
}
# The references taken so far from each file (for the duplicate check across batches).
SEEN = {
    schema.PERSONS: ("hh_imp_seen_person", "reference"),
    schema.INCIDENTS: ("hh_imp_seen_incident", "crime_reference"),
}
# Ordering of a pair's incidents, latest first; "unknown" only when nothing is known.
LATEST_FIRST = (
    "CASE WHEN i.relationship = 'unknown' THEN 1 ELSE 0 END, "
    "i.occurred_on DESC, i.crime_reference DESC"
)
# The key of the PostgreSQL advisory lock each import batch holds ("HHIM").
IMPORT_LOCK_KEY = 0x4848494D
STORED = {
    schema.PERSONS: (Person, "reference"),
    schema.INCIDENTS: (Incident, "crime_reference"),
}


class _Staging:
    """Temporary tables and the set-based SQL of the import, for PostgreSQL and SQLite.

    Temporary tables belong to this database connection only and take part in each
    batch's transaction, so a rolled-back batch leaves them as they were.
    """

    def __init__(self):
        self.pg = connection.vendor == "postgresql"
        self.wal_autocheckpoint: int | None = None  # SQLite: the setting before the import

    # -- plumbing

    def _exec(self, sql: str, params=()) -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    def _fetch(self, sql: str, params=()) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _type(self, sql_type: str) -> str:
        if self.pg:
            return sql_type
        return {"bigint": "INTEGER", "boolean": "INTEGER", "date": "TEXT"}.get(sql_type, "TEXT")

    def _dt(self, value: dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)

    def create(self) -> None:
        temp = "TEMPORARY"
        if self.pg:
            # Just-in-time compilation costs more than it saves on these statements, which
            # run once per batch (measured: ~0.7 s per statement, docs/performance.md).
            self._exec("SET jit = off")
            # Every join here matches one batch (tens of thousands of keys) against a big
            # table by an indexed key. With hash joins the planner reads the whole table
            # for each batch, so each batch gets slower as the table grows (measured on
            # 1 million incidents); index lookups keep every batch the same cost.
            self._exec("SET enable_hashjoin = off")
            self._exec("SET enable_mergejoin = off")
            self._exec("SET work_mem = '64MB'")
        else:
            # A bigger page cache for this connection: index pages of the big tables stay
            # in memory between batches.
            self._exec(f"PRAGMA cache_size = -{SQLITE_CACHE_KB}")
            self.wal_autocheckpoint = self._fetch("PRAGMA wal_autocheckpoint")[0][0]
            self._exec(f"PRAGMA wal_autocheckpoint = {SQLITE_WAL_CHECKPOINT_PAGES}")
        for table, columns in STAGE_COLUMNS.items():
            cols = ", ".join(f"{name} {self._type(t)}" for name, t in columns)
            self._exec(f"CREATE {temp} TABLE IF NOT EXISTS {table} ({cols})")
        for seen, key in SEEN.values():
            self._exec(
                f"CREATE {temp} TABLE IF NOT EXISTS {seen} ({key} {self._type('text')} "
                f"PRIMARY KEY, line {self._type('bigint')}, content_hash {self._type('text')})"
            )
        self._exec(
            f"CREATE {temp} TABLE IF NOT EXISTS hh_imp_pair (perpetrator_id "
            f"{self._type('bigint')} NOT NULL, victim_id {self._type('bigint')} NOT NULL, "
            f"kind {self._type('text')}, action CHAR(1), PRIMARY KEY (perpetrator_id, victim_id))"
        )
        for table, columns in STAGE_INDEXES.items():
            self._exec(f"CREATE INDEX IF NOT EXISTS {table}_idx ON {table} ({', '.join(columns)})")
        for table in self._tables():
            self._exec(f"DELETE FROM {table}")

    def _tables(self) -> list[str]:
        return [*STAGE_COLUMNS, "hh_imp_pair", *(seen for seen, _ in SEEN.values())]

    def drop(self) -> None:
        if connection.connection is None:
            return
        try:
            for table in self._tables():
                self._exec(f"DROP TABLE IF EXISTS {table}")
            if self.pg:
                for setting in ("jit", "enable_hashjoin", "enable_mergejoin", "work_mem"):
                    self._exec(f"RESET {setting}")
            elif self.wal_autocheckpoint is not None:
                self._exec(f"PRAGMA wal_autocheckpoint = {int(self.wal_autocheckpoint)}")
                # What the last batches left in the WAL goes into the database file now,
                # as part of the import (readers need not search a long WAL meanwhile).
                self._fetch("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception:  # noqa: BLE001, S110 - a broken connection drops them anyway
            pass

    def lock(self) -> None:
        """PostgreSQL: hold the import lock until this batch's transaction ends, so that
        two imports running at once write their batches one after the other and each
        batch sees every row the other committed before it classifies its own."""
        if self.pg:
            self._exec("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])

    def _clear(self, table: str) -> None:
        self._exec(f"TRUNCATE {table}" if self.pg else f"DELETE FROM {table}")

    def load(self, table: str, frame: pl.DataFrame, *, clear: bool = True) -> None:
        """Put ``frame`` (the table's named columns) into temporary ``table``."""
        if table in STAGE_COLUMNS:
            names = [name for name, _ in STAGE_COLUMNS[table]]
        else:
            names = frame.columns
        if clear:
            self._clear(table)
        data = frame.rename({"_line": "line"}) if "_line" in frame.columns else frame
        data = data.select(names)
        if not data.height:
            return
        if self.pg:
            payload = data.write_csv(include_header=False).encode()
            with connection.cursor() as cursor:
                with cursor.cursor.copy(
                    f"COPY {table} ({', '.join(names)}) FROM STDIN (FORMAT csv)"
                ) as copy:
                    copy.write(payload)
        else:
            data = data.with_columns(pl.col(pl.Date).cast(pl.String))
            marks = ", ".join(["%s"] * len(names))
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", data.rows()
                )

    # -- questions for the database, one query per batch each

    def _values(self, values: pl.Series) -> tuple[str, object]:
        """A one-column row source ``v(k)`` of ``values``, passed as a single parameter.

        The keys go in sorted, so the lookups they drive walk each index in order and find
        its pages still in the cache (SQLite: 50,000 person references looked up in 0.040 s
        instead of 0.051-0.072 s)."""
        items = values.drop_nulls().unique().sort().to_list()
        if self.pg:
            return "SELECT unnest(%s::text[]) AS k", items
        return "SELECT value AS k FROM json_each(%s)", json.dumps(items)

    def lookup_people(self, refs: pl.Series) -> pl.DataFrame:
        """For each reference: its person id in the database (or null) and whether it was
        an accepted row of this run's persons file."""
        values, param = self._values(refs)
        rows = self._fetch(
            f"""
            SELECT v.k, p.id,
                   CASE WHEN p.id IS NOT NULL THEN 0
                        WHEN EXISTS (SELECT 1 FROM hh_imp_seen_person f WHERE f.reference = v.k)
                        THEN 1 ELSE 0 END
            FROM ({values}) v LEFT JOIN {Person._meta.db_table} p ON p.reference = v.k
            """,
            [param],
        )
        return pl.DataFrame(
            rows,
            schema={"reference": pl.String, "person_id": pl.Int64, "in_file": pl.Int8},
            orient="row",
        ).with_columns(pl.col("in_file").cast(pl.Boolean))

    def stored_hashes(self, kind: str, keys: pl.Series) -> pl.DataFrame:
        """The stored content hash of each key already in the database."""
        model, key = STORED[kind]
        values, param = self._values(keys)
        rows = self._fetch(
            f"SELECT m.{key}, m.content_hash FROM ({values}) v "
            f"JOIN {model._meta.db_table} m ON m.{key} = v.k",
            [param],
        )
        return pl.DataFrame(rows, schema={key: pl.String, "stored_hash": pl.String}, orient="row")

    def seen(self, kind: str, keys: pl.Series) -> pl.DataFrame:
        """The keys already taken from an earlier batch of the same file."""
        seen, key = SEEN[kind]
        values, param = self._values(keys)
        rows = self._fetch(
            f"SELECT k.{key}, k.line, k.content_hash FROM ({values}) v "
            f"JOIN {seen} k ON k.{key} = v.k",
            [param],
        )
        return pl.DataFrame(
            rows,
            schema={key: pl.String, "first_line": pl.Int64, "first_hash": pl.String},
            orient="row",
        )

    def remember_staged(self, kind: str) -> None:
        """The staged rows are taken too: remember them from the staging table."""
        seen, key = SEEN[kind]
        stage = {schema.PERSONS: "hh_imp_person", schema.INCIDENTS: "hh_imp_incident"}[kind]
        self._exec(
            f"INSERT INTO {seen} ({key}, line, content_hash) "
            f"SELECT {key}, line, content_hash FROM {stage}"
        )

    def remember_seen(self, kind: str, valid: pl.DataFrame) -> None:
        seen, key = SEEN[kind]
        self.load(
            seen,
            valid.select(pl.col(key), pl.col("_line").alias("line"), pl.col("content_hash")),
            clear=False,
        )

    # -- writes

    def upsert_persons(self, now: dt.datetime, reason: str) -> None:
        table = Person._meta.db_table
        stamp = self._dt(now)
        sql = f"""
            INSERT INTO {table} (reference, given_name, family_name, date_of_birth, gender,
                                 ethnicity, content_hash, created_at, updated_at, version)
            SELECT reference, COALESCE(given_name, ''), COALESCE(family_name, ''),
                   date_of_birth, gender, COALESCE(ethnicity, ''), content_hash, %s, %s, 1
            FROM hh_imp_person s WHERE s.action IN {{actions}}
        """
        conflict = f"""
            ON CONFLICT (reference) DO UPDATE SET
                given_name = excluded.given_name, family_name = excluded.family_name,
                date_of_birth = excluded.date_of_birth, gender = excluded.gender,
                ethnicity = excluded.ethnicity, content_hash = excluded.content_hash,
                updated_at = excluded.updated_at, version = {table}.version + 1
            WHERE {table}.content_hash <> excluded.content_hash
        """
        self._upsert_with_history(
            sql,
            conflict,
            [stamp, stamp],
            Person,
            "hh_imp_person",
            "s.reference = m.reference",
            now,
            reason,
        )

    def upsert_incidents(self, now: dt.datetime, reason: str) -> None:
        table = Incident._meta.db_table
        flags = ", ".join(schema.FLAGS)
        s_flags = ", ".join(f"(s.flags & {1 << i}) <> 0" for i, _ in enumerate(schema.FLAGS))
        set_flags = ", ".join(f"{f} = excluded.{f}" for f in schema.FLAGS)
        sql = f"""
            INSERT INTO {table} (crime_reference, occurred_on, offence_id, perpetrator_id,
                                 victim_id, relationship, {flags}, outcome, content_hash,
                                 imported_at)
            SELECT s.crime_reference, s.occurred_on, s.offence_id, s.perpetrator_id,
                   s.victim_id, s.relationship, {s_flags}, s.outcome, s.content_hash, %s
            FROM hh_imp_incident s
            WHERE s.action IN {{actions}}
        """
        conflict = f"""
            ON CONFLICT (crime_reference) DO UPDATE SET
                occurred_on = excluded.occurred_on, offence_id = excluded.offence_id,
                perpetrator_id = excluded.perpetrator_id, victim_id = excluded.victim_id,
                relationship = excluded.relationship, {set_flags},
                outcome = excluded.outcome, content_hash = excluded.content_hash,
                imported_at = excluded.imported_at
            WHERE {table}.content_hash <> excluded.content_hash
        """
        self._upsert_with_history(
            sql,
            conflict,
            [self._dt(now)],
            Incident,
            "hh_imp_incident",
            "s.crime_reference = m.crime_reference",
            now,
            reason,
        )

    def _upsert_with_history(self, sql, conflict, params, model, stage, join, now, reason):
        """Write the staged new (I) and changed (U) rows and their history.

        ``sql`` is the ``INSERT … SELECT`` of the staged rows, ``conflict`` its ``ON
        CONFLICT … DO UPDATE`` clause.

        PostgreSQL: one statement per kind, the history taken from RETURNING (a
        data-modifying WITH), so the written rows are not looked up again. New rows are
        a plain INSERT: the batch's transaction holds the import lock (``lock``) and
        found them absent, so no other import can have added them since, and the
        per-row speculative insertion of ``ON CONFLICT`` is saved (docs/performance.md).
        Should a row appear all the same (written outside an import), the INSERT fails
        on the unique key and the batch is rolled back whole. Changed rows keep the
        upsert, which rewrites a row only when its content hash differs.

        SQLite: the batch's transaction is IMMEDIATE (settings), so it alone writes the
        database. New rows are a plain INSERT and get ids above the largest before it, so
        their history is copied from that id range (no lookup per row); the changed rows
        are upserted, their history joined from the stage to the table.
        """
        if not self.pg:
            table = model._meta.db_table
            before = self._fetch(f"SELECT COALESCE(MAX(id), 0) FROM {table}")[0][0]
            self._exec(sql.format(actions="('I')"), params)
            self.history_of_new(model, before, now, reason)
            self._exec(sql.format(actions="('U')") + conflict, params)
            self.history(stage, model, join, now, reason, actions=("U",))
            return
        hist = _hist(model)
        tracked = ", ".join(_tracked_columns(model))
        for action, kind in (("I", "+"), ("U", "~")):
            write = sql.format(actions=f"('{action}')") + (conflict if action == "U" else "")
            self._exec(
                f"""
                WITH written AS ({write} RETURNING {tracked})
                INSERT INTO {hist._meta.db_table} ({tracked}, history_date,
                                                   history_change_reason, history_type,
                                                   history_user_id)
                SELECT {tracked}, %s, %s, '{kind}', NULL FROM written
                """,
                [*params, self._dt(now), reason],
            )

    def history(
        self,
        stage: str,
        model,
        join: str,
        now: dt.datetime,
        reason: str,
        action_column: str = "action",
        actions: tuple[str, ...] = ("I", "U"),
    ) -> int:
        """One history row per inserted ('+') or updated ('~') staged row, in one statement."""
        hist = _hist(model)
        tracked = _tracked_columns(model)
        cols = ", ".join(tracked)
        m_cols = ", ".join(f"m.{c}" for c in tracked)
        return self._exec(
            f"""
            INSERT INTO {hist._meta.db_table} ({cols}, history_date, history_change_reason,
                                               history_type, history_user_id)
            SELECT {m_cols}, %s, %s,
                   CASE s.{action_column} WHEN 'I' THEN '+' ELSE '~' END, NULL
            FROM {stage} s JOIN {model._meta.db_table} m ON {join}
            WHERE s.{action_column} IN ({", ".join(f"'{a}'" for a in actions)})
            """,
            [self._dt(now), reason],
        )

    def history_of_new(self, model, after_id: int, now: dt.datetime, reason: str) -> int:
        """SQLite: one '+' history row for each row of ``model`` with an id above
        ``after_id`` (the rows this transaction just inserted), read in id order."""
        hist = _hist(model)
        cols = ", ".join(_tracked_columns(model))
        return self._exec(
            f"""
            INSERT INTO {hist._meta.db_table} ({cols}, history_date, history_change_reason,
                                               history_type, history_user_id)
            SELECT {cols}, %s, %s, '+', NULL FROM {model._meta.db_table} WHERE id > %s
            """,
            [self._dt(now), reason, after_id],
        )

    def add_aliases(self, aliases: pl.DataFrame, now: dt.datetime, reason: str) -> int:
        """Add the aliases of new and changed persons that are not recorded yet."""
        if not aliases.height:
            return 0
        self.load("hh_imp_alias", aliases.with_columns(pl.lit(None, pl.String).alias("action")))
        alias = PersonAlias._meta.db_table
        person = Person._meta.db_table
        added = self._exec(
            f"""
            UPDATE hh_imp_alias SET action = 'I'
            WHERE EXISTS (SELECT 1 FROM hh_imp_person s
                          WHERE s.reference = hh_imp_alias.reference AND s.action IN ('I', 'U'))
              AND NOT EXISTS (SELECT 1 FROM {alias} a JOIN {person} p ON p.id = a.person_id
                              WHERE p.reference = hh_imp_alias.reference
                                AND a.name = hh_imp_alias.name)
            """
        )
        if not added:
            return 0
        self._exec(
            f"""
            INSERT INTO {alias} (person_id, name)
            SELECT p.id, a.name FROM hh_imp_alias a JOIN {person} p ON p.reference = a.reference
            WHERE a.action = 'I'
            ON CONFLICT (person_id, name) DO NOTHING
            """
        )
        self.history(
            "(SELECT a.name, a.action, p.id AS person_id FROM hh_imp_alias a "
            f"JOIN {person} p ON p.reference = a.reference)",
            PersonAlias,
            "m.person_id = s.person_id AND m.name = s.name",
            now,
            reason,
        )
        return added

    def stage_pairs_of_changed_incidents(self, *, before_upsert: bool) -> None:
        """Collect the perpetrator–victim pairs whose latest relationship may have changed:
        before the upsert, the stored pairs of changed incidents (an update may move an
        incident to another pair); after it, the pairs of the staged incidents."""
        if before_upsert:
            self._clear("hh_imp_pair")
            self._exec(
                f"""
                INSERT INTO hh_imp_pair (perpetrator_id, victim_id)
                SELECT DISTINCT m.perpetrator_id, m.victim_id
                FROM hh_imp_incident s
                JOIN {Incident._meta.db_table} m ON m.crime_reference = s.crime_reference
                WHERE s.action = 'U' AND m.victim_id IS NOT NULL
                ON CONFLICT DO NOTHING
                """
            )
        else:
            # SQLite: ON CONFLICT DO NOTHING already skips a pair staged twice; without
            # DISTINCT there is no sort first (0.031 -> 0.019 s per 50,000 incidents).
            distinct = "DISTINCT" if self.pg else ""
            self._exec(
                f"""
                INSERT INTO hh_imp_pair (perpetrator_id, victim_id)
                SELECT {distinct} perpetrator_id, victim_id FROM hh_imp_incident
                WHERE victim_id IS NOT NULL
                ON CONFLICT DO NOTHING
                """
            )

    def refresh_relationships(self, now: dt.datetime, reason: str) -> tuple[int, int]:
        """Set each staged pair's relationship to that of its latest incident; return the
        numbers of links inserted and updated.

        "Latest" is the most recent incident date (then the highest crime reference); an
        incident recorded with relationship "unknown" does not override a known one.
        """
        if self.pg:
            return self._refresh_relationships_pg(now, reason)
        incident = Incident._meta.db_table
        rel = Relationship._meta.db_table
        # SQLite: one lookup per pair on the (victim, date) index is the fastest way.
        self._exec(
            f"""
            UPDATE hh_imp_pair SET kind = (
                SELECT i.relationship FROM {incident} i
                WHERE i.perpetrator_id = hh_imp_pair.perpetrator_id
                  AND i.victim_id = hh_imp_pair.victim_id
                ORDER BY {LATEST_FIRST} LIMIT 1)
            """
        )
        self._exec(
            f"""
            UPDATE hh_imp_pair SET action = CASE
                WHEN kind IS NULL THEN 'N'
                ELSE COALESCE(
                    (SELECT CASE WHEN r.kind = hh_imp_pair.kind THEN 'N' ELSE 'U' END
                     FROM {rel} r
                     WHERE r.perpetrator_id = hh_imp_pair.perpetrator_id
                       AND r.victim_id = hh_imp_pair.victim_id),
                    'I')
                END
            """
        )
        counts = dict(self._fetch("SELECT action, COUNT(*) FROM hh_imp_pair GROUP BY action"))
        if not (counts.get("I") or counts.get("U")):
            return 0, 0
        if counts.get("I"):
            # New links: a plain INSERT, their history from the new id range (the
            # transaction is IMMEDIATE: nothing else writes meanwhile).
            before = self._fetch(f"SELECT COALESCE(MAX(id), 0) FROM {rel}")[0][0]
            self._exec(
                f"""
                INSERT INTO {rel} (perpetrator_id, victim_id, kind)
                SELECT perpetrator_id, victim_id, kind FROM hh_imp_pair WHERE action = 'I'
                """
            )
            self.history_of_new(Relationship, before, now, reason)
        if counts.get("U"):
            self._exec(
                f"""
                INSERT INTO {rel} (perpetrator_id, victim_id, kind)
                SELECT perpetrator_id, victim_id, kind FROM hh_imp_pair WHERE action = 'U'
                ON CONFLICT (perpetrator_id, victim_id) DO UPDATE SET kind = excluded.kind
                WHERE {rel}.kind <> excluded.kind
                """
            )
            self.history(
                "hh_imp_pair",
                Relationship,
                "m.perpetrator_id = s.perpetrator_id AND m.victim_id = s.victim_id",
                now,
                reason,
                actions=("U",),
            )
        return counts.get("I", 0), counts.get("U", 0)

    def _refresh_relationships_pg(self, now: dt.datetime, reason: str) -> tuple[int, int]:
        """PostgreSQL, set-based: the incidents of the staged pairs' victims are fetched in
        one index scan (``victim_id = ANY(…)``) and ranked with DISTINCT ON; the same
        statement marks each pair new (I), changed (U) or unchanged (N) against the stored
        link. Then one statement inserts the new links (a plain INSERT: the import lock
        is held and only imports write links), updates the changed ones, and writes the
        history of both from RETURNING."""
        incident = Incident._meta.db_table
        rel = Relationship._meta.db_table
        hist = _hist(Relationship)
        tracked = _tracked_columns(Relationship)
        cols = ", ".join(tracked)
        r_cols = ", ".join(f"r.{c}" for c in tracked)
        self._exec(
            f"""
            UPDATE hh_imp_pair SET kind = latest.relationship, action = COALESCE(
                (SELECT CASE WHEN r.kind = latest.relationship THEN 'N' ELSE 'U' END
                 FROM {rel} r
                 WHERE r.perpetrator_id = hh_imp_pair.perpetrator_id
                   AND r.victim_id = hh_imp_pair.victim_id),
                'I')
            FROM (
                SELECT DISTINCT ON (i.perpetrator_id, i.victim_id)
                       i.perpetrator_id, i.victim_id, i.relationship
                FROM {incident} i
                WHERE i.victim_id = ANY(ARRAY(SELECT DISTINCT victim_id FROM hh_imp_pair))
                ORDER BY i.perpetrator_id, i.victim_id, {LATEST_FIRST}
            ) latest
            WHERE latest.perpetrator_id = hh_imp_pair.perpetrator_id
              AND latest.victim_id = hh_imp_pair.victim_id
            """
        )
        rows = self._fetch(
            f"""
            WITH inserted AS (
                INSERT INTO {rel} (perpetrator_id, victim_id, kind)
                SELECT perpetrator_id, victim_id, kind FROM hh_imp_pair WHERE action = 'I'
                RETURNING {cols}
            ), updated AS (
                UPDATE {rel} r SET kind = s.kind
                FROM hh_imp_pair s
                WHERE s.action = 'U' AND r.perpetrator_id = s.perpetrator_id
                  AND r.victim_id = s.victim_id
                RETURNING {r_cols}
            ), history AS (
                INSERT INTO {hist._meta.db_table} ({cols}, history_date, history_change_reason,
                                                   history_type, history_user_id)
                SELECT {cols}, %s, %s, '+', NULL::bigint FROM inserted
                UNION ALL
                SELECT {cols}, %s, %s, '~', NULL::bigint FROM updated
            )
            SELECT (SELECT COUNT(*) FROM inserted), (SELECT COUNT(*) FROM updated)
            """,
            [self._dt(now), reason, self._dt(now), reason],
        )
        return rows[0][0], rows[0][1]
