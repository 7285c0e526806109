"""`highharm backtest`: score every perpetrator as of a past date and see who went on to harm.

Compares, on the force's own records, the RFGV priority score, the HHU tool's
data part and (unless --no-model) a cross-validated logistic regression, each
with the validation workbench's figures (AUC with a bootstrap interval, error
rates at a threshold). Reads the database, or an incidents export with
--incidents FILE without importing it. Exit status 2 when the input cannot be used.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from highharm.assessment import backtest, selectors, validation
from highharm.assessment.instruments import InstrumentError
from highharm.scoring.config import ScoringConfigError, load_config


def parse_date(value: str) -> dt.date:
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise CommandError(f"--as-of {value!r} is not a date: write it as YYYY-MM-DD or DD/MM/YYYY")


class Command(BaseCommand):
    help = (
        "Backtest the risk scores on the force's records: score every perpetrator as of a past "
        "date (RFGV priority score, HHU tool data part, fitted model) and report each against "
        "whether they caused harm above a level in the following period (docs/risk-tool.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, metavar="DATE", help="score as of this date")
        parser.add_argument(
            "--outcome-days",
            type=int,
            default=backtest.DEFAULT_OUTCOME_DAYS,
            metavar="N",
            help=f"follow-up period in days (default {backtest.DEFAULT_OUTCOME_DAYS})",
        )
        parser.add_argument(
            "--harm-threshold",
            type=float,
            default=backtest.DEFAULT_HARM_THRESHOLD,
            metavar="DAYS",
            help="outcome = harm of more than DAYS in the follow-up period "
            f"(default {backtest.DEFAULT_HARM_THRESHOLD:g})",
        )
        parser.add_argument(
            "--flag-share",
            type=float,
            default=100 * backtest.DEFAULT_FLAG_SHARE,
            metavar="PERCENT",
            help="each score's threshold flags this percentage of people (default 5)",
        )
        parser.add_argument(
            "--bootstrap",
            type=int,
            default=backtest.DEFAULT_BOOTSTRAP,
            help=f"bootstrap resamples for the AUC intervals (default {backtest.DEFAULT_BOOTSTRAP})",
        )
        parser.add_argument("--seed", type=int, default=validation.DEFAULT_SEED)
        parser.add_argument("--no-model", action="store_true", help="do not fit the model")
        parser.add_argument("--folds", type=int, default=5, help="cross-validation folds")
        parser.add_argument(
            "--incidents",
            metavar="FILE",
            help="backtest this incidents export (CSV or Parquet, import format) instead of the database",
        )
        parser.add_argument(
            "--catalogue",
            metavar="FILE",
            help="offence catalogue CSV for --incidents (default: the database's, else the shipped one)",
        )
        parser.add_argument("--config", metavar="FILE", help="scoring configuration TOML")
        parser.add_argument(
            "--scores-out", metavar="FILE", help="also write each person's scores (CSV)"
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **options):
        as_of = parse_date(options["as_of"])
        outcome_days = options["outcome_days"]
        if outcome_days < 1:
            raise CommandError("--outcome-days must be at least 1")
        if (
            as_of + dt.timedelta(days=outcome_days) > timezone.localdate()
            and not options["incidents"]
        ):
            self.stderr.write(
                "warning: the follow-up period runs past today; outcomes after today are not known yet"
            )
        if not 0 < options["flag_share"] < 100:
            raise CommandError("--flag-share must be between 0 and 100 (a percentage)")
        if options["bootstrap"] < 0:
            raise CommandError("--bootstrap must be 0 or more")
        try:
            config = load_config(options["config"]) if options["config"] else None
            if config is None:
                from highharm.scoring import selectors as scoring_selectors

                config = scoring_selectors.scoring_config()
            hhu = selectors.instrument_definition("hhu")
        except (ScoringConfigError, InstrumentError) as error:
            raise CommandError(str(error), returncode=2)
        except KeyError:
            raise CommandError("no HHU tool definition (hhu.toml) is installed", returncode=2)

        def say(message: str) -> None:
            if options["verbosity"] > 0:
                self.stderr.write(message)

        if options["incidents"]:
            frame = self._from_file(options, as_of=as_of, say=say)
            source = Path(options["incidents"]).name
        else:
            say("reading incidents from the database")
            frame = selectors.backtest_incidents(
                as_of=as_of, outcome_days=outcome_days, config=config
            )
            source = "database"
        say(f"{frame.height:,} incidents read")
        try:
            result = backtest.backtest(
                frame,
                as_of=as_of,
                config=config,
                hhu=hhu,
                outcome_days=outcome_days,
                harm_threshold=options["harm_threshold"],
                flag_share=options["flag_share"] / 100,
                bootstrap=options["bootstrap"],
                seed=options["seed"],
                fit_model=not options["no_model"],
                folds=options["folds"],
                progress=say,
            )
        except (backtest.BacktestError, validation.ValidationInputError) as error:
            raise CommandError(str(error), returncode=2)
        result["source"] = source
        if options["scores_out"]:
            scored = backtest.backtest_frame(
                frame,
                as_of=as_of,
                config=config,
                hhu=hhu,
                outcome_days=outcome_days,
                harm_threshold=options["harm_threshold"],
            )
            scored.write_csv(options["scores_out"])
            say(f"wrote {scored.height:,} rows to {options['scores_out']}")
        if options["format"] == "json":
            self.stdout.write(json.dumps(backtest.without_curves(result), indent=2, default=str))
        else:
            self.stdout.write(f"Source: {source}")
            self.stdout.write(backtest.format_text(result), ending="")

        from highharm.audit.services import access_log_record

        access_log_record(
            action="backtest",
            object_type="dataset",
            object_id=source[:64],
            detail={
                "username": "cli",
                "command": "backtest",
                "as_of": as_of.isoformat(),
                "outcome_days": outcome_days,
                "harm_threshold": options["harm_threshold"],
                "n": result["n"],
            },
        )

    def _from_file(self, options, *, as_of, say):
        from highharm.records.catalogue import DEFAULT_CATALOGUE_PATH
        from highharm.records.models import Offence
        from highharm.scoring import selectors as scoring_selectors
        from highharm.scoring import sources

        categories = dict(Offence.Category.choices)
        try:
            if options["catalogue"]:
                catalogue = sources.catalogue_frame_from_file(
                    options["catalogue"], categories=categories
                )
            else:
                catalogue = scoring_selectors.catalogue_frame_from_database()
                if catalogue is None:
                    catalogue = sources.catalogue_frame_from_file(
                        DEFAULT_CATALOGUE_PATH, categories=categories
                    )
            frame, report = sources.incidents_from_file(
                options["incidents"],
                catalogue=catalogue,
                today=max(timezone.localdate(), as_of + dt.timedelta(days=options["outcome_days"])),
            )
        except sources.SourceError as error:
            raise CommandError(str(error), returncode=2)
        say(report.summary())
        return frame
