from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class Person(models.Model):
    """A nominal: a person recorded on police systems (perpetrator, victim or both).

    Ethnicity is held for monitoring fairness only; it is never an input to
    any score (tests/scoring enforce this).
    """

    class Gender(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"
        OTHER = "X", "Other"
        UNKNOWN = "U", "Unknown"

    # Unique through the constraint in Meta, not unique=True: on PostgreSQL a unique field
    # also gets a second, LIKE-pattern index that no query uses and that every import of
    # new persons has to maintain (docs/performance.md, "Import").
    reference = models.CharField(max_length=40, help_text="The RMS nominal reference")
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=1, choices=Gender.choices, default=Gender.UNKNOWN)
    ethnicity = models.CharField(max_length=60, blank=True)
    content_hash = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["content_hash", "created_at", "updated_at"])

    class Meta:
        ordering = ["family_name", "given_name", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="people_person_reference_unique")
        ]
        indexes = [models.Index(fields=["family_name", "given_name"])]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.reference})" if self.full_name else self.reference

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p)


class PersonAlias(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "name"], name="unique_alias_per_person")
        ]

    def __str__(self) -> str:
        return self.name


class Relationship(models.Model):
    """A link between a perpetrator and a victim, as recorded on incidents or by staff."""

    class Kind(models.TextChoices):
        PARTNER = "partner", "Current partner"
        EX_PARTNER = "ex_partner", "Ex-partner"
        FAMILY = "family", "Family member"
        ACQUAINTANCE = "acquaintance", "Acquaintance"
        STRANGER = "stranger", "Stranger"
        OTHER = "other", "Other"
        UNKNOWN = "unknown", "Unknown"

    # No single-column index on perpetrator: the unique (perpetrator, victim) index below
    # serves every lookup by perpetrator, and one index fewer makes importing links faster.
    perpetrator = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="victim_links", db_index=False
    )
    victim = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="perpetrator_links")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.UNKNOWN)
    # History rows are looked up by link id and date; no query looks them up by person, so
    # the copies of the two person keys need no index (each would slow every import).
    history = HistoricalRecords(no_db_index=["perpetrator", "victim"])

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["perpetrator", "victim"], name="unique_perpetrator_victim"
            ),
            models.CheckConstraint(
                condition=~models.Q(perpetrator=models.F("victim")), name="not_own_victim"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.perpetrator.reference} → {self.victim.reference} ({self.get_kind_display()})"


class PersonShare(models.Model):
    """A person shared with a partner agency, whose users may then see them and their case."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="shares")
    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.CASCADE, related_name="shared_people"
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "agency"], name="unique_share_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.person.reference} shared with {self.agency}"
