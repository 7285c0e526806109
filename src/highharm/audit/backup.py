"""Backup and restore of the whole database.

SQLite: the online backup API (a consistent copy while the site runs).
PostgreSQL: pg_dump in custom format, pg_restore --clean.

A backup holds every personal record, unencrypted: the file is created readable and
writable by its owner only (mode 600, in a directory of mode 700 when this creates
it), and must be kept on an encrypted volume (docs/security.md, "Backups").
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection


class BackupError(Exception):
    pass


def _pg_env(settings_dict: dict) -> tuple[dict, list[str]]:
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    args = []
    if settings_dict.get("HOST"):
        args += ["-h", settings_dict["HOST"]]
    if settings_dict.get("PORT"):
        args += ["-p", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["-U", settings_dict["USER"]]
    return env, args


BACKUP_FILE_MODE = 0o600
BACKUP_DIR_MODE = 0o700


def _private_file(out: Path) -> None:
    """Create ``out`` empty with mode 600 before anything is written into it."""
    if not out.parent.exists():
        out.parent.mkdir(parents=True, mode=BACKUP_DIR_MODE)
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, BACKUP_FILE_MODE)
    os.close(descriptor)
    os.chmod(out, BACKUP_FILE_MODE)  # an existing file keeps its old mode otherwise


def database_backup(*, out: Path) -> Path:
    out = Path(out)
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups of {vendor} databases are not supported")
    _private_file(out)
    if vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(out)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        return out
    if vendor == "postgresql":
        if not shutil.which("pg_dump"):
            raise BackupError("pg_dump is not installed: install the PostgreSQL client")
        env, args = _pg_env(connection.settings_dict)
        result = subprocess.run(
            [
                "pg_dump",
                "-Fc",
                "--no-owner",
                "-f",
                str(out),
                *args,
                connection.settings_dict["NAME"],
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        os.chmod(out, BACKUP_FILE_MODE)
        return out
    raise BackupError(f"Backups of {vendor} databases are not supported")


def database_restore(*, source: Path) -> None:
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"No backup file at {source}")
    vendor = connection.vendor
    if vendor == "sqlite":
        try:
            backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            backup.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} is not an SQLite backup: {error}")
        connection.ensure_connection()
        try:
            backup.backup(connection.connection)
        finally:
            backup.close()
        return
    if vendor == "postgresql":
        if not shutil.which("pg_restore"):
            raise BackupError("pg_restore is not installed: install the PostgreSQL client")
        connection.close()
        env, args = _pg_env(connection.settings_dict)
        result = subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "-d",
                connection.settings_dict["NAME"],
                *args,
                str(source),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        return
    raise BackupError(f"Restores of {vendor} databases are not supported")
