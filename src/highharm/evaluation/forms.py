"""The form that starts an evaluation from uploaded cohort files."""

from __future__ import annotations

from django import forms

from highharm.evaluation.readers import EvaluationInputError, read_cohort
from highharm.evaluation.selectors import COHORT_KINDS, CohortNotAvailable, cohort_from_database

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class EvaluationForm(forms.Form):
    use_required_attribute = False

    title = forms.CharField(
        max_length=200,
        required=False,
        label="Title",
        help_text="For example: HHU adopted 2024 against referred not adopted",
    )
    cohort_from = forms.ChoiceField(
        label="Managed cohort from the records held here",
        required=False,
        choices=[("", "None: upload a file instead")]
        + [(k, f"{k}: {v}") for k, v in COHORT_KINDS.items()],
        help_text="Or upload a cohort file below",
    )
    cohort_file = forms.FileField(
        required=False,
        label="Managed cohort (CSV)",
        help_text="perpetrator_ref,index_date[,group]; rows whose group is 'comparison' form "
        "the comparison group when no comparison file is given",
    )
    comparison_from = forms.ChoiceField(
        label="Comparison group from the records held here (optional)",
        required=False,
        choices=[("", "None")] + [(k, f"{k}: {v}") for k, v in COHORT_KINDS.items()],
    )
    comparison_file = forms.FileField(
        label="Comparison group (CSV, optional)",
        required=False,
        help_text="Selected the same way but not managed; without one the evaluation is "
        "level 1 on the Maryland Scientific Methods Scale",
    )
    before_days = forms.IntegerField(
        label="Days before the index date", initial=365, min_value=1, max_value=3650
    )
    after_days = forms.IntegerField(
        label="Days after the index date", initial=365, min_value=1, max_value=3650
    )
    as_of = forms.DateField(
        label="Records complete up to (optional)",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="dd/mm/yyyy; leave blank for the date of the latest incident held",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "govuk-file-upload" if isinstance(field, forms.FileField) else "govuk-input"
            if isinstance(field, forms.ChoiceField):
                css = "govuk-select"
            if isinstance(field, forms.IntegerField):
                css += " govuk-input--width-5"
            elif name == "as_of":
                css += " govuk-input--width-10"
            field.widget.attrs["class"] = css

    def _cohort(self, name: str, label: str):
        upload = self.cleaned_data.get(name)
        if not upload:
            return None
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"{label} is larger than 20 MB")
        try:
            return read_cohort(upload, name=upload.name or label)
        except EvaluationInputError as exc:
            raise forms.ValidationError(str(exc))

    cohort = None
    comparison = None

    def clean_cohort_file(self):
        self.cohort = self._cohort("cohort_file", "The cohort file")
        return self.cleaned_data["cohort_file"]

    def clean_comparison_file(self):
        self.comparison = self._cohort("comparison_file", "The comparison file")
        return self.cleaned_data.get("comparison_file")

    def _from_database(self, kind: str):
        try:
            return cohort_from_database(kind)
        except CohortNotAvailable as exc:
            raise forms.ValidationError(str(exc))

    def clean(self):
        data = super().clean()
        self.cohort_source = self.comparison_source = ""
        cohort_from, comparison_from = data.get("cohort_from"), data.get("comparison_from")
        has_file = getattr(self, "cohort", None) is not None
        if cohort_from and (has_file or data.get("cohort_file")):
            self.add_error("cohort_from", "Choose a cohort from the records or a file, not both")
        elif cohort_from:
            try:
                self.cohort = self._from_database(cohort_from)
                self.cohort_source = f"database ({cohort_from})"
            except forms.ValidationError as exc:
                self.add_error("cohort_from", exc)
        elif has_file:
            self.cohort_source = data["cohort_file"].name
        elif "cohort_file" not in self.errors:
            self.add_error(
                "cohort_file", "Upload a cohort file or choose a cohort from the records"
            )
        has_comparison_file = getattr(self, "comparison", None) is not None
        if comparison_from and has_comparison_file:
            self.add_error(
                "comparison_from", "Choose a comparison group from the records or a file, not both"
            )
        elif comparison_from:
            try:
                self.comparison = self._from_database(comparison_from)
                self.comparison_source = f"database ({comparison_from})"
            except forms.ValidationError as exc:
                self.add_error("comparison_from", exc)
        elif has_comparison_file:
            self.comparison_source = data["comparison_file"].name
        return data
