from django.conf import settings
from django.db import models


class EvaluationRun(models.Model):
    """One evaluation as it was run: its parameters and its full result.

    The page, the PDF and the CSV downloads of a run are all drawn from the
    stored `result` (the JSON that `highharm evaluate` prints), so they agree
    with each other however the records change afterwards. A run is never
    edited; a new evaluation is a new run.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=200)
    cohort_source = models.CharField(max_length=300)
    comparison_source = models.CharField(max_length=300, blank=True)
    incidents_source = models.CharField(max_length=300)
    parameters = models.JSONField(default=dict)
    result = models.JSONField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.created_at:%d/%m/%Y %H:%M})"
