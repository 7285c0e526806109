"""Thin HTTP for the panel: parse, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from highharm.accounts.decorators import capability_required
from highharm.accounts.editing import save_form
from highharm.accounts.permissions import Cap, user_can
from highharm.audit.services import access_log_record
from highharm.panels import selectors, services
from highharm.panels.editing import first_error
from highharm.panels.forms import (
    ActionForm,
    ActionUpdateForm,
    AgendaAddForm,
    AttendeeForm,
    MeetingEditForm,
    MeetingForm,
    MinuteForm,
)
from highharm.panels.models import Action, AgendaItem, PanelMeeting
from highharm.people.models import Person
from highharm.people.selectors import person_display_name, person_visible_to


def _meeting(request, pk) -> PanelMeeting:
    try:
        return selectors.meeting_get(user=request.user, pk=pk)
    except PanelMeeting.DoesNotExist:
        raise Http404("No such panel meeting")


def _log_people(request, *, action: str, meeting: PanelMeeting, people, extra=None) -> None:
    """One access-log row per person shown, so 'who looked at whom' finds every view."""
    for person in people:
        access_log_record(
            request=request,
            action=action,
            object_type="person",
            object_id=person.reference,
            detail={"panel_meeting": meeting.pk, **(extra or {})},
        )


def action_fields(data: dict) -> dict:
    """What an action form gives services.action_create, on the panel's page and the case's
    (every field but the person, which the page resolves)."""
    return {name: value for name, value in data.items() if name != "person"}


@capability_required(Cap.PANEL_VIEW)
def meeting_list(request):
    meetings = list(selectors.meeting_list(user=request.user))
    today = timezone.localdate()
    return render(
        request,
        "panels/meeting_list.html",
        {
            "upcoming": [m for m in reversed(meetings) if m.held_on >= today],
            "past": [m for m in meetings if m.held_on < today],
            "can_manage": user_can(request.user, Cap.PANEL_MANAGE),
        },
    )


@capability_required(Cap.PANEL_MANAGE)
def meeting_create(request):
    chairs = selectors.chair_choices()
    form = MeetingForm(request.POST or None, chairs=chairs)
    if request.method == "POST":
        saved = save_form(
            request,
            form,
            lambda data: services.meeting_create(
                held_on=data["held_on"],
                starts_at=data["starts_at"],
                location=data["location"],
                chair=data["chair"],
                notes=data["notes"],
                created_by=request.user,
                submission_key=data["submission_key"],
            ),
            success=lambda meeting: f"{meeting} created. Now build its agenda.",
            done=_detail_url,
        )
        if saved.response:
            return saved.response
    if not form.is_bound and request.user.role == "panel_chair":
        form.initial["chair"] = request.user.pk
    return render(request, "panels/meeting_form.html", {"form": form, "meeting": None})


@capability_required(Cap.PANEL_MANAGE)
def meeting_edit(request, pk: int):
    meeting = _meeting(request, pk)
    chairs = selectors.chair_choices()
    conflict = None
    if request.method == "POST":
        saved = save_form(
            request,
            MeetingEditForm(request.POST, chairs=chairs),
            lambda data: services.meeting_update(
                meeting_id=meeting.pk,
                version=data["version"],
                changes={k: data[k] for k in services.MEETING_FIELDS},
            ),
            rebuild=lambda data: MeetingEditForm(data, chairs=chairs),
            success="Meeting details saved.",
            done=_detail_url(meeting),
        )
        if saved.response:
            return saved.response
        form, conflict = saved.form, saved.conflict
    else:
        form = MeetingEditForm(
            initial={
                "version": meeting.version,
                **{k: getattr(meeting, k) for k in services.MEETING_FIELDS},
                "chair": meeting.chair_id,
            },
            chairs=chairs,
        )
    return render(
        request,
        "panels/meeting_form.html",
        {"form": form, "meeting": meeting, "conflict": conflict},
    )


@capability_required(Cap.PANEL_VIEW)
def meeting_detail(request, pk: int):
    meeting = _meeting(request, pk)
    items = selectors.agenda_items(user=request.user, meeting=meeting)
    minutes = selectors.minutes_by_person(user=request.user, meeting=meeting)
    set_here = selectors.actions_set_at(user=request.user, meeting=meeting)
    actions_by_person: dict[int | None, int] = {}
    for action in set_here:
        actions_by_person[action.person_id] = actions_by_person.get(action.person_id, 0) + 1
    rows = [
        {
            "item": item,
            "name": person_display_name(user=request.user, person=item.person),
            "minute": minutes.get(item.person_id),
            "actions": actions_by_person.get(item.person_id, 0),
        }
        for item in items
    ]
    _log_people(
        request, action="view_panel_meeting", meeting=meeting, people=[i.person for i in items]
    )
    can_manage = user_can(request.user, Cap.PANEL_MANAGE)
    suggestions = selectors.agenda_suggestions(meeting=meeting) if can_manage else []
    return render(
        request,
        "panels/meeting_detail.html",
        {
            "meeting": meeting,
            "attendees": list(meeting.attendees.select_related("agency")),
            "rows": rows,
            "hidden_items": AgendaItem.objects.filter(meeting=meeting).count() - len(items),
            "set_here": set_here,
            "carried": selectors.actions_carried_forward(user=request.user, meeting=meeting),
            "can_manage": can_manage,
            "suggestion_count": len(suggestions),
            "attendee_form": AttendeeForm(),
            "agenda_form": AgendaAddForm(),
            "today": timezone.localdate(),
        },
    )


@capability_required(Cap.PANEL_MANAGE)
@require_POST
def attendee_add(request, pk: int):
    meeting = _meeting(request, pk)
    form = AttendeeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            attendee = services.attendee_add(meeting=meeting, **data)
        except ValidationError as error:
            messages.error(request, first_error(error))
        else:
            messages.success(request, f"{attendee.name} added to the attendees.")
    else:
        for errors in form.errors.values():
            messages.error(request, errors[0])
            break
    return redirect(f"{_detail_url(meeting)}#attendees")


@capability_required(Cap.PANEL_MANAGE)
@require_POST
def attendee_remove(request, pk: int, item: int):
    meeting = _meeting(request, pk)
    services.attendee_remove(meeting=meeting, attendee_id=item)
    messages.success(request, "Attendee removed.")
    return redirect(f"{_detail_url(meeting)}#attendees")


def _detail_url(meeting) -> str:
    return reverse("panels:detail", kwargs={"pk": meeting.pk})


@capability_required(Cap.PANEL_MANAGE)
@require_POST
def agenda_build(request, pk: int):
    meeting = _meeting(request, pk)
    try:
        added = services.agenda_build(meeting=meeting, added_by=request.user)
    except services.PanelError as error:
        messages.error(request, str(error))
    else:
        if added:
            messages.success(
                request,
                f"{len(added)} {'person' if len(added) == 1 else 'people'} added to the agenda.",
            )
        else:
            messages.info(
                request, "Nobody else is due: the agenda already holds everyone suggested."
            )
    return redirect(f"{_detail_url(meeting)}#agenda")


@capability_required(Cap.PANEL_MANAGE)
@require_POST
def agenda_add(request, pk: int):
    meeting = _meeting(request, pk)
    form = AgendaAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the person's nominal reference.")
        return redirect(f"{_detail_url(meeting)}#agenda")
    data = form.cleaned_data
    person = person_visible_to(request.user).filter(reference=data["reference"].strip()).first()
    if person is None:
        messages.error(request, f"No person has the reference {data['reference']}.")
        return redirect(f"{_detail_url(meeting)}#agenda")
    try:
        item, created = services.agenda_item_add(
            meeting=meeting,
            person=person,
            reason=data["reason"],
            reason_detail=data["reason_detail"],
            added_by=request.user,
        )
    except services.PanelError as error:
        messages.error(request, str(error))
    else:
        if created:
            messages.success(request, f"{person.reference} added to the agenda.")
        else:
            messages.info(request, f"{person.reference} is already on the agenda.")
    return redirect(f"{_detail_url(meeting)}#agenda")


@capability_required(Cap.PANEL_MANAGE)
@require_POST
def agenda_remove(request, pk: int, item: int):
    meeting = _meeting(request, pk)
    try:
        services.agenda_item_remove(meeting=meeting, item_id=item)
    except services.PanelError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Removed from the agenda.")
    return redirect(f"{_detail_url(meeting)}#agenda")


def _agenda_item(request, meeting, item_id) -> AgendaItem:
    item = (
        AgendaItem.objects.filter(
            meeting=meeting,
            pk=item_id,
            person_id__in=person_visible_to(request.user).values("id"),
        )
        .select_related("person")
        .first()
    )
    if item is None:
        raise Http404("Not on this meeting's agenda")
    return item


@capability_required(Cap.PANEL_MANAGE)
def minute_edit(request, pk: int, item: int):
    meeting = _meeting(request, pk)
    agenda_item = _agenda_item(request, meeting, item)
    person = agenda_item.person
    minute = selectors.minutes_by_person(user=request.user, meeting=meeting).get(person.pk)
    conflict = None
    if request.method == "POST":
        saved = save_form(
            request,
            MinuteForm(request.POST),
            lambda data: services.minute_save(
                meeting=meeting,
                person=person,
                discussion=data["discussion"],
                decisions=data["decisions"],
                version=data["version"],
                recorded_by=request.user,
            ),
            rebuild=MinuteForm,
            success=f"Minute for {person.reference} saved.",
            done=f"{_detail_url(meeting)}#agenda",
            refused=(services.PanelError,),
        )
        if saved.response:
            return saved.response
        form, conflict = saved.form, saved.conflict
    else:
        form = MinuteForm(
            initial={
                "version": minute.version if minute else 0,
                "discussion": minute.discussion if minute else "",
                "decisions": minute.decisions if minute else "",
            }
        )
    _log_people(request, action="view_panel_minute", meeting=meeting, people=[person])
    history = [
        h
        for h in selectors.panel_history(user=request.user, person=person)
        if h["item"].meeting_id != meeting.pk
    ]
    return render(
        request,
        "panels/minute_form.html",
        {
            "meeting": meeting,
            "item": agenda_item,
            "person": person,
            "name": person_display_name(user=request.user, person=person),
            "form": form,
            "conflict": conflict,
            "open_actions": selectors.actions_for_person(
                user=request.user, person=person, open_only=True
            ),
            "history": history[:3],
            "today": timezone.localdate(),
        },
    )


def _people_on_agenda(request, meeting) -> list[tuple[str, str]]:
    return [
        (
            str(i.person_id),
            f"{i.person.reference} – {person_display_name(user=request.user, person=i.person)}",
        )
        for i in selectors.agenda_items(user=request.user, meeting=meeting)
    ]


@capability_required(Cap.PANEL_MANAGE)
def action_create(request, pk: int):
    meeting = _meeting(request, pk)
    owners = selectors.action_owner_choices()
    people = _people_on_agenda(request, meeting)
    form = ActionForm(request.POST or None, owners=owners, people=people)
    if request.method == "POST":
        saved = save_form(
            request,
            form,
            lambda data: services.action_create(
                meeting=meeting,
                person=Person.objects.filter(pk=int(data["person"])).first()
                if data.get("person")
                else None,
                raised_by=request.user,
                **action_fields(data),
            ),
            success=lambda action: (
                f"Action for {action.owner_label} due {action.due_on:%d/%m/%Y} set."
            ),
            done=f"{_detail_url(meeting)}#actions",
        )
        if saved.response:
            return saved.response
    if not form.is_bound and request.GET.get("person"):
        form.initial["person"] = request.GET["person"]
    return render(request, "panels/action_form.html", {"meeting": meeting, "form": form})


def _action(request, item) -> Action:
    try:
        return selectors.action_get(user=request.user, pk=item)
    except Action.DoesNotExist:
        raise Http404("No such action")


def action_update_page(request, item: int, *, back: str | None = None):
    """Update an action's status, owner or due date (shared by the panel and case pages)."""
    action = _action(request, item)
    owners = selectors.action_owner_choices()
    conflict = None
    if request.method == "POST":
        saved = save_form(
            request,
            ActionUpdateForm(request.POST, owners=owners),
            lambda data: services.action_update(
                action_id=action.pk,
                version=data["version"],
                changes={
                    "status": data["status"],
                    "update_note": data["update_note"],
                    "due_on": data["due_on"],
                    "owner": data["owner"],
                    "owner_name": "" if data["owner"] else data["owner_name"],
                },
            ),
            rebuild=lambda data: ActionUpdateForm(data, owners=owners),
            success="Action updated.",
            done=back or reverse("panels:actions"),
        )
        if saved.response:
            return saved.response
        form, conflict = saved.form, saved.conflict
    else:
        form = ActionUpdateForm(
            initial={
                "version": action.version,
                "status": action.status,
                "update_note": action.update_note,
                "due_on": action.due_on,
                "owner": action.owner_id,
                "owner_name": action.owner_name,
            },
            owners=owners,
        )
    if action.person_id:
        access_log_record(
            request=request,
            action="view_panel_action",
            object_type="person",
            object_id=action.person.reference,
            detail={"action": action.pk},
        )
    return render(
        request,
        "panels/action_update.html",
        {
            "action": action,
            "form": form,
            "conflict": conflict,
            "name": person_display_name(user=request.user, person=action.person)
            if action.person_id
            else "",
            "back": back,
        },
    )


@capability_required(Cap.PANEL_MANAGE)
def action_update(request, item: int):
    action = _action(request, item)
    back = _detail_url(action.meeting) + "#actions" if action.meeting_id else None
    return action_update_page(request, item, back=back)


@capability_required(Cap.PANEL_VIEW)
def action_list(request):
    """Every open action, overdue first: the panel's action tracker."""
    today = timezone.localdate()
    show = request.GET.get("show", "open")
    actions = selectors.action_tracker(user=request.user, show=show)
    rows = [
        {
            "action": a,
            "name": person_display_name(user=request.user, person=a.person) if a.person_id else "",
            "overdue": a.is_overdue(today),
        }
        for a in actions
    ]
    return render(
        request,
        "panels/action_list.html",
        {
            "rows": rows,
            "show": show,
            "today": today,
            "can_manage": user_can(request.user, Cap.PANEL_MANAGE),
        },
    )


# --- the panel pack ------------------------------------------------------------------------


def _pack(request, meeting, *, fmt: str):
    pack = selectors.pack_build(user=request.user, meeting=meeting, for_print=fmt == "pdf")
    _log_people(
        request,
        action="view_panel_pack",
        meeting=meeting,
        people=[c.person for c in pack.cases],
        extra={"format": fmt},
    )
    return pack


@capability_required(Cap.PANEL_VIEW)
def pack_html(request, pk: int):
    meeting = _meeting(request, pk)
    pack = _pack(request, meeting, fmt="html")
    return render(request, "panels/pack.html", {"pack": pack, "layout": "base.html", "pdf": False})


@capability_required(Cap.PANEL_VIEW)
def pack_pdf(request, pk: int):
    from highharm.panels.pdf import render_pdf

    meeting = _meeting(request, pk)
    pack = _pack(request, meeting, fmt="pdf")
    html = render_to_string(
        "panels/pack.html",
        {"pack": pack, "layout": "panels/pack_print.html", "pdf": True},
        request=request,
    )
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="panel-pack-{meeting.held_on:%Y-%m-%d}.pdf"'
    )
    response["Cache-Control"] = "no-store"
    return response
