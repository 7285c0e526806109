"""Thin HTTP for referrals, triage and monitoring: parse, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from highharm.accounts.decorators import capability_required
from highharm.accounts.editing import conflict_context, form_page, save_form, with_version
from highharm.accounts.models import Agency, User
from highharm.accounts.permissions import Cap, roles_with, user_can
from highharm.audit.services import access_log_record
from highharm.partners.selectors import service_choices
from highharm.people import selectors as people_selectors
from highharm.people.models import Person
from highharm.referrals import selectors, services
from highharm.referrals.forms import (
    AttendeeForm,
    DecisionForm,
    DeferForm,
    DismissForm,
    MeetingEditForm,
    MeetingForm,
    ReferralEditForm,
    ReferralForm,
    WithdrawForm,
    new_token,
)
from highharm.referrals.locking import EditConflict
from highharm.referrals.models import Alert, Referral, TriageAttendee


def _visible_person(user, reference: str) -> Person | None:
    try:
        return people_selectors.person_get(user=user, reference=reference.strip())
    except Person.DoesNotExist:
        return None


def _person_context(user, person: Person) -> dict:
    """What the user may see of a person on referral and triage pages."""
    visible = selectors.person_is_visible(user=user, person=person)
    facts = selectors.person_facts(person=person) if visible else None
    return {
        "person_visible": visible,
        "facts": facts,
        "display_name": people_selectors.person_display_name(user=user, person=person),
        "show_identity": user_can(user, Cap.PERSON_VIEW_IDENTITY),
        "show_victims": user_can(user, Cap.PERSON_VIEW_VICTIMS),
        "show_score": user_can(user, Cap.CANDIDATES_VIEW),
    }


# --- Referrals -------------------------------------------------------------------------------


@capability_required(Cap.REFERRAL_VIEW)
def referral_list(request):
    status = request.GET.get("status", "open")
    if status not in Referral.Status.values and status != "all":
        status = "open"
    query = request.GET.get("q", "").strip()[:40]
    referrals = list(
        selectors.referral_list(
            user=request.user, status=None if status == "all" else status, query=query
        )[:200]
    )
    access_log_record(
        request=request,
        action="list_referrals",
        object_type="referral",
        detail={"status": status, "query": query, "results": len(referrals)},
    )
    rows = [
        {
            "referral": r,
            "name": people_selectors.person_display_name(user=request.user, person=r.person),
        }
        for r in referrals
    ]
    return render(
        request,
        "referrals/referral_list.html",
        {
            "rows": rows,
            "status": status,
            "query": query,
            "statuses": [("open", "Awaiting triage")]
            + [(v, label) for v, label in Referral.Status.choices if v != "open"]
            + [("all", "All")],
        },
    )


@capability_required(Cap.REFERRAL_CREATE)
def referral_create(request):
    user = request.user
    may_use_references = user_can(user, Cap.PERSON_VIEW_VICTIMS)
    query = request.GET.get("q", "").strip()[:100]
    search_rows = []
    if query:
        found = people_selectors.person_search(user=user, query=query, limit=20)
        access_log_record(
            request=request,
            action="search",
            object_type="person",
            detail={"query": query, "results": len(found), "for": "referral"},
        )
        search_rows = [
            {"person": p, "name": people_selectors.person_display_name(user=user, person=p)}
            for p in found
        ]
    chosen = None
    if request.method == "POST":
        form = ReferralForm(request.POST, user=user, may_use_references=may_use_references)
        form.is_valid()
        data = form.cleaned_data
        person = None
        new_person = None
        if data.get("person_choice") == "existing" and data.get("person_reference"):
            person = _visible_person(user, data["person_reference"])
            if person is None:
                form.add_error(
                    "person_reference",
                    f"No one with the reference {data['person_reference'].strip()} is on the "
                    "records you may see: check it, or choose ‘Someone new’",
                )
        elif data.get("person_choice") == "new":
            new_person = {
                "given_name": data.get("given_name") or "",
                "family_name": data.get("family_name") or "",
                "date_of_birth": data.get("date_of_birth"),
                "gender": data.get("gender") or Person.Gender.UNKNOWN,
            }
        victims = form.victim_entries(lambda ref: _visible_person(user, ref))
        if not form.errors:
            try:
                result = services.referral_create(
                    referred_by=user,
                    source=data.get("source") or Referral.Source.PARTNER,
                    source_detail=data.get("source_detail") or "",
                    person=person,
                    new_person=new_person,
                    reason=data["reason"],
                    concerns=data["concerns"],
                    risk_indicators=data["risk_indicators"],
                    victims=victims,
                    no_known_victim=data["no_known_victim"],
                    children_in_household=data.get("children_in_household") or "",
                    children_count=data.get("children_count"),
                    children_ages=data.get("children_ages") or "",
                    children_notes=data.get("children_notes") or "",
                    submission_token=data["submission_token"],
                )
            except ValidationError as error:
                form.add_service_errors(error, {"victims": form.victims_field})
            else:
                referral = result.referral
                if not result.created:
                    messages.info(request, "This referral had already been received.")
                elif result.linked_to is not None:
                    messages.success(
                        request,
                        f"Referral received. {referral.person.reference} already has a "
                        f"referral awaiting triage (received "
                        f"{result.linked_to.referred_at:%d/%m/%Y}): yours has been added to "
                        "it, so triage will see both together.",
                    )
                else:
                    messages.success(
                        request,
                        f"Referral received for {referral.person.reference}. It is in the "
                        "queue for the next triage meeting.",
                    )
                return redirect("referrals:detail", referral_id=referral.pk)
        reference = (request.POST.get("person_reference") or "").strip()
    else:
        reference = request.GET.get("reference", "").strip()[:40]
        initial = {"submission_token": new_token()}
        if reference:
            initial.update(person_choice="existing", person_reference=reference)
        form = ReferralForm(initial=initial, user=user, may_use_references=may_use_references)
    if reference:
        person = _visible_person(user, reference)
        if person is not None:
            chosen = {
                "person": person,
                "name": people_selectors.person_display_name(user=user, person=person),
                "status": selectors.person_status_detail(person=person),
            }
    return render(
        request,
        "referrals/referral_form.html",
        {
            "form": form,
            "query": query,
            "search_rows": search_rows,
            "chosen": chosen,
            "is_partner": user.is_agency_scoped,
        },
    )


@capability_required(Cap.REFERRAL_CREATE)
@require_POST
def referral_from_candidate(request):
    """The candidate list's "Refer for triage" button: POST `reference`."""
    if not user_can(request.user, Cap.CANDIDATES_VIEW):
        raise Http404("Referrals from the candidate list come from the candidate list")
    reference = (request.POST.get("reference") or "").strip()[:40]
    if not reference:
        return HttpResponseBadRequest("Say which person to refer (reference)")
    person = _visible_person(request.user, reference)
    if person is None:
        raise Http404("No such person")
    score = selectors.person_score(person=person)
    explanation = ""
    if score:
        explanation = f"Candidate list score {score['score']}"
        if score.get("rank"):
            explanation += f" (rank {score['rank']})"
        if score.get("explanation"):
            explanation += f": {score['explanation']}"
    result = services.referral_from_candidate(
        person=person, referred_by=request.user, explanation=explanation
    )
    if not result.created:
        messages.info(request, f"{reference} was already referred from the candidate list.")
    elif result.linked_to is not None:
        messages.success(
            request,
            f"Referred {reference}: added to the referral already awaiting triage.",
        )
    else:
        messages.success(request, f"Referred {reference} for triage.")
    return redirect("referrals:detail", referral_id=result.referral.pk)


def _get_referral(request, referral_id: int) -> Referral:
    try:
        return selectors.referral_get(user=request.user, referral_id=referral_id)
    except Referral.DoesNotExist:
        raise Http404("No such referral, or not yours to see")


@capability_required(Cap.REFERRAL_VIEW)
def referral_detail(request, referral_id: int):
    user = request.user
    referral = _get_referral(request, referral_id)
    access_log_record(
        request=request,
        action="view_referral",
        object_type="referral",
        object_id=referral.pk,
        detail={"person": referral.person.reference},
    )
    context = _person_context(user, referral.person)
    unit_staff = not user.is_agency_scoped
    decisions = selectors.referral_decisions(referral=referral)
    context.update(
        {
            "referral": referral,
            "victims": list(referral.victims.select_related("person")),
            "linked": selectors.referral_linked(user=user, referral=referral),
            "linked_to_visible": referral.linked_to_id
            and selectors.referral_visible_to(user).filter(pk=referral.linked_to_id).exists(),
            "current": next((d for d in decisions if d.is_current), None),
            "decisions": decisions,
            "show_rationale": unit_staff,
            "can_triage": user_can(user, Cap.TRIAGE_MANAGE),
            "can_edit": referral.status in (Referral.Status.OPEN, Referral.Status.LINKED)
            and user_can(user, Cap.REFERRAL_CREATE),
            "open_meetings": list(selectors.meeting_open_list()[:5])
            if user_can(user, Cap.TRIAGE_MANAGE)
            else [],
            "matches": selectors.possible_matches(person=referral.person)
            if unit_staff and referral.person.reference.startswith("REF-")
            else [],
            "alerts": list(referral.alerts.select_related("incident")) if unit_staff else [],
        }
    )
    return render(request, "referrals/referral_detail.html", context)


@capability_required(Cap.REFERRAL_CREATE)
def referral_edit(request, referral_id: int):
    referral = _get_referral(request, referral_id)
    if referral.status not in (Referral.Status.OPEN, Referral.Status.LINKED):
        messages.info(request, "This referral has been decided and can no longer be changed.")
        return redirect("referrals:detail", referral_id=referral.pk)
    context = {"referral": referral}
    if request.method == "POST":
        saved = save_form(
            request,
            ReferralEditForm(request.POST),
            lambda data: services.referral_update(
                referral_id=referral.pk,
                expected_version=data["version"],
                by=request.user,
                **{k: v for k, v in data.items() if k != "version"},
            ),
            rebuild=ReferralEditForm,
            success="Referral updated.",
            done=_detail(referral),
        )
        return saved.response or form_page(
            request, "referrals/referral_edit.html", context, saved=saved
        )
    form = ReferralEditForm(
        initial={
            "version": referral.version,
            **{name: getattr(referral, name) for name in services.REFERRAL_EDITABLE},
        }
    )
    return form_page(request, "referrals/referral_edit.html", context, form=form)


def _detail(referral) -> str:
    return reverse("referrals:detail", kwargs={"referral_id": referral.pk})


@capability_required(Cap.REFERRAL_CREATE)
def referral_withdraw(request, referral_id: int):
    referral = _get_referral(request, referral_id)
    form = WithdrawForm(request.POST or None, initial={"version": referral.version})
    context = {"referral": referral}
    if request.method == "POST":
        saved = save_form(
            request,
            form,
            lambda data: services.referral_withdraw(
                referral_id=referral.pk,
                expected_version=data["version"],
                by=request.user,
                reason=data["reason"],
            ),
            rebuild=WithdrawForm,
            success="Referral withdrawn.",
            done=_detail(referral),
        )
        return saved.response or form_page(
            request, "referrals/referral_withdraw.html", context, saved=saved
        )
    return form_page(request, "referrals/referral_withdraw.html", context, form=form)


# --- Triage meetings -------------------------------------------------------------------------


def _chairs():
    roles = {r.value for r in roles_with(Cap.TRIAGE_MANAGE)}
    return User.objects.filter(is_active=True, role__in=roles).order_by("first_name", "username")


@capability_required(Cap.TRIAGE_MANAGE)
def meeting_list(request):
    form = MeetingForm(request.POST or None, chairs=_chairs(), initial={"chair": request.user.pk})
    if request.method == "POST" and form.is_valid():
        meeting = services.meeting_create(
            meeting_date=form.cleaned_data["meeting_date"],
            chair=form.cleaned_data["chair"],
            location=form.cleaned_data["location"],
            created_by=request.user,
        )
        messages.success(request, f"{meeting} created.")
        return redirect("referrals:meeting", meeting_id=meeting.pk)
    return render(
        request,
        "referrals/meeting_list.html",
        {
            "meetings": list(selectors.meeting_list()[:60]),
            "form": form,
            "open_count": selectors.open_referral_count(),
        },
    )


def _get_meeting(meeting_id: int):
    from highharm.referrals.models import TriageMeeting

    try:
        return selectors.meeting_get(meeting_id=meeting_id)
    except TriageMeeting.DoesNotExist:
        raise Http404("No such meeting")


@capability_required(Cap.TRIAGE_MANAGE)
def meeting_detail(request, meeting_id: int):
    meeting = _get_meeting(meeting_id)
    queue = [] if meeting.is_closed else selectors.triage_queue(meeting=meeting)
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
            )
        },
    )
    attendee_form = AttendeeForm(agencies=Agency.objects.filter(is_active=True))
    return render(
        request,
        "referrals/meeting_detail.html",
        {
            "meeting": meeting,
            "attendees": list(meeting.attendees.select_related("agency")),
            "attendee_form": attendee_form,
            "queue": queue,
            "decisions": decisions,
            "deferrals": list(meeting.deferrals.select_related("referral__person")),
            "show_score": user_can(request.user, Cap.CANDIDATES_VIEW),
        },
    )


@capability_required(Cap.TRIAGE_MANAGE)
def meeting_edit(request, meeting_id: int):
    meeting = _get_meeting(meeting_id)
    context = {"meeting": meeting}
    initial = {
        "version": meeting.version,
        "meeting_date": meeting.meeting_date,
        "chair": meeting.chair_id,
        "location": meeting.location,
        "notes": meeting.notes,
    }
    form = MeetingEditForm(request.POST or None, chairs=_chairs(), initial=initial)
    if request.method == "POST":
        saved = save_form(
            request,
            form,
            lambda data: services.meeting_update(
                meeting_id=meeting.pk,
                expected_version=data["version"],
                by=request.user,
                meeting_date=data["meeting_date"],
                chair=data["chair"],
                location=data["location"],
                notes=data["notes"],
            ),
            rebuild=lambda data: MeetingEditForm(data, chairs=_chairs()),
            success="Meeting details saved.",
            done=reverse("referrals:meeting", kwargs={"meeting_id": meeting.pk}),
        )
        return saved.response or form_page(
            request, "referrals/meeting_edit.html", context, saved=saved
        )
    return form_page(request, "referrals/meeting_edit.html", context, form=form)


@capability_required(Cap.TRIAGE_MANAGE)
@require_POST
def meeting_attendee_add(request, meeting_id: int):
    meeting = _get_meeting(meeting_id)
    form = AttendeeForm(request.POST, agencies=Agency.objects.filter(is_active=True))
    if form.is_valid():
        try:
            services.meeting_attendee_add(
                meeting=meeting,
                name=form.cleaned_data["name"],
                agency=form.cleaned_data["agency"],
                role=form.cleaned_data["role"],
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{form.cleaned_data['name']} recorded as present.")
    else:
        messages.error(request, " ".join(m for _a, m in form.error_summary()))
    return redirect(reverse("referrals:meeting", kwargs={"meeting_id": meeting.pk}) + "#present")


@capability_required(Cap.TRIAGE_MANAGE)
@require_POST
def meeting_attendee_remove(request, meeting_id: int, attendee_id: int):
    meeting = _get_meeting(meeting_id)
    attendee = TriageAttendee.objects.filter(meeting=meeting, pk=attendee_id).first()
    if attendee is None:
        raise Http404("No such attendee")
    try:
        services.meeting_attendee_remove(attendee=attendee, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("referrals:meeting", kwargs={"meeting_id": meeting.pk}) + "#present")


@capability_required(Cap.TRIAGE_MANAGE)
@require_POST
def meeting_close(request, meeting_id: int):
    meeting = _get_meeting(meeting_id)
    try:
        services.meeting_close(
            meeting_id=meeting.pk,
            expected_version=request.POST.get("version") or meeting.version,
            by=request.user,
        )
    except EditConflict:
        messages.error(
            request, "The meeting was changed by someone else: check it, then close it again."
        )
    else:
        messages.success(request, "Meeting closed. Referrals still open carry over to the next.")
    return redirect("referrals:meeting", meeting_id=meeting.pk)


def _decision_form(data=None, *, referral, revising, initial=None):
    return DecisionForm(
        data,
        services=service_choices(),
        revising=revising,
        initial=initial,
    )


@capability_required(Cap.TRIAGE_MANAGE)
def decide(request, meeting_id: int, referral_id: int):
    meeting = _get_meeting(meeting_id)
    referral = _get_referral(request, referral_id)
    if referral.status == Referral.Status.LINKED:
        messages.info(request, "This referral is linked to another: decide on that one.")
        return redirect("referrals:detail", referral_id=referral.linked_to_id)
    current = selectors.referral_current_decision(referral=referral)
    context = {
        "meeting": meeting,
        "referral": referral,
        "current": current,
        "linked": selectors.referral_linked(user=request.user, referral=referral),
        "victims": list(referral.victims.select_related("person")),
        "present": list(meeting.attendees.select_related("agency")),
        "defer_form": DeferForm(),
    }
    context.update(_person_context(request.user, referral.person))
    if request.method == "POST":
        form = _decision_form(request.POST, referral=referral, revising=current is not None)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = services.triage_decide(
                    referral_id=referral.pk,
                    meeting=meeting,
                    decided_by=request.user,
                    submission_token=data["submission_token"],
                    expected_version=data["version"],
                    outcome=data["outcome"],
                    rationale=data["rationale"],
                    pathway=data.get("pathway") or "",
                    pathway_detail=data.get("pathway_detail") or "",
                    monitor_until=data.get("monitor_until"),
                    revision_reason=data.get("revision_reason") or "",
                    referral_out_service=data.get("referral_out_service"),
                )
            except EditConflict as conflict:
                referral.refresh_from_db()
                current = selectors.referral_current_decision(referral=referral)
                context.update(conflict_context(conflict))
                context["current"] = current
                post = with_version(request.POST, referral.version)
                post["submission_token"] = new_token()
                form = _decision_form(post, referral=referral, revising=current is not None)
                form.is_valid()
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                if result.created:
                    messages.success(
                        request,
                        f"Decision recorded for {referral.person.reference}: "
                        f"{result.decision.summary}.",
                    )
                else:
                    messages.info(
                        request,
                        "This decision had already been recorded (the form was sent twice); "
                        "nothing was added.",
                    )
                return redirect("referrals:meeting", meeting_id=meeting.pk)
    else:
        initial = {"submission_token": new_token(), "version": referral.version}
        form = _decision_form(referral=referral, revising=current is not None, initial=initial)
    access_log_record(
        request=request,
        action="view_referral",
        object_type="referral",
        object_id=referral.pk,
        detail={"person": referral.person.reference, "for": "triage decision"},
    )
    context["form"] = form
    return render(request, "referrals/decide.html", context)


@capability_required(Cap.TRIAGE_MANAGE)
@require_POST
def defer(request, meeting_id: int, referral_id: int):
    meeting = _get_meeting(meeting_id)
    referral = _get_referral(request, referral_id)
    form = DeferForm(request.POST)
    form.is_valid()
    try:
        services.triage_defer(
            referral=referral,
            meeting=meeting,
            reason=form.cleaned_data.get("reason", ""),
            by=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("referrals:decide", meeting_id=meeting.pk, referral_id=referral.pk)
    messages.success(request, f"{referral.person.reference} carried over to the next meeting.")
    return redirect("referrals:meeting", meeting_id=meeting.pk)


# --- Monitoring ------------------------------------------------------------------------------


@capability_required(Cap.MONITORING_MANAGE)
def monitoring(request):
    show = "closed" if request.GET.get("show") == "closed" else "open"
    alerts = selectors.alert_rows(user=request.user, status=show, limit=200)
    periods = list(selectors.monitoring_period_list()[:500])
    access_log_record(
        request=request,
        action="view_monitoring",
        object_type="person",
        detail={
            "people": sorted(
                {r["alert"].person.reference for r in alerts}
                | {p.person.reference for p in periods}
            )[:500]
        },
    )
    return render(
        request,
        "referrals/monitoring.html",
        {
            "alerts": alerts,
            "periods": [
                {
                    "period": p,
                    "name": people_selectors.person_display_name(
                        user=request.user, person=p.person
                    ),
                }
                for p in periods
            ],
            "show": show,
            "show_victims": user_can(request.user, Cap.PERSON_VIEW_VICTIMS),
        },
    )


def _get_alert(request, alert_id: int) -> Alert:
    try:
        return selectors.alert_get(user=request.user, alert_id=alert_id)
    except Alert.DoesNotExist:
        raise Http404("No such alert")


@capability_required(Cap.MONITORING_MANAGE)
@require_POST
def alert_rerefer(request, alert_id: int):
    alert = _get_alert(request, alert_id)
    try:
        result = services.alert_rerefer(alert_id=alert.pk, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("referrals:monitoring")
    if result.created:
        messages.success(
            request,
            f"{alert.person.reference} re-referred for triage with incident "
            f"{alert.incident.crime_reference}.",
        )
    else:
        messages.info(request, "This alert had already been re-referred.")
    return redirect("referrals:detail", referral_id=result.referral.pk)


@capability_required(Cap.MONITORING_MANAGE)
def alert_dismiss(request, alert_id: int):
    alert = _get_alert(request, alert_id)
    context = {
        "alert": alert,
        "name": people_selectors.person_display_name(user=request.user, person=alert.person),
    }
    form = DismissForm(request.POST or None, initial={"version": alert.version})
    if request.method == "POST":
        saved = save_form(
            request,
            form,
            lambda data: services.alert_dismiss(
                alert_id=alert.pk,
                by=request.user,
                reason=data["reason"],
                expected_version=data["version"],
            ),
            success=f"Alert for {alert.incident.crime_reference} dismissed.",
            done=reverse("referrals:monitoring"),
        )
        if saved.conflict is not None:
            alert.refresh_from_db()
        return saved.response or form_page(
            request, "referrals/alert_dismiss.html", context, saved=saved
        )
    return form_page(request, "referrals/alert_dismiss.html", context, form=form)


# --- The person page section -----------------------------------------------------------------


def person_section(*, request, person):
    """Referrals, triage decisions and monitoring on the person page (PERSON_PAGE_SECTIONS)."""
    if not user_can(request.user, Cap.REFERRAL_VIEW):
        return None
    referrals = selectors.person_referrals(user=request.user, person=person)
    status = selectors.person_status_detail(person=person)
    return {
        "title": "Referrals and triage",
        "template": "referrals/_person_section.html",
        "context": {
            "referrals": referrals,
            "status": status if not request.user.is_agency_scoped else None,
            "can_refer": user_can(request.user, Cap.REFERRAL_CREATE),
            "person": person,
        },
    }
