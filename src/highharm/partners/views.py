"""Thin HTTP for the partner directory: agencies, services, capacity and referrals out."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from highharm.accounts.decorators import capability_required
from highharm.accounts.editing import form_page, save_form
from highharm.accounts.models import Agency
from highharm.accounts.permissions import Cap, user_can
from highharm.audit.services import access_log_record
from highharm.partners import selectors, services
from highharm.partners.forms import (
    ReferralOutForm,
    ReferralOutUpdateForm,
    ServiceEditForm,
    ServiceForm,
)
from highharm.partners.models import AgencyService, ReferralOut
from highharm.people import selectors as people_selectors
from highharm.people.models import Person


def _threshold(request) -> int | None:
    raw = request.GET.get("threshold", "")
    if raw.isdigit() and 0 < int(raw) <= 365:
        return int(raw)
    return None


@capability_required(Cap.PARTNER_DIRECTORY_VIEW)
def directory(request):
    summary = selectors.capacity_summary(threshold=_threshold(request))
    capacity = {row.service.pk: row for row in summary["services"]}
    agencies = []
    for agency in selectors.agency_directory():
        agencies.append(
            {
                "agency": agency,
                "services": [
                    {"service": s, "capacity": capacity.get(s.pk)} for s in agency.services.all()
                ],
            }
        )
    return render(
        request,
        "partners/directory.html",
        {
            "agencies": agencies,
            "summary": summary,
            "outcomes": [
                (ReferralOut.Status(status).label, n)
                for status, n in selectors.outcome_counts().items()
            ],
            "can_manage": user_can(request.user, Cap.PARTNER_DIRECTORY_MANAGE),
            "can_refer": user_can(request.user, Cap.PERSON_SHARE),
            "sees_people": user_can(request.user, Cap.PERSON_VIEW),
        },
    )


def _agency(agency_id: int) -> Agency:
    try:
        return selectors.agency_get(agency_id=agency_id)
    except Agency.DoesNotExist:
        raise Http404("No such agency")


def _rows(user, referrals_out) -> list[dict]:
    return [
        {"ro": ro, "name": people_selectors.person_display_name(user=user, person=ro.person)}
        for ro in referrals_out
    ]


@capability_required(Cap.PARTNER_DIRECTORY_VIEW)
def agency_detail(request, agency_id: int):
    agency = _agency(agency_id)
    summary = selectors.capacity_summary(threshold=_threshold(request))
    services_here = [row for row in summary["services"] if row.service.agency_id == agency.pk]
    inactive = AgencyService.objects.filter(agency=agency).exclude(
        pk__in=[r.service.pk for r in services_here]
    )
    referrals_out = list(
        selectors.referral_out_visible_to(request.user).filter(service__agency=agency)[:200]
    )
    if referrals_out:
        access_log_record(
            request=request,
            action="view_referrals_out",
            object_type="agency",
            object_id=agency.pk,
            detail={"people": sorted({ro.person.reference for ro in referrals_out})},
        )
    return render(
        request,
        "partners/agency_detail.html",
        {
            "agency": agency,
            "services": services_here,
            "inactive": list(inactive),
            "threshold": summary["threshold"],
            "rows": _rows(request.user, referrals_out),
            "can_manage": user_can(request.user, Cap.PARTNER_DIRECTORY_MANAGE),
            "can_update_capacity": _may_update_capacity(request.user, agency),
            "outcomes": [
                (
                    s.name,
                    [
                        (ReferralOut.Status(k).label, n)
                        for k, n in selectors.outcome_counts(service=s).items()
                        if n
                    ],
                )
                for s in AgencyService.objects.filter(agency=agency)
            ],
        },
    )


def _may_update_capacity(user, agency) -> bool:
    if user_can(user, Cap.PARTNER_DIRECTORY_MANAGE):
        return True
    return bool(user.is_agency_scoped and user.agency_id == agency.pk)


@capability_required(Cap.PARTNER_DIRECTORY_MANAGE)
def service_create(request, agency_id: int):
    agency = _agency(agency_id)
    form = ServiceForm(request.POST or None, initial={"accepts_referrals": True})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            service = services.service_create(agency=agency, by=request.user, **data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{service.name} added to {agency}.")
            return redirect("partners:agency", agency_id=agency.pk)
    return render(
        request, "partners/service_form.html", {"form": form, "agency": agency, "service": None}
    )


@capability_required(Cap.PARTNER_DIRECTORY_VIEW)
def service_edit(request, service_id: int):
    """Change a service. Directory managers may change anything; a partner-agency user may
    keep their own agency's capacity up to date. Anyone else is told there is no such page."""
    try:
        service = selectors.service_get(service_id=service_id)
    except AgencyService.DoesNotExist:
        raise Http404("No such service")
    if not _may_update_capacity(request.user, service.agency):
        raise Http404("No such service")
    full = user_can(request.user, Cap.PARTNER_DIRECTORY_MANAGE)
    initial = {
        "version": service.version,
        **{f: getattr(service, f) for f in services.SERVICE_FIELDS},
    }
    allowed = services.SERVICE_FIELDS if full else services.CAPACITY_FIELDS

    def service_form(data=None):
        form = ServiceEditForm(data, initial=initial)
        if not full:
            for name in ("name", "service_type", "description", "contact"):
                form.fields[name].disabled = True
        return form

    context = {"agency": service.agency, "service": service, "full": full}
    form = service_form(request.POST or None)
    if request.method == "POST":
        saved = save_form(
            request,
            form,
            lambda data: services.service_update(
                service_id=service.pk,
                expected_version=data["version"],
                by=request.user,
                **{k: v for k, v in data.items() if k in allowed},
            ),
            rebuild=service_form,
            success=f"{service.name} updated.",
            done=reverse("partners:agency", kwargs={"agency_id": service.agency_id}),
            conflicts=(services.StaleEdit,),
        )
        return saved.response or form_page(
            request, "partners/service_form.html", context, saved=saved
        )
    return form_page(request, "partners/service_form.html", context, form=form)


@capability_required(Cap.PARTNER_DIRECTORY_VIEW)
def referral_out_list(request):
    pending = request.GET.get("show") != "all"
    referrals_out = list(selectors.referral_out_list(user=request.user, pending_only=pending)[:300])
    if referrals_out:
        access_log_record(
            request=request,
            action="view_referrals_out",
            object_type="person",
            detail={"people": sorted({ro.person.reference for ro in referrals_out})},
        )
    return render(
        request,
        "partners/referral_out_list.html",
        {
            "rows": _rows(request.user, referrals_out),
            "pending": pending,
            "sees_people": user_can(request.user, Cap.PERSON_VIEW),
            "can_refer": user_can(request.user, Cap.PERSON_SHARE),
        },
    )


@capability_required(Cap.PERSON_SHARE)
def referral_out_create(request):
    form = ReferralOutForm(
        request.POST or None,
        services=selectors.service_choices(),
        initial={
            "person_reference": request.GET.get("reference", "")[:40],
            "service": request.GET.get("service") or None,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = people_selectors.person_get(
                user=request.user, reference=data["person_reference"].strip()
            )
        except Person.DoesNotExist:
            form.add_error(
                "person_reference",
                f"No one with the reference {data['person_reference'].strip()} is on the records "
                "you may see",
            )
        else:
            try:
                referral_out = services.referral_out_create(
                    person=person, service=data["service"], reason=data["reason"], by=request.user
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request,
                    f"{person.reference} referred to {referral_out.service}. The person is now "
                    f"shared with {referral_out.service.agency}.",
                )
                return redirect("partners:referral_out", referral_out_id=referral_out.pk)
    return render(request, "partners/referral_out_form.html", {"form": form})


@capability_required(Cap.PARTNER_DIRECTORY_VIEW)
def referral_out_detail(request, referral_out_id: int):
    try:
        referral_out = selectors.referral_out_get(
            user=request.user, referral_out_id=referral_out_id
        )
    except ReferralOut.DoesNotExist:
        raise Http404("No such referral out, or not yours to see")
    access_log_record(
        request=request,
        action="view_referral_out",
        object_type="referral_out",
        object_id=referral_out.pk,
        detail={"person": referral_out.person.reference},
    )
    editable = selectors.referral_out_editable_by(request.user).filter(pk=referral_out.pk).exists()
    initial = {
        "version": referral_out.version,
        "status": referral_out.status,
        "started_on": referral_out.started_on,
        "rejection_reason": referral_out.rejection_reason,
        "outcome": referral_out.outcome,
    }
    form = ReferralOutUpdateForm(request.POST or None, initial=initial) if editable else None
    context = {
        "ro": referral_out,
        "name": people_selectors.person_display_name(user=request.user, person=referral_out.person),
        "days_waiting": referral_out.days_waiting(),
    }
    if request.method == "POST" and form is not None:
        saved = save_form(
            request,
            form,
            lambda data: services.referral_out_update(
                referral_out_id=referral_out.pk,
                expected_version=data["version"],
                by=request.user,
                status=data["status"],
                outcome=data["outcome"],
                rejection_reason=data["rejection_reason"],
                started_on=data["started_on"],
            ),
            rebuild=ReferralOutUpdateForm,
            success="Referral out updated.",
            done=reverse("partners:referral_out", kwargs={"referral_out_id": referral_out.pk}),
            conflicts=(services.StaleEdit,),
        )
        return saved.response or form_page(
            request, "partners/referral_out_detail.html", context, saved=saved
        )
    return form_page(request, "partners/referral_out_detail.html", context, form=form)
