"""Forms for cases, with GOV.UK markup. Forms parse what was typed; services decide."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from highharm.cases import services
from highharm.cases.models import (
    TYPES_BY_KIND,
    CaseVictim,
    Contact,
    Exit,
    Intervention,
    Order,
    TracingRecord,
)
from highharm.panels.forms import (
    CreateOnceForm,
    GovukForm,
    VersionedForm,
    agency_field,
    date_field,
)


def _lead_field(queryset):
    field = forms.ModelChoiceField(
        label="Lead offender manager",
        queryset=queryset,
        empty_label="Choose a lead",
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    field.label_from_instance = lambda u: f"{u.display_name} ({u.role_label})"
    return field


class AllocateForm(GovukForm):
    decision = forms.IntegerField(widget=forms.HiddenInput)
    lead = forms.ModelChoiceField(queryset=None, label="Lead offender manager")

    def __init__(self, *args, leads=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"] = _lead_field(leads)


class CaseEditForm(VersionedForm):
    plan = forms.CharField(
        label="Management plan",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Objectives for tracing, engagement, enforcement and safeguarding, and who does what",
    )
    review_due = date_field("Review due", required=False)


class ReallocateForm(VersionedForm):
    lead = forms.ModelChoiceField(queryset=None)

    def __init__(self, *args, leads=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"] = _lead_field(leads)


def _grouped_types():
    labels = dict(Intervention.Type.choices)
    return [("", "Choose the intervention")] + [
        (kind.label, [(t.value, labels[t.value]) for t in types])
        for kind, types in TYPES_BY_KIND.items()
    ]


class RecordForm(CreateOnceForm):
    """A case record: created once (submission key) and edited with a version."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    fields_for_service: tuple[str, ...] = ()

    def service_fields(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in self.fields_for_service if name in self.fields
        }


class InterventionForm(RecordForm):
    type = forms.ChoiceField(label="Intervention", choices=_grouped_types)
    provider = forms.CharField(
        label="Provider",
        max_length=200,
        required=False,
        help_text="Agency, team or service delivering it",
    )
    started_on = date_field("Start date")
    ended_on = date_field("End date", required=False)
    status = forms.ChoiceField(label="Status", choices=Intervention.Status.choices)
    outcome = forms.ChoiceField(label="Outcome", choices=Intervention.Outcome.choices)
    engaged = forms.ChoiceField(
        label="Did the perpetrator engage?", choices=Intervention.Engagement.choices
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea)

    fields_for_service = services.INTERVENTION_FIELDS

    def clean(self):
        data = super().clean()
        start, end = data.get("started_on"), data.get("ended_on")
        if start and end and end < start:
            self.add_error("ended_on", "The end date must be on or after the start date.")
        return data


class OrderForm(RecordForm):
    type = forms.ChoiceField(label="Order", choices=[("", "Choose the order"), *Order.Type.choices])
    reference = forms.CharField(label="Court or order reference", max_length=100, required=False)
    starts_on = date_field("Start date")
    ends_on = date_field(
        "End date", required=False, help_text="Leave blank for an order made 'until further order'"
    )
    conditions = forms.CharField(
        label="Conditions", widget=forms.Textarea, help_text="The prohibitions and requirements"
    )
    intervention = forms.ModelChoiceField(
        label="Obtained through", queryset=None, required=False, empty_label="Not linked"
    )
    revoked_on = date_field("Revoked or discharged on", required=False)

    fields_for_service = services.ORDER_FIELDS

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intervention"].queryset = Intervention.objects.filter(
            case=case, kind=Intervention.Kind.ENFORCEMENT
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", "The end date must be on or after the start date.")
        return data


class ContactForm(RecordForm):
    with_whom = forms.ChoiceField(
        label="Contact with", choices=Contact.With.choices, widget=forms.RadioSelect
    )
    victim = forms.ModelChoiceField(
        label="Which victim", queryset=None, required=False, empty_label="Choose the victim"
    )
    agency = agency_field()
    agency_name = forms.CharField(label="Or another agency", max_length=200, required=False)
    method = forms.ChoiceField(label="How", choices=Contact.Method.choices)
    contacted_on = date_field("Date")
    notes = forms.CharField(label="Notes", widget=forms.Textarea)

    fields_for_service = services.CONTACT_FIELDS

    def __init__(self, *args, case=None, show_victims=False, **kwargs):
        super().__init__(*args, **kwargs)
        if show_victims:
            self.fields["victim"].queryset = CaseVictim.objects.filter(case=case).select_related(
                "victim"
            )
            self.fields["victim"].label_from_instance = lambda v: (
                f"{v.victim.full_name or v.victim.reference} ({v.victim.reference})"
            )
        else:
            del self.fields["victim"]
            self.fields["with_whom"].choices = [
                c for c in Contact.With.choices if c[0] != Contact.With.VICTIM
            ]

    def clean(self):
        data = super().clean()
        whom = data.get("with_whom")
        if whom == Contact.With.VICTIM and "victim" in self.fields and not data.get("victim"):
            self.add_error("victim", "Choose which victim.")
        if (
            whom == Contact.With.AGENCY
            and not data.get("agency")
            and not (data.get("agency_name") or "").strip()
        ):
            self.add_error("agency", "Choose the agency, or type its name.")
        day = data.get("contacted_on")
        if day and day > timezone.localdate():
            self.add_error("contacted_on", "A contact cannot be in the future.")
        return data


class TracingForm(RecordForm):
    recorded_on = date_field("Date")
    status = forms.ChoiceField(
        label="The perpetrator is now",
        choices=TracingRecord.Status.choices,
        widget=forms.RadioSelect,
    )
    last_known_address = forms.CharField(
        label="Last known address", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    whereabouts = forms.CharField(
        label="Whereabouts",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Where they are or are believed to be; the custody suite or prison if in custody",
    )
    attempt = forms.CharField(
        label="Attempt to locate",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was done to find them, and by whom",
    )

    fields_for_service = services.TRACING_FIELDS


class VictimAddForm(CreateOnceForm):
    reference = forms.CharField(label="Victim's nominal reference", max_length=40)
    relationship = forms.ChoiceField(
        label="Relationship to the perpetrator",
        choices=CaseVictim._meta.get_field("relationship").choices,
    )
    safeguarding = forms.ChoiceField(
        label="Safeguarding status", choices=CaseVictim.Safeguarding.choices
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea)


class VictimEditForm(VersionedForm):
    relationship = VictimAddForm.base_fields["relationship"]
    safeguarding = VictimAddForm.base_fields["safeguarding"]
    notes = VictimAddForm.base_fields["notes"]


class ExitForm(VersionedForm):
    reason = forms.ChoiceField(
        label="Why is the case closing?", choices=Exit.Reason.choices, widget=forms.RadioSelect
    )
    exited_on = date_field("Date of exit")
    rationale = forms.CharField(
        label="Rationale",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What has changed, what the panel agreed, and what happens next",
    )
    monitor = forms.BooleanField(
        label="Monitor for new incidents after exit", required=False, initial=True
    )
    monitor_until = date_field(
        "Monitor until",
        required=False,
        help_text="A new incident for this person before this date raises an alert",
    )

    def clean(self):
        data = super().clean()
        if data.get("monitor"):
            until, exited = data.get("monitor_until"), data.get("exited_on")
            if not until:
                self.add_error(
                    "monitor_until", "Give the date monitoring ends, or untick monitoring."
                )
            elif exited and until < exited:
                self.add_error("monitor_until", "Monitoring must end after the date of exit.")
        else:
            data["monitor_until"] = None
        return data


def default_monitoring_end(today: dt.date) -> dt.date:
    """A year after exit, the period a panel would usually keep watch."""
    try:
        return today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year + 1, day=28)


class CaseActionForm(CreateOnceForm):
    """An action on a case, set outside a panel meeting (carried to the next meeting)."""

    description = forms.CharField(label="Action", widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ModelChoiceField(
        label="Owner", queryset=None, required=False, empty_label="Not a Highharm user"
    )
    owner_name = forms.CharField(label="Or owner's name and role", max_length=200, required=False)
    agency = agency_field("Owner's agency")
    agency_name = forms.CharField(label="Or another agency", max_length=200, required=False)
    due_on = date_field("Due date")

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda u: f"{u.display_name} ({u.role_label})"

    def clean(self):
        data = super().clean()
        if not data.get("owner") and not (data.get("owner_name") or "").strip():
            self.add_error("owner", "Choose the owner, or type the name of one who is not a user.")
        return data
