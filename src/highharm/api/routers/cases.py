"""Cases and their records: the case (plan and review date, with the version read),
interventions, orders, contacts, tracing records and victims, each listed per case,
added and changed; and the case's closure (exit), which starts post-exit monitoring.

Cases come from `cases.selectors.case_get`, scoped per user: a partner-agency
user reaches only the cases of people shared with their agency (any other id
answers 404) and never sees contacts with victims; a case's victims are refused (403)
to every role that may not see victims. Every view of a case is
written to the access log. Writes go through `cases.services`, which refuse a
stale `version` (409) and any change to a closed case (400). Creation is idempotent:
the same `submission_key` or `Idempotency-Key` answers 200 with the first record.
"""

import datetime as dt
import uuid
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Router, Schema, Status

from highharm.accounts.permissions import Cap, user_can
from highharm.api.auth import requires
from highharm.api.idempotency import KeyHeader, existing, once, request_key
from highharm.api.routers.common import LIST, READ, WRITE, BodyId, Id, Text, Version
from highharm.audit.services import access_log_record
from highharm.cases import selectors, services
from highharm.cases.models import (
    Case,
    CaseVictim,
    Contact,
    Exit,
    Intervention,
    Order,
    TracingRecord,
)
from highharm.people import selectors as people_selectors

router = Router(tags=["cases"])

InterventionType = Literal[tuple(Intervention.Type.values)]  # type: ignore[valid-type]
InterventionStatus = Literal[tuple(Intervention.Status.values)]  # type: ignore[valid-type]
InterventionOutcome = Literal[tuple(Intervention.Outcome.values)]  # type: ignore[valid-type]
Engagement = Literal[tuple(Intervention.Engagement.values)]  # type: ignore[valid-type]
OrderType = Literal[tuple(Order.Type.values)]  # type: ignore[valid-type]
ContactWith = Literal[tuple(Contact.With.values)]  # type: ignore[valid-type]
ContactMethod = Literal[tuple(Contact.Method.values)]  # type: ignore[valid-type]
TracingStatus = Literal[tuple(TracingRecord.Status.values)]  # type: ignore[valid-type]
VictimRelationship = Literal[
    tuple(v for v, _ in CaseVictim._meta.get_field("relationship").choices)
]  # type: ignore[valid-type]
Safeguarding = Literal[tuple(CaseVictim.Safeguarding.values)]  # type: ignore[valid-type]
ExitReason = Literal[tuple(Exit.Reason.values)]  # type: ignore[valid-type]


# --- schemas ---------------------------------------------------------------------------------


class CaseOut(Schema):
    id: int
    person_reference: str
    person_name: str
    lead: str | None = None
    status: str
    opened_on: dt.date
    review_due: dt.date | None = None
    closed_on: dt.date | None = None
    version: int


class CaseDetailOut(CaseOut):
    plan: str


class CaseUpdateIn(Schema):
    version: Version
    plan: Text()
    review_due: dt.date | None = None


class InterventionOut(Schema):
    id: int
    kind: str
    type: str
    provider: str
    started_on: dt.date
    ended_on: dt.date | None = None
    status: str
    outcome: str
    engaged: str
    notes: str
    version: int


class InterventionIn(Schema):
    type: InterventionType
    provider: Text(200) = ""
    started_on: dt.date
    ended_on: dt.date | None = None
    status: InterventionStatus = "planned"
    outcome: InterventionOutcome = "pending"
    engaged: Engagement = "not_known"
    notes: Text() = ""
    submission_key: uuid.UUID | None = None


class InterventionUpdateIn(Schema):
    version: Version
    type: InterventionType | None = None
    provider: Text(200) | None = None
    started_on: dt.date | None = None
    ended_on: dt.date | None = None
    status: InterventionStatus | None = None
    outcome: InterventionOutcome | None = None
    engaged: Engagement | None = None
    notes: Text() | None = None


class OrderOut(Schema):
    id: int
    type: str
    reference: str
    starts_on: dt.date
    ends_on: dt.date | None = None
    conditions: str
    intervention_id: int | None = None
    revoked_on: dt.date | None = None
    days_left: int | None = None
    active: bool
    version: int


class OrderIn(Schema):
    type: OrderType
    reference: Text(100) = ""
    starts_on: dt.date
    ends_on: dt.date | None = None
    conditions: Text()
    intervention_id: BodyId | None = None
    submission_key: uuid.UUID | None = None


class OrderUpdateIn(Schema):
    version: Version
    reference: Text(100) | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    conditions: Text() | None = None
    revoked_on: dt.date | None = None


class ContactOut(Schema):
    id: int
    with_whom: str
    victim_id: int | None = None
    agency: str
    method: str
    contacted_on: dt.date
    notes: str
    version: int


class ContactIn(Schema):
    with_whom: ContactWith
    victim_id: BodyId | None = None
    agency_name: Text(200) = ""
    method: ContactMethod
    contacted_on: dt.date
    notes: Text()
    submission_key: uuid.UUID | None = None


class ContactUpdateIn(Schema):
    version: Version
    method: ContactMethod | None = None
    contacted_on: dt.date | None = None
    notes: Text() | None = None
    agency_name: Text(200) | None = None


class TracingOut(Schema):
    id: int
    recorded_on: dt.date
    status: str
    last_known_address: str
    whereabouts: str
    attempt: str
    version: int


class TracingIn(Schema):
    recorded_on: dt.date
    status: TracingStatus
    last_known_address: Text() = ""
    whereabouts: Text() = ""
    attempt: Text() = ""
    submission_key: uuid.UUID | None = None


class TracingUpdateIn(Schema):
    version: Version
    recorded_on: dt.date | None = None
    status: TracingStatus | None = None
    last_known_address: Text() | None = None
    whereabouts: Text() | None = None
    attempt: Text() | None = None


class VictimOut(Schema):
    id: int
    reference: str
    name: str
    relationship: str
    safeguarding: str
    notes: str
    version: int


class VictimIn(Schema):
    """Link a victim (a nominal reference on the records you may see) to the case. Linking
    the same person again answers 200 with the existing link."""

    reference: Text(40)
    relationship: VictimRelationship = "unknown"
    safeguarding: Safeguarding = "not_assessed"
    notes: Text() = ""


class VictimUpdateIn(Schema):
    version: Version
    relationship: VictimRelationship | None = None
    safeguarding: Safeguarding | None = None
    notes: Text() | None = None


class ExitOut(Schema):
    id: int
    case_id: int
    reason: str
    exited_on: dt.date
    rationale: str
    monitor_until: dt.date | None = None
    case_status: str
    case_version: int


class CloseIn(Schema):
    """Close the case. `version` is the case's version as read. `monitor_until` starts
    post-exit monitoring until that date (omit it for none)."""

    version: Version
    reason: ExitReason
    exited_on: dt.date
    rationale: Text()
    monitor_until: dt.date | None = None
    submission_key: uuid.UUID | None = None


# --- helpers ---------------------------------------------------------------------------------


def _case(request, case_id: int, *, page: str) -> Case:
    """The case if the user may see it (404 whether absent or unshared), logged as a view."""
    try:
        case = selectors.case_get(user=request.user, pk=case_id)
    except Case.DoesNotExist:
        raise Http404("No such case, or not shared with you")
    access_log_record(
        request=request,
        action="view_case",
        object_type="case",
        object_id=str(case.pk),
        detail={"person": case.person.reference, "page": page, "api": True},
    )
    return case


def _case_out(user, case: Case) -> dict:
    return {
        "id": case.pk,
        "person_reference": case.person.reference,
        "person_name": people_selectors.person_display_name(user=user, person=case.person),
        "lead": case.lead.display_name if case.lead_id else None,
        "status": case.status,
        "opened_on": case.opened_on,
        "review_due": case.review_due,
        "closed_on": case.closed_on,
        "version": case.version,
    }


def _intervention_out(i: Intervention) -> dict:
    return {
        f: getattr(i, f)
        for f in (
            "id", "kind", "type", "provider", "started_on", "ended_on", "status",
            "outcome", "engaged", "notes", "version",
        )
    }  # fmt: skip


def _order_out(o: Order, today: dt.date) -> dict:
    return {
        "id": o.pk,
        "type": o.type,
        "reference": o.reference,
        "starts_on": o.starts_on,
        "ends_on": o.ends_on,
        "conditions": o.conditions,
        "intervention_id": o.intervention_id,
        "revoked_on": o.revoked_on,
        "days_left": o.days_left(today),
        "active": o.is_active(today),
        "version": o.version,
    }


def _contact_out(c: Contact) -> dict:
    return {
        "id": c.pk,
        "with_whom": c.with_whom,
        "victim_id": c.victim_id,
        "agency": c.agency_label,
        "method": c.method,
        "contacted_on": c.contacted_on,
        "notes": c.notes,
        "version": c.version,
    }


def _tracing_out(t: TracingRecord) -> dict:
    return {
        f: getattr(t, f)
        for f in (
            "id", "recorded_on", "status", "last_known_address", "whereabouts", "attempt",
            "version",
        )
    }  # fmt: skip


def _victim_out(user, v: CaseVictim) -> dict:
    return {
        "id": v.pk,
        "reference": v.victim.reference,
        "name": people_selectors.person_display_name(user=user, person=v.victim),
        "relationship": v.relationship,
        "safeguarding": v.safeguarding,
        "notes": v.notes,
        "version": v.version,
    }


def _exit_out(exit_: Exit) -> dict:
    return {
        "id": exit_.pk,
        "case_id": exit_.case_id,
        "reason": exit_.reason,
        "exited_on": exit_.exited_on,
        "rationale": exit_.rationale,
        "monitor_until": exit_.monitor_until,
        "case_status": exit_.case.status,
        "case_version": exit_.case.version,
    }


def _earlier(request, model, case: Case, key):
    """The record an earlier request with this key made on this case, or None."""
    return existing(
        model,
        key,
        belongs=lambda row: row.case_id == case.pk and row.recorded_by_id == request.user.pk,
    )


def _record(case: Case, records, item_id: int):
    """A record on this case (404 if it belongs to another case or does not exist)."""
    for record in records:
        if record.pk == item_id:
            return record
    raise Http404("No such record on this case")


# --- cases -----------------------------------------------------------------------------------


@router.get("/", response={200: list[CaseOut], **LIST})
@requires(Cap.CASE_VIEW)
def case_list(
    request,
    status: Literal["open", "closed", "all"] = "open",
    q: Text(100) = "",
):
    """Cases you may see (a partner agency: of people shared with it), review due first."""
    rows = list(selectors.case_list(user=request.user, status=status, query=q)[:500])
    access_log_record(
        request=request,
        action="search" if q else "list_cases",
        object_type="case",
        detail={"query": q, "status": status, "results": len(rows), "api": True},
    )
    return [_case_out(request.user, c) for c in rows]


@router.get("/{case_id}", response={200: CaseDetailOut, **READ})
@requires(Cap.CASE_VIEW)
def case_detail(request, case_id: Id):
    """One case with its plan. Logged."""
    case = _case(request, case_id, page="detail")
    return {**_case_out(request.user, case), "plan": case.plan}


@router.patch("/{case_id}", response={200: CaseDetailOut, **WRITE})
@requires(Cap.CASE_MANAGE)
def case_update(request, case_id: Id, payload: CaseUpdateIn):
    """Change the plan and the review date. 409 with the case as it now is if someone else
    changed it since `version`; 400 if the case is closed."""
    case = _case(request, case_id, page="edit")
    case = services.case_update(
        case_id=case.pk, version=payload.version, plan=payload.plan, review_due=payload.review_due
    )
    return {**_case_out(request.user, case), "plan": case.plan}


# --- interventions ---------------------------------------------------------------------------


@router.get("/{case_id}/interventions", response={200: list[InterventionOut], **READ})
@requires(Cap.CASE_VIEW)
def intervention_list(request, case_id: Id):
    """The case's interventions (engagement, enforcement, safeguarding), latest first."""
    case = _case(request, case_id, page="interventions")
    detail = selectors.case_detail(user=request.user, case=case)
    rows = [i for group in detail.interventions.values() for i in group]
    rows.sort(key=lambda i: (i.started_on, i.pk), reverse=True)
    return [_intervention_out(i) for i in rows]


@router.post(
    "/{case_id}/interventions", response={200: InterventionOut, 201: InterventionOut, **WRITE}
)
@requires(Cap.CASE_MANAGE)
def intervention_create(
    request, case_id: Id, payload: InterventionIn, idempotency_key: KeyHeader = None
):
    """Record an intervention. 201 when created; the same `submission_key` (or
    `Idempotency-Key` header) again creates nothing and answers 200 with the first."""
    case = _case(request, case_id, page="intervention_new")
    key = request_key(idempotency_key, payload.submission_key)
    earlier = _earlier(request, Intervention, case, key)
    if earlier is not None:
        return Status(200, _intervention_out(earlier))
    fields = payload.dict(exclude={"submission_key"})
    row = services.intervention_create(
        case=case, recorded_by=request.user, submission_key=key, **fields
    )
    return Status(201, _intervention_out(row))


@router.patch("/{case_id}/interventions/{item_id}", response={200: InterventionOut, **WRITE})
@requires(Cap.CASE_MANAGE)
def intervention_update(request, case_id: Id, item_id: Id, payload: InterventionUpdateIn):
    """Change an intervention (status, outcome, engagement...). 409 if stale."""
    case = _case(request, case_id, page="intervention_edit")
    record = _record(case, case.interventions.all(), item_id)
    changes = payload.dict(exclude={"version"}, exclude_unset=True)
    changes = {k: v for k, v in changes.items() if v is not None or k == "ended_on"}
    row = services.intervention_update(
        intervention_id=record.pk, version=payload.version, **changes
    )
    return _intervention_out(row)


# --- orders ----------------------------------------------------------------------------------


@router.get("/{case_id}/orders", response={200: list[OrderOut], **READ})
@requires(Cap.CASE_VIEW)
def order_list(request, case_id: Id):
    """The case's orders, active ones first, with the days left before each ends."""
    case = _case(request, case_id, page="orders")
    detail = selectors.case_detail(user=request.user, case=case)
    today = dt.date.today()
    return [_order_out(o, today) for o in detail.orders_active + detail.orders_past]


def _intervention_for(case: Case, intervention_id):
    if intervention_id is None:
        return None
    try:
        return _record(case, case.interventions.all(), intervention_id)
    except Http404:
        raise ValidationError({"intervention_id": "No such intervention on this case."})


@router.post("/{case_id}/orders", response={200: OrderOut, 201: OrderOut, **WRITE})
@requires(Cap.CASE_MANAGE)
def order_create(request, case_id: Id, payload: OrderIn, idempotency_key: KeyHeader = None):
    """Record an order with its dates and conditions. 201 when created; 200 with the first
    order for a repeated `submission_key` / `Idempotency-Key`."""
    case = _case(request, case_id, page="order_new")
    key = request_key(idempotency_key, payload.submission_key)
    earlier = _earlier(request, Order, case, key)
    if earlier is not None:
        return Status(200, _order_out(earlier, dt.date.today()))
    fields = payload.dict(exclude={"submission_key", "intervention_id"})
    fields["intervention"] = _intervention_for(case, payload.intervention_id)
    row = services.order_create(case=case, recorded_by=request.user, submission_key=key, **fields)
    return Status(201, _order_out(row, dt.date.today()))


@router.patch("/{case_id}/orders/{item_id}", response={200: OrderOut, **WRITE})
@requires(Cap.CASE_MANAGE)
def order_update(request, case_id: Id, item_id: Id, payload: OrderUpdateIn):
    """Change an order (dates, conditions, revocation). 409 if stale."""
    case = _case(request, case_id, page="order_edit")
    record = _record(case, case.orders.all(), item_id)
    changes = payload.dict(exclude={"version"}, exclude_unset=True)
    changes = {k: v for k, v in changes.items() if v is not None or k in ("ends_on", "revoked_on")}
    row = services.order_update(order_id=record.pk, version=payload.version, **changes)
    return _order_out(row, dt.date.today())


# --- contacts --------------------------------------------------------------------------------


@router.get("/{case_id}/contacts", response={200: list[ContactOut], **READ})
@requires(Cap.CASE_VIEW)
def contact_list(request, case_id: Id):
    """Contacts on the case, latest first; contacts with victims only for roles that may
    see victims."""
    case = _case(request, case_id, page="contacts")
    detail = selectors.case_detail(user=request.user, case=case)
    return [_contact_out(c) for c in detail.contacts]


@router.post("/{case_id}/contacts", response={200: ContactOut, 201: ContactOut, **WRITE})
@requires(Cap.CASE_MANAGE)
def contact_create(request, case_id: Id, payload: ContactIn, idempotency_key: KeyHeader = None):
    """Record a contact with the perpetrator, a victim (its case-victim id) or an agency.
    201 when created; 200 with the first contact for a repeated key."""
    case = _case(request, case_id, page="contact_new")
    key = request_key(idempotency_key, payload.submission_key)
    earlier = _earlier(request, Contact, case, key)
    if earlier is not None:
        return Status(200, _contact_out(earlier))
    fields = payload.dict(exclude={"submission_key", "victim_id"})
    victim = None
    if payload.victim_id is not None:
        if not user_can(request.user, Cap.PERSON_VIEW_VICTIMS):
            raise ValidationError({"victim_id": "Your role may not record contacts with victims."})
        detail = selectors.case_detail(user=request.user, case=case)
        victim = next((v for v in detail.victims if v.pk == payload.victim_id), None)
        if victim is None:
            raise ValidationError({"victim_id": "That victim is not linked to this case."})
    fields["victim"] = victim
    row = services.contact_create(case=case, recorded_by=request.user, submission_key=key, **fields)
    return Status(201, _contact_out(row))


@router.patch("/{case_id}/contacts/{item_id}", response={200: ContactOut, **WRITE})
@requires(Cap.CASE_MANAGE)
def contact_update(request, case_id: Id, item_id: Id, payload: ContactUpdateIn):
    """Correct a contact's method, date, notes or agency. 409 if stale."""
    case = _case(request, case_id, page="contact_edit")
    detail = selectors.case_detail(user=request.user, case=case)
    record = _record(case, detail.contacts, item_id)
    changes = payload.dict(exclude={"version"}, exclude_none=True)
    row = services.contact_update(contact_id=record.pk, version=payload.version, **changes)
    return _contact_out(row)


# --- tracing ---------------------------------------------------------------------------------


@router.get("/{case_id}/tracing", response={200: list[TracingOut], **READ})
@requires(Cap.CASE_VIEW)
def tracing_list(request, case_id: Id):
    """Where the perpetrator is: each attempt to locate them, latest first."""
    case = _case(request, case_id, page="tracing")
    return [_tracing_out(t) for t in selectors.case_detail(user=request.user, case=case).tracing]


@router.post("/{case_id}/tracing", response={200: TracingOut, 201: TracingOut, **WRITE})
@requires(Cap.CASE_MANAGE)
def tracing_create(request, case_id: Id, payload: TracingIn, idempotency_key: KeyHeader = None):
    """Record an attempt to locate the perpetrator and what it found. 201 when created;
    200 with the first record for a repeated `submission_key` / `Idempotency-Key`."""
    case = _case(request, case_id, page="tracing_new")
    key = request_key(idempotency_key, payload.submission_key)
    earlier = _earlier(request, TracingRecord, case, key)
    if earlier is not None:
        return Status(200, _tracing_out(earlier))
    fields = payload.dict(exclude={"submission_key"})
    row = services.tracing_create(case=case, recorded_by=request.user, submission_key=key, **fields)
    return Status(201, _tracing_out(row))


@router.patch("/{case_id}/tracing/{item_id}", response={200: TracingOut, **WRITE})
@requires(Cap.CASE_MANAGE)
def tracing_update(request, case_id: Id, item_id: Id, payload: TracingUpdateIn):
    """Correct a tracing record. 409 with the record as it now is if stale."""
    case = _case(request, case_id, page="tracing_edit")
    record = _record(case, case.tracing.all(), item_id)
    changes = payload.dict(exclude={"version"}, exclude_none=True)
    row = services.tracing_update(tracing_id=record.pk, version=payload.version, **changes)
    return _tracing_out(row)


# --- victims (only for roles that may see victims) -------------------------------------------


def _victim(request, case: Case, item_id: int) -> CaseVictim:
    link = CaseVictim.objects.filter(case=case, pk=item_id).select_related("victim").first()
    if link is None:
        raise Http404("No such victim on this case")
    return link


def _log_victims(request, case: Case, links) -> None:
    """One access-log row per victim seen, as the victim page writes."""
    for link in links:
        access_log_record(
            request=request,
            action="view_person",
            object_type="person",
            object_id=link.victim.reference,
            detail={"case": case.pk, "as": "victim", "api": True},
        )


@router.get("/{case_id}/victims", response={200: list[VictimOut], **READ})
@requires(Cap.CASE_VIEW, Cap.PERSON_VIEW_VICTIMS)
def victim_list(request, case_id: Id):
    """The victims linked to the case and their safeguarding. Refused (403) to roles that
    may not see victims. Logged with the victims named."""
    case = _case(request, case_id, page="victims")
    links = selectors.case_detail(user=request.user, case=case).victims
    _log_victims(request, case, links)
    return [_victim_out(request.user, v) for v in links]


@router.post("/{case_id}/victims", response={200: VictimOut, 201: VictimOut, **WRITE})
@requires(Cap.CASE_MANAGE, Cap.PERSON_VIEW_VICTIMS)
def victim_add(request, case_id: Id, payload: VictimIn):
    """Link a victim to the case. 201 when linked; 200 with the existing link when this
    person is already linked (linking is idempotent by person, no key needed)."""
    case = _case(request, case_id, page="victim_new")
    reference = payload.reference.strip()
    victim = people_selectors.person_visible_to(request.user).filter(reference=reference).first()
    if victim is None:
        raise ValidationError(
            {"reference": f"No one with the reference {reference} is on the records you may see"}
        )
    link, created = services.victim_add(
        case=case,
        victim=victim,
        added_by=request.user,
        relationship=payload.relationship,
        safeguarding=payload.safeguarding,
        notes=payload.notes,
    )
    _log_victims(request, case, [link])
    return Status(201 if created else 200, _victim_out(request.user, link))


@router.patch("/{case_id}/victims/{item_id}", response={200: VictimOut, **WRITE})
@requires(Cap.CASE_MANAGE, Cap.PERSON_VIEW_VICTIMS)
def victim_update(request, case_id: Id, item_id: Id, payload: VictimUpdateIn):
    """Change a victim's relationship, safeguarding status or notes. 409 if stale."""
    case = _case(request, case_id, page="victim_edit")
    link = _victim(request, case, item_id)
    _log_victims(request, case, [link])
    changes = payload.dict(exclude={"version"}, exclude_none=True)
    row = services.victim_update(case_victim_id=link.pk, version=payload.version, **changes)
    return _victim_out(request.user, row)


# --- exit ------------------------------------------------------------------------------------


@router.get("/{case_id}/exit", response={200: ExitOut, **READ})
@requires(Cap.CASE_VIEW)
def exit_detail(request, case_id: Id):
    """How and when the case closed, and monitoring after it. 404 while the case is open."""
    case = _case(request, case_id, page="exit")
    exit_ = Exit.objects.filter(case=case).select_related("case").first()
    if exit_ is None:
        raise Http404("This case has not closed")
    return _exit_out(exit_)


@router.post("/{case_id}/close", response={200: ExitOut, 201: ExitOut, **WRITE})
@requires(Cap.CASE_MANAGE)
def case_close(request, case_id: Id, payload: CloseIn, idempotency_key: KeyHeader = None):
    """Close the case with its exit record, as the page does; `monitor_until` starts
    post-exit monitoring (new incidents before then raise alerts). 201 when closed; 200
    with the exit for a repeated `submission_key` / `Idempotency-Key`; 409 if the case
    changed since `version`; 400 if it is already closed."""
    case = _case(request, case_id, page="close")
    key = request_key(idempotency_key, payload.submission_key)
    if payload.monitor_until is not None and payload.monitor_until < payload.exited_on:
        raise ValidationError({"monitor_until": "Monitoring must end after the date of exit."})
    exit_, created = once(
        user=request.user,
        key=key,
        operation=f"case_close:{case.pk}",
        make=lambda: services.case_close(
            case_id=case.pk,
            version=payload.version,
            reason=payload.reason,
            exited_on=payload.exited_on,
            rationale=payload.rationale,
            monitor_until=payload.monitor_until,
            closed_by=request.user,
        ),
        find=lambda pk: Exit.objects.select_related("case").get(pk=pk),
    )
    exit_ = Exit.objects.select_related("case").get(pk=exit_.pk)
    return Status(201 if created else 200, _exit_out(exit_))
