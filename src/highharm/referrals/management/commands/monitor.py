import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from highharm.referrals.services import monitoring_scan


class Command(BaseCommand):
    help = (
        "Look for new incidents for monitored people and raise one alert per incident "
        "(safe to run again: an incident never raises a second alert)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since",
            help="Only incidents imported since this date or date-time (ISO, e.g. 2026-03-01)",
        )

    def handle(self, *args, **options):
        since = None
        if options.get("since"):
            try:
                since = dt.datetime.fromisoformat(options["since"])
            except ValueError:
                raise CommandError(
                    f"--since must be an ISO date or date-time, like 2026-03-01, not {options['since']!r}"
                )
            if timezone.is_naive(since):
                since = timezone.make_aware(since)
        result = monitoring_scan(since=since)
        self.stdout.write(
            f"{result.alerts_created} new alert{'s' if result.alerts_created != 1 else ''} "
            f"for {result.periods} active monitoring period{'s' if result.periods != 1 else ''}."
        )
