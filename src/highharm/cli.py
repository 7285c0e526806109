"""`highharm <command>`: Django management commands with Highharm's settings."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "highharm.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "highharm"
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")  # `highharm load-catalogue` runs load_catalogue
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
