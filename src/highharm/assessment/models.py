"""Risk assessments: one row per completed assessment, never edited.

An assessment scores one instrument (DASH, S-DASH, the HHU tool) for one person,
optionally for one referral, as of a date. It keeps everything needed to see
and reproduce what the officer was shown: the facts taken from the records,
the answers, the engine's result item by item, the exact definition used
(``definition``: an InstrumentVersion, by SHA-256), and any override with its written reason.
A review is a new assessment that names the one it follows (``previous``), so
the history of a person's assessments is the rows themselves; django-simple-
history records any change to a row as well (there should be none).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


class InstrumentVersion(models.Model):
    """The exact text of an instrument definition as used by at least one assessment."""

    instrument_id = models.CharField(max_length=40)
    version = models.CharField(max_length=60)
    sha256 = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    text = models.TextField(help_text="The whole definition file, to reproduce any assessment")
    first_used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["instrument_id", "-first_used_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"


class Assessment(models.Model):
    class Direction(models.TextChoices):
        NONE = "", "None"
        UP = "up", "Raised"
        DOWN = "down", "Lowered"

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="assessments"
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
        help_text="The referral this assessment was made for, if any",
    )
    definition = models.ForeignKey(
        InstrumentVersion,
        on_delete=models.PROTECT,
        related_name="assessments",
        help_text="The exact definition used",
    )
    instrument_id = models.CharField(max_length=40, db_index=True)
    instrument_version = models.CharField(max_length=60)
    assessed_on = models.DateField(help_text="The date the facts from the records are as of")
    facts = models.JSONField(default=dict, blank=True, help_text="Measures from the records")
    answers = models.JSONField(default=dict, help_text="Item id: yes / no / unknown")
    result = models.JSONField(default=dict, help_text="The engine's result, item by item")
    total = models.FloatField()
    computed_level = models.CharField(max_length=30, verbose_name="recommendation")
    final_level = models.CharField(max_length=30, verbose_name="decision")
    override_direction = models.CharField(
        max_length=4, choices=Direction.choices, blank=True, default=""
    )
    override_reason = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_by_label = models.CharField(max_length=150, blank=True)
    completed_at = models.DateTimeField(default=timezone.now, db_index=True)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviews",
        help_text="The assessment of the same person and instrument this one reviews",
    )
    submission_token = models.UUIDField(unique=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-completed_at", "-id"]
        indexes = [models.Index(fields=["person", "instrument_id", "completed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(override_direction="") | ~Q(override_reason=""),
                name="assessment_override_has_a_reason",
            ),
            models.CheckConstraint(
                condition=(Q(override_direction="") & Q(final_level=F("computed_level")))
                | (~Q(override_direction="") & ~Q(final_level=F("computed_level"))),
                name="assessment_override_direction_matches_levels",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} of {self.person.reference} on {self.completed_at:%d/%m/%Y}"

    @property
    def overridden(self) -> bool:
        return bool(self.override_direction)

    @property
    def computed_label(self) -> str:
        return self.result.get("computed_label", self.computed_level)

    @property
    def final_label(self) -> str:
        return self.result.get("final_label", self.final_level)

    @property
    def instrument_name(self) -> str:
        return self.definition.name
