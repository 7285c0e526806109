"""The form that starts an evaluation from uploaded cohort files."""

from __future__ import annotations

from django import forms

from highharm.evaluation.readers import EvaluationInputError, read_cohort

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
    cohort_file = forms.FileField(
        label="Managed cohort (CSV)",
        help_text="perpetrator_ref,index_date[,group]; rows whose group is 'comparison' form "
        "the comparison group when no comparison file is given",
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

    def clean_cohort_file(self):
        self.cohort = self._cohort("cohort_file", "The cohort file")
        return self.cleaned_data["cohort_file"]

    def clean_comparison_file(self):
        self.comparison = self._cohort("comparison_file", "The comparison file")
        return self.cleaned_data.get("comparison_file")
