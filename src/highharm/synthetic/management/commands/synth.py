import datetime as dt
import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}")


def _fraction(value: str) -> float:
    number = float(value)
    if not 0.0 <= number <= 1.0:
        raise CommandError(f"must be between 0 and 1: {value}")
    return number


class Command(BaseCommand):
    help = (
        "Write a synthetic force (persons.csv, incidents.csv in the import format) to --out. "
        "Fake people only; the same arguments give byte-identical files."
    )

    def add_arguments(self, parser):
        parser.add_argument("--perpetrators", type=int, required=True)
        parser.add_argument("--years", type=int, default=3)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--out", type=Path, required=True, help="output directory")
        parser.add_argument(
            "--end-date", type=_date, default=None, help="last day of incidents (default: today)"
        )
        parser.add_argument(
            "--progress", action="store_true", default=None, help="always show a progress bar"
        )
        parser.add_argument("--no-progress", action="store_false", dest="progress")
        parser.add_argument(
            "--measure",
            action="store_true",
            help="after writing, read the files back and print the shape of harm (slower)",
        )
        unit = parser.add_argument_group("unit simulation (writes cohort.csv)")
        unit.add_argument("--simulate-unit", action="store_true")
        unit.add_argument(
            "--adoption-date", type=_date, help="default: one year before the end date"
        )
        unit.add_argument("--high-share", type=_fraction, default=0.03)
        unit.add_argument("--adopt-share", type=_fraction, default=0.5)
        unit.add_argument("--effect", type=_fraction, default=0.3)
        unit.add_argument("--natural-decline", type=_fraction, default=0.15)

    def handle(self, *args, **o):
        from highharm.synthetic.generator import UnitSimulation, generate, window
        from highharm.synthetic.measure import measure_files

        if o["perpetrators"] < 1:
            raise CommandError("--perpetrators must be at least 1")
        if o["years"] < 1:
            raise CommandError("--years must be at least 1")
        end_date = o["end_date"] or dt.date.today()
        simulation = None
        if o["simulate_unit"]:
            first, last = window(end_date, o["years"])
            adoption = o["adoption_date"] or end_date - dt.timedelta(days=365)
            if not first <= adoption <= last:
                raise CommandError(f"--adoption-date must fall between {first} and {last}")
            simulation = UnitSimulation(
                adoption_date=adoption,
                high_share=o["high_share"],
                adopt_share=o["adopt_share"],
                effect=o["effect"],
                natural_decline=o["natural_decline"],
            )
        started = time.perf_counter()
        persons, incidents, stats = generate(
            o["perpetrators"],
            o["years"],
            o["seed"],
            o["out"],
            end_date,
            simulation=simulation,
            progress=o["progress"],
        )
        report = {
            "persons_csv": str(persons),
            "incidents_csv": str(incidents),
            "seconds": round(time.perf_counter() - started, 2),
            **stats.as_dict(),
        }
        if o["measure"]:
            report["measured"] = measure_files(persons, incidents)
        self.stdout.write(json.dumps(report, indent=2, default=str))
