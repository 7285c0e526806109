"""Forms for the partner directory (GOV.UK markup; the rules live in services)."""

from __future__ import annotations

from django import forms

from highharm.partners.models import AgencyService, ReferralOut
from highharm.referrals.forms import GovukForm  # one GOV.UK form base for the unit's pages

DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]


def _count(label: str, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=100000,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "class": "govuk-input govuk-input--width-5"}
        ),
        error_messages={
            "invalid": f"{label} must be a whole number, like 12",
            "min_value": f"{label} cannot be negative",
        },
    )


class ServiceForm(GovukForm):
    name = forms.CharField(label="Name of the service", max_length=200, required=False)
    service_type = forms.ChoiceField(
        label="Type of service",
        choices=[("", "Choose a type")] + list(AgencyService.ServiceType.choices),
        required=False,
    )
    description = forms.CharField(
        label="What it offers (optional)", widget=forms.Textarea, required=False
    )
    contact = forms.CharField(label="How to refer (optional)", max_length=300, required=False)
    accepts_referrals = forms.BooleanField(label="Taking referrals now", required=False)
    places_total = _count("Places in all", "Leave blank if places are not limited")
    places_available = _count("Free places now", "Leave blank if not known")
    waiting_days = _count(
        "Current waiting time in days", "From referral to start, as the service reports it"
    )

    def clean(self):
        data = super().clean()
        if not (data.get("name") or "").strip():
            self.add_error("name", "Enter the name of the service")
        if not data.get("service_type"):
            self.add_error("service_type", "Choose the type of service")
        return data


class ServiceEditForm(ServiceForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReferralOutForm(GovukForm):
    person_reference = forms.CharField(label="Nominal reference", max_length=40, required=False)
    service = forms.ModelChoiceField(
        label="Service", queryset=None, required=False, empty_label="Choose the service"
    )
    reason = forms.CharField(
        label="Why refer the person to this service?", widget=forms.Textarea, required=False
    )

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["service"].label_from_instance = lambda s: (
            f"{s.agency.name}: {s.name}"
            + (f" (waiting {s.waiting_days} days)" if s.waiting_days is not None else "")
        )

    def clean(self):
        data = super().clean()
        if not (data.get("person_reference") or "").strip():
            self.add_error("person_reference", "Enter the nominal reference of the person")
        if data.get("service") is None:
            self.add_error("service", "Choose the service to refer the person to")
        if not (data.get("reason") or "").strip():
            self.add_error("reason", "Enter why the person is referred to this service")
        return data


class ReferralOutUpdateForm(GovukForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label="Where has it got to?", choices=ReferralOut.Status.choices)
    started_on = forms.DateField(
        label="Date started (if started)",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="For example, 27/3/2026",
        error_messages={"invalid": "Enter the date as day/month/year, like 27/3/2026"},
    )
    rejection_reason = forms.CharField(
        label="Why the service rejected it (if rejected)", widget=forms.Textarea, required=False
    )
    outcome = forms.CharField(label="Outcome", widget=forms.Textarea, required=False)
