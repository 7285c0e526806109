"""Cases and their records: the case (plan and review date, with the version read),
interventions, orders and contacts, each listed per case, added and changed.

Cases come from `cases.selectors.case_get`, scoped per user: a partner-agency
user reaches only the cases of people shared with their agency (any other id
answers 404) and never sees contacts with victims. Every view of a case is
written to the access log. Writes go through `cases.services`, which refuse a
stale `version` (409) and any change to a closed case (400).
"""

import datetime as dt
import uuid
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Router, Schema

from highharm.accounts.permissions import Cap, user_can
from highharm.api.auth import requires
from highharm.api.routers.common import LIST, READ, WRITE, BodyId, Id, Text, Version
from highharm.audit.services import access_log_record
from highharm.cases import selectors, services
from highharm.cases.models import Case, Contact, Intervention, Order
from highharm.people import selectors as people_selectors

router = Router(tags=["cases"])

InterventionType = Literal[tuple(Intervention.Type.values)]  # type: ignore[valid-type]
InterventionStatus = Literal[tuple(Intervention.Status.values)]  # type: ignore[valid-type]
InterventionOutcome = Literal[tuple(Intervention.Outcome.values)]  # type: ignore[valid-type]
Engagement = Literal[tuple(Intervention.Engagement.values)]  # type: ignore[valid-type]
OrderType = Literal[tuple(Order.Type.values)]  # type: ignore[valid-type]
ContactWith = Literal[tuple(Contact.With.values)]  # type: ignore[valid-type]
ContactMethod = Literal[tuple(Contact.Method.values)]  # type: ignore[valid-type]


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


@router.post("/{case_id}/interventions", response={201: InterventionOut, **WRITE})
@requires(Cap.CASE_MANAGE)
def intervention_create(request, case_id: Id, payload: InterventionIn):
    """Record an intervention. The same `submission_key` twice creates nothing new."""
    case = _case(request, case_id, page="intervention_new")
    fields = payload.dict(exclude={"submission_key"})
    row = services.intervention_create(
        case=case, recorded_by=request.user, submission_key=payload.submission_key, **fields
    )
    return 201, _intervention_out(row)


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


@router.post("/{case_id}/orders", response={201: OrderOut, **WRITE})
@requires(Cap.CASE_MANAGE)
def order_create(request, case_id: Id, payload: OrderIn):
    """Record an order with its dates and conditions."""
    case = _case(request, case_id, page="order_new")
    fields = payload.dict(exclude={"submission_key", "intervention_id"})
    fields["intervention"] = _intervention_for(case, payload.intervention_id)
    row = services.order_create(
        case=case, recorded_by=request.user, submission_key=payload.submission_key, **fields
    )
    return 201, _order_out(row, dt.date.today())


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


@router.post("/{case_id}/contacts", response={201: ContactOut, **WRITE})
@requires(Cap.CASE_MANAGE)
def contact_create(request, case_id: Id, payload: ContactIn):
    """Record a contact with the perpetrator, a victim (its case-victim id) or an agency."""
    case = _case(request, case_id, page="contact_new")
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
    row = services.contact_create(
        case=case, recorded_by=request.user, submission_key=payload.submission_key, **fields
    )
    return 201, _contact_out(row)


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
