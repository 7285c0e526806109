"""Every write to the panel's records. Keyword-only arguments, one transaction each."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from highharm.panels.editing import create_once, locked_update
from highharm.panels.models import Action, AgendaItem, Minute, PanelAttendee, PanelMeeting
from highharm.panels.selectors import agenda_suggestions
from highharm.people.models import Person


class PanelError(Exception):
    """A request the panel's rules refuse; the message is for the user."""


MEETING_FIELDS = ("held_on", "starts_at", "location", "chair", "status", "notes")
ACTION_FIELDS = (
    "description",
    "owner",
    "owner_name",
    "agency",
    "agency_name",
    "due_on",
    "status",
    "closed_on",
    "update_note",
)


@transaction.atomic
def meeting_create(
    *,
    held_on: dt.date,
    chair=None,
    starts_at: dt.time | None = None,
    location: str = "",
    notes: str = "",
    created_by,
    submission_key=None,
) -> PanelMeeting:
    meeting, _ = create_once(
        PanelMeeting,
        submission_key=submission_key,
        held_on=held_on,
        chair=chair,
        starts_at=starts_at,
        location=location,
        notes=notes,
        created_by=created_by,
    )
    return meeting


@transaction.atomic
def meeting_update(*, meeting_id: int, version: int, changes: dict) -> PanelMeeting:
    unknown = set(changes) - set(MEETING_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    return locked_update(PanelMeeting, pk=meeting_id, expected_version=version, changes=changes)


@transaction.atomic
def attendee_add(
    *,
    meeting: PanelMeeting,
    name: str,
    agency=None,
    agency_name: str = "",
    role_title: str = "",
    attendance: str = PanelAttendee.Attendance.PRESENT,
) -> PanelAttendee:
    """Add someone to the meeting; adding the same name again updates nothing and returns them."""
    name = name.strip()
    existing = PanelAttendee.objects.filter(meeting=meeting, name__iexact=name).first()
    if existing is not None:
        return existing
    attendee = PanelAttendee(
        meeting=meeting,
        name=name,
        agency=agency,
        agency_name="" if agency else agency_name.strip(),
        role_title=role_title.strip(),
        attendance=attendance,
    )
    attendee.full_clean()
    try:
        with transaction.atomic():
            attendee.save()
    except IntegrityError:
        return PanelAttendee.objects.get(meeting=meeting, name=name)
    return attendee


@transaction.atomic
def attendee_remove(*, meeting: PanelMeeting, attendee_id: int) -> None:
    PanelAttendee.objects.filter(meeting=meeting, pk=attendee_id).delete()


@transaction.atomic
def agenda_item_add(
    *, meeting: PanelMeeting, person, reason: str, reason_detail: str = "", added_by
) -> tuple[AgendaItem, bool]:
    """Put a person on the agenda once; a second request returns the existing item."""
    if meeting.status == PanelMeeting.Status.CANCELLED:
        raise PanelError("This meeting was cancelled: its agenda cannot change.")
    existing = AgendaItem.objects.filter(meeting=meeting, person=person).first()
    if existing is not None:
        return existing, False
    position = (
        AgendaItem.objects.filter(meeting=meeting).aggregate(m=Max("position"))["m"] or 0
    ) + 1
    item = AgendaItem(
        meeting=meeting,
        person=person,
        reason=reason,
        reason_detail=reason_detail[:300],
        position=position,
        added_by=added_by,
    )
    item.full_clean(exclude=["meeting", "person"])
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        return AgendaItem.objects.get(meeting=meeting, person=person), False
    return item, True


@transaction.atomic
def agenda_build(*, meeting: PanelMeeting, added_by) -> list[AgendaItem]:
    """Add everyone suggested for this meeting (newly adopted, due for review). Returns the new items."""
    suggestions = agenda_suggestions(meeting=meeting)
    people = Person.objects.in_bulk([s.person_id for s in suggestions])
    added = []
    for suggestion in suggestions:
        item, created = agenda_item_add(
            meeting=meeting,
            person=people[suggestion.person_id],
            reason=suggestion.reason,
            reason_detail=suggestion.detail,
            added_by=added_by,
        )
        if created:
            added.append(item)
    return added


@transaction.atomic
def agenda_item_remove(*, meeting: PanelMeeting, item_id: int) -> None:
    item = AgendaItem.objects.filter(meeting=meeting, pk=item_id).first()
    if item is None:
        return
    if Minute.objects.filter(meeting=meeting, person_id=item.person_id).exists():
        raise PanelError("This person has minutes at this meeting: keep them on the agenda.")
    item.delete()


@transaction.atomic
def minute_save(
    *,
    meeting: PanelMeeting,
    person,
    discussion: str,
    decisions: str,
    version: int,
    recorded_by,
) -> Minute:
    """Write the minute for one person at one meeting.

    version 0 means the editor saw no minute yet; if someone else created it
    meanwhile, that is a conflict like any other (StaleEdit).
    """
    if not AgendaItem.objects.filter(meeting=meeting, person=person).exists():
        raise PanelError("Put the person on the agenda before minuting them.")
    if not discussion.strip() and not decisions.strip():
        raise ValidationError({"discussion": "Write the discussion or the decisions."})
    existing = Minute.objects.filter(meeting=meeting, person=person).first()
    if existing is None and version == 0:
        minute = Minute(
            meeting=meeting,
            person=person,
            discussion=discussion,
            decisions=decisions,
            recorded_by=recorded_by,
        )
        try:
            with transaction.atomic():
                minute.save()
            return minute
        except IntegrityError:
            existing = Minute.objects.get(meeting=meeting, person=person)
    if existing is None:
        raise PanelError("That minute no longer exists.")
    return locked_update(
        Minute,
        pk=existing.pk,
        expected_version=version,
        changes={"discussion": discussion, "decisions": decisions, "recorded_by": recorded_by},
    )


@transaction.atomic
def action_create(
    *,
    description: str,
    due_on: dt.date,
    raised_by,
    meeting: PanelMeeting | None = None,
    person=None,
    owner=None,
    owner_name: str = "",
    agency=None,
    agency_name: str = "",
    submission_key=None,
) -> Action:
    if not description.strip():
        raise ValidationError({"description": "Say what is to be done."})
    if owner is None and not owner_name.strip():
        raise ValidationError({"owner": "Choose an owner, or name one who is not a user."})
    if owner is not None and agency is None and not agency_name:
        agency = owner.agency
    action, _ = create_once(
        Action,
        submission_key=submission_key,
        meeting=meeting,
        person=person,
        description=description.strip(),
        owner=owner,
        owner_name="" if owner else owner_name.strip(),
        agency=agency,
        agency_name="" if agency else agency_name.strip(),
        due_on=due_on,
        raised_by=raised_by,
    )
    return action


@transaction.atomic
def action_update(*, action_id: int, version: int, changes: dict, today: dt.date | None = None):
    """Change an action (owner, due date, status, update). Closing it stamps the closing date."""
    unknown = set(changes) - set(ACTION_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    today = today or timezone.localdate()
    changes = dict(changes)
    status = changes.get("status")
    if status in (Action.Status.DONE, Action.Status.CANCELLED):
        note = changes.get("update_note")
        if note is None:
            note = Action.objects.filter(pk=action_id).values_list("update_note", flat=True).first()
        if not (note or "").strip():
            raise ValidationError(
                {"update_note": "Say what was done, or why the action is cancelled."}
            )
    if status is not None:
        if status == Action.Status.OPEN:
            changes["closed_on"] = None
        elif not changes.get("closed_on"):
            current = Action.objects.filter(pk=action_id).values_list("closed_on", flat=True)
            changes["closed_on"] = (current.first() if current else None) or today
    if "owner" in changes and changes["owner"] is not None:
        changes["owner_name"] = ""
    return locked_update(Action, pk=action_id, expected_version=version, changes=changes)
