import sys

from django.core.management.base import BaseCommand

from highharm.audit.services import access_log_verify


class Command(BaseCommand):
    help = "Work with the access log. `highharm audit verify` checks the hash chain."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        checked, broken, reason = access_log_verify()
        if broken is not None:
            self.stderr.write(
                f"BROKEN: access-log row {broken.pk} ({broken}): {reason}. {checked} rows before it are intact."
            )
            sys.exit(1)
        if reason:
            self.stderr.write(f"BROKEN: {reason}. {checked} rows checked.")
            sys.exit(1)
        self.stdout.write(f"OK: {checked} access-log rows, chain intact.")
