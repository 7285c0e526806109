"""Benchmark: `highharm import-records` on SQLite and PostgreSQL.

    .venv/bin/python bench/import.py --rows 1000000

Generates a synthetic force (highharm synth's generator) with --rows incidents and its
persons, then for each database: creates a fresh one (an SQLite file; a PostgreSQL
database hh_bench_import_<pid> on postgres://postgres@127.0.0.1:5432, dropped after),
migrates it, loads the default offence catalogue, and times in separate subprocesses

- the persons import,
- the incidents import (the figure that counts: rows/s and peak memory),
- the same incidents file again (idempotent: every row unchanged).

Prints one JSON object. Peak RSS is each import process's own ru_maxrss.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def child(argv: list[str]) -> None:
    """Run one highharm command in this process and report its peak RSS and CPU time (and,
    on PostgreSQL, the CPU time of its server process) to the parent."""
    import django.db

    from highharm.cli import main

    server = {"cpu": None}
    close_all = django.db.connections.close_all

    def close_all_measured():
        # The command closes its connection when it ends: read the server process's CPU
        # time just before (the database runs on this machine).
        try:
            conn = django.db.connection
            if conn.vendor == "postgresql" and conn.connection is not None:
                pid = conn.connection.info.backend_pid
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                ticks = os.sysconf("SC_CLK_TCK")
                server["cpu"] = round((int(stat[11]) + int(stat[12])) / ticks, 2)
        except Exception:  # noqa: BLE001 - a figure we can do without
            pass
        close_all()

    django.db.connections.close_all = close_all_measured
    code = 0
    try:
        main(["highharm", *argv])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with os.fdopen(int(os.environ["HH_BENCH_REPORT_FD"]), "w") as report:
        report.write(
            json.dumps(
                {
                    "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
                    "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
                    "server_cpu_seconds": server["cpu"],
                    "exit": code,
                }
            )
        )
    sys.exit(code)


def run(argv: list[str], env: dict, *, measure: bool = False) -> dict:
    read_fd, write_fd = os.pipe()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [PY, __file__, "--child", *argv],
        env={**env, "HH_BENCH_REPORT_FD": str(write_fd)},
        pass_fds=(write_fd,),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    os.close(write_fd)
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    with os.fdopen(read_fd) as fh:
        report = json.loads(fh.read() or "{}")
    if proc.returncode not in (0, 3):
        sys.stderr.write(err.decode()[-3000:])
        raise SystemExit(f"{argv[0]} failed with exit code {proc.returncode}")
    if not measure:
        return {}
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": report.get("cpu_seconds"),
        "server_cpu_seconds": report.get("server_cpu_seconds"),
        "load_average": round(os.getloadavg()[0], 1),
        "peak_rss_mb": report.get("peak_rss_mb"),
        "exit": proc.returncode,
        "summary": out.decode().strip().splitlines(),
    }


def generate(rows: int, out: Path) -> tuple[Path, Path, int]:
    from highharm.synthetic.generator import generate as synth

    # About 2.2 incidents per perpetrator over three years; make a few more, then cut.
    perpetrators = max(100, math.ceil(rows / 2.0))
    persons, incidents, _ = synth(perpetrators, 3, 20261126, out, progress=False)
    cut = out / "incidents_cut.csv"
    taken = -1
    with incidents.open("rb") as src, cut.open("wb") as dst:
        for line in src:
            if taken >= rows:
                break
            dst.write(line)
            taken += 1
    incidents.unlink()
    cut.rename(incidents)
    return persons, incidents, taken


def bench_database(name: str, url: str, persons: Path, incidents: Path, rows: int) -> dict:
    env = {**os.environ, "HIGHHARM_DATABASE_URL": url, "HIGHHARM_SECRET_KEY": "bench-only"}
    env.pop("HIGHHARM_DEBUG", None)
    run(["migrate", "--no-input", "-v", "0"], env)
    run(["load-catalogue"], env)
    p = run(["import-records", "--persons", str(persons), "--no-progress"], env, measure=True)
    i = run(["import-records", "--incidents", str(incidents), "--no-progress"], env, measure=True)
    again = run(
        ["import-records", "--incidents", str(incidents), "--no-progress"], env, measure=True
    )
    return {
        "seconds": i["seconds"],
        "rows_per_s": round(rows / i["seconds"]),
        "peak_rss_mb": i["peak_rss_mb"],
        "cpu_seconds_importer": i["cpu_seconds"],
        "cpu_seconds_postgres_server": i["server_cpu_seconds"],
        "load_average": i["load_average"],
        "incidents_summary": i["summary"],
        "persons": {
            k: p[k]
            for k in ("seconds", "cpu_seconds", "server_cpu_seconds", "peak_rss_mb", "summary")
        },
        "reimport_unchanged": {
            "seconds": again["seconds"],
            "rows_per_s": round(rows / again["seconds"]),
            "cpu_seconds": again["cpu_seconds"],
            "server_cpu_seconds": again["server_cpu_seconds"],
            "peak_rss_mb": again["peak_rss_mb"],
        },
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="incidents to import")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="hh-bench-import-"))
    try:
        started = time.perf_counter()
        persons, incidents, rows = generate(args.rows, work / "force")
        result: dict = {
            "rows": rows,
            "persons_rows": sum(1 for _ in persons.open("rb")) - 1,
            "incidents_mb": round(incidents.stat().st_size / 2**20, 1),
            "generate_seconds": round(time.perf_counter() - started, 1),
            "command": "import-records --incidents incidents.csv (persons imported first)",
        }
        if not args.skip_sqlite:
            url = f"sqlite:///{work / 'bench.sqlite3'}"
            result["sqlite"] = bench_database("sqlite", url, persons, incidents, rows)
        if not args.skip_postgres:
            import psycopg

            db = f"hh_bench_import_{os.getpid()}"
            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {db}")
            try:
                result["postgres"] = bench_database(
                    "postgres", f"{PG_SERVER}/{db}", persons, incidents, rows
                )
            finally:
                with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                    conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        print(json.dumps(result, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
