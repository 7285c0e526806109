"""`highharm retention review|retain|dispose`: the MoPI-style retention review.

    highharm retention review [--as-of YYYY-MM-DD] [--format text|csv] [--all]
    highharm retention retain REF --reason "..." --by USERNAME [--as-of DATE]
    highharm retention dispose REF --reason "..." --by USERNAME [--exceptional]
    highharm retention dispose-access-log --reason "..." --by USERNAME [--as-of DATE]

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
from highharm.audit.retention_selectors import (
    access_log_due,
    retention_review_csv,
    retention_review_list,
)
from highharm.audit.retention_services import (
    RetentionRefused,
    access_log_dispose,
    retention_decide,
)
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
        log = sub.add_parser(
            "dispose-access-log",
            help=(
                f"Dispose of the access-log rows older than "
                f"{retention.ACCESS_LOG_RETENTION_YEARS} years (the chain stays verifiable)"
            ),
        )
        log.add_argument("--reason", required=True, help="Why (recorded)")
        log.add_argument("--by", required=True, help="Username of the deciding supervisor")
        log.add_argument("--as-of", type=_date, default=None, help="Review date (default today)")

    def handle(self, *args, **options):
        as_of = options.get("as_of") or timezone.localdate()
        if options["action"] == "review":
            return self.review(as_of, options)
        if options["action"] == "dispose-access-log":
            return self.dispose_access_log(as_of, options)
        return self.decide(options["action"], as_of, options)

    def review(self, as_of, options):
        rows = retention_review_list(as_of=as_of, include_not_due=options["all"])
        log_due = access_log_due(as_of=as_of)
        access_log_record(
            action="retention_review",
            object_type="person",
            detail={
                "as_of": as_of.isoformat(),
                "rows": len(rows),
                "access_log_rows_due": log_due.rows,
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
        years = retention.ACCESS_LOG_RETENTION_YEARS
        self.stdout.write(f"\nAccess log (kept {years} years)")
        if log_due.rows:
            self.stdout.write(
                f"  {log_due.rows} row(s) written before {log_due.before:%d/%m/%Y} are due: "
                f"rows {log_due.first_id} to {log_due.last_id}, "
                f"{log_due.oldest_at:%d/%m/%Y} to {log_due.newest_at:%d/%m/%Y}  "
                "-> dispose-access-log, unless a reason to keep them is recorded"
            )
        else:
            self.stdout.write(f"  no row written before {log_due.before:%d/%m/%Y}: none due")

    def dispose_access_log(self, as_of, options):
        user = get_user_model().objects.filter(username=options["by"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['by']!r}")
        try:
            row = access_log_dispose(reason=options["reason"], by=user, as_of=as_of)
        except (RetentionRefused, PermissionDenied) as exc:
            self.stderr.write(f"Refused: {exc}")
            sys.exit(2)
        self.stdout.write(
            f"Disposed of {row.detail['rows']} access-log row(s) "
            f"({row.detail['from_id']} to {row.detail['up_to_id']}); the chain now starts "
            f"from their last hash, recorded in access-log row {row.pk}."
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
