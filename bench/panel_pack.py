"""Benchmark: the panel pack for a meeting of 12 cases, as HTML and as PDF.

    .venv/bin/python bench/panel_pack.py [--cases 12] [--incidents 40] [--repeat 3] [--pdf out.pdf]

Builds a fresh SQLite database in a temporary directory (migrated, default
offence catalogue), with --cases perpetrators of about --incidents incidents
each over three years, each with an open case (interventions, orders,
contacts, tracing, victims) and open actions, and one panel meeting with all
of them on the agenda. A first request (the home page) loads the URL
configuration, as in a server that has been up for any time. Then, --repeat
times in one process (the first run includes WeasyPrint's and matplotlib's
start-up):

- view: GET /panels/<id>/pack.pdf as the panel chair, the whole request
  (access log, queries, charts, template, WeasyPrint), wall and CPU seconds;
- and the same work in steps: build (every query and chart,
  panels.selectors.pack_build), html (the template), pdf (WeasyPrint).

Prints one JSON object. The target: a 12-case pack as PDF in under 10 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(var_dir: str) -> None:
    os.environ["HIGHHARM_VAR_DIR"] = var_dir
    os.environ["HIGHHARM_DATABASE_URL"] = f"sqlite:///{var_dir}/bench.sqlite3"
    os.environ.setdefault("HIGHHARM_SECRET_KEY", "bench-only-secret-key")
    os.environ["HIGHHARM_SECURE"] = "0"
    os.environ["HIGHHARM_REQUIRE_2FA"] = "0"
    os.environ["HIGHHARM_ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SETTINGS_MODULE"] = "highharm.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build_data(*, cases: int, incidents: int, seed: int = 7):
    from highharm.accounts.models import Agency, User
    from highharm.cases import services as case_services
    from highharm.panels import services as panel_services
    from highharm.panels.models import AgendaItem
    from highharm.people.models import Person, Relationship
    from highharm.records.catalogue import catalogue_load_default
    from highharm.records.models import Incident, Offence

    rng = random.Random(seed)
    catalogue_load_default()
    offences = list(Offence.objects.filter(harm_days__gt=0))
    police = Agency.objects.create(name="Bench Police", kind="police")
    housing = Agency.objects.create(name="Bench Housing", kind="housing")
    om = User.objects.create(
        username="om",
        first_name="Olive",
        last_name="Manager",
        role="offender_manager",
        agency=police,
    )
    chair = User.objects.create(
        username="chair", first_name="Carl", last_name="Chair", role="panel_chair", agency=police
    )
    today = dt.date.today()
    meeting = panel_services.meeting_create(
        held_on=today, chair=chair, location="Bench room", created_by=chair
    )
    for name, agency in [("Priya Patel", police), ("Hana Housing", housing)]:
        panel_services.attendee_add(meeting=meeting, name=name, agency=agency)
    earlier = panel_services.meeting_create(
        held_on=today - dt.timedelta(days=28), chair=chair, created_by=chair
    )
    crime = 0
    for n in range(cases):
        person = Person.objects.create(
            reference=f"BP{n:04d}",
            given_name=rng.choice(["Adam", "Ben", "Carl", "Dan", "Eli", "Finn"]),
            family_name=rng.choice(["Ashdown", "Brook", "Cole", "Dart", "Eyre"]),
            date_of_birth=dt.date(1970 + n, 1 + n % 12, 1 + n % 27),
            gender="M",
        )
        victims = [
            Person.objects.create(
                reference=f"BV{n:04d}{v}", given_name="Vic", family_name=f"Tim{v}"
            )
            for v in range(3)
        ]
        for v in victims:
            Relationship.objects.create(perpetrator=person, victim=v, kind="ex_partner")
        rows = []
        for _ in range(incidents + rng.randint(-10, 10)):
            crime += 1
            offence = rng.choice(offences)
            rows.append(
                Incident(
                    crime_reference=f"BCR{crime:07d}",
                    occurred_on=today - dt.timedelta(days=rng.randint(1, 3 * 365)),
                    offence=offence,
                    perpetrator=person,
                    victim=rng.choice(victims),
                    relationship="ex_partner",
                    domestic=offence.domestic,
                    stalking=offence.stalking,
                    outcome=rng.choice(["charged", "victim_withdrew", "under_investigation"]),
                    content_hash=str(crime),
                )
            )
        Incident.objects.bulk_create(rows)
        case, _ = case_services.case_open(
            person=person,
            lead=om,
            opened_by=om,
            opened_on=today - dt.timedelta(days=120),
            plan="Trace and engage; DVPO if further incident; refer to Drive; IDVA for each victim.",
        )
        for kind in ["housing", "perpetrator_programme", "dvpo", "idva_referral", "safety_plan"]:
            case_services.intervention_create(
                case=case,
                recorded_by=om,
                type=kind,
                started_on=today - dt.timedelta(days=60),
                status="in_progress",
                provider="Bench provider",
            )
        case_services.order_create(
            case=case,
            recorded_by=om,
            type="dvpo",
            starts_on=today - dt.timedelta(days=20),
            ends_on=today + dt.timedelta(days=8),
            conditions="Not to contact the victim or attend her address",
        )
        case_services.tracing_create(
            case=case,
            recorded_by=om,
            recorded_on=today - dt.timedelta(days=3),
            status="located",
            whereabouts="Home address",
        )
        for v in victims[:2]:
            case_services.victim_add(case=case, victim=v, added_by=om, safeguarding="supported")
        AgendaItem.objects.create(meeting=earlier, person=person, reason="newly_adopted")
        for a in range(3):
            panel_services.action_create(
                meeting=earlier,
                person=person,
                description=f"Action {a + 1}: check compliance with the DVPO and report back",
                owner=om if a % 2 == 0 else None,
                owner_name="" if a % 2 == 0 else "Housing officer",
                agency=housing if a % 2 else None,
                due_on=today + dt.timedelta(days=7 * (a - 1)),
                raised_by=chair,
            )
        panel_services.agenda_item_add(
            meeting=meeting, person=person, reason="due_for_review", added_by=chair
        )
    score_everyone(today)
    return meeting, chair


def score_everyone(today: dt.date) -> None:
    """Store a scoring run, so the pack shows each person's score and its explanation."""
    from highharm.scoring.selectors import score_database, scoring_config
    from highharm.scoring.services import score_run_store

    config = scoring_config()
    scores, read = score_database(as_of=today, config=config)
    score_run_store(
        scores=scores,
        as_of=today,
        window_days=config.window_days,
        config=config,
        incidents_scored=read,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=12)
    parser.add_argument("--incidents", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pdf", help="also write the PDF here, to look at it")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="hh-bench-pack-") as var_dir:
        setup_django(var_dir)
        from django.template.loader import render_to_string
        from django.test import Client, RequestFactory

        from highharm.panels.pdf import render_pdf_with_pages
        from highharm.panels.selectors import pack_build

        meeting, chair = build_data(cases=args.cases, incidents=args.incidents)
        request = RequestFactory().get(f"/panels/{meeting.pk}/pack.pdf")
        request.user = chair
        client = Client()
        client.force_login(chair)
        assert client.get("/").status_code == 200  # the URL configuration is loaded
        runs = []
        for _ in range(args.repeat):
            c = time.process_time()
            t = time.perf_counter()
            response = client.get(f"/panels/{meeting.pk}/pack.pdf")
            view_s, view_cpu_s = time.perf_counter() - t, time.process_time() - c
            assert response.status_code == 200 and response.content.startswith(b"%PDF")
            c0 = time.process_time()
            t0 = time.perf_counter()
            pack = pack_build(user=chair, meeting=meeting, for_print=True)
            t1 = time.perf_counter()
            html = render_to_string(
                "panels/pack.html",
                {"pack": pack, "layout": "panels/pack_print.html", "pdf": True},
                request=request,
            )
            t2 = time.perf_counter()
            pdf, pages = render_pdf_with_pages(html)
            t3 = time.perf_counter()
            runs.append(
                {
                    "view_s": round(view_s, 3),
                    "view_cpu_s": round(view_cpu_s, 3),
                    "cpu_s": round(time.process_time() - c0, 3),
                    "build_s": round(t1 - t0, 3),
                    "html_s": round(t2 - t1, 3),
                    "pdf_s": round(t3 - t2, 3),
                    "total_s": round(t3 - t0, 3),
                }
            )
        if args.pdf:
            Path(args.pdf).write_bytes(pdf)
        from weasyprint import __version__ as weasyprint_version

        print(
            json.dumps(
                {
                    "benchmark": "panel_pack",
                    "cases": len(pack.cases),
                    "incidents": sum(len(c.chronology) + c.earlier_incidents for c in pack.cases),
                    "pdf_bytes": len(pdf),
                    "pdf_pages": pages,
                    "weasyprint": weasyprint_version,
                    "runs": runs,
                    "first_view_s": runs[0]["view_s"],
                    "best_view_s": min(r["view_s"] for r in runs),
                    "best_view_cpu_s": min(r["view_cpu_s"] for r in runs),
                    "load_average_1m": round(os.getloadavg()[0], 2),
                    "cpus": os.cpu_count(),
                    "target_s": 10,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
