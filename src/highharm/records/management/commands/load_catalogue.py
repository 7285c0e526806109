from django.core.management.base import BaseCommand, CommandError

from highharm.records.catalogue import DEFAULT_CATALOGUE_PATH, catalogue_load


class Command(BaseCommand):
    help = (
        "Load an offence catalogue (codes, categories, flags, harm weights) from a CSV file. "
        "Without FILE, loads the shipped default catalogue (docs/harm-index.md). "
        "Exit code 0 when loaded, 2 when the file is invalid (nothing is written)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", default=None, help="catalogue CSV (default: the shipped one)"
        )
        parser.add_argument(
            "--name", default=None, help="catalogue name stored on each row (default: file name)"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete offences not in the file, except those incidents still use",
        )

    def handle(self, *args, **options):
        path = options["file"] or DEFAULT_CATALOGUE_PATH
        result = catalogue_load(path=path, name=options["name"], replace=options["replace"])
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{path}: {len(result.errors)} problem(s); nothing was written", returncode=2
            )
        self.stdout.write(f"Loaded {path}: {result.summary()}")
