"""The High Harm Perpetrator Panel: meetings (list, one with its agenda) and actions
(open ones, a new one, a change of status with the version read).

A partner-agency user sees every meeting but, on its agenda and among the
actions, only the people shared with their agency (panels.selectors).
"""

import datetime as dt
import uuid
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Router, Schema, Status

from highharm.accounts.permissions import Cap
from highharm.api.auth import requires
from highharm.api.idempotency import KeyHeader, existing, request_key
from highharm.api.routers.common import LIST, READ, WRITE, BodyId, Id, Text, Version
from highharm.audit.services import access_log_record
from highharm.panels import selectors, services
from highharm.panels.models import Action, PanelMeeting
from highharm.people import selectors as people_selectors
from highharm.people.models import Person

router = Router(tags=["panels"])


class PanelMeetingOut(Schema):
    id: int
    held_on: dt.date
    starts_at: dt.time | None = None
    location: str
    chair: str | None = None
    status: str
    version: int


class AgendaItemOut(Schema):
    person_reference: str
    person_name: str
    reason: str
    position: int


class ActionOut(Schema):
    id: int
    meeting_id: int | None = None
    person_reference: str | None = None
    description: str
    owner: str
    agency: str
    due_on: dt.date
    status: str
    closed_on: dt.date | None = None
    update_note: str
    version: int


class PanelMeetingDetailOut(PanelMeetingOut):
    notes: str
    agenda: list[AgendaItemOut]
    actions: list[ActionOut]


class PanelMeetingIn(Schema):
    """A new panel meeting. The chair is you unless `chair_username` names another user who
    may chair (a role that may manage panels)."""

    held_on: dt.date
    starts_at: dt.time | None = None
    location: Text(200) = ""
    notes: Text() = ""
    chair_username: Text(150) | None = None
    submission_key: uuid.UUID | None = None


class ActionIn(Schema):
    """An action. `owner_username` names a Highharm user; otherwise give `owner_name`."""

    description: Text()
    due_on: dt.date
    meeting_id: BodyId | None = None
    person_reference: Text(40) | None = None
    owner_username: Text(150) | None = None
    owner_name: Text(200) = ""
    agency_name: Text(200) = ""
    submission_key: uuid.UUID | None = None


class ActionUpdateIn(Schema):
    """A change to an action; `version` is the version read. Omitted fields are unchanged."""

    version: Version
    status: Literal["open", "done", "cancelled"] | None = None
    update_note: Text() | None = None
    due_on: dt.date | None = None
    description: Text() | None = None


def action_out(action: Action) -> dict:
    return {
        "id": action.pk,
        "meeting_id": action.meeting_id,
        "person_reference": action.person.reference if action.person_id else None,
        "description": action.description,
        "owner": action.owner.display_name if action.owner_id else action.owner_name,
        "agency": action.agency.name if action.agency_id else action.agency_name,
        "due_on": action.due_on,
        "status": action.status,
        "closed_on": action.closed_on,
        "update_note": action.update_note,
        "version": action.version,
    }


def _meeting_out(meeting: PanelMeeting) -> dict:
    return {
        "id": meeting.pk,
        "held_on": meeting.held_on,
        "starts_at": meeting.starts_at,
        "location": meeting.location,
        "chair": meeting.chair.display_name if meeting.chair_id else None,
        "status": meeting.status,
        "version": meeting.version,
    }


def _meeting(user, meeting_id: int) -> PanelMeeting:
    try:
        return selectors.meeting_get(user=user, pk=meeting_id)
    except PanelMeeting.DoesNotExist:
        raise Http404("No such meeting")


@router.get("/meetings", response={200: list[PanelMeetingOut], **LIST})
@requires(Cap.PANEL_VIEW)
def meeting_list(request):
    """Panel meetings, latest first (the 200 most recent)."""
    meetings = selectors.meeting_list(user=request.user).order_by("-held_on", "-id")[:200]
    return [_meeting_out(m) for m in meetings]


@router.get("/meetings/{meeting_id}", response={200: PanelMeetingDetailOut, **READ})
@requires(Cap.PANEL_VIEW)
def meeting_detail(request, meeting_id: Id):
    """A meeting with its agenda and the actions it set, limited to the people you may see.
    Logged with the people it names."""
    user = request.user
    meeting = _meeting(user, meeting_id)
    agenda = selectors.agenda_items(user=user, meeting=meeting)
    access_log_record(
        request=request,
        action="view_panel_meeting",
        object_type="panel_meeting",
        object_id=meeting.pk,
        detail={"people": [i.person.reference for i in agenda], "api": True},
    )
    return {
        **_meeting_out(meeting),
        "notes": meeting.notes,
        "agenda": [
            {
                "person_reference": i.person.reference,
                "person_name": people_selectors.person_display_name(user=user, person=i.person),
                "reason": i.reason,
                "position": i.position,
            }
            for i in agenda
        ],
        "actions": [action_out(a) for a in selectors.actions_set_at(user=user, meeting=meeting)],
    }


@router.post("/meetings", response={200: PanelMeetingOut, 201: PanelMeetingOut, **WRITE})
@requires(Cap.PANEL_MANAGE)
def meeting_create(request, payload: PanelMeetingIn, idempotency_key: KeyHeader = None):
    """Arrange a panel meeting. 201 when created; the same `submission_key` (or
    `Idempotency-Key` header) again creates nothing and answers 200 with the first meeting."""
    user = request.user
    key = request_key(idempotency_key, payload.submission_key)
    earlier = existing(PanelMeeting, key, belongs=lambda m: m.created_by_id == user.pk)
    if earlier is not None:
        return Status(200, _meeting_out(earlier))
    if payload.starts_at is not None and payload.starts_at.tzinfo is not None:
        raise ValidationError(
            {"starts_at": "Give the meeting's local start time without a time zone, as HH:MM"}
        )
    chair = user
    if payload.chair_username:
        chair = selectors.chair_choices().filter(username=payload.chair_username).first()
        if chair is None:
            raise ValidationError(
                {"chair_username": "No active user who may chair the panel has that username"}
            )
    meeting = services.meeting_create(
        held_on=payload.held_on,
        starts_at=payload.starts_at,
        location=payload.location,
        notes=payload.notes,
        chair=chair,
        created_by=user,
        submission_key=key,
    )
    return Status(201, _meeting_out(meeting))


@router.post("/meetings/{meeting_id}/agenda", response={200: PanelMeetingDetailOut, **WRITE})
@requires(Cap.PANEL_MANAGE)
def meeting_agenda_build(request, meeting_id: Id):
    """Put everyone suggested for this meeting on its agenda: the newly adopted and those due
    for review (the page's "build the agenda"). Adding again adds nobody twice. Answers the
    meeting as `GET /meetings/{meeting_id}` does."""
    meeting = _meeting(request.user, meeting_id)
    services.agenda_build(meeting=meeting, added_by=request.user)
    return meeting_detail(request, meeting_id)


@router.get("/actions", response={200: list[ActionOut], **LIST})
@requires(Cap.PANEL_VIEW)
def action_list(request, show: Literal["open", "closed"] = "open"):
    """Actions about people you may see (and general ones): open ones soonest due first,
    or the 200 most recently closed."""
    return [action_out(a) for a in selectors.action_tracker(user=request.user, show=show)]


def _action_visible(user, action: Action) -> bool:
    try:
        return selectors.action_get(user=user, pk=action.pk).raised_by_id == user.pk
    except Action.DoesNotExist:
        return False


@router.post("/actions", response={200: ActionOut, 201: ActionOut, **WRITE})
@requires(Cap.PANEL_MANAGE)
def action_create(request, payload: ActionIn, idempotency_key: KeyHeader = None):
    """Set an action, optionally at a meeting and about a person. 201 when created; the
    same `submission_key` (or `Idempotency-Key` header) again creates nothing and answers
    200 with the first action."""
    user = request.user
    key = request_key(idempotency_key, payload.submission_key)
    earlier = existing(Action, key, belongs=lambda a: _action_visible(user, a))
    if earlier is not None:
        return Status(200, action_out(earlier))
    errors = {}
    meeting = person = owner = None
    if payload.meeting_id is not None:
        try:
            meeting = selectors.meeting_get(user=user, pk=payload.meeting_id)
        except PanelMeeting.DoesNotExist:
            errors["meeting_id"] = "No such meeting"
    if payload.person_reference:
        try:
            person = people_selectors.person_get(user=user, reference=payload.person_reference)
        except Person.DoesNotExist:
            errors["person_reference"] = "No one with that reference is on the records you may see"
    if payload.owner_username:
        owner = selectors.action_owner_choices().filter(username=payload.owner_username).first()
        if owner is None:
            errors["owner_username"] = "No active user with that username"
    if errors:
        raise ValidationError(errors)
    action = services.action_create(
        description=payload.description,
        due_on=payload.due_on,
        raised_by=user,
        meeting=meeting,
        person=person,
        owner=owner,
        owner_name=payload.owner_name,
        agency_name=payload.agency_name,
        submission_key=key,
    )
    return Status(201, action_out(action))


@router.patch("/actions/{action_id}", response={200: ActionOut, **WRITE})
@requires(Cap.PANEL_MANAGE)
def action_update(request, action_id: Id, payload: ActionUpdateIn):
    """Change an action's status, update note, due date or wording. 409 with the action as
    it now is if someone else changed it since `version`. Closing needs an update note."""
    try:
        action = selectors.action_get(user=request.user, pk=action_id)
    except Action.DoesNotExist:
        raise Http404("No such action")
    changes = payload.dict(exclude={"version"}, exclude_none=True)
    updated = services.action_update(action_id=action.pk, version=payload.version, changes=changes)
    return action_out(updated)
