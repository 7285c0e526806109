"""Triage meetings and their decisions: list and read meetings, decide, revisit a decision.

Decisions go through `referrals.services.triage_decide`, which refuses a stale
`version` (409), answers a repeated `submission_token` with the first decision
(200), and keeps the superseded decision in the history.
"""

import datetime as dt
import uuid
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Router, Schema

from highharm.accounts.permissions import Cap
from highharm.api.auth import requires
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


class DecisionIn(Schema):
    referral_id: BodyId
    version: Version
    submission_token: uuid.UUID
    outcome: Outcome
    rationale: Text()
    pathway: Pathway = ""
    pathway_detail: Text(200) = ""
    monitor_until: dt.date | None = None


class RevisionIn(Schema):
    meeting_id: BodyId
    version: Version
    submission_token: uuid.UUID
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


def _decide(request, *, meeting: TriageMeeting, referral_id: int, payload, revision_reason=""):
    referral = referral_get_or_404(request.user, referral_id)
    log_referral_view(request, referral, **{"for": "triage decision"})
    result = services.triage_decide(
        referral_id=referral.pk,
        meeting=meeting,
        decided_by=request.user,
        submission_token=payload.submission_token,
        expected_version=payload.version,
        outcome=payload.outcome,
        rationale=payload.rationale,
        pathway=payload.pathway,
        pathway_detail=payload.pathway_detail,
        monitor_until=payload.monitor_until,
        revision_reason=revision_reason,
    )
    body = {**decision_out(result.decision, show_rationale=True), "created": result.created}
    return (201 if result.created else 200), body


@router.post(
    "/meetings/{meeting_id}/decisions",
    response={200: DecisionResultOut, 201: DecisionResultOut, **WRITE},
)
@requires(Cap.TRIAGE_MANAGE)
def decision_create(request, meeting_id: Id, payload: DecisionIn):
    """Decide on a referral at this meeting. `version` is the referral's version as read:
    409 if it changed since. The same `submission_token` twice answers 200 with the first."""
    meeting = _meeting(meeting_id)
    return _decide(request, meeting=meeting, referral_id=payload.referral_id, payload=payload)


@router.post(
    "/referrals/{referral_id}/revisions",
    response={200: DecisionResultOut, 201: DecisionResultOut, **WRITE},
)
@requires(Cap.TRIAGE_MANAGE)
def decision_revise(request, referral_id: Id, payload: RevisionIn):
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
        revision_reason=payload.revision_reason,
    )
