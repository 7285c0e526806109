"""Forms of the assessment app: the validation workbench upload, assessments, backtesting."""

from __future__ import annotations

from django import forms
from django.conf import settings

from highharm.assessment import validation
from highharm.assessment.instruments import ANSWER_LABELS, ANSWERS
from highharm.referrals.forms import DATE_FORMATS, GovukForm

# The largest upload the workbench reads (a million rows of three columns is about 20 MB).
DEFAULT_MAX_UPLOAD_BYTES = 64 * 1024 * 1024
ACCEPTED_SUFFIXES = (".csv", ".txt", ".parquet")


def max_upload_bytes() -> int:
    return int(getattr(settings, "VALIDATE_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


class WorkbenchForm(forms.Form):
    """What to validate: a file, which columns, and the threshold."""

    use_required_attribute = False  # the server's messages are clearer than the browser's

    data = forms.FileField(
        label="Scored data",
        help_text="A CSV (comma or semicolon) or Parquet file with one row per person: a score "
        "column and an outcome column of 0 or 1. It is read once and not kept.",
    )
    score = forms.CharField(
        label="Score column", max_length=200, help_text="The column name, as in the first line."
    )
    outcome = forms.CharField(
        label="Outcome column",
        max_length=200,
        help_text="1 = the outcome happened (for example, caused serious harm within 12 "
        "months), 0 = it did not.",
    )
    group = forms.CharField(
        label="Group column (optional)",
        max_length=200,
        required=False,
        help_text="Figures are shown for each value of this column (for example area or "
        "gender), so differences between groups can be seen.",
    )
    threshold = forms.FloatField(
        label="Threshold (optional)",
        required=False,
        help_text="A score at or above the threshold counts as a positive prediction. Leave "
        "blank to use the median score.",
    )
    bands = forms.IntegerField(
        label="Calibration bands",
        min_value=2,
        max_value=20,
        initial=validation.DEFAULT_BANDS,
    )
    band_method = forms.ChoiceField(
        label="Band by",
        choices=[
            ("quantile", "Quantile: about the same number of people in each band"),
            ("equal", "Equal width: the same span of score in each band"),
        ],
        initial="quantile",
    )
    bootstrap = forms.IntegerField(
        label="Bootstrap resamples",
        min_value=0,
        max_value=5000,
        initial=validation.DEFAULT_BOOTSTRAP,
        help_text="For the 95% interval of the AUC; 0 for none.",
    )
    seed = forms.IntegerField(
        label="Random seed",
        min_value=0,
        max_value=2**32 - 1,
        initial=validation.DEFAULT_SEED,
        help_text="The same seed and data give the same interval.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        widths = {"score": "govuk-input--width-20", "outcome": "govuk-input--width-20",
                  "group": "govuk-input--width-20", "threshold": "govuk-input--width-10",
                  "bands": "govuk-input--width-4", "bootstrap": "govuk-input--width-5",
                  "seed": "govuk-input--width-10"}  # fmt: skip
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.ClearableFileInput):
                field.widget.attrs["class"] = "govuk-file-upload"
                field.widget.attrs["accept"] = ",".join(ACCEPTED_SUFFIXES)
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "govuk-select"
            else:
                field.widget.attrs["class"] = f"govuk-input {widths.get(name, '')}".strip()
                field.widget.attrs.setdefault("spellcheck", "false")
        for name in ("bands", "bootstrap", "seed", "band_method"):
            self.fields[name].required = False  # left blank: the default (see clean)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                css = widget.attrs.get("class", "")
                if "govuk-input" in css.split():
                    widget.attrs["class"] = css + " govuk-input--error"
                elif "govuk-file-upload" in css.split():
                    widget.attrs["class"] = css + " govuk-file-upload--error"

    def clean_data(self):
        upload = self.cleaned_data["data"]
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {_megabytes(upload.size)}; the largest the workbench reads is "
                f"{_megabytes(limit)}."
            )
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        if not upload.name.lower().endswith(ACCEPTED_SUFFIXES):
            raise forms.ValidationError("Choose a CSV file (.csv) or a Parquet file (.parquet).")
        return upload

    def clean(self):
        cleaned = super().clean()
        for name in ("bands", "bootstrap", "seed"):
            if cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = self.fields[name].initial
        if not cleaned.get("band_method"):
            cleaned["band_method"] = "quantile"
        columns = [cleaned.get(n) for n in ("score", "outcome", "group") if cleaned.get(n)]
        if len(columns) != len(set(columns)):
            raise forms.ValidationError(
                "The score, outcome and group columns must be different columns."
            )
        return cleaned

    def add_input_problems(self, problems: list[str]) -> None:
        """Put each problem the engine found next to the field it is about."""
        for problem in problems:
            if problem.startswith("score column"):
                self.add_error("score", problem[0].upper() + problem[1:])
            elif problem.startswith("outcome column"):
                self.add_error("outcome", problem[0].upper() + problem[1:])
            elif problem.startswith("group column"):
                self.add_error("group", problem[0].upper() + problem[1:])
            else:
                self.add_error("data", problem[0].upper() + problem[1:])


# --------------------------------------------------------------------------------------
# Assessments and backtesting
# --------------------------------------------------------------------------------------

OVERRIDE_REASON_MIN = 10
AGREE = "agree"  # the override choice that accepts the result


def item_field_name(item_id: str) -> str:
    return f"item_{item_id}"


class AssessmentForm(GovukForm):
    """The asked items of one instrument (GOV.UK radios), and an optional override with its reason.

    ``levels``: the (id, label) choices an override may pick; ``computed_level`` (once the
    result is known) is left out of them, since choosing it is simply agreeing.
    """

    submission_token = forms.UUIDField(widget=forms.HiddenInput)
    previous_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    referral = forms.IntegerField(widget=forms.HiddenInput, required=False)
    override_level = forms.ChoiceField(
        label="Your decision",
        widget=forms.RadioSelect,
        required=False,
        choices=[],
    )
    override_reason = forms.CharField(
        label="Why do you depart from the result?",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Required when you choose another level: the facts you weighed that the "
        "tool does not hold. Supervisors see every override.",
    )
    notes = forms.CharField(
        label="Notes (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )

    def __init__(self, *args, definition, computed_level: str = "", levels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.computed_level = computed_level
        fields = {}
        for item in definition.asked_items:
            field = forms.ChoiceField(
                label=f"{item.number}. {item.text}",
                choices=[(a, ANSWER_LABELS[a]) for a in ANSWERS],
                widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
                error_messages={"required": f"Answer question {item.number}: yes, no or not known"},
                help_text=item.help,
            )
            fields[item_field_name(item.id)] = field
        # The items first, in the instrument's order, then the rest of the form.
        self.fields = {**fields, **self.fields}
        level_choices = [
            (lv.id, lv.label) for lv in (levels or definition.levels) if lv.id != computed_level
        ]
        agree = "Agree with the result"
        if computed_level:
            agree = f"Agree: {definition.level_label(computed_level)}"
        self.fields["override_level"].choices = [(AGREE, agree), *level_choices]
        self.fields["override_level"].initial = AGREE
        self.fields["override_level"].label = (
            "Your decision on the recommendation"
            if definition.kind == "decision"
            else "Your professional judgement on the level"
        )

    def answers(self) -> dict[str, str]:
        return {
            item.id: self.cleaned_data[item_field_name(item.id)]
            for item in self.definition.asked_items
        }

    def clean(self):
        data = super().clean()
        level = data.get("override_level") or ""
        if level == AGREE or (level and level == self.computed_level):
            data["override_level"] = level = ""
        reason = (data.get("override_reason") or "").strip()
        if level and len(reason) < OVERRIDE_REASON_MIN:
            self.add_error(
                "override_reason",
                "Write why you depart from the result (at least "
                f"{OVERRIDE_REASON_MIN} characters): an override needs a written reason",
            )
        return data


class BacktestForm(GovukForm):
    as_of = forms.DateField(
        label="Score everyone as of",
        input_formats=DATE_FORMATS,
        help_text="A past date with at least the follow-up period of records after it, "
        "for example 30/6/2024.",
        error_messages={
            "required": "Enter the date to score as of",
            "invalid": "Enter the date as day/month/year, like 30/6/2024",
        },
    )
    outcome_days = forms.IntegerField(
        label="Follow-up period (days)", min_value=30, max_value=1095, initial=365
    )
    harm_threshold = forms.FloatField(
        label="Harm level (days)",
        min_value=0,
        initial=180,
        help_text="The outcome is harm of MORE than this many days in the follow-up period "
        "(180 is about one assault occasioning actual bodily harm).",
    )
    flag_share = forms.FloatField(
        label="Share flagged (%)",
        min_value=0.1,
        max_value=50,
        initial=5,
        help_text="Each score's threshold flags this share of people, so the error rates "
        "compare like with like.",
    )
    bootstrap = forms.IntegerField(
        label="Bootstrap resamples", min_value=0, max_value=2000, initial=200
    )
    fit_model = forms.BooleanField(
        label="Fit the logistic regression model too (cross-validated)",
        required=False,
        initial=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, width in (("as_of", 10), ("outcome_days", 5), ("harm_threshold", 5),
                            ("flag_share", 4), ("bootstrap", 5)):  # fmt: skip
            self.fields[name].widget.attrs["class"] = f"govuk-input govuk-input--width-{width}"
