"""Writes for the retention review: record a decision to retain, or dispose of a person.

Disposal removes the person's identity from Highharm and keeps only what statistics
need, anonymised (docs/security.md, "Retention"):

- the person row stays (incidents, cases and scores point at it) but its reference
  becomes ``DISPOSED-<id>``; names, date of birth and ethnicity are blanked, gender
  becomes U (unknown);
- aliases and shares with partner agencies are deleted;
- the change history of the person, their aliases and shares is purged, so no
  earlier version of the name survives in a history table;
- incidents in which the person was the perpetrator keep their date, offence, flags,
  relationship and outcome (the counts the evaluation needs) but lose the RMS crime
  reference (``DISPOSED-<incident id>``), and their change history (which holds the
  old reference) is purged; incidents of other perpetrators in which the person was
  the victim are left as they are, pointing at the anonymous row;
- every function named in the setting ``RETENTION_DISPOSAL_HOOKS`` is called with
  ``person=`` inside the same transaction, so other apps remove what they hold;
- one ``RetentionDecision`` row and one access-log row (``disposal``) record that it
  happened, by whom and why. The decision keeps a keyed hash of the old reference
  (``reference_digest``) so that an import can recognise the person without the
  reference being stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.module_loading import import_string

from highharm.accounts.permissions import Cap, user_can
from highharm.audit import chain, retention
from highharm.audit.models import AccessLog, AuditChainHead, RetentionDecision
from highharm.audit.retention_selectors import (
    access_log_due,
    retention_holds,
    retention_incident_frame,
    retention_people_frame,
)
from highharm.audit.services import access_log_record, access_log_verify

DISPOSED_PREFIX = "DISPOSED-"


class RetentionRefused(Exception):
    """A decision that the rules do not allow; the message says why."""


def reference_digest(reference: str) -> str:
    """A keyed hash of an RMS reference: recognisable again, not reversible."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"retention:{reference}".encode(), hashlib.sha256
    ).hexdigest()


def retention_disposed_references(references: list[str]) -> set[str]:
    """Which of these RMS references belong to people already disposed of (for imports)."""
    digests = {reference_digest(r): r for r in references}
    found = RetentionDecision.objects.filter(
        decision=RetentionDecision.Decision.DISPOSE, reference_digest__in=list(digests)
    ).values_list("reference_digest", flat=True)
    return {digests[d] for d in found}


def person_retention_get(*, person, as_of: dt.date) -> retention.Retention:
    people = retention_people_frame(person_ids=[person.pk])
    if people.height == 0:
        raise RetentionRefused(f"{person.reference} has already been disposed of")
    incidents = retention_incident_frame(person_ids=[person.pk])
    return retention.person_retention(incidents, people.row(0, named=True), as_of=as_of)


def _check_decider(by, reason: str) -> str:
    if not user_can(by, Cap.RETENTION_MANAGE):
        raise PermissionDenied(f"{by} may not make retention decisions ({Cap.RETENTION_MANAGE})")
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise RetentionRefused("give the reason for the decision (at least 10 characters)")
    return reason


def retention_decide(
    *,
    person,
    decision: str,
    reason: str,
    by,
    as_of: dt.date | None = None,
    exceptional: bool = False,
) -> RetentionDecision:
    """Record a review of ``person``: ``retain`` (with the reason) or ``dispose``."""
    if decision == RetentionDecision.Decision.DISPOSE:
        return person_dispose(
            person=person, reason=reason, by=by, as_of=as_of, exceptional=exceptional
        )
    if decision != RetentionDecision.Decision.RETAIN:
        raise RetentionRefused(f"decision must be retain or dispose, not {decision!r}")
    reason = _check_decider(by, reason)
    as_of = as_of or timezone.localdate()
    with transaction.atomic():
        position = person_retention_get(person=person, as_of=as_of)
        clock = max(d for d in (position.last_activity, as_of) if d is not None)
        next_review = _add_years(clock, retention.REVIEW_YEARS[position.group])
        row = RetentionDecision.objects.create(
            person=person,
            decision=RetentionDecision.Decision.RETAIN,
            reason=reason,
            decided_at=timezone.now(),
            decided_on=as_of,
            decided_by=by,
            decided_by_username=by.get_username(),
            group=position.group,
            next_review_on=next_review,
        )
        access_log_record(
            user=by,
            action="retention_retain",
            object_type="person",
            object_id=person.reference,
            detail={"group": position.group, "next_review": next_review.isoformat()},
        )
    return row


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def person_dispose(
    *,
    person,
    reason: str,
    by,
    as_of: dt.date | None = None,
    exceptional: bool = False,
) -> RetentionDecision:
    """Remove ``person``'s personal data, keeping anonymised counts; see the module text.

    Refused while the person has an open case, an open referral, an active monitoring
    period or an open alert; refused before the review is due, and for Group 1 before
    the 100th birthday, unless ``exceptional`` (which the decision records).
    """
    reason = _check_decider(by, reason)
    as_of = as_of or timezone.localdate()
    person_model = apps.get_model("people.Person")
    alias_model = apps.get_model("people.PersonAlias")
    share_model = apps.get_model("people.PersonShare")
    incident_model = apps.get_model("records.Incident")
    with transaction.atomic():
        person = person_model.objects.select_for_update().get(pk=person.pk)
        if person.reference.startswith(DISPOSED_PREFIX):
            raise RetentionRefused(f"{person.reference} has already been disposed of")
        holds = retention_holds(person_ids=[person.pk], as_of=as_of).get(person.pk)
        if holds:
            raise RetentionRefused(
                f"{person.reference} cannot be disposed of while there is: {', '.join(holds)}"
            )
        position = person_retention_get(person=person, as_of=as_of)
        if not exceptional:
            if not position.due:
                raise RetentionRefused(
                    f"{person.reference} is not due for review until "
                    f"{position.next_review:%d/%m/%Y} ({position.label}); an earlier "
                    "disposal must be marked exceptional"
                )
            blocked = position.disposal_blocked_by_group(as_of)
            if blocked:
                raise RetentionRefused(
                    f"{person.reference}: {blocked}; a disposal now must be marked exceptional"
                )

        old_reference = person.reference
        pseudonym = f"{DISPOSED_PREFIX}{person.pk}"
        counts = {}
        aliases = alias_model.objects.filter(person_id=person.pk)
        counts["aliases_removed"] = aliases.count()
        aliases.delete()
        shares = share_model.objects.filter(person_id=person.pk)
        counts["shares_removed"] = shares.count()
        shares.delete()
        person_model.objects.filter(pk=person.pk).update(
            reference=pseudonym,
            given_name="",
            family_name="",
            date_of_birth=None,
            gender="U",
            ethnicity="",
            content_hash="",
            updated_at=timezone.now(),
            version=person.version + 1,
        )
        incidents = list(
            incident_model.objects.filter(perpetrator_id=person.pk).values_list("pk", flat=True)
        )
        incident_model.objects.filter(perpetrator_id=person.pk).update(
            crime_reference=Concat(Value(DISPOSED_PREFIX), Cast("id", output_field=CharField())),
            content_hash="",
        )
        counts["incidents_anonymised"] = len(incidents)
        purged = 0
        purged += person_model.history.model.objects.filter(id=person.pk).delete()[0]
        purged += alias_model.history.model.objects.filter(person_id=person.pk).delete()[0]
        purged += share_model.history.model.objects.filter(person_id=person.pk).delete()[0]
        for start in range(0, len(incidents), 1000):
            purged += incident_model.history.model.objects.filter(
                id__in=incidents[start : start + 1000]
            ).delete()[0]
        counts["history_rows_purged"] = purged

        for path in getattr(settings, "RETENTION_DISPOSAL_HOOKS", []):
            import_string(path)(person=person)

        decision = RetentionDecision.objects.create(
            person=person,
            decision=RetentionDecision.Decision.DISPOSE,
            reason=reason,
            decided_at=timezone.now(),
            decided_on=as_of,
            decided_by=by,
            decided_by_username=by.get_username(),
            group=position.group,
            exceptional=exceptional,
            reference_digest=reference_digest(old_reference),
        )
        access_log_record(
            user=by,
            action="disposal",
            object_type="person",
            object_id=pseudonym,
            detail={
                "group": position.group,
                "basis": position.basis,
                "exceptional": exceptional,
                "decision": decision.pk,
                **counts,
            },
        )
    return decision


def access_log_dispose(*, reason: str, by, as_of: dt.date | None = None) -> AccessLog:
    """Dispose of the access-log rows due on ``as_of`` (docs/security.md), keeping the chain.

    Refused when no row is due, and when the chain does not verify (disposing of rows
    would destroy the evidence). The hash of the last row removed becomes the chain's
    anchor: it is recorded in a new ``access_log_disposal`` row, which is itself in the
    keyed chain, and the first remaining row links to it. Return that row.
    """
    reason = _check_decider(by, reason)
    as_of = as_of or timezone.localdate()
    planned = access_log_due(as_of=as_of)
    if not planned.rows:
        raise RetentionRefused(
            f"no access-log row is due: none was written before {planned.before:%d/%m/%Y}"
        )
    # The whole chain is checked before the head is locked, so page views (which append
    # to the log) are not held up for the length of the check.
    checked, broken, why = access_log_verify()
    if broken is not None or why:
        where = f"row {broken.pk}: " if broken is not None else ""
        raise RetentionRefused(
            f"the access log does not verify ({where}{why}); nothing is disposed of "
            "until that is investigated"
        )
    with transaction.atomic():
        # Hold the head: no row is appended while the old ones go.
        AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        due = access_log_due(as_of=as_of)
        if (due.rows, due.last_id) != (planned.rows, planned.last_id):
            raise RetentionRefused("the access log changed while it was checked: run again")
        # A row due that is edited between the check and here goes with the others; a
        # changed hash of the last one would leave the remaining chain unlinked from the
        # anchor recorded below, and `audit verify` would say so.
        anchor = AccessLog.objects.values_list("row_hash", flat=True).get(pk=due.last_id)
        table = connection.ops.quote_name(AccessLog._meta.db_table)
        # The model refuses deletes on purpose; this is the one sanctioned removal.
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id <= %s", [due.last_id])  # noqa: S608
            removed = cursor.rowcount
        if removed != due.rows:
            raise RetentionRefused(
                f"expected to remove {due.rows} access-log rows, removed {removed}; undone"
            )
        return access_log_record(
            user=by,
            action=chain.DISPOSAL_ACTION,
            object_type="access_log",
            object_id=str(due.last_id),
            detail={
                "up_to_id": due.last_id,
                "from_id": due.first_id,
                "rows": due.rows,
                "anchor_hash": anchor,
                "written_before": due.before.isoformat(),
                "oldest_at": due.oldest_at.isoformat(),
                "newest_at": due.newest_at.isoformat(),
                "retention_years": retention.ACCESS_LOG_RETENTION_YEARS,
                "reason": reason,
            },
        )
