"""`highharm identify`: rank the highest-harm perpetrators and explain every score.

Scores the database, or an incidents export (`--incidents FILE`, the import
format) without importing it. docs/scoring.md defines the measures.
"""

from __future__ import annotations

import datetime as dt
import getpass
import sys
import time
from pathlib import Path

import polars as pl
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from highharm.scoring import engine, selectors, services, sources
from highharm.scoring.config import ScoringConfigError, load_config

PROGRESS_MIN_ROWS = 200_000
PROGRESS_MIN_BYTES = 16 << 20


def parse_date(value: str) -> dt.date:
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise CommandError(f"--as-of {value!r} is not a date: write it as YYYY-MM-DD or DD/MM/YYYY")


class Progress:
    """A progress bar on stderr (tqdm) for large inputs or an interactive terminal."""

    def __init__(self, *, label: str, total: int | None, enabled: bool, large: bool = False):
        self.bar = None
        if enabled and (large or sys.stderr.isatty() or (total or 0) >= PROGRESS_MIN_ROWS):
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                desc=label,
                unit=" rows",
                unit_scale=True,
                file=sys.stderr,
                mininterval=0.5,
                leave=True,
            )

    def __call__(self, rows: int) -> None:
        if self.bar is not None:
            self.bar.update(rows)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Command(BaseCommand):
    help = (
        "Rank perpetrators by recency, frequency, harm, victims, escalation and flags, with "
        "each score explained (docs/scoring.md). Scores the database, or an incidents export "
        "with --incidents FILE (CSV or Parquet in the import format) without importing it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--incidents",
            metavar="FILE",
            help="score this incidents export (CSV or Parquet, import format) instead of the database",
        )
        parser.add_argument(
            "--catalogue",
            metavar="FILE",
            help="offence catalogue CSV for --incidents (default: the database's, else the shipped one)",
        )
        parser.add_argument(
            "--as-of", metavar="DATE", help="score as of this date (default: today)"
        )
        parser.add_argument(
            "--window-days",
            type=int,
            metavar="N",
            help="look-back window in days (default: the configuration's, 730)",
        )
        parser.add_argument(
            "--top", type=int, metavar="N", help="only ranks 1 to N (all who share rank N)"
        )
        parser.add_argument("--out", metavar="FILE", help="write here (default: standard output)")
        parser.add_argument(
            "--format",
            choices=["csv", "json"],
            help="output format (default: from --out's extension, else csv)",
        )
        parser.add_argument(
            "--config",
            metavar="FILE",
            help="scoring configuration TOML (default: HIGHHARM_SCORING_CONFIG or the shipped one)",
        )
        parser.add_argument(
            "--store",
            action="store_true",
            help="save the scores as a dated run (the candidate list and score history read it); "
            "the table is then written only with --out",
        )
        parser.add_argument(
            "--keep-latest",
            type=int,
            metavar="N",
            default=services.KEEP_LATEST,
            help="with --store: keep the N most recent stored runs (default %(default)s) ...",
        )
        parser.add_argument(
            "--keep-months",
            type=int,
            metavar="M",
            default=services.KEEP_MONTHS,
            help="... and the last run of each of the M most recent months (default %(default)s); "
            "older runs are deleted (docs/scoring.md)",
        )
        parser.add_argument(
            "--keep-all",
            action="store_true",
            help="with --store: delete no stored run",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="no progress bar on standard error"
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        verbosity = options["verbosity"]
        as_of = parse_date(options["as_of"]) if options["as_of"] else timezone.localdate()
        if options["window_days"] is not None and options["window_days"] < 1:
            raise CommandError("--window-days must be at least 1")
        if options["top"] is not None and options["top"] < 1:
            raise CommandError("--top must be at least 1")
        if options["keep_latest"] < 1:
            raise CommandError("--keep-latest must be at least 1 (the run just stored is kept)")
        if options["keep_months"] < 0:
            raise CommandError("--keep-months must be 0 or more")
        if options["store"] and options["incidents"]:
            raise CommandError(
                "--store saves scores of the database; import the export first "
                "(highharm import-records) or leave out --store"
            )
        try:
            config = (
                load_config(options["config"]) if options["config"] else selectors.scoring_config()
            )
        except ScoringConfigError as exc:
            raise CommandError(str(exc), returncode=2)
        window = options["window_days"] or config.window_days
        out_format = options["format"] or (
            "json" if (options["out"] or "").lower().endswith(".json") else "csv"
        )
        show_progress = verbosity > 0 and not options["no_progress"]

        def say(message: str) -> None:
            if verbosity > 0:
                self.stderr.write(message)

        lookback = max(window, 2 * config.period_days)
        if options["incidents"]:
            catalogue = self._catalogue(options["catalogue"], say)
            path = Path(options["incidents"])
            progress = Progress(
                label="reading incidents",
                total=None,
                enabled=show_progress,
                large=path.is_file() and path.stat().st_size >= PROGRESS_MIN_BYTES,
            )
            try:
                frame, report = sources.incidents_from_file(
                    options["incidents"],
                    catalogue=catalogue,
                    today=max(timezone.localdate(), as_of),
                    progress=progress,
                )
            except sources.SourceError as exc:
                raise CommandError(str(exc), returncode=2)
            finally:
                progress.close()
            say(report.summary())
            for example in report.reject_examples:
                say(f"  left out: {example}")
            source = str(Path(options["incidents"]).name)
        else:
            total = selectors.incident_count(as_of=as_of, lookback_days=lookback)
            progress = Progress(label="reading incidents", total=total, enabled=show_progress)
            try:
                frame = selectors.incident_frame(
                    as_of=as_of, lookback_days=lookback, progress=progress
                )
            finally:
                progress.close()
            source = "database"
        read_s = time.perf_counter() - started

        say(
            f"scoring {frame.height:,} incidents as of {as_of:%Y-%m-%d}, window {window} days, "
            f"configuration {config.version}"
        )
        scoring_started = time.perf_counter()
        try:
            # A stored run keeps everyone (their history needs it); the output may be the top only.
            scores = engine.score(
                frame,
                as_of=as_of,
                config=config,
                window_days=window,
                top=None if options["store"] else options["top"],
            )
        except engine.ScoringInputError as exc:
            raise CommandError(str(exc), returncode=2)
        score_s = time.perf_counter() - scoring_started
        say(f"scored {scores.height:,} perpetrators in {score_s:.2f} s (read {read_s:.2f} s)")

        # Ranks 1 to N: everyone who shares the last of them is included.
        output = scores.filter(pl.col("rank") <= options["top"]) if options["top"] else scores
        if options["out"]:
            text = output.write_json() if out_format == "json" else output.write_csv()
            Path(options["out"]).write_text(text, encoding="utf-8")
            say(f"wrote {output.height:,} rows to {options['out']} ({out_format})")
        elif not options["store"]:
            text = output.write_json() if out_format == "json" else output.write_csv()
            self.stdout.write(text, ending="" if text.endswith("\n") else "\n")

        from highharm.audit.services import access_log_record

        label = _operator()
        access_log_record(
            action="export" if (options["out"] or not options["store"]) else "score_run",
            object_type="candidates",
            detail={
                "username": label,
                "command": "identify",
                "source": source,
                "as_of": as_of.isoformat(),
                "window_days": window,
                "rows": output.height,
                "out": options["out"] or ("" if options["store"] else "stdout"),
                "config_version": config.version,
            },
        )
        if options["store"]:
            run = services.score_run_store(
                scores=scores,
                as_of=as_of,
                window_days=window,
                config=config,
                incidents_scored=frame.height,
                source=source,
                created_by_label=label,
                duration_s=time.perf_counter() - started,
            )
            say(f"stored run {run.pk}: {run.perpetrators_scored:,} scores as of {as_of:%Y-%m-%d}")
            if not options["keep_all"]:
                deleted = services.score_runs_prune(
                    keep_latest=options["keep_latest"], keep_months=options["keep_months"]
                )
                if deleted:
                    access_log_record(
                        action="score_run_prune",
                        object_type="candidates",
                        detail={
                            "username": label,
                            "command": "identify",
                            "deleted_runs": deleted,
                            "keep_latest": options["keep_latest"],
                            "keep_months": options["keep_months"],
                        },
                    )
                    say(
                        f"deleted {len(deleted)} older run(s) outside the keep-policy "
                        f"(latest {options['keep_latest']}, monthly {options['keep_months']})"
                    )

    def _catalogue(self, path: str | None, say):
        from highharm.records.catalogue import DEFAULT_CATALOGUE_PATH
        from highharm.records.models import Offence

        categories = dict(Offence.Category.choices)
        try:
            if path:
                return sources.catalogue_frame_from_file(path, categories=categories)
            catalogue = selectors.catalogue_frame_from_database()
            if catalogue is not None:
                say(f"offence catalogue: the database's ({catalogue.height} offences)")
                return catalogue
            say(f"offence catalogue: {DEFAULT_CATALOGUE_PATH} (the database has none)")
            return sources.catalogue_frame_from_file(DEFAULT_CATALOGUE_PATH, categories=categories)
        except sources.SourceError as exc:
            raise CommandError(str(exc), returncode=2)


def _operator() -> str:
    try:
        return f"cli:{getpass.getuser()}"[:150]
    except Exception:  # noqa: BLE001 - no user name in some containers
        return "cli"
