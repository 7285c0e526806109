"""Referrals: list (scoped to what the user may see), one referral, a new referral,
a correction (with the version read) and a withdrawal.

The same selectors and services as the pages: a partner-agency user sees only
their agency's referrals (another id answers 404), and a referral for someone
with an open referral is linked to it. A correction or withdrawal made against
an old `version` answers 409 with the referral as it now is.
"""

import datetime as dt
import uuid
from typing import Annotated, Literal

from django.http import Http404
from ninja import Field, Router, Schema, Status

from highharm.accounts.permissions import Cap, user_can
from highharm.api.auth import requires
from highharm.api.idempotency import KeyHeader, request_key
from highharm.api.routers.common import LIST, READ, WRITE, Id, Text, Version
from highharm.audit.services import access_log_record
from highharm.people import selectors as people_selectors
from highharm.people.models import Person
from highharm.referrals import selectors, services
from highharm.referrals.models import Referral, RiskIndicator

router = Router(tags=["referrals"])

StatusFilter = Literal["open", "linked", "decided", "withdrawn", "all"]


class VictimOut(Schema):
    reference: str | None = None
    name: str
    relationship: str


class DecisionOut(Schema):
    id: int
    referral_id: int
    meeting_id: int
    outcome: str
    summary: str
    pathway: str
    pathway_detail: str
    monitor_until: dt.date | None = None
    rationale: str | None = None
    revision_reason: str | None = None
    decided_at: dt.datetime
    is_current: bool
    supersedes_id: int | None = None


class ReferralOut(Schema):
    id: int
    person_reference: str
    person_name: str
    source: str
    status: str
    referred_at: dt.datetime
    referring_agency: str | None = None
    linked_to_id: int | None = None
    version: int


class ReferralDetailOut(ReferralOut):
    reason: str
    concerns: str
    risk_indicators: list[str]
    no_known_victim: bool
    children_in_household: str
    children_count: int | None = None
    victims: list[VictimOut]
    decisions: list[DecisionOut]


class NewPerson(Schema):
    given_name: Text(100)
    family_name: Text(100)
    date_of_birth: dt.date | None = None
    gender: Literal["F", "M", "X", "U"] = "U"


class VictimIn(Schema):
    reference: Text(40) = ""
    name: Text(200) = ""
    relationship: Literal[
        "partner", "ex_partner", "family", "acquaintance", "stranger", "other", "unknown"
    ] = "unknown"
    notes: Text(500) = ""


class ReferralIn(Schema):
    """Either `person_reference` (someone on the records you may see) or `new_person`."""

    person_reference: Text(40) | None = None
    new_person: NewPerson | None = None
    source: Literal["officer", "partner", "other"] = "officer"
    source_detail: Text(200) = ""
    reason: Text()
    concerns: Text() = ""
    risk_indicators: list[Literal[tuple(RiskIndicator.values)]] = []  # type: ignore[valid-type]
    victims: list[VictimIn] = []
    no_known_victim: bool = False
    children_in_household: Literal["yes", "no", "unknown"] = "unknown"
    children_count: Annotated[int, Field(ge=0, le=50)] | None = None
    children_ages: Text(200) = ""
    children_notes: Text() = ""
    submission_token: uuid.UUID | None = None


class ReferralUpdateIn(Schema):
    """A correction to a referral awaiting triage. `version` is the version read;
    omitted fields are unchanged."""

    version: Version
    reason: Text() | None = None
    concerns: Text() | None = None
    risk_indicators: list[Literal[tuple(RiskIndicator.values)]] | None = None  # type: ignore[valid-type]
    no_known_victim: bool | None = None
    children_in_household: Literal["yes", "no", "unknown"] | None = None
    children_count: Annotated[int, Field(ge=0, le=50)] | None = None
    children_ages: Text(200) | None = None
    children_notes: Text() | None = None


class WithdrawIn(Schema):
    version: Version
    reason: Text()


class ReferralCreated(ReferralOut):
    created: bool
    linked_to_id: int | None = None


def referral_out(user, referral: Referral) -> dict:
    return {
        "id": referral.pk,
        "person_reference": referral.person.reference,
        "person_name": people_selectors.person_display_name(user=user, person=referral.person),
        "source": referral.source,
        "status": referral.status,
        "referred_at": referral.referred_at,
        "referring_agency": referral.referring_agency.name if referral.referring_agency else None,
        "linked_to_id": referral.linked_to_id,
        "version": referral.version,
    }


def decision_out(decision, *, show_rationale: bool) -> dict:
    return {
        "id": decision.pk,
        "referral_id": decision.referral_id,
        "meeting_id": decision.meeting_id,
        "outcome": decision.outcome,
        "summary": decision.summary,
        "pathway": decision.pathway,
        "pathway_detail": decision.pathway_detail,
        "monitor_until": decision.monitor_until,
        "rationale": decision.rationale if show_rationale else None,
        "revision_reason": decision.revision_reason if show_rationale else None,
        "decided_at": decision.decided_at,
        "is_current": decision.is_current,
        "supersedes_id": decision.supersedes_id,
    }


def referral_get_or_404(user, referral_id: int) -> Referral:
    try:
        return selectors.referral_get(user=user, referral_id=referral_id)
    except Referral.DoesNotExist:
        raise Http404("No such referral, or not yours to see")


def log_referral_view(request, referral: Referral, **detail) -> None:
    access_log_record(
        request=request,
        action="view_referral",
        object_type="referral",
        object_id=referral.pk,
        detail={"person": referral.person.reference, "api": True, **detail},
    )


@router.get("/", response={200: list[ReferralOut], **LIST})
@requires(Cap.REFERRAL_VIEW)
def referral_list(
    request,
    status: StatusFilter = "open",
    q: Text(40) = "",
    limit: int = 100,
    offset: int = 0,
):
    """Referrals you may see (a partner agency: its own), newest first. Logged."""
    limit, offset = max(1, min(limit, 500)), max(0, min(offset, 1_000_000))
    rows = list(
        selectors.referral_list(
            user=request.user, status=None if status == "all" else status, query=q
        )[offset : offset + limit]
    )
    access_log_record(
        request=request,
        action="list_referrals",
        object_type="referral",
        detail={"status": status, "query": q, "results": len(rows), "api": True},
    )
    return [referral_out(request.user, r) for r in rows]


def referral_detail_out(user, referral: Referral) -> dict:
    show_victims = user_can(user, Cap.PERSON_VIEW_VICTIMS)
    unit_staff = not user.is_agency_scoped
    victims = (
        [
            {
                "reference": v.person.reference if v.person_id else None,
                "name": v.name or (v.person.full_name if v.person_id else ""),
                "relationship": v.relationship,
            }
            for v in referral.victims.select_related("person")
        ]
        if show_victims
        else []
    )
    return {
        **referral_out(user, referral),
        "reason": referral.reason,
        "concerns": referral.concerns,
        "risk_indicators": list(referral.risk_indicators or []),
        "no_known_victim": referral.no_known_victim,
        "children_in_household": referral.children_in_household,
        "children_count": referral.children_count,
        "victims": victims,
        "decisions": [
            decision_out(d, show_rationale=unit_staff)
            for d in selectors.referral_decisions(referral=referral)
        ],
    }


@router.get("/{referral_id}", response={200: ReferralDetailOut, **READ})
@requires(Cap.REFERRAL_VIEW)
def referral_detail(request, referral_id: Id):
    """One referral with its victims (roles that may see them) and its decisions. Logged."""
    referral = referral_get_or_404(request.user, referral_id)
    log_referral_view(request, referral)
    return referral_detail_out(request.user, referral)


@router.patch("/{referral_id}", response={200: ReferralDetailOut, **WRITE})
@requires(Cap.REFERRAL_CREATE)
def referral_update(request, referral_id: Id, payload: ReferralUpdateIn):
    """Correct or add to a referral still awaiting triage (as the edit page does). 409 with
    the referral as it now is if it changed since `version`; 422 if it has been decided, or
    if the result would lack what triage needs."""
    referral = referral_get_or_404(request.user, referral_id)
    log_referral_view(request, referral, **{"for": "edit"})
    changes = payload.dict(exclude={"version"}, exclude_unset=True)
    changes = {k: v for k, v in changes.items() if v is not None or k == "children_count"}
    updated = services.referral_update(
        referral_id=referral.pk, expected_version=payload.version, by=request.user, **changes
    )
    return referral_detail_out(request.user, updated)


@router.post("/{referral_id}/withdraw", response={200: ReferralOut, **WRITE})
@requires(Cap.REFERRAL_CREATE)
def referral_withdraw(request, referral_id: Id, payload: WithdrawIn):
    """Withdraw a referral awaiting triage, saying why. 409 if it changed since `version`
    (including a withdrawal already made); 422 if it has been decided."""
    referral = referral_get_or_404(request.user, referral_id)
    log_referral_view(request, referral, **{"for": "withdraw"})
    withdrawn = services.referral_withdraw(
        referral_id=referral.pk,
        expected_version=payload.version,
        by=request.user,
        reason=payload.reason,
    )
    return referral_out(request.user, withdrawn)


@router.post("/", response={200: ReferralCreated, 201: ReferralCreated, **WRITE})
@requires(Cap.REFERRAL_CREATE)
def referral_create(request, payload: ReferralIn, idempotency_key: KeyHeader = None):
    """Refer a person. 201 when created; 200 with the first referral when the same
    `submission_token` (or `Idempotency-Key` header) is sent again. 422 says exactly what
    triage still needs."""
    user = request.user
    token = request_key(idempotency_key, payload.submission_token, field="submission_token")
    errors: dict[str, str] = {}
    person = None
    new_person = None
    if payload.person_reference:
        try:
            person = people_selectors.person_get(
                user=user, reference=payload.person_reference.strip()
            )
        except Person.DoesNotExist:
            errors["person_reference"] = (
                f"No one with the reference {payload.person_reference.strip()} is on the "
                "records you may see"
            )
    elif payload.new_person is not None:
        new_person = payload.new_person.dict()
    victims = []
    for i, v in enumerate(payload.victims, start=1):
        victim_person = None
        if v.reference.strip():
            try:
                victim_person = people_selectors.person_get(
                    user=user, reference=v.reference.strip()
                )
            except Person.DoesNotExist:
                errors[f"victims.{i}.reference"] = (
                    f"No one with the reference {v.reference.strip()} is on the records you may see"
                )
                continue
        elif not v.name.strip():
            errors[f"victims.{i}.name"] = f"Give the name or reference of victim {i}"
            continue
        victims.append(
            services.VictimEntry(
                person=victim_person, name=v.name, relationship=v.relationship, notes=v.notes
            )
        )
    if errors:
        from django.core.exceptions import ValidationError

        raise ValidationError(errors)
    result = services.referral_create(
        referred_by=user,
        source=payload.source,
        source_detail=payload.source_detail,
        person=person,
        new_person=new_person,
        reason=payload.reason,
        concerns=payload.concerns,
        risk_indicators=payload.risk_indicators,
        victims=victims,
        no_known_victim=payload.no_known_victim,
        children_in_household=payload.children_in_household,
        children_count=payload.children_count,
        children_ages=payload.children_ages,
        children_notes=payload.children_notes,
        submission_token=token,
    )
    if (
        not result.created
        and not selectors.referral_visible_to(user).filter(pk=result.referral.pk).exists()
    ):
        raise Http404("No such referral, or not yours to see")
    body = {**referral_out(user, result.referral), "created": result.created}
    return Status(201 if result.created else 200, body)
