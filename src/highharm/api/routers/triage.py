"""Triage meetings and their decisions: list, read, create and close meetings, decide,
revisit a decision.

Decisions go through `referrals.services.triage_decide`, which refuses a stale
`version` (409), answers a repeated `submission_token` with the first decision
(200), and keeps the superseded decision in the history. A new meeting is made once
per idempotency key; closing carries the version read and carries the referrals
still open over to the next meeting, as the page does.
"""

import datetime as dt
import uuid
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Router, Schema, Status

from highharm.accounts.models import User
from highharm.accounts.permissions import Cap, roles_with
from highharm.api.auth import requires
from highharm.api.idempotency import KeyHeader, once, request_key
from highharm.api.routers.common import LIST, READ, WRITE, BodyId, Id, Text, Version
from highharm.api.routers.referrals import (
    DecisionOut,
    decision_out,
    log_referral_view,
    referral_get_or_404,
)
from highharm.audit.services import access_log_record
from highharm.referrals import selectors, services
from highharm.referrals.models import TriageMeeting

router = Router(tags=["triage"])

Outcome = Literal["adopt", "monitor", "other_pathway", "nfa"]
Pathway = Literal["", "marac", "mappa", "iom", "drive", "other_programme", "other"]


class AttendeeOut(Schema):
    name: str
    agency: str
    role: str


class TriageMeetingOut(Schema):
    id: int
    meeting_date: dt.date
    chair: str | None = None
    location: str
    closed: bool
    version: int


class TriageMeetingDetailOut(TriageMeetingOut):
    attendees: list[AttendeeOut]
    queue: list[int]
    decisions: list[DecisionOut]


class MeetingIn(Schema):
    """A new triage meeting. The chair is you unless `chair_username` names another user
    who may run triage."""

    meeting_date: dt.date
    chair_username: Text(150) | None = None
    location: Text(200) = ""
    submission_key: uuid.UUID | None = None


class MeetingCloseIn(Schema):
    version: Version


class DecisionIn(Schema):
    """A decision. `submission_token` (or the `Idempotency-Key` header) is required: the
    same one again answers with the first decision."""

    referral_id: BodyId
    version: Version
    submission_token: uuid.UUID | None = None
    outcome: Outcome
    rationale: Text()
    pathway: Pathway = ""
    pathway_detail: Text(200) = ""
    monitor_until: dt.date | None = None


class RevisionIn(Schema):
    meeting_id: BodyId
    version: Version
    submission_token: uuid.UUID | None = None
    outcome: Outcome
    rationale: Text()
    revision_reason: Text()
    pathway: Pathway = ""
    pathway_detail: Text(200) = ""
    monitor_until: dt.date | None = None


class DecisionResultOut(DecisionOut):
    created: bool


def _meeting(meeting_id: int) -> TriageMeeting:
    try:
        return selectors.meeting_get(meeting_id=meeting_id)
    except TriageMeeting.DoesNotExist:
        raise Http404("No such meeting")


def _meeting_out(meeting: TriageMeeting) -> dict:
    return {
        "id": meeting.pk,
        "meeting_date": meeting.meeting_date,
        "chair": meeting.chair.display_name if meeting.chair_id else None,
        "location": meeting.location,
        "closed": meeting.is_closed,
        "version": meeting.version,
    }


@router.get("/meetings", response={200: list[TriageMeetingOut], **LIST})
@requires(Cap.TRIAGE_MANAGE)
def meeting_list(request):
    """Triage meetings, latest first (the 200 most recent)."""
    return [_meeting_out(m) for m in selectors.meeting_list()[:200]]


@router.post("/meetings", response={200: TriageMeetingOut, 201: TriageMeetingOut, **WRITE})
@requires(Cap.TRIAGE_MANAGE)
def meeting_create(request, payload: MeetingIn, idempotency_key: KeyHeader = None):
    """Arrange a triage meeting. 201 when created; the same `submission_key` (or
    `Idempotency-Key` header) again answers 200 with the first meeting."""
    key = request_key(idempotency_key, payload.submission_key)
    chair = request.user
    if payload.chair_username:
        roles = {r.value for r in roles_with(Cap.TRIAGE_MANAGE)}
        chair = User.objects.filter(
            is_active=True, role__in=roles, username=payload.chair_username
        ).first()
        if chair is None:
            raise ValidationError(
                {"chair_username": "No active user who may run triage has that username"}
            )
    meeting, created = once(
        user=request.user,
        key=key,
        operation="triage_meeting_create",
        make=lambda: services.meeting_create(
            meeting_date=payload.meeting_date,
            chair=chair,
            location=payload.location,
            created_by=request.user,
        ),
        find=_meeting,
    )
    return Status(201 if created else 200, _meeting_out(meeting))


@router.post("/meetings/{meeting_id}/close", response={200: TriageMeetingOut, **WRITE})
@requires(Cap.TRIAGE_MANAGE)
def meeting_close(request, meeting_id: Id, payload: MeetingCloseIn):
    """Close a meeting: referrals still open carry over to the next. 409 with the meeting as
    it now is if it changed since `version`. Closing a closed meeting changes nothing."""
    meeting = _meeting(meeting_id)
    if not meeting.is_closed:
        meeting = services.meeting_close(
            meeting_id=meeting.pk, expected_version=payload.version, by=request.user
        )
    return _meeting_out(meeting)


@router.get("/meetings/{meeting_id}", response={200: TriageMeetingDetailOut, **READ})
@requires(Cap.TRIAGE_MANAGE)
def meeting_detail(request, meeting_id: Id):
    """A meeting: who is present, the queue (referral ids, carried over first) and its
    decisions. Logged with the people it names."""
    meeting = _meeting(meeting_id)
    queue = [] if meeting.is_closed else selectors.triage_queue(meeting=meeting, with_facts=False)
    decisions = selectors.meeting_decisions(meeting=meeting)
    access_log_record(
        request=request,
        action="view_triage_meeting",
        object_type="triage_meeting",
        object_id=meeting.pk,
        detail={
            "people": sorted(
                {i.referral.person.reference for i in queue}
                | {d.referral.person.reference for d in decisions}
            ),
            "api": True,
        },
    )
    return {
        **_meeting_out(meeting),
        "attendees": [a.as_present() for a in meeting.attendees.select_related("agency")],
        "queue": [i.referral.pk for i in queue],
        "decisions": [decision_out(d, show_rationale=True) for d in decisions],
    }


@router.get("/meetings/{meeting_id}/decisions", response={200: list[DecisionOut], **READ})
@requires(Cap.TRIAGE_MANAGE)
def meeting_decision_list(request, meeting_id: Id):
    """The decisions recorded at a meeting, in the order they were made."""
    meeting = _meeting(meeting_id)
    return [
        decision_out(d, show_rationale=True) for d in selectors.meeting_decisions(meeting=meeting)
    ]


def _decide(
    request,
    *,
    meeting: TriageMeeting,
    referral_id: int,
    payload,
    idempotency_key,
    revision_reason="",
):
    token = request_key(idempotency_key, payload.submission_token, field="submission_token")
    if token is None:
        raise ValidationError(
            {"submission_token": "Send a submission_token or an Idempotency-Key header (a UUID)"}
        )
    referral = referral_get_or_404(request.user, referral_id)
    log_referral_view(request, referral, **{"for": "triage decision"})
    result = services.triage_decide(
        referral_id=referral.pk,
        meeting=meeting,
        decided_by=request.user,
        submission_token=token,
        expected_version=payload.version,
        outcome=payload.outcome,
        rationale=payload.rationale,
        pathway=payload.pathway,
        pathway_detail=payload.pathway_detail,
        monitor_until=payload.monitor_until,
        revision_reason=revision_reason,
    )
    body = {**decision_out(result.decision, show_rationale=True), "created": result.created}
    return Status(201 if result.created else 200, body)


@router.post(
    "/meetings/{meeting_id}/decisions",
    response={200: DecisionResultOut, 201: DecisionResultOut, **WRITE},
)
@requires(Cap.TRIAGE_MANAGE)
def decision_create(
    request, meeting_id: Id, payload: DecisionIn, idempotency_key: KeyHeader = None
):
    """Decide on a referral at this meeting. `version` is the referral's version as read:
    409 if it changed since. The same `submission_token` twice answers 200 with the first."""
    meeting = _meeting(meeting_id)
    return _decide(
        request,
        meeting=meeting,
        referral_id=payload.referral_id,
        payload=payload,
        idempotency_key=idempotency_key,
    )


@router.post(
    "/referrals/{referral_id}/revisions",
    response={200: DecisionResultOut, 201: DecisionResultOut, **WRITE},
)
@requires(Cap.TRIAGE_MANAGE)
def decision_revise(
    request, referral_id: Id, payload: RevisionIn, idempotency_key: KeyHeader = None
):
    """Revisit the current decision on a referral at an open meeting, saying why. The
    earlier decision is kept in the history, superseded. 409 if the referral changed since
    `version` (someone else decided or edited it); 422 if it has no decision to revisit."""
    referral = referral_get_or_404(request.user, referral_id)
    meeting = _meeting(payload.meeting_id)
    if selectors.referral_current_decision(referral=referral) is None:
        raise ValidationError({"referral_id": "This referral has no decision to revisit yet"})
    return _decide(
        request,
        meeting=meeting,
        referral_id=referral.pk,
        payload=payload,
        idempotency_key=idempotency_key,
        revision_reason=payload.revision_reason,
    )
