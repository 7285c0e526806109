"""Forms of the assessment app: the validation workbench upload."""

from __future__ import annotations

from django import forms
from django.conf import settings

from highharm.assessment import validation

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
