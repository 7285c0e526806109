"""`highharm retention review|retain|dispose`: the MoPI-style retention review.

    highharm retention review [--as-of YYYY-MM-DD] [--format text|csv] [--all]
    highharm retention retain REF --reason "..." --by USERNAME [--as-of DATE]
    highharm retention dispose REF --reason "..." --by USERNAME [--exceptional]

The rules are in highharm/audit/retention.py and docs/security.md ("Retention").
"""

import datetime as dt
import getpass
import sys

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from highharm.audit import retention
from highharm.audit.retention_selectors import retention_review_csv, retention_review_list
from highharm.audit.retention_services import RetentionRefused, retention_decide
from highharm.audit.services import access_log_record


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of must be a date YYYY-MM-DD, not {text!r}")


class Command(BaseCommand):
    help = "Retention review: list records due, record a decision to retain, dispose of a record."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        review = sub.add_parser("review", help="List the people whose review is due")
        review.add_argument("--as-of", type=_date, default=None, help="Date (default today)")
        review.add_argument("--format", choices=["text", "csv"], default="text")
        review.add_argument("--all", action="store_true", help="Everyone, not only those due")
        for name, text in (
            ("retain", "Record a decision to retain a person's record, with the reason"),
            ("dispose", "Dispose of a person's record: remove their personal data"),
        ):
            p = sub.add_parser(name, help=text)
            p.add_argument("reference", help="The person's reference")
            p.add_argument("--reason", required=True, help="Why (recorded)")
            p.add_argument("--by", required=True, help="Username of the deciding supervisor")
            p.add_argument("--as-of", type=_date, default=None, help="Review date (default today)")
            if name == "dispose":
                p.add_argument(
                    "--exceptional",
                    action="store_true",
                    help="Dispose before the rules allow (e.g. the record is wrong); recorded",
                )

    def handle(self, *args, **options):
        as_of = options.get("as_of") or timezone.localdate()
        if options["action"] == "review":
            return self.review(as_of, options)
        return self.decide(options["action"], as_of, options)

    def review(self, as_of, options):
        rows = retention_review_list(as_of=as_of, include_not_due=options["all"])
        access_log_record(
            action="retention_review",
            object_type="person",
            detail={
                "as_of": as_of.isoformat(),
                "rows": len(rows),
                "username": f"os:{getpass.getuser()}",
            },
        )
        if options["format"] == "csv":
            self.stdout.write(retention_review_csv(rows), ending="")
            return
        due = "" if options["all"] else " due"
        self.stdout.write(f"{len(rows)} record(s){due} for review on {as_of:%d/%m/%Y}")
        for group, label in retention.GROUP_LABELS.items():
            of_group = [r for r in rows if r.group == group]
            if not of_group:
                continue
            self.stdout.write(f"\n{label} ({len(of_group)})")
            for r in of_group:
                self.stdout.write(
                    f"  {r.reference:<20} review {r.next_review:%d/%m/%Y}  "
                    f"last activity {r.last_activity:%d/%m/%Y}  {r.basis}  -> {r.action}"
                )

    def decide(self, action, as_of, options):
        person_model = apps.get_model("people.Person")

        user = get_user_model().objects.filter(username=options["by"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['by']!r}")
        person = person_model.objects.filter(reference=options["reference"]).first()
        if person is None:
            raise CommandError(f"no person with reference {options['reference']!r}")
        try:
            decision = retention_decide(
                person=person,
                decision=action,
                reason=options["reason"],
                by=user,
                as_of=as_of,
                exceptional=options.get("exceptional", False),
            )
        except (RetentionRefused, PermissionDenied) as exc:
            self.stderr.write(f"Refused: {exc}")
            sys.exit(2)
        if action == "retain":
            self.stdout.write(
                f"Retained {options['reference']}: next review {decision.next_review_on:%d/%m/%Y}."
            )
        else:
            self.stdout.write(
                f"Disposed of {options['reference']}: now {person_model.objects.get(pk=person.pk)}; "
                "personal data removed, decision and access-log entry recorded."
            )
