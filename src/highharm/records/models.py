from django.db import models
from simple_history.models import HistoricalRecords

from highharm.people.models import Person, Relationship


class Offence(models.Model):
    """One row of the offence catalogue, with its harm weight in days.

    The default catalogue derives each weight from the Sentencing Council
    starting point for a first offender (docs/harm-index.md); a force may
    load its own table (`highharm load-catalogue`).
    """

    class Category(models.TextChoices):
        VIOLENCE_WITH_INJURY = "violence_with_injury", "Violence with injury"
        VIOLENCE_WITHOUT_INJURY = "violence_without_injury", "Violence without injury"
        STALKING_HARASSMENT = "stalking_harassment", "Stalking and harassment"
        COERCIVE_CONTROL = "coercive_control", "Coercive control"
        SEXUAL = "sexual", "Sexual"
        CRIMINAL_DAMAGE = "criminal_damage", "Criminal damage"
        BREACH_OF_ORDER = "breach_of_order", "Breach of order"
        OTHER = "other", "Other"

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=40, choices=Category.choices)
    domestic = models.BooleanField(default=False)
    stalking = models.BooleanField(default=False)
    sexual = models.BooleanField(default=False)
    strangulation = models.BooleanField(default=False)
    weapon = models.BooleanField(default=False)
    breach = models.BooleanField(default=False)
    harm_days = models.FloatField(help_text="Harm weight: days of custody at the starting point")
    source = models.TextField(help_text="Where the weight comes from and how it was derived")
    catalogue = models.CharField(max_length=60, default="highharm-default")
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(harm_days__gte=0), name="harm_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Incident(models.Model):
    class Outcome(models.TextChoices):
        CHARGED = "charged", "Charged or summonsed"
        CAUTION = "caution", "Caution"
        COMMUNITY_RESOLUTION = "community_resolution", "Community resolution"
        EVIDENTIAL_DIFFICULTIES = "evidential_difficulties", "Evidential difficulties"
        VICTIM_WITHDREW = "victim_withdrew", "Victim does not support action"
        NOT_IN_PUBLIC_INTEREST = "not_in_public_interest", "Not in the public interest"
        NO_SUSPECT = "no_suspect", "No suspect identified"
        UNDER_INVESTIGATION = "under_investigation", "Under investigation"
        OTHER = "other", "Other"

    # Unique through the constraint in Meta, not unique=True: on PostgreSQL a unique field
    # also gets a second, LIKE-pattern index that no query uses and that cost the bulk
    # import about a fifth of its insert time (docs/performance.md).
    crime_reference = models.CharField(max_length=40)
    occurred_on = models.DateField(db_index=True)
    offence = models.ForeignKey(Offence, on_delete=models.PROTECT, related_name="incidents")
    # No single-column indexes on the two person keys: the (perpetrator, occurred_on) and
    # (victim, occurred_on) indexes below serve every lookup by person, and two fewer
    # indexes make the bulk import faster (docs/performance.md).
    perpetrator = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="incidents_as_perpetrator",
        db_index=False,
    )
    victim = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents_as_victim",
        db_index=False,
    )
    relationship = models.CharField(
        max_length=20, choices=Relationship.Kind.choices, default="unknown"
    )
    domestic = models.BooleanField(default=False)
    stalking = models.BooleanField(default=False)
    sexual = models.BooleanField(default=False)
    strangulation = models.BooleanField(default=False)
    weapon = models.BooleanField(default=False)
    breach = models.BooleanField(default=False)
    outcome = models.CharField(
        max_length=30, choices=Outcome.choices, default=Outcome.UNDER_INVESTIGATION
    )
    content_hash = models.CharField(max_length=32, editable=False)
    imported_at = models.DateTimeField(auto_now=True)
    # History rows are looked up by incident id and date; the other columns need no index
    # there (each index would slow every imported batch).
    history = HistoricalRecords(
        excluded_fields=["content_hash", "imported_at"],
        no_db_index=["crime_reference", "occurred_on", "offence", "perpetrator", "victim"],
    )

    class Meta:
        ordering = ["-occurred_on", "crime_reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["crime_reference"], name="records_incident_crime_reference_unique"
            )
        ]
        indexes = [
            models.Index(fields=["perpetrator", "occurred_on"]),
            models.Index(fields=["victim", "occurred_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.crime_reference} {self.occurred_on:%d/%m/%Y}"

    @property
    def flag_names(self) -> list[str]:
        return [
            f
            for f in ("domestic", "stalking", "sexual", "strangulation", "weapon", "breach")
            if getattr(self, f)
        ]


class ImportRun(models.Model):
    """The ledger of `highharm import-records` runs: one row per run that writes.

    A dry run writes nothing, so it has no row. The counts are updated in the same
    transaction as each batch, so they always match what is committed; a run whose
    process was killed stays "running" with the batches it committed, and re-running the
    same files completes it (the import is idempotent). Not under change history: the
    row is itself a log, changed only by the run it records.
    """

    class Status(models.TextChoices):
        RUNNING = "running", "Running (or interrupted)"
        COMPLETED = "completed", "Completed"
        COMPLETED_WITH_REJECTS = "completed_with_rejects", "Completed, some rows rejected"
        FAILED = "failed", "Failed"

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.RUNNING)
    persons_file = models.CharField(max_length=500, blank=True)
    incidents_file = models.CharField(max_length=500, blank=True)
    batch_size = models.PositiveIntegerField()
    batches_committed = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, help_text="Per file: read, inserted, updated, …")
    run_by = models.CharField(max_length=150, blank=True, help_text="Operating-system account")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Import run {self.pk} ({self.get_status_display()})"
