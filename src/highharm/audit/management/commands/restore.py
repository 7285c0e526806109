import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from highharm.audit.backup import BackupError, database_restore
from highharm.audit.services import access_log_record


class Command(BaseCommand):
    help = (
        "Restore the whole database from a backup made by `highharm backup`. Replaces everything."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, source, yes=False, **options):
        if not yes:
            answer = input(f"Replace the whole database with {source}? Type 'restore' to go on: ")
            if answer.strip() != "restore":
                raise CommandError("Not restored.")
        try:
            database_restore(source=source)
        except BackupError as error:
            raise CommandError(str(error))
        # Recorded in the restored log, chained to its last row.
        access_log_record(
            action="restore",
            object_type="database",
            detail={"file": str(source), "username": f"os:{getpass.getuser()}"},
        )
        self.stdout.write(f"Restored from {source}")
