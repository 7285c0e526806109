"""Every write to a case and its records. Keyword-only arguments, one transaction each.

Edits carry the version the editor loaded (optimistic locking: a stale edit
raises EditConflict); creations carry a submission key (a double submit
returns the row already made).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from highharm.accounts.permissions import Cap, user_can
from highharm.cases.models import (
    Case,
    CaseVictim,
    Contact,
    Exit,
    Intervention,
    Order,
    TracingRecord,
)
from highharm.panels.editing import EditConflict, create_once, locked_update

__all__ = ["CaseError", "EditConflict"]

REVIEW_INTERVAL_DAYS = 91  # a new case is first reviewed about three months after opening


class CaseError(Exception):
    """A request the case rules refuse; the message is for the user."""


def _check_lead(lead) -> None:
    if lead is None or not lead.is_active or not user_can(lead, Cap.CASE_MANAGE):
        raise ValidationError({"lead": "The lead must be an active user who may manage cases."})


def _require_open(case: Case) -> None:
    if case.status != Case.Status.OPEN:
        raise CaseError(f"This case closed on {case.closed_on:%d/%m/%Y}: it can no longer change.")


@transaction.atomic
def case_open(
    *,
    person,
    lead,
    opened_by,
    triage_decision=None,
    opened_on: dt.date | None = None,
    plan: str = "",
    review_due: dt.date | None = None,
) -> tuple[Case, bool]:
    """Open a case for an adopted person. If they already have an open case, return it (created False)."""
    _check_lead(lead)
    existing = Case.objects.filter(person=person, status=Case.Status.OPEN).first()
    if existing is not None:
        return existing, False
    if triage_decision is not None:
        if triage_decision.outcome != "adopt" or not triage_decision.is_current:
            raise CaseError("That triage decision is no longer a current decision to adopt.")
        if triage_decision.referral.person_id != person.pk:
            raise CaseError("That triage decision is about someone else.")
    opened_on = opened_on or timezone.localdate()
    case = Case(
        person=person,
        lead=lead,
        opened_by=opened_by,
        triage_decision=triage_decision,
        opened_on=opened_on,
        plan=plan,
        review_due=review_due or opened_on + dt.timedelta(days=REVIEW_INTERVAL_DAYS),
    )
    case.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        # A simultaneous allocation won the race: the open-case constraint kept one.
        return Case.objects.get(person=person, status=Case.Status.OPEN), False
    return case, True


@transaction.atomic
def case_update(*, case_id: int, version: int, plan: str, review_due: dt.date | None) -> Case:
    case = Case.objects.get(pk=case_id)
    _require_open(case)
    return locked_update(
        Case,
        pk=case_id,
        expected_version=version,
        changes={"plan": plan, "review_due": review_due},
    )


@transaction.atomic
def case_reallocate(*, case_id: int, version: int, lead) -> Case:
    _check_lead(lead)
    case = Case.objects.get(pk=case_id)
    _require_open(case)
    return locked_update(Case, pk=case_id, expected_version=version, changes={"lead": lead})


@transaction.atomic
def case_close(
    *,
    case_id: int,
    version: int,
    reason: str,
    exited_on: dt.date,
    rationale: str,
    monitor_until: dt.date | None,
    closed_by,
) -> Exit:
    """Close the case with an exit record and start post-exit monitoring (referrals app)."""
    from highharm.referrals.services import monitoring_start

    case = Case.objects.select_for_update().get(pk=case_id)
    if case.status == Case.Status.CLOSED:
        raise CaseError(f"This case was already closed on {case.closed_on:%d/%m/%Y}.")
    if not rationale.strip():
        raise ValidationError({"rationale": "Say why the case is closing."})
    if exited_on < case.opened_on:
        raise ValidationError({"exited_on": "The exit cannot be before the case opened."})
    if exited_on > timezone.localdate():
        raise ValidationError({"exited_on": "The exit date cannot be in the future."})
    exit_ = Exit(
        case=case,
        reason=reason,
        exited_on=exited_on,
        rationale=rationale.strip(),
        monitor_until=monitor_until,
        recorded_by=closed_by,
    )
    exit_.full_clean(exclude=["case"])
    locked_update(
        Case,
        pk=case_id,
        expected_version=version,
        changes={"status": Case.Status.CLOSED, "closed_on": exited_on},
    )
    exit_.save()
    if monitor_until is not None:
        monitoring_start(
            person=case.person,
            reason=f"Post-exit monitoring after case {case.pk} closed: "
            f"{exit_.get_reason_display().lower()}.",
            until=monitor_until,
            started_by=closed_by,
            starts_on=exited_on,
        )
    return exit_


# --- records on an open case ----------------------------------------------------------------


def _create(model, *, case: Case, submission_key, **fields):
    _require_open(case)
    row, _ = create_once(model, submission_key=submission_key, case=case, **fields)
    return row


def _update(model, *, row_id: int, version: int, changes: dict):
    row = model.objects.select_related("case").get(pk=row_id)
    _require_open(row.case)
    return locked_update(model, pk=row_id, expected_version=version, changes=changes)


INTERVENTION_FIELDS = (
    "type",
    "provider",
    "started_on",
    "ended_on",
    "status",
    "outcome",
    "engaged",
    "notes",
)
ORDER_FIELDS = (
    "type",
    "reference",
    "starts_on",
    "ends_on",
    "conditions",
    "intervention",
    "revoked_on",
)
CONTACT_FIELDS = (
    "with_whom",
    "victim",
    "agency",
    "agency_name",
    "method",
    "contacted_on",
    "notes",
)
TRACING_FIELDS = ("recorded_on", "status", "last_known_address", "whereabouts", "attempt")
VICTIM_FIELDS = ("relationship", "safeguarding", "notes")


def _only(fields: dict, allowed: tuple) -> dict:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    return fields


@transaction.atomic
def intervention_create(*, case: Case, recorded_by, submission_key=None, **fields) -> Intervention:
    return _create(
        Intervention,
        case=case,
        submission_key=submission_key,
        recorded_by=recorded_by,
        **_only(fields, INTERVENTION_FIELDS),
    )


@transaction.atomic
def intervention_update(*, intervention_id: int, version: int, **changes) -> Intervention:
    return _update(
        Intervention,
        row_id=intervention_id,
        version=version,
        changes=_only(changes, INTERVENTION_FIELDS),
    )


def _check_order_intervention(case: Case, fields: dict) -> None:
    intervention = fields.get("intervention")
    if intervention is not None and intervention.case_id != case.pk:
        raise ValidationError({"intervention": "That intervention belongs to another case."})


@transaction.atomic
def order_create(*, case: Case, recorded_by, submission_key=None, **fields) -> Order:
    _check_order_intervention(case, fields)
    return _create(
        Order,
        case=case,
        submission_key=submission_key,
        recorded_by=recorded_by,
        **_only(fields, ORDER_FIELDS),
    )


@transaction.atomic
def order_update(*, order_id: int, version: int, **changes) -> Order:
    _check_order_intervention(Order.objects.get(pk=order_id).case, changes)
    return _update(Order, row_id=order_id, version=version, changes=_only(changes, ORDER_FIELDS))


def _check_contact_victim(case: Case, fields: dict) -> None:
    victim = fields.get("victim")
    if victim is not None and victim.case_id != case.pk:
        raise ValidationError({"victim": "That victim is not linked to this case."})
    day = fields.get("contacted_on")
    if day is not None and day > timezone.localdate():
        raise ValidationError({"contacted_on": "A contact cannot be in the future."})


@transaction.atomic
def contact_create(*, case: Case, recorded_by, submission_key=None, **fields) -> Contact:
    _check_contact_victim(case, fields)
    return _create(
        Contact,
        case=case,
        submission_key=submission_key,
        recorded_by=recorded_by,
        **_only(fields, CONTACT_FIELDS),
    )


@transaction.atomic
def contact_update(*, contact_id: int, version: int, **changes) -> Contact:
    _check_contact_victim(Contact.objects.get(pk=contact_id).case, changes)
    return _update(
        Contact, row_id=contact_id, version=version, changes=_only(changes, CONTACT_FIELDS)
    )


@transaction.atomic
def tracing_create(*, case: Case, recorded_by, submission_key=None, **fields) -> TracingRecord:
    return _create(
        TracingRecord,
        case=case,
        submission_key=submission_key,
        recorded_by=recorded_by,
        **_only(fields, TRACING_FIELDS),
    )


@transaction.atomic
def tracing_update(*, tracing_id: int, version: int, **changes) -> TracingRecord:
    return _update(
        TracingRecord, row_id=tracing_id, version=version, changes=_only(changes, TRACING_FIELDS)
    )


@transaction.atomic
def victim_add(
    *,
    case: Case,
    victim,
    added_by,
    relationship: str = "unknown",
    safeguarding: str = CaseVictim.Safeguarding.NOT_ASSESSED,
    notes: str = "",
) -> tuple[CaseVictim, bool]:
    """Link a victim to the case once; linking them again returns the existing link."""
    _require_open(case)
    if victim.pk == case.person_id:
        raise ValidationError({"victim": "The perpetrator cannot be their own victim."})
    existing = CaseVictim.objects.filter(case=case, victim=victim).first()
    if existing is not None:
        return existing, False
    link = CaseVictim(
        case=case,
        victim=victim,
        relationship=relationship,
        safeguarding=safeguarding,
        notes=notes,
        added_by=added_by,
    )
    link.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError:
        return CaseVictim.objects.get(case=case, victim=victim), False
    return link, True


@transaction.atomic
def victim_update(*, case_victim_id: int, version: int, **changes) -> CaseVictim:
    return _update(
        CaseVictim, row_id=case_victim_id, version=version, changes=_only(changes, VICTIM_FIELDS)
    )
