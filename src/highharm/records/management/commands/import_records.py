import getpass
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from highharm.records.importer import InputError
from highharm.records.services import BATCH_SIZE_DEFAULT, records_import


class Command(BaseCommand):
    help = (
        "Import force records: persons and/or incidents (CSV or Parquet; docs/import-format.md). "
        "Bad rows are written to <file>.rejects.csv beside each input; every valid row is "
        "imported. Exit code 0 when every row was taken, 3 when some were rejected, 2 when "
        "a file could not be read at all (nothing is written then)."
    )

    # A data command: skip the system checks, which import every view (and with them
    # matplotlib and scipy), so an import starts in a second rather than several.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=Path, help="persons file (.csv or .parquet)")
        parser.add_argument("--incidents", type=Path, help="incidents file (.csv or .parquet)")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the files and report, writing nothing to the database",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE_DEFAULT,
            help=f"lines per transaction (default {BATCH_SIZE_DEFAULT:,})",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        if not options["persons"] and not options["incidents"]:
            raise CommandError("give --persons FILE, --incidents FILE or both", returncode=2)
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1", returncode=2)
        bars: dict[str, tqdm] = {}

        def progress(kind: str, rows: int) -> None:
            bar = bars.get(kind)
            if bar is None:
                bar = bars[kind] = tqdm(
                    desc=kind,
                    unit=" rows",
                    file=sys.stderr,
                    disable=options["no_progress"],
                    mininterval=0.5,
                    bar_format="{desc}: {n:,} rows [{elapsed}, {rate_fmt}]",
                )
            bar.update(rows - bar.n)

        started = timezone.now()
        try:
            result = records_import(
                persons_path=options["persons"],
                incidents_path=options["incidents"],
                dry_run=options["dry_run"],
                batch_size=options["batch_size"],
                progress=progress,
                run_by=_user(),
            )
        except InputError as exc:
            raise CommandError(f"{exc}. Nothing was imported.", returncode=2)
        finally:
            for bar in bars.values():
                bar.close()

        out = self.stdout
        heading = (
            "Dry run: nothing was written" if result.dry_run else f"Import run {result.run_id}"
        )
        out.write(f"{heading} ({result.seconds:.1f} s, {result.batches} batches)")
        verb = "would be " if result.dry_run else ""
        for f in result.files:
            rate = f.read / f.seconds if f.seconds else 0
            out.write(
                f"{f.path} ({f.described}): {f.read:,} rows read in {f.seconds:.1f} s "
                f"({rate:,.0f} rows/s)"
            )
            out.write(
                f"  {verb}inserted {f.inserted:,}, {verb}updated {f.updated:,}, "
                f"unchanged {f.unchanged:,}, rejected {f.rejected:,}, "
                f"exact duplicates skipped {f.duplicates:,}"
            )
            if f.ignored_columns:
                out.write(f"  columns ignored: {', '.join(f.ignored_columns)}")
            if f.rejected:
                out.write(f"  {f.problems:,} problem(s) listed in {f.rejects_path}")
        if not result.dry_run and any(f.kind == "incidents" for f in result.files):
            out.write(
                f"relationships: inserted {result.relationships_inserted:,}, "
                f"updated {result.relationships_updated:,}"
            )
        if not result.dry_run and any(f.kind == "persons" for f in result.files):
            out.write(f"aliases added: {result.aliases_added:,}")
        if not result.dry_run and any(f.kind == "incidents" for f in result.files):
            for line in after_import(since=started):
                out.write(line)
        if result.exit_code:
            raise CommandError(
                f"{result.rejected:,} row(s) rejected; every other row was taken",
                returncode=result.exit_code,
            )


def after_import(*, since) -> list[str]:
    """Run the steps other parts of the system hang on an import (settings.RECORDS_AFTER_IMPORT:
    dotted paths to functions (since) -> a line to print), e.g. monitoring alerts for
    new incidents of people being watched. Records cannot import those apps (they sit above it)."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    lines = []
    for dotted in getattr(settings, "RECORDS_AFTER_IMPORT", []):
        lines.append(str(import_string(dotted)(since=since)))
    return lines


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
