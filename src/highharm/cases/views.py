"""Thin HTTP for cases and the dashboards: parse, call a service or selector, render.

Every page that shows a case writes the access log (object_type "case").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from highharm.accounts.decorators import capability_required
from highharm.accounts.editing import save_form
from highharm.accounts.permissions import Cap, user_can
from highharm.audit.services import access_log_record
from highharm.cases import selectors, services
from highharm.cases.forms import (
    AllocateForm,
    CaseActionForm,
    CaseEditForm,
    ContactForm,
    ExitForm,
    InterventionForm,
    OrderForm,
    ReallocateForm,
    TracingForm,
    VictimAddForm,
    VictimEditForm,
    default_monitoring_end,
)
from highharm.cases.models import Case, CaseVictim, Contact, Intervention, Order, TracingRecord
from highharm.panels import selectors as panel_selectors
from highharm.panels import services as panel_services
from highharm.panels.editing import first_error
from highharm.panels.models import Action
from highharm.panels.views import action_fields, action_update_page
from highharm.people.selectors import person_display_name, person_visible_to


def _case(request, pk: int, *, page: str) -> Case:
    """The case if the user may see it (else 404, whether absent or unshared), logged as a view."""
    try:
        case = selectors.case_get(user=request.user, pk=pk)
    except Case.DoesNotExist:
        raise Http404("No such case, or not shared with you")
    access_log_record(
        request=request,
        action="view_case",
        object_type="case",
        object_id=str(case.pk),
        detail={"person": case.person.reference, "page": page},
    )
    return case


def _save(
    request, case, form, save, *, success, rebuild=None, anchor="", refused_anchor=None, **kw
):
    """Save a form for this case (accounts.editing.save_form); a CaseError goes back to the case."""
    return save_form(
        request,
        form,
        save,
        rebuild=rebuild,
        success=success,
        done=_case_url(case, anchor),
        refused=(services.CaseError,),
        refused_to=_case_url(case, anchor if refused_anchor is None else refused_anchor),
        **kw,
    )


def _case_url(case, anchor: str = "") -> str:
    return reverse("cases:detail", kwargs={"pk": case.pk}) + (f"#{anchor}" if anchor else "")


# --- list and detail ----------------------------------------------------------------------------


@capability_required(Cap.CASE_VIEW)
def case_list(request):
    status = request.GET.get("status", "open")
    if status not in ("open", "closed", "all"):
        status = "open"
    query = request.GET.get("q", "").strip()[:100]
    mine = request.GET.get("mine") == "1"
    lead = request.user if mine else None
    lead_id = request.GET.get("lead", "")
    if lead is None and lead_id.isdigit():
        lead = selectors.lead_choices().filter(pk=int(lead_id)).first()
    cases = list(
        selectors.case_list(user=request.user, status=status, lead=lead, query=query)[:500]
    )
    today = timezone.localdate()
    tracing = selectors.current_tracing([c.pk for c in cases])
    rows = [
        {
            "case": c,
            "name": person_display_name(user=request.user, person=c.person),
            "whereabouts": tracing.get(c.pk),
            "review_overdue": c.is_open and c.review_due and c.review_due < today,
        }
        for c in cases
    ]
    if query:
        access_log_record(
            request=request,
            action="search",
            object_type="case",
            detail={"query": query, "results": len(rows)},
        )
    return render(
        request,
        "cases/case_list.html",
        {"rows": rows, "status": status, "query": query, "mine": mine, "lead": lead},
    )


@capability_required(Cap.CASE_VIEW)
def case_detail(request, pk: int):
    case = _case(request, pk, page="detail")
    today = timezone.localdate()
    detail = selectors.case_detail(user=request.user, case=case, today=today)
    can_manage = user_can(request.user, Cap.CASE_MANAGE) and case.is_open
    return render(
        request,
        "cases/case_detail.html",
        {
            "d": detail,
            "case": case,
            "today": today,
            "can_manage": can_manage,
            "can_allocate": user_can(request.user, Cap.CASE_ALLOCATE) and case.is_open,
            "kinds": [(kind, detail.interventions[kind.value]) for kind in Intervention.Kind],
            "suggested_victims": selectors.victims_suggested(case=case)
            if can_manage and detail.show_victims
            else [],
            "expiry_days": selectors.EXPIRY_WARNING_DAYS,
        },
    )


# --- plan, allocation, closure ------------------------------------------------------------------


@capability_required(Cap.CASE_MANAGE)
def case_edit(request, pk: int):
    case = _case(request, pk, page="edit")
    conflict = None
    if request.method == "POST":
        saved = _save(
            request,
            case,
            CaseEditForm(request.POST),
            lambda data: services.case_update(
                case_id=case.pk,
                version=data["version"],
                plan=data["plan"],
                review_due=data["review_due"],
            ),
            rebuild=CaseEditForm,
            success="Plan and review date saved.",
            anchor="plan",
            refused_anchor="",
        )
        if saved.response:
            return saved.response
        form, conflict = saved.form, saved.conflict
    else:
        form = CaseEditForm(
            initial={"version": case.version, "plan": case.plan, "review_due": case.review_due}
        )
    return _record_page(request, case, form, conflict, title="Plan and review", submit="Save")


@capability_required(Cap.CASE_ALLOCATE)
def case_reallocate(request, pk: int):
    case = _case(request, pk, page="reallocate")
    leads = selectors.lead_choices()
    conflict = None
    if request.method == "POST":
        saved = _save(
            request,
            case,
            ReallocateForm(request.POST, leads=leads),
            lambda data: services.case_reallocate(
                case_id=case.pk, version=data["version"], lead=data["lead"]
            ),
            rebuild=lambda data: ReallocateForm(data, leads=leads),
            success="Lead offender manager changed.",
        )
        if saved.response:
            return saved.response
        form, conflict = saved.form, saved.conflict
    else:
        form = ReallocateForm(initial={"version": case.version, "lead": case.lead_id}, leads=leads)
    return _record_page(
        request, case, form, conflict, title="Change the lead offender manager", submit="Save"
    )


@capability_required(Cap.CASE_MANAGE)
def case_close(request, pk: int):
    case = _case(request, pk, page="close")
    if not case.is_open:
        messages.info(request, f"This case closed on {case.closed_on:%d/%m/%Y}.")
        return redirect(_case_url(case, "exit"))
    today = timezone.localdate()
    conflict = None
    if request.method == "POST":
        form = ExitForm(request.POST)
        saved = _save(
            request,
            case,
            form,
            lambda data: services.case_close(
                case_id=case.pk,
                version=data["version"],
                reason=data["reason"],
                exited_on=data["exited_on"],
                rationale=data["rationale"],
                monitor_until=data["monitor_until"],
                closed_by=request.user,
            ),
            rebuild=ExitForm,
            success=lambda _: (
                "Case closed."
                + (
                    f" {case.person.reference} is monitored until "
                    f"{form.cleaned_data['monitor_until']:%d/%m/%Y}."
                    if form.cleaned_data["monitor_until"]
                    else ""
                )
            ),
            anchor="exit",
            refused_level=messages.INFO,
        )
        if saved.response:
            return saved.response
        form, conflict = saved.form, saved.conflict
    else:
        form = ExitForm(
            initial={
                "version": case.version,
                "exited_on": today,
                "monitor": True,
                "monitor_until": default_monitoring_end(today),
            }
        )
    open_actions = panel_selectors.actions_for_person(
        user=request.user, person=case.person, open_only=True
    )
    return _record_page(
        request,
        case,
        form,
        conflict,
        title="Close the case",
        submit="Close the case",
        warning=(
            f"{len(open_actions)} action{'s are' if len(open_actions) != 1 else ' is'} still open "
            "on this person. They stay open until their owners close them."
            if open_actions
            else ""
        ),
    )


def _record_page(request, case, form, conflict, *, title, submit, warning="", record=None):
    return render(
        request,
        "cases/record_form.html",
        {
            "case": case,
            "name": person_display_name(user=request.user, person=case.person),
            "form": form,
            "conflict": conflict,
            "title": title,
            "submit": submit,
            "warning": warning,
            "record": record,
        },
    )


# --- records on a case: interventions, orders, contacts, tracing ---------------------------


@dataclass
class RecordSpec:
    model: type
    form: type
    create: object
    update: object
    id_arg: str
    noun: str
    anchor: str
    needs_victims: bool = False


SPECS = {
    "intervention": RecordSpec(
        Intervention,
        InterventionForm,
        services.intervention_create,
        services.intervention_update,
        "intervention_id",
        "intervention",
        "interventions",
    ),
    "order": RecordSpec(
        Order,
        OrderForm,
        services.order_create,
        services.order_update,
        "order_id",
        "order",
        "orders",
    ),
    "contact": RecordSpec(
        Contact,
        ContactForm,
        services.contact_create,
        services.contact_update,
        "contact_id",
        "contact",
        "contacts",
    ),
    "tracing": RecordSpec(
        TracingRecord,
        TracingForm,
        services.tracing_create,
        services.tracing_update,
        "tracing_id",
        "tracing record",
        "tracing",
    ),
}


def _form_kwargs(request, name: str, case) -> dict:
    if name == "order":
        return {"case": case}
    if name == "contact":
        return {"case": case, "show_victims": user_can(request.user, Cap.PERSON_VIEW_VICTIMS)}
    return {}


def _record_form(request, pk: int, item: int | None, name: str):
    spec = SPECS[name]
    case = _case(request, pk, page=f"{name}_{'edit' if item else 'new'}")
    if not case.is_open:
        messages.info(request, "This case is closed: its records can no longer change.")
        return redirect(_case_url(case, spec.anchor))
    record = None
    if item is not None:
        record = spec.model.objects.filter(case=case, pk=item).first()
        if record is None:
            raise Http404("No such record on this case")
        if (
            isinstance(record, Contact)
            and record.with_whom == Contact.With.VICTIM
            and not user_can(request.user, Cap.PERSON_VIEW_VICTIMS)
        ):
            raise Http404("No such record on this case")
    kwargs = _form_kwargs(request, name, case)
    conflict = None
    if request.method == "POST":
        form = spec.form(request.POST, **kwargs)
        if record is not None and not form.data.get("version"):
            form.add_error(None, "The form is missing its version: reload the page.")
        if record is None:

            def save(data):
                return spec.create(
                    case=case,
                    recorded_by=request.user,
                    submission_key=data["submission_key"],
                    **form.service_fields(),
                )
        else:

            def save(data):
                return spec.update(
                    **{spec.id_arg: record.pk}, version=data["version"], **form.service_fields()
                )

        saved = _save(
            request,
            case,
            form,
            save,
            rebuild=lambda data: spec.form(data, **kwargs),
            success=f"{spec.noun.capitalize()} {'saved' if record else 'added'}.",
            anchor=spec.anchor,
        )
        if saved.response:
            return saved.response
        form, conflict = saved.form, saved.conflict
    elif record is not None:
        initial = {f: getattr(record, f) for f in spec.form.fields_for_service}
        for key in ("intervention", "victim", "agency"):
            if key in initial and initial[key] is not None:
                initial[key] = initial[key].pk
        form = spec.form(initial={**initial, "version": record.version}, **kwargs)
    else:
        form = spec.form(initial=_defaults(name, request), **kwargs)
    title = (
        f"{'Change' if record else 'Add'} {'an' if spec.noun[0] in 'aeiou' else 'a'} {spec.noun}"
    )
    return _record_page(request, case, form, conflict, title=title, submit="Save", record=record)


def _defaults(name: str, request) -> dict:
    today = timezone.localdate()
    if name == "intervention":
        initial = {"started_on": today}
        kind = request.GET.get("kind")
        if kind in Intervention.Kind.values:
            from highharm.cases.models import TYPES_BY_KIND

            initial["type"] = TYPES_BY_KIND[Intervention.Kind(kind)][0].value
        return initial
    if name == "order":
        return {"starts_on": today}
    if name == "contact":
        return {"contacted_on": today, "with_whom": Contact.With.PERPETRATOR}
    if name == "tracing":
        return {"recorded_on": today}
    return {}


def _record_views(name: str):
    """The 'add' and 'change' pages for one kind of case record (SPECS[name])."""

    def new(request, pk: int):
        return _record_form(request, pk, None, name)

    def edit(request, pk: int, item: int):
        return _record_form(request, pk, item, name)

    new.__name__ = new.__qualname__ = f"{name}_new"
    edit.__name__ = edit.__qualname__ = f"{name}_edit"
    guard = capability_required(Cap.CASE_MANAGE)
    return guard(new), guard(edit)


intervention_new, intervention_edit = _record_views("intervention")
order_new, order_edit = _record_views("order")
contact_new, contact_edit = _record_views("contact")
tracing_new, tracing_edit = _record_views("tracing")


# --- victims (only for roles that may see victims) ------------------------------------------


def _require_victims(request) -> None:
    if not user_can(request.user, Cap.PERSON_VIEW_VICTIMS):
        raise PermissionDenied("Your role may not see victims")


@capability_required(Cap.CASE_MANAGE)
def victim_new(request, pk: int):
    _require_victims(request)
    case = _case(request, pk, page="victim_new")
    if not case.is_open:
        return redirect(_case_url(case, "victims"))
    form = VictimAddForm(request.POST or None)
    if request.method == "GET" and request.GET.get("reference"):
        reference = request.GET["reference"][:40]
        victim = person_visible_to(request.user).filter(reference=reference).first()
        form = VictimAddForm(
            initial={
                "reference": reference,
                "relationship": selectors.relationship_kind(case=case, victim=victim)
                if victim
                else "unknown",
            }
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        victim = person_visible_to(request.user).filter(reference=data["reference"].strip()).first()
        if victim is None:
            form.add_error(
                "reference", "No person has that reference. Check it on the person's record."
            )
        else:
            saved = _save(
                request,
                case,
                form,
                lambda data: services.victim_add(
                    case=case,
                    victim=victim,
                    added_by=request.user,
                    relationship=data["relationship"],
                    safeguarding=data["safeguarding"],
                    notes=data["notes"],
                ),
                success=lambda result: (
                    f"{victim.reference} linked to the case."
                    if result[1]
                    else f"{victim.reference} was already linked to the case."
                ),
                anchor="victims",
            )
            if saved.response:
                return saved.response
    return _record_page(request, case, form, None, title="Link a victim", submit="Link the victim")


@capability_required(Cap.CASE_MANAGE)
def victim_edit(request, pk: int, item: int):
    _require_victims(request)
    case = _case(request, pk, page="victim_edit")
    link = CaseVictim.objects.filter(case=case, pk=item).select_related("victim").first()
    if link is None:
        raise Http404("No such victim on this case")
    conflict = None
    if request.method == "POST":
        saved = _save(
            request,
            case,
            VictimEditForm(request.POST),
            lambda data: services.victim_update(
                case_victim_id=link.pk,
                version=data["version"],
                relationship=data["relationship"],
                safeguarding=data["safeguarding"],
                notes=data["notes"],
            ),
            rebuild=VictimEditForm,
            success=f"Safeguarding for {link.victim.reference} saved.",
            anchor="victims",
        )
        if saved.response:
            return saved.response
        form, conflict = saved.form, saved.conflict
    else:
        form = VictimEditForm(
            initial={
                "version": link.version,
                "relationship": link.relationship,
                "safeguarding": link.safeguarding,
                "notes": link.notes,
            }
        )
    access_log_record(
        request=request,
        action="view_person",
        object_type="person",
        object_id=link.victim.reference,
        detail={"case": case.pk, "as": "victim"},
    )
    return _record_page(
        request,
        case,
        form,
        conflict,
        title=f"Victim {link.victim.reference}: {link.victim.full_name}",
        submit="Save",
    )


# --- actions on a case ---------------------------------------------------------------------


@capability_required(Cap.CASE_MANAGE)
def action_new(request, pk: int):
    case = _case(request, pk, page="action_new")
    owners = panel_selectors.action_owner_choices()
    form = CaseActionForm(request.POST or None, owners=owners)
    if request.method == "POST":
        saved = save_form(
            request,
            form,
            lambda data: panel_services.action_create(
                person=case.person, raised_by=request.user, **action_fields(data)
            ),
            success="Action set. It will be carried to the next panel.",
            done=_case_url(case, "actions"),
        )
        if saved.response:
            return saved.response
    if not form.is_bound:
        form.initial.setdefault("owner", request.user.pk)
    return _record_page(request, case, form, None, title="Set an action", submit="Set the action")


@capability_required(Cap.CASE_MANAGE)
def action_update(request, item: int):
    try:
        action = panel_selectors.action_get(user=request.user, pk=item)
    except Action.DoesNotExist:
        raise Http404("No such action")
    if action.person_id is None:
        raise Http404("Not an action on a case")
    back = None
    if action.person_id:
        case = (
            selectors.case_visible_to(request.user)
            .filter(person_id=action.person_id)
            .order_by("-opened_on")
            .first()
        )
        if case is not None:
            back = _case_url(case, "actions")
    return action_update_page(request, item, back=back)


# --- allocation and dashboards -------------------------------------------------------------


@capability_required(Cap.DASHBOARD_SUPERVISOR)
def supervisor(request):
    today = timezone.localdate()
    board = selectors.supervisor_dashboard(user=request.user, today=today)
    leads = selectors.lead_choices()
    return render(
        request,
        "cases/supervisor.html",
        {
            "board": board,
            "allocate_forms": [
                (d, AllocateForm(initial={"decision": d.pk}, leads=leads, prefix=f"d{d.pk}"))
                for d in board.awaiting
            ],
            "can_allocate": user_can(request.user, Cap.CASE_ALLOCATE),
            "expiry_days": selectors.EXPIRY_WARNING_DAYS,
        },
    )


@capability_required(Cap.CASE_ALLOCATE)
@require_POST
def allocate(request):
    """Open a case for a person adopted at triage, with the lead chosen by the supervisor."""
    decision_id = request.POST.get("decision", "")
    prefix = f"d{decision_id}" if decision_id.isdigit() else None
    form = AllocateForm(request.POST, leads=selectors.lead_choices(), prefix=prefix)
    if not decision_id.isdigit() or not form.is_valid():
        messages.error(request, "Choose the lead offender manager for the case.")
        return redirect(reverse("cases:supervisor") + "#awaiting")
    from highharm.referrals.models import TriageDecision

    decision = (
        TriageDecision.objects.filter(pk=int(decision_id))
        .select_related("referral__person")
        .first()
    )
    if decision is None:
        raise Http404("No such triage decision")
    existing = Case.objects.filter(person=decision.referral.person, status=Case.Status.OPEN).first()
    if existing is not None:
        messages.info(
            request,
            f"{decision.referral.person.reference} already has an open case, led by "
            f"{existing.lead.display_name}.",
        )
        return redirect(_case_url(existing))
    try:
        case, _ = services.case_open(
            person=decision.referral.person,
            lead=form.cleaned_data["lead"],
            opened_by=request.user,
            triage_decision=decision,
        )
    except (services.CaseError, ValidationError) as error:
        messages.error(
            request, first_error(error) if isinstance(error, ValidationError) else str(error)
        )
        return redirect(reverse("cases:supervisor") + "#awaiting")
    messages.success(
        request,
        f"Case opened for {case.person.reference}, led by {case.lead.display_name}.",
    )
    return redirect(_case_url(case))


@capability_required(Cap.CASE_MANAGE)
def dashboard(request):
    """The offender manager's dashboard as a page of its own (it is also on the home page)."""
    board = selectors.offender_manager_dashboard(user=request.user)
    section = {"context": {"board": board, "expiry_days": selectors.EXPIRY_WARNING_DAYS}}
    return render(request, "cases/dashboard.html", {"section": section})


def home_section(*, request) -> dict | None:
    """The offender manager's dashboard on the home page (settings.HOME_SECTIONS)."""
    if request.user.role != "offender_manager" or not user_can(request.user, Cap.CASE_MANAGE):
        return None
    board = selectors.offender_manager_dashboard(user=request.user)
    return {
        "template": "cases/_dashboard.html",
        "context": {"board": board, "expiry_days": selectors.EXPIRY_WARNING_DAYS},
    }


def person_section(*, request, person) -> dict | None:
    """The person page's 'Case' section (settings.PERSON_PAGE_SECTIONS)."""
    return selectors.person_case_section(user=request.user, person=person)
