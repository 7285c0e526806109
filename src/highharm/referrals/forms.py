"""Forms for referrals, triage and monitoring, rendered with GOV.UK Design System markup.

Forms only parse and check what the user typed; the rules live in services.
"""

from __future__ import annotations

import uuid

from django import forms

from highharm.people.models import Person, Relationship
from highharm.referrals.models import Referral, RiskIndicator, TriageDecision

DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y"]
VICTIM_ROWS = 3


class GovukForm(forms.Form):
    """Adds GOV.UK classes to widgets and lists errors for the error summary."""

    error_anchors: dict[str, str] = {}
    # {key of a service's ValidationError: the field on this form that shows it}
    service_error_fields: dict[str, str] = {}
    # No `required` attribute: the browser must not pre-empt the server's clearer messages.
    use_required_attribute = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect):
                widget.attrs.setdefault("class", "govuk-radios__input")
            elif isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "govuk-checkboxes__input")
            elif isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "govuk-checkboxes__input")
            elif isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("class", "govuk-textarea")
                widget.attrs.setdefault("rows", 4)
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "govuk-select")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "govuk-input")

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                css = widget.attrs.get("class", "")
                for base in ("govuk-input", "govuk-textarea", "govuk-select"):
                    if css.split(" ")[0] == base and f"{base}--error" not in css:
                        widget.attrs["class"] = f"{css} {base}--error"

    # {field name: {choice value: id of the conditional block the choice reveals}}
    conditionals: dict[str, dict[str, str]] = {}

    def _items(self, name: str) -> list[dict]:
        bound = self[name]
        value = bound.value()
        chosen = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
        controls = self.conditionals.get(name, {})
        return [
            {
                "id": f"{bound.auto_id}_{i}",
                "name": bound.html_name,
                "value": choice_value,
                "label": choice_label,
                "checked": str(choice_value) in chosen,
                "controls": controls.get(str(choice_value), ""),
            }
            for i, (choice_value, choice_label) in enumerate(self.fields[name].choices)
            if choice_value != ""
        ]

    @property
    def radios(self) -> dict[str, list[dict]]:
        """Radio and checkbox items for the templates: form.radios.<field>."""
        return {
            name: self._items(name)
            for name, field in self.fields.items()
            if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)
        }

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor, message) for each error, in the order of the fields on the page."""
        rows = []
        for name, field in self.fields.items():
            for message in self.errors.get(name, []):
                widget = field.widget
                anchor = self[name].auto_id
                if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                    anchor = f"{anchor}_0"
                rows.append((self.error_anchors.get(name, anchor), message))
        for message in self.non_field_errors():
            rows.append(("", message))
        return rows

    def add_service_errors(self, error, mapping: dict[str, str] | None = None):
        """Put a service's ValidationError on the matching fields."""
        mapping = {**self.service_error_fields, **(mapping or {})}
        if hasattr(error, "error_dict"):
            for key, errors in error.message_dict.items():
                target = mapping.get(key, key)
                for message in errors:
                    self.add_error(target if target in self.fields else None, message)
        else:
            for message in error.messages:
                self.add_error(None, message)


def new_token() -> str:
    return str(uuid.uuid4())


class ReferralForm(GovukForm):
    PERSON_CHOICES = [("existing", "Someone already on police records"), ("new", "Someone new")]
    SOURCE_CHOICES = [
        (Referral.Source.OFFICER, "A police officer or member of police staff"),
        (Referral.Source.PARTNER, "A partner agency (recorded on their behalf)"),
        (Referral.Source.OTHER, "Somewhere else"),
    ]

    submission_token = forms.UUIDField(widget=forms.HiddenInput)
    person_choice = forms.ChoiceField(
        label="Who are you referring?",
        choices=PERSON_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the person is already on police records"},
    )
    person_reference = forms.CharField(
        label="Nominal reference",
        required=False,
        max_length=40,
        help_text="Search above by name or reference, or type the reference, for example P100",
    )
    given_name = forms.CharField(label="First name", required=False, max_length=100)
    family_name = forms.CharField(label="Last name", required=False, max_length=100)
    date_of_birth = forms.DateField(
        label="Date of birth (if known)",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="For example, 27/3/1985",
        error_messages={"invalid": "Enter the date of birth as day/month/year, like 27/3/1985"},
    )
    gender = forms.ChoiceField(
        label="Gender", choices=Person.Gender.choices, initial=Person.Gender.UNKNOWN, required=False
    )
    source = forms.ChoiceField(
        label="Where does the referral come from?",
        choices=SOURCE_CHOICES,
        widget=forms.RadioSelect,
        initial=Referral.Source.OFFICER,
        error_messages={"required": "Choose where the referral comes from"},
    )
    source_detail = forms.CharField(
        label="Name the agency, team or source",
        required=False,
        max_length=200,
    )
    reason = forms.CharField(
        label="Reason for the referral",
        widget=forms.Textarea,
        required=False,
        help_text="Why should the High Harm Unit look at this person now?",
    )
    concerns = forms.CharField(
        label="Your concerns",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=(
            "What has happened, to whom, and what you fear may happen next. "
            "Include dates and crime references where you have them."
        ),
    )
    risk_indicators = forms.MultipleChoiceField(
        label="Risk indicators you know of",
        choices=RiskIndicator.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select all that apply.",
    )
    no_known_victim = forms.BooleanField(label="No victim is known", required=False)
    children_in_household = forms.ChoiceField(
        label="Are there children in the household?",
        choices=Referral.Children.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    children_count = forms.IntegerField(
        label="How many children?",
        required=False,
        min_value=1,
        max_value=30,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": "Enter the number of children as a number, like 2"},
    )
    children_ages = forms.CharField(
        label="Their ages (if known)", required=False, max_length=200, help_text="For example, 3, 7"
    )
    children_notes = forms.CharField(
        label="Anything else about the children (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    conditionals = {
        "person_choice": {"existing": "conditional-existing", "new": "conditional-new"},
        "source": {"other": "conditional-source-other", "partner": "conditional-source-other"},
        "children_in_household": {"yes": "conditional-children"},
    }

    def __init__(self, *args, user=None, may_use_references: bool = True, **kwargs):
        self.user = user
        self.is_partner = bool(user is not None and user.is_agency_scoped)
        self.may_use_references = may_use_references
        super().__init__(*args, **kwargs)
        relationship_choices = [("", "Choose a relationship")] + list(Relationship.Kind.choices)
        for i in range(1, VICTIM_ROWS + 1):
            if may_use_references:
                self.fields[f"victim_{i}_reference"] = forms.CharField(
                    label="Nominal reference (if on records)", required=False, max_length=40
                )
            self.fields[f"victim_{i}_name"] = forms.CharField(
                label="Name", required=False, max_length=200
            )
            self.fields[f"victim_{i}_relationship"] = forms.ChoiceField(
                label="Relationship to the person referred",
                choices=relationship_choices,
                required=False,
            )
            for suffix in ("reference", "name", "relationship"):
                key = f"victim_{i}_{suffix}"
                if key in self.fields:
                    widget = self.fields[key].widget
                    widget.attrs.setdefault(
                        "class", "govuk-select" if suffix == "relationship" else "govuk-input"
                    )
        if self.is_partner:
            del self.fields["source"]
            del self.fields["source_detail"]
        victim_fields = [n for n in self.fields if n.startswith("victim_")]
        order = [n for n in self.fields if not n.startswith("victim_")]
        at = order.index("no_known_victim")
        self.order_fields(order[:at] + victim_fields + order[at:])
        self._victim_people: dict[int, Person] = {}

    @property
    def victim_rows(self):
        rows = []
        for i in range(1, VICTIM_ROWS + 1):
            rows.append(
                {
                    "number": i,
                    "reference": self[f"victim_{i}_reference"] if self.may_use_references else None,
                    "name": self[f"victim_{i}_name"],
                    "relationship": self[f"victim_{i}_relationship"],
                }
            )
        return rows

    @property
    def victims_field(self) -> str:
        """The field that carries the "victims" error (the first victim's first input)."""
        return "victim_1_reference" if self.may_use_references else "victim_1_name"

    def clean(self):
        data = super().clean()
        choice = data.get("person_choice")
        if choice == "existing":
            reference = (data.get("person_reference") or "").strip()
            if not reference:
                self.add_error("person_reference", "Enter the nominal reference of the person")
        elif choice == "new":
            if not (data.get("given_name") or "").strip():
                self.add_error("given_name", "Enter the person’s first name")
            if not (data.get("family_name") or "").strip():
                self.add_error("family_name", "Enter the person’s last name")
        from highharm.referrals.services import referral_missing_information

        victims_given = any(
            (data.get(f"victim_{i}_reference") or "").strip()
            or (data.get(f"victim_{i}_name") or "").strip()
            for i in range(1, VICTIM_ROWS + 1)
        )
        missing = referral_missing_information(
            reason=data.get("reason") or "",
            concerns=data.get("concerns") or "",
            victims=[True] if victims_given else [],
            no_known_victim=bool(data.get("no_known_victim")),
            children_in_household=data.get("children_in_household") or "",
            children_count=data.get("children_count"),
        )
        for key, message in missing.items():
            if key == "children_count" and "children_count" in self.errors:
                continue
            self.add_error(self.victims_field if key == "victims" else key, message)
        if not self.is_partner and not (data.get("source_detail") or "").strip():
            if data.get("source") == Referral.Source.OTHER:
                self.add_error("source_detail", "Say where the referral comes from")
            elif data.get("source") == Referral.Source.PARTNER:
                self.add_error("source_detail", "Name the partner agency the referral comes from")
        return data

    def victim_entries(self, lookup) -> list:
        """The victims given, as VictimEntry; `lookup(reference)` -> Person or None."""
        from highharm.referrals.services import VictimEntry

        entries = []
        for i in range(1, VICTIM_ROWS + 1):
            reference = (self.cleaned_data.get(f"victim_{i}_reference") or "").strip()
            name = (self.cleaned_data.get(f"victim_{i}_name") or "").strip()
            relationship = self.cleaned_data.get(f"victim_{i}_relationship") or ""
            if not (reference or name):
                if relationship:
                    self.add_error(
                        f"victim_{i}_name",
                        f"Enter the name of victim {i}, or clear the relationship",
                    )
                continue
            person = None
            if reference:
                person = lookup(reference)
                if person is None:
                    self.add_error(
                        f"victim_{i}_reference",
                        f"No one with the reference {reference} is on the records you may see: "
                        "check it, or give the name instead",
                    )
                    continue
            entries.append(
                VictimEntry(person=person, name=name, relationship=relationship or "unknown")
            )
        return entries


class ReferralEditForm(GovukForm):
    conditionals = {"children_in_household": {"yes": "conditional-children"}}
    service_error_fields = {"victims": "no_known_victim"}
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = ReferralForm.base_fields["reason"]
    concerns = ReferralForm.base_fields["concerns"]
    risk_indicators = ReferralForm.base_fields["risk_indicators"]
    no_known_victim = ReferralForm.base_fields["no_known_victim"]
    children_in_household = ReferralForm.base_fields["children_in_household"]
    children_count = ReferralForm.base_fields["children_count"]
    children_ages = ReferralForm.base_fields["children_ages"]
    children_notes = ReferralForm.base_fields["children_notes"]


class WithdrawForm(GovukForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why is the referral withdrawn?",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class MeetingForm(GovukForm):
    meeting_date = forms.DateField(
        label="Date of the meeting",
        input_formats=DATE_FORMATS,
        help_text="For example, 27/3/2026",
        error_messages={
            "required": "Enter the date of the meeting",
            "invalid": "Enter the date as day/month/year, like 27/3/2026",
        },
    )
    chair = forms.ModelChoiceField(
        label="Chair",
        queryset=None,
        required=False,
        empty_label="Choose the chair",
    )
    location = forms.CharField(label="Where (optional)", required=False, max_length=200)

    def __init__(self, *args, chairs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = chairs
        self.fields["chair"].label_from_instance = lambda u: f"{u.display_name} ({u.role_label})"


class MeetingEditForm(MeetingForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    notes = forms.CharField(
        label="Notes (apologies, matters arising)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class AttendeeForm(GovukForm):
    name = forms.CharField(label="Name", max_length=200, required=False)
    agency = forms.ModelChoiceField(
        label="Agency", queryset=None, required=False, empty_label="Choose the agency"
    )
    role = forms.CharField(label="Role (optional)", max_length=200, required=False)

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies

    def clean(self):
        data = super().clean()
        if not (data.get("name") or "").strip():
            self.add_error("name", "Enter the name of the person present")
        if data.get("agency") is None:
            self.add_error("agency", "Choose the agency the person is from")
        return data


class DecisionForm(GovukForm):
    conditionals = {
        "outcome": {"monitor": "conditional-monitor", "other_pathway": "conditional-pathway"}
    }
    submission_token = forms.UUIDField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label="Decision",
        choices=TriageDecision.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a decision"},
    )
    monitor_until = forms.DateField(
        label="Monitor until",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="For example, 30/9/2026",
        error_messages={"invalid": "Enter the date as day/month/year, like 30/9/2026"},
    )
    pathway = forms.ChoiceField(
        label="Pathway",
        choices=[("", "Choose the pathway")] + list(TriageDecision.Pathway.choices),
        required=False,
    )
    pathway_detail = forms.CharField(
        label="Name the programme or pathway", required=False, max_length=200
    )
    referral_out_service = forms.ModelChoiceField(
        label="Refer the person out to a partner service (optional)",
        queryset=None,
        required=False,
        empty_label="No referral out",
        help_text="Records a referral out and shares the person with that agency.",
    )
    rationale = forms.CharField(
        label="Rationale",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="Why the meeting decided this: the facts weighed, and the risk to victims and children.",
    )
    revision_reason = forms.CharField(
        label="Why is the earlier decision revisited?",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, services=None, revising: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referral_out_service"].queryset = services
        self.fields["referral_out_service"].label_from_instance = lambda s: (
            f"{s.agency.name}: {s.name}"
            + (f" (waiting {s.waiting_days} days)" if s.waiting_days is not None else "")
        )
        if not revising:
            del self.fields["revision_reason"]


class DeferForm(GovukForm):
    reason = forms.CharField(
        label="Why carry it over to the next meeting?",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="For example, waiting for the DASH from the IDVA service.",
    )


class DismissForm(GovukForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why does this incident need no re-referral?",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
