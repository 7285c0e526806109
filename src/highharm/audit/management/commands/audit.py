"""`highharm audit verify` checks the access log's keyed hash chain;
`highharm audit rekey --old-key-file F` re-signs it after the audit key is rotated."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from highharm.audit.chain import ChainBroken
from highharm.audit.services import access_log_rekey, access_log_verify


class Command(BaseCommand):
    help = (
        "Work with the access log. `highharm audit verify` checks the hash chain; "
        "`highharm audit rekey --old-key-file F` re-signs it with the configured (new) key."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "rekey"])
        parser.add_argument(
            "--old-key-file",
            type=Path,
            help="rekey: file holding the key the log is signed with now",
        )

    def handle(self, *args, **options):
        if options["action"] == "rekey":
            return self.rekey(options["old_key_file"])
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

    def rekey(self, old_key_file):
        if old_key_file is None:
            raise CommandError("rekey needs --old-key-file: the file holding the current key")
        try:
            old_key = old_key_file.read_text().strip()
        except OSError as error:
            raise CommandError(f"cannot read {old_key_file}: {error}")
        if len(old_key) < 32:
            raise CommandError(f"{old_key_file} does not hold a key (at least 32 characters)")
        try:
            done = access_log_rekey(old_key=old_key)
        except ChainBroken as broken:
            self.stderr.write(
                f"REFUSED: the access log does not verify with the old key at {broken}; "
                "nothing was re-signed."
            )
            sys.exit(1)
        self.stdout.write(f"OK: {done} access-log rows re-signed with the configured audit key.")
