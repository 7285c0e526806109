"""Backup and restore of the whole database.

SQLite: the online backup API (a consistent copy while the site runs).
PostgreSQL: pg_dump in custom format, pg_restore --clean.
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


def database_backup(*, out: Path) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
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
