import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from highharm.audit.backup import BackupError, database_backup
from highharm.audit.services import access_log_record


class Command(BaseCommand):
    help = "Back up the whole database to a file (SQLite online backup, or pg_dump for PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--out", type=Path, help="backup file (default: var/backups/highharm-<time>)"
        )

    def handle(self, *args, out=None, **options):
        from django.conf import settings

        if out is None:
            out = (
                Path(settings.VAR_DIR)
                / "backups"
                / f"highharm-{timezone.now():%Y%m%dT%H%M%S}.backup"
            )
        try:
            path = database_backup(out=out)
        except BackupError as error:
            raise CommandError(str(error))
        # Recorded after the copy: a backup is an export of every record.
        access_log_record(
            action="backup",
            object_type="database",
            detail={"file": str(path), "username": f"os:{getpass.getuser()}"},
        )
        self.stdout.write(f"Backed up to {path} (mode 600: keep it on an encrypted volume)")
