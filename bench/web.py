"""Benchmark: the web application under load, served by gunicorn from PostgreSQL.

    .venv/bin/python bench/web.py                      # 200,000 people, 2,000,000 incidents
    .venv/bin/python bench/web.py --people 20000 --incidents 200000 --duration 30

1. Creates a fresh PostgreSQL database hh_bench_web_<pid> on postgres://postgres@127.0.0.1:5432
   (dropped at the end unless --keep-db).
2. Writes a synthetic force directly with NumPy/Polars (``highharm synth`` models a real
   force's shape, about 2.3 incidents per perpetrator, so 2 million incidents would mean
   about 1.8 million people; the target here is 200,000 people with 2 million incidents,
   so the files are generated to that size: 40% of people are perpetrators, incidents per
   perpetrator are log-normal, each perpetrator has up to three victims), then loads it
   through the real pipeline: ``highharm migrate``, ``load-catalogue``, ``import-records``
   and ``identify --store`` (the candidate list reads the stored run).
3. Creates offender managers (one per simulated user) with two-factor devices, and gives
   each of them cases of high-ranking candidates.
4. Serves the production settings (DEBUG off, two-factor on, secure cookies; the client
   sends ``X-Forwarded-Proto: https`` as the TLS-terminating proxy would) with gunicorn on
   a free loopback port.
5. From another process, N threads each sign in (password, then a TOTP code) and request
   the candidate list, person pages, their case pages, the caseload dashboard and the home
   page in a closed loop for --duration seconds after a warm-up, with --think seconds
   (mean, uniform between half and one and a half times it) between requests.

Prints one JSON object: the time each seeding step took, and per page and overall the
count, errors and p50/p95/p99 latency in milliseconds, and the throughput.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
HH = str(ROOT / ".venv" / "bin" / "highharm")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PASSWORD = "bench-password-not-secret-0123"  # noqa: S105 - a throwaway benchmark account
PAGES = ("candidates", "person", "case", "dashboard", "home")
WEIGHTS = (2, 4, 2, 1, 1)


# ---------------------------------------------------------------- the synthetic force

CODES = {  # code: relative frequency among incidents
    "CA": 30,
    "ABH": 10,
    "HARASS": 8,
    "MALCOMM": 6,
    "DOMNC": 12,
    "CD": 8,
    "CCB": 4,
    "STALK": 3,
    "STALKF": 1,
    "BRNMO": 3,
    "BRRO": 2,
    "NFS": 2,
    "THKILL": 1,
    "SEXASLT": 1,
    "RAPE": 0.5,
    "GBH20": 0.5,
    "THEFT": 3,
    "POA4": 3,
    "AFFRAY": 1,
    "BURGDW": 1,
}
GIVEN = "Aisha Ben Carly Dan Ella Femi Gary Hana Ian Jade Kyle Lena Mo Nia Owen Priya Ravi Sam Tess Umar Vic Wes Yara Zak".split()
FAMILY = "Patel Smith Jones Khan Brown Taylor Wilson Evans Thomas Roberts Walker Wright Hall Green Lewis Clarke Young King Hill Ahmed Begum Ali Shah Wood".split()


def make_force(out: Path, *, people: int, incidents: int, end: dt.date, seed: int = 7) -> dict:
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    perpetrators = max(1, int(people * 0.4))
    victims_only = max(1, people - perpetrators)
    refs = np.array([f"BW{i:07d}" for i in range(people)])
    days = (end - dt.date(1950, 1, 1)).days - 16 * 365
    pl.DataFrame(
        {
            "reference": refs,
            "given_name": rng.choice(GIVEN, people),
            "family_name": rng.choice(FAMILY, people),
            "date_of_birth": [
                (dt.date(1950, 1, 1) + dt.timedelta(days=int(d))).isoformat()
                for d in rng.integers(0, days, people)
            ],
            "gender": rng.choice(["M", "F", "U"], people, p=[0.55, 0.43, 0.02]),
            "ethnicity": rng.choice(["", "White", "Asian", "Black", "Mixed"], people),
            "aliases": np.where(rng.random(people) < 0.05, "Alias One", ""),
        }
    ).write_csv(out / "persons.csv")

    weights = rng.lognormal(0.0, 0.8, perpetrators)
    perp = rng.choice(perpetrators, incidents, p=weights / weights.sum())
    has_victim = rng.random(incidents) < 0.75
    victim_idx = perpetrators + (perp * 7919 + rng.integers(0, 3, incidents)) % victims_only
    codes = list(CODES)
    freq = np.array(list(CODES.values()), dtype=float)
    span = 6 * 365
    start = end - dt.timedelta(days=span)
    occurred = [
        (start + dt.timedelta(days=int(d))).isoformat() for d in rng.integers(0, span, incidents)
    ]
    yn = lambda p: np.where(rng.random(incidents) < p, "Y", "N")  # noqa: E731
    pl.DataFrame(
        {
            "crime_reference": [f"BW/{i:08d}" for i in range(incidents)],
            "occurred_on": occurred,
            "offence_code": rng.choice(codes, incidents, p=freq / freq.sum()),
            "perpetrator_ref": refs[perp],
            "victim_ref": np.where(has_victim, refs[np.minimum(victim_idx, people - 1)], ""),
            "relationship": rng.choice(
                ["partner", "ex_partner", "family", "unknown"], incidents, p=[0.4, 0.35, 0.15, 0.1]
            ),
            "domestic": yn(0.8),
            "stalking": yn(0.03),
            "sexual": yn(0.01),
            "strangulation": yn(0.02),
            "weapon": yn(0.03),
            "breach": yn(0.02),
            "outcome": rng.choice(
                ["charged", "victim_withdrew", "evidential_difficulties", "caution", "other"],
                incidents,
                p=[0.25, 0.35, 0.25, 0.05, 0.10],
            ),
        }
    ).write_csv(out / "incidents.csv")
    counts = np.bincount(perp, minlength=perpetrators)
    return {
        "people": people,
        "perpetrators": perpetrators,
        "incidents": incidents,
        "incidents_per_perpetrator_max": int(counts.max()),
        "incidents_per_perpetrator_median": float(np.median(counts)),
    }


# ---------------------------------------------------------------- the server side

SETUP_CODE = r"""
import json, sys
from django.db import connection
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice
from highharm.cases.models import Case
from highharm.people.models import Person
spec = json.loads(sys.stdin.read())
User = get_user_model()
with connection.cursor() as c:
    c.execute(
        "SELECT perpetrator_id FROM records_incident GROUP BY perpetrator_id "
        "ORDER BY COUNT(*) DESC LIMIT %s", [spec["users"] * spec["cases_each"]]
    )
    busiest = [r[0] for r in c.fetchall()]
    c.execute("SELECT reference FROM people_person ORDER BY random() LIMIT 2000")
    random_refs = [r[0] for r in c.fetchall()]
out = {"users": [], "people": random_refs}
for n in range(spec["users"]):
    user = User(username=f"bench_om_{n:02d}", role="offender_manager", first_name=f"Om{n}")
    user.set_password(spec["password"])
    user.save()
    key = spec["keys"][n]
    TOTPDevice.objects.create(user=user, name="bench", key=key, confirmed=True)
    cases = []
    for pid in busiest[n * spec["cases_each"]:(n + 1) * spec["cases_each"]]:
        cases.append(Case.objects.create(person_id=pid, lead=user, opened_on="2026-01-05").pk)
    out["users"].append({"username": user.username, "key": key, "cases": cases})
out["people"] += list(Person.objects.filter(pk__in=busiest).values_list("reference", flat=True))
print("BENCH-SPEC " + json.dumps(out))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg(sql: str, dbname: str = "postgres") -> None:
    subprocess.run(
        ["psql", f"{PG_SERVER}/{dbname}", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
        capture_output=True,
    )


def hh(args: list[str], env: dict, *, stdin: str | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run(
        [HH, *args], env=env, input=stdin, capture_output=True, text=True, cwd=ROOT
    )
    if proc.returncode not in (0, 3):
        raise SystemExit(
            f"highharm {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
        )
    return round(time.perf_counter() - started, 1), proc.stdout


def cpu_seconds(match) -> float:
    """User + system CPU seconds of every process whose command line ``match`` accepts."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            if not match(cmdline):
                continue
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            continue
    return total


def wait_until_up(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/health", headers={"X-Forwarded-Proto": "https"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not answer")


_WRAPPED = None


def application_as_before(environ, start_response):
    """An experiment (--experiment-as-before): the application as it was before the person
    page's chart became hand-written SVG and the session's idle clock was written at most
    once a minute: the chart drawn with matplotlib on every view (as an <img> data URI) and
    the session written on every request. Served from the same code and database, it is the
    baseline measured in the same run."""
    global _WRAPPED
    if _WRAPPED is None:
        from django.conf import settings
        from django.utils.safestring import mark_safe

        from highharm import charts, wsgi
        from highharm.people import views

        def matplotlib_chart(points, *, title=""):
            uri = charts.harm_timeline(points, title=title)
            return mark_safe(f'<img src="{uri}" alt="">')  # noqa: S308 - our own data URI

        views.harm_timeline_svg = matplotlib_chart
        settings.SESSION_IDLE_WRITE_SECONDS = 0
        _WRAPPED = wsgi.application
    return _WRAPPED(environ, start_response)


# ---------------------------------------------------------------- the client side


def totp(key_hex: str, at: float | None = None) -> str:
    counter = int((at or time.time()) // 30)
    mac = hmac.new(bytes.fromhex(key_hex), counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return f"{(int.from_bytes(mac[offset : offset + 4], 'big') & 0x7FFFFFFF) % 1_000_000:06d}"


class Browser:
    """One signed-in user: a keep-alive connection and a cookie jar."""

    def __init__(self, port: int):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.reconnects = 0  # GETs sent again after the server closed an idle connection

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, bytes, dict]:
        headers = {"X-Forwarded-Proto": "https", "Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError) as exc:
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            # gunicorn closes a keep-alive connection idle for 2 s (its ``keepalive``): a
            # user who waited longer (for the others to sign in, or starved of CPU) finds
            # it closed before any answer. A browser then sends a GET again on a new
            # connection; so does this, once, and counts it.
            closed = isinstance(
                exc, (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)
            )
            if not (closed and method == "GET"):
                raise
            self.reconnects += 1
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, data, dict(response.getheaders())

    def csrf(self, html: bytes) -> str:
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        return found.group(1).decode() if found else ""

    def sign_in(self, username: str, key: str) -> None:
        _, html, _ = self.request("GET", "/accounts/login/")
        status, _, headers = self.request(
            "POST",
            "/accounts/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf(html)},
        )
        if status != 302:
            raise RuntimeError(f"sign-in of {username} answered {status}")
        _, html, _ = self.request("GET", "/accounts/two-factor/")
        status, _, headers = self.request(
            "POST",
            "/accounts/two-factor/",
            {"otp_token": totp(key), "csrfmiddlewaretoken": self.csrf(html)},
        )
        if status != 302:
            raise RuntimeError(f"two-factor of {username} answered {status}")


def drive(
    port: int, spec: dict, *, duration: float, warmup: float, think: float, max_requests: int
) -> dict:
    results: list[tuple[str, float, bool, float]] = []  # page, ms, ok, at
    lock = threading.Lock()
    start_gate = threading.Barrier(len(spec["users"]) + 1)
    stop = {"at": 0.0}
    sign_in_errors: list[str] = []
    error_kinds: dict[str, int] = {}  # "page: status or exception" -> count
    reconnects = {"count": 0}  # GETs sent again on a new connection (Browser.request)

    def user_loop(user: dict, seed: int):
        rng = random.Random(seed)
        browser = Browser(port)
        try:
            browser.sign_in(user["username"], user["key"])
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            sign_in_errors.append(f"{user['username']}: {exc}")
            start_gate.wait()
            return
        start_gate.wait()
        while time.monotonic() < stop["at"]:
            page = rng.choices(PAGES, WEIGHTS)[0]
            path = {
                "candidates": lambda: f"/candidates/?page={rng.randint(1, 5)}",
                "person": lambda: f"/people/{urllib.parse.quote(rng.choice(spec['people']))}/",
                "case": lambda: f"/cases/{rng.choice(user['cases'])}/",
                "dashboard": lambda: "/cases/dashboard/",
                "home": lambda: "/",
            }[page]()
            began = time.perf_counter()
            try:
                status, _, headers = browser.request("GET", path)
                ok = status == 200
                why = "" if ok else f"{status} {headers.get('Location', '')}".strip()
            except Exception as exc:  # noqa: BLE001 - counted as an error
                ok = False
                why = type(exc).__name__
            ms = (time.perf_counter() - began) * 1000
            with lock:
                results.append((page, ms, ok, time.monotonic()))
                if not ok:
                    error_kinds[f"{page}: {why}"] = error_kinds.get(f"{page}: {why}", 0) + 1
                if len(results) >= max_requests:
                    stop["at"] = 0
            if think:
                time.sleep(rng.uniform(0.5 * think, 1.5 * think))
        with lock:
            reconnects["count"] += browser.reconnects

    threads = [
        threading.Thread(target=user_loop, args=(u, i), daemon=True)
        for i, u in enumerate(spec["users"])
    ]
    stop["at"] = float("inf")
    for t in threads:
        t.start()
    start_gate.wait()
    began = time.monotonic()
    stop["at"] = began + warmup + duration
    for t in threads:
        t.join(timeout=warmup + duration + 120)
    counted = [r for r in results if r[3] >= began + warmup]
    elapsed = max(1e-9, min(duration, max((r[3] for r in counted), default=began) - began - warmup))

    def summary(rows):
        ms = sorted(r[1] for r in rows)
        if not ms:
            return {"count": 0}

        def q(p):
            return round(ms[min(len(ms) - 1, int(round(p * (len(ms) - 1))))], 1)

        return {
            "count": len(ms),
            "errors": sum(1 for r in rows if not r[2]),
            "p50_ms": q(0.50),
            "p95_ms": q(0.95),
            "p99_ms": q(0.99),
            "max_ms": round(ms[-1], 1),
        }

    return {
        "users": len(spec["users"]),
        "sign_in_errors": sign_in_errors,
        "error_kinds": error_kinds,
        "reconnects": reconnects["count"],
        "seconds_measured": round(elapsed, 1),
        "requests_per_second": round(len(counted) / elapsed, 1),
        "pages": {p: summary([r for r in counted if r[0] == p]) for p in PAGES},
        "overall": summary(counted),
        "warmup_requests": len(results) - len(counted),
    }


def profile_pages(spec: dict, repeat: int) -> dict:
    """Each page ``repeat`` times through Django's test client: CPU ms, queries, query ms."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    rng = random.Random(1)
    user = get_user_model().objects.get(username=spec["users"][0]["username"])
    client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="127.0.0.1")
    client.force_login(user)
    paths = {
        "candidates": lambda: "/candidates/",
        "person": lambda: f"/people/{urllib.parse.quote(rng.choice(spec['people']))}/",
        "person_busiest": lambda: f"/people/{urllib.parse.quote(spec['people'][-1])}/",
        "case": lambda: f"/cases/{rng.choice(spec['users'][0]['cases'])}/",
        "dashboard": lambda: "/cases/dashboard/",
        "home": lambda: "/",
    }
    out = {}
    for page, make in paths.items():
        client.get(make())  # warm (imports, templates)
        cpu, wall, queries, query_ms = [], [], [], []
        slowest: dict[str, float] = {}
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                c0, w0 = time.process_time(), time.perf_counter()
                response = client.get(make())
                cpu.append((time.process_time() - c0) * 1000)
                wall.append((time.perf_counter() - w0) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{page}: {response.status_code}")
            queries.append(len(captured.captured_queries))
            query_ms.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
            for q in captured.captured_queries:
                sql = re.sub(r"\s+", " ", q["sql"])[:160]
                slowest[sql] = max(slowest.get(sql, 0.0), float(q["time"]) * 1000)
        out[page] = {
            "cpu_ms_median": round(sorted(cpu)[len(cpu) // 2], 1),
            "wall_ms_median": round(sorted(wall)[len(wall) // 2], 1),
            "queries_median": sorted(queries)[len(queries) // 2],
            "query_ms_median": round(sorted(query_ms)[len(query_ms) // 2], 1),
            "slowest_queries_ms": {
                k: round(v, 1) for k, v in sorted(slowest.items(), key=lambda kv: -kv[1])[:3]
            },
        }
    return out


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--incidents", type=int, default=2_000_000)
    parser.add_argument("--users", type=int, default=16, help="concurrent signed-in users")
    parser.add_argument("--cases-each", type=int, default=25, help="cases per offender manager")
    parser.add_argument("--duration", type=float, default=60, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=10, help="seconds before measuring")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between requests")
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    parser.add_argument(
        "--experiment-as-before",
        action="store_true",
        help="serve with the matplotlib person chart and a session write per request "
        "(the baseline before both were made cheap)",
    )
    parser.add_argument("--reuse-db", default="", help="skip seeding: use this seeded database")
    parser.add_argument("--spec", default="", help="with --reuse-db: the users file it printed")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        help="instead of the load: request each page this many times in-process and report "
        "CPU time, queries and their time per page (slowest queries included)",
    )
    parser.add_argument("--drive", default="", help=argparse.SUPPRESS)
    parser.add_argument("--profile-child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.profile_child:  # in-process profile of each page
        print(
            json.dumps(
                profile_pages(json.loads(Path(args.profile_child).read_text()), args.profile)
            )
        )
        return

    if args.drive:  # the client process
        port, spec_file = args.drive.split(":", 1)
        spec = json.loads(Path(spec_file).read_text())
        print(
            json.dumps(
                drive(
                    int(port),
                    spec,
                    duration=args.duration,
                    warmup=args.warmup,
                    think=args.think,
                    max_requests=args.max_requests,
                )
            )
        )
        return

    work = Path(tempfile.mkdtemp(prefix="hh-bench-web-"))
    db = args.reuse_db or f"hh_bench_web_{os.getpid()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIGHHARM_")} | {
        "HIGHHARM_DATABASE_URL": f"{PG_SERVER}/{db}",
        "HIGHHARM_SECRET_KEY": secrets.token_urlsafe(40),
        "HIGHHARM_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "HIGHHARM_VAR_DIR": str(work / "var"),
        "HIGHHARM_LOG_LEVEL": "ERROR",
    }
    if args.reuse_db:
        env["HIGHHARM_SECRET_KEY"] = "bench-reused-database-key-0123456789-abcdefghij"
    report: dict = {
        "database": db,
        "settings": "production (DEBUG off, 2FA on, secure cookies behind X-Forwarded-Proto)",
        "gunicorn": {"workers": args.workers, "threads": args.threads, "worker_class": "gthread"},
        "think_seconds_mean": args.think,
        "experiment_as_before": args.experiment_as_before,
        "seed": {},
    }
    try:
        if not args.reuse_db:
            pg(f"CREATE DATABASE {db}")
            seed = report["seed"]
            seed["migrate_s"], _ = hh(["migrate", "--no-input"], env)
            seed["load_catalogue_s"], _ = hh(["load-catalogue"], env)
            started = time.perf_counter()
            end = dt.date.today() - dt.timedelta(days=1)
            seed["force"] = make_force(work, people=args.people, incidents=args.incidents, end=end)
            seed["generate_files_s"] = round(time.perf_counter() - started, 1)
            seed["import_persons_s"], _ = hh(
                ["import-records", "--persons", str(work / "persons.csv"), "--no-progress"], env
            )
            seed["import_incidents_s"], _ = hh(
                ["import-records", "--incidents", str(work / "incidents.csv"), "--no-progress"],
                env,
            )
            seed["identify_store_s"], _ = hh(["identify", "--store", "--no-progress"], env)
            keys = [secrets.token_hex(20) for _ in range(args.users)]
            seconds, out = hh(
                ["shell", "-c", SETUP_CODE],
                env,
                stdin=json.dumps(
                    {
                        "users": args.users,
                        "cases_each": args.cases_each,
                        "password": PASSWORD,
                        "keys": keys,
                    }
                ),
            )
            seed["users_and_cases_s"] = seconds
            spec = json.loads(out.split("BENCH-SPEC ", 1)[1])
            pg("VACUUM ANALYZE", dbname=db)
            (work / "spec.json").write_text(json.dumps(spec))
            if args.keep_db:
                (ROOT / "bench" / "out").mkdir(exist_ok=True)
                shutil.copy(work / "spec.json", ROOT / "bench" / "out" / f"{db}.spec.json")
        else:
            shutil.copy(args.spec, work / "spec.json")
            spec = json.loads((work / "spec.json").read_text())
            if len(spec["users"]) < args.users:
                raise SystemExit("the spec has fewer users than --users")
            spec["users"] = spec["users"][: args.users]
            (work / "spec.json").write_text(json.dumps(spec))

        if args.profile:
            report["load_average_1min_before"] = round(os.getloadavg()[0], 2)
            child = subprocess.run(
                [
                    PY,
                    __file__,
                    "--profile-child",
                    str(work / "spec.json"),
                    "--profile",
                    str(args.profile),
                ],
                env=env
                | {"DJANGO_SETTINGS_MODULE": "highharm.settings", "HIGHHARM_REQUIRE_2FA": "0"},
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            if child.returncode != 0:
                raise SystemExit(f"the profile failed:\n{child.stderr[-4000:]}")
            report["profile"] = json.loads(child.stdout)
            report["load_average_1min_after"] = round(os.getloadavg()[0], 2)
        else:
            report.update(serve_and_drive(args, env, work))
    finally:
        if not args.reuse_db and not args.keep_db:
            try:
                pg(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
            except subprocess.CalledProcessError:
                pass
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(report, indent=2))


def serve_and_drive(args, env: dict, work: Path) -> dict:
    """Serve with gunicorn, drive it from a client process, return the figures."""
    report: dict = {}
    server = None
    try:
        port = free_port()
        server = subprocess.Popen(
            [
                GUNICORN,
                "web:application_as_before"
                if args.experiment_as_before
                else "highharm.wsgi:application",
                "--pythonpath",
                str(ROOT / "bench"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
                "--worker-class",
                "gthread",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(work / "gunicorn.log", "w"),  # noqa: SIM115
            start_new_session=True,
        )
        wait_until_up(port)
        db = env["HIGHHARM_DATABASE_URL"].rsplit("/", 1)[1]

        def is_server(cmd):
            return "gunicorn" in cmd and f"127.0.0.1:{port}" in cmd

        def is_database(cmd):
            return cmd.startswith("postgres:") and f" {db} " in cmd

        cpu_before = (cpu_seconds(is_server), cpu_seconds(is_database), os.times())
        report["drive_started_utc"] = time.strftime("%H:%M:%S", time.gmtime())
        report["load_average_1min_before"] = round(os.getloadavg()[0], 2)
        client = subprocess.run(
            [
                PY,
                __file__,
                "--drive",
                f"{port}:{work / 'spec.json'}",
                "--duration",
                str(args.duration),
                "--warmup",
                str(args.warmup),
                "--think",
                str(args.think),
                "--max-requests",
                str(args.max_requests),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if client.returncode != 0:
            raise SystemExit(f"the client failed:\n{client.stderr[-4000:]}")
        report["load"] = json.loads(client.stdout)
        done = report["load"]["warmup_requests"] + report["load"]["overall"].get("count", 0)
        after = os.times()
        report["cpu_ms_per_request"] = {
            # Whole run (warm-up and sign-in included), divided by every request made.
            "gunicorn": round((cpu_seconds(is_server) - cpu_before[0]) * 1000 / max(1, done), 1),
            "postgres": round((cpu_seconds(is_database) - cpu_before[1]) * 1000 / max(1, done), 1),
            "client": round(
                (
                    after.children_user
                    + after.children_system
                    - cpu_before[2].children_user
                    - cpu_before[2].children_system
                )
                * 1000
                / max(1, done),
                1,
            ),
        }
        report["load_average_1min_after"] = round(os.getloadavg()[0], 2)
        overall = report["load"]["overall"]
        report["target"] = {
            "p95_ms_below": 150,
            "met": overall.get("count", 0) > 0
            and overall["p95_ms"] < 150
            and overall["errors"] == 0
            and not report["load"]["sign_in_errors"],
        }
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
    return report


if __name__ == "__main__":
    main()
