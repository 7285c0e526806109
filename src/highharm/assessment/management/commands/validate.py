"""`highharm validate`: how well does a score predict an outcome, overall and for each group?

Reads a CSV or Parquet file, prints the workbench report as text or JSON. Exit
status 2 when the input cannot be used (missing column, a score that is not a
number, an outcome that is not 0/1, …); the message names the column and lines.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from highharm.assessment import validation


class Command(BaseCommand):
    help = (
        "Validate a risk score against a 0/1 outcome: AUC with a bootstrap 95% interval, "
        "calibration by score band, accuracy/FPR/FNR/PPV at a threshold (score >= threshold "
        "is a positive prediction), and the same figures for each group."
    )
    requires_system_checks: list = []  # no database needed; start fast

    def add_arguments(self, parser):
        parser.add_argument("--data", required=True, help="CSV (or Parquet) file, one row a case")
        parser.add_argument("--score", required=True, help="column holding the numeric score")
        parser.add_argument("--outcome", required=True, help="column holding the outcome (0/1)")
        parser.add_argument("--group", help="column whose values are compared (e.g. area)")
        parser.add_argument(
            "--threshold",
            type=float,
            help="score >= THRESHOLD counts as a positive prediction (default: the median score)",
        )
        parser.add_argument(
            "--bands",
            type=int,
            default=validation.DEFAULT_BANDS,
            help=f"number of calibration bands (default {validation.DEFAULT_BANDS})",
        )
        parser.add_argument(
            "--band-method",
            choices=["quantile", "equal"],
            default="quantile",
            help="quantile bands (equal numbers of rows; default) or equal-width bands",
        )
        parser.add_argument(
            "--bootstrap",
            type=int,
            default=validation.DEFAULT_BOOTSTRAP,
            help=f"bootstrap resamples for the AUC interval (default "
            f"{validation.DEFAULT_BOOTSTRAP}; 0 = none)",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=validation.DEFAULT_SEED,
            help=f"random seed: the same seed gives the same interval (default "
            f"{validation.DEFAULT_SEED})",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--no-progress", action="store_true", help="no progress bar, even on a terminal"
        )

    def handle(self, *args, **options):
        try:
            data = validation.read_table(
                options["data"],
                score=options["score"],
                outcome=options["outcome"],
                group=options["group"],
            )
        except validation.ValidationInputError as error:
            raise CommandError(_unusable(options["data"], error), returncode=2)
        except OSError as error:
            raise CommandError(f"{options['data']}: cannot read the file: {error}", returncode=2)

        bar = None
        progress = None
        if options["bootstrap"] and not options["no_progress"] and sys.stderr.isatty():
            from tqdm import tqdm

            bar = tqdm(total=1, desc="bootstrap", unit="resample", file=sys.stderr, leave=False)

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

        try:
            report = validation.validate(
                data,
                threshold=options["threshold"],
                bands=options["bands"],
                band_method=options["band_method"],
                bootstrap=options["bootstrap"],
                seed=options["seed"],
                progress=progress,
            )
        except validation.ValidationInputError as error:
            raise CommandError(_unusable(options["data"], error), returncode=2)
        finally:
            if bar is not None:
                bar.close()

        if data.excluded_missing_score:
            self.stderr.write(
                f"Note: {data.excluded_missing_score:,} row(s) with a missing score were "
                f"excluded (first at {', '.join(data.excluded_where)})."
            )
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(validation.without_curves(report), indent=2, allow_nan=False)
            )
        else:
            self.stdout.write(validation.format_text(report), ending="")


def _unusable(path: str, error: validation.ValidationInputError) -> str:
    if len(error.problems) == 1:
        return f"{path}: cannot validate: {error.problems[0]}"
    return f"{path}: cannot validate:\n" + "\n".join(f"  - {p}" for p in error.problems)
