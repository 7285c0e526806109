"""Forms for the panel, with GOV.UK Design System markup. Forms parse; services decide."""

from __future__ import annotations

import uuid

from django import forms

from highharm.accounts.models import Agency
from highharm.panels.models import Action, AgendaItem, PanelAttendee, PanelMeeting


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]


def date_field(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DateInput(),
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": f"Enter the {label.lower()} as a real date, like 28/02/2026."},
    )


class GovukForm(forms.Form):
    """Adds GOV.UK classes to widgets; lists errors for the error summary."""

    use_required_attribute = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.RadioSelect):
                widget.attrs.setdefault("class", "govuk-radios__input")
            elif isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "govuk-checkboxes__input")
            elif isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("class", "govuk-textarea")
                widget.attrs.setdefault("rows", 4)
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "govuk-select")
            elif isinstance(widget, DateInput | TimeInput):
                widget.attrs.setdefault("class", "govuk-input govuk-input--width-10")
            else:
                widget.attrs.setdefault("class", "govuk-input")

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            css = widget.attrs.get("class", "")
            base = css.split(" ")[0] if css else ""
            if base in ("govuk-input", "govuk-textarea", "govuk-select") and "--error" not in css:
                widget.attrs["class"] = f"{css} {base}--error"

    def add_service_errors(self, error) -> None:
        """Put a service's ValidationError on the matching fields (or the form)."""
        if hasattr(error, "error_dict"):
            for key, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(key if key in self.fields else None, message)
        else:
            for message in error.messages:
                self.add_error(None, message)


class VersionedForm(GovukForm):
    """An edit form: carries the version the editor loaded (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class CreateOnceForm(GovukForm):
    """A creation form: carries a random key so a double submit makes one row."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4())


def agency_field(label="Agency"):
    return forms.ModelChoiceField(
        label=label,
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        required=False,
        empty_label="Choose an agency",
    )


class MeetingForm(CreateOnceForm):
    held_on = date_field("Date")
    starts_at = forms.TimeField(
        label="Start time", required=False, widget=TimeInput(), input_formats=["%H:%M"]
    )
    location = forms.CharField(label="Location", max_length=200, required=False)
    chair = forms.ModelChoiceField(
        label="Chair", queryset=None, required=False, empty_label="Not decided yet"
    )
    notes = forms.CharField(
        label="Notes", required=False, widget=forms.Textarea, help_text="Matters arising, apologies"
    )

    def __init__(self, *args, chairs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = chairs
        self.fields["chair"].label_from_instance = lambda u: u.display_name


class MeetingEditForm(VersionedForm):
    held_on = date_field("Date")
    starts_at = forms.TimeField(
        label="Start time", required=False, widget=TimeInput(), input_formats=["%H:%M"]
    )
    location = forms.CharField(label="Location", max_length=200, required=False)
    chair = forms.ModelChoiceField(
        label="Chair", queryset=None, required=False, empty_label="Not decided yet"
    )
    status = forms.ChoiceField(label="Status", choices=PanelMeeting.Status.choices)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea)

    def __init__(self, *args, chairs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = chairs
        self.fields["chair"].label_from_instance = lambda u: u.display_name


class AttendeeForm(GovukForm):
    name = forms.CharField(label="Name", max_length=200)
    role_title = forms.CharField(label="Role", max_length=200, required=False)
    agency = agency_field()
    agency_name = forms.CharField(
        label="Or another agency", max_length=200, required=False, help_text="If not listed"
    )
    attendance = forms.ChoiceField(
        label="Attendance",
        choices=PanelAttendee.Attendance.choices,
        initial=PanelAttendee.Attendance.PRESENT,
    )

    def clean(self):
        data = super().clean()
        if not data.get("agency") and not (data.get("agency_name") or "").strip():
            self.add_error("agency", "Choose the attendee's agency, or type its name.")
        return data


class AgendaAddForm(GovukForm):
    reference = forms.CharField(
        label="Nominal reference", max_length=40, help_text="The person's RMS reference"
    )
    reason = forms.ChoiceField(
        label="Reason", choices=AgendaItem.Reason.choices, initial=AgendaItem.Reason.OTHER
    )
    reason_detail = forms.CharField(label="Why (optional)", max_length=300, required=False)


class MinuteForm(VersionedForm):
    discussion = forms.CharField(
        label="Discussion",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="Updates from each agency and the panel's view of risk",
    )
    decisions = forms.CharField(
        label="Decisions and rationale",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if not (data.get("discussion") or "").strip() and not (data.get("decisions") or "").strip():
            self.add_error("discussion", "Write the discussion or the decisions.")
        return data


def owner_field():
    field = forms.ModelChoiceField(
        label="Owner", queryset=None, required=False, empty_label="Not a Highharm user"
    )
    return field


class ActionForm(CreateOnceForm):
    person = forms.ChoiceField(label="About", required=False)
    description = forms.CharField(label="Action", widget=forms.Textarea(attrs={"rows": 3}))
    owner = owner_field()
    owner_name = forms.CharField(
        label="Or owner's name and role",
        max_length=200,
        required=False,
        help_text="For an owner who does not use Highharm",
    )
    agency = agency_field("Owner's agency")
    agency_name = forms.CharField(label="Or another agency", max_length=200, required=False)
    due_on = date_field("Due date")

    def __init__(self, *args, owners=None, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = _owner_label
        if people is None:
            del self.fields["person"]
        else:
            self.fields["person"].choices = [("", "The meeting in general"), *people]

    def clean(self):
        data = super().clean()
        if not data.get("owner") and not (data.get("owner_name") or "").strip():
            self.add_error("owner", "Choose the owner, or type the name of one who is not a user.")
        return data


def _owner_label(user) -> str:
    agency = f", {user.agency}" if user.agency_id else ""
    return f"{user.display_name} ({user.role_label}{agency})"


class ActionUpdateForm(VersionedForm):
    status = forms.ChoiceField(
        label="Status", choices=Action.Status.choices, widget=forms.RadioSelect
    )
    update_note = forms.CharField(
        label="Update", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    due_on = date_field("Due date")
    owner = owner_field()
    owner_name = forms.CharField(label="Or owner's name and role", max_length=200, required=False)

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = _owner_label

    def clean(self):
        data = super().clean()
        if not data.get("owner") and not (data.get("owner_name") or "").strip():
            self.add_error("owner", "Choose the owner, or type the name of one who is not a user.")
        if (
            data.get("status") in ("done", "cancelled")
            and not (data.get("update_note") or "").strip()
        ):
            self.add_error("update_note", "Say what was done, or why the action is cancelled.")
        return data
