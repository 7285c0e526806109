"""Partner agencies' services, their capacity, and the unit's referrals out to them.

The agencies themselves live in accounts.Agency (their staff are users).
Here each agency offers services (a perpetrator programme, housing, substance
misuse support...) with a capacity the agency or the unit keeps up to date,
and the unit refers people out to those services and records what came of it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class AgencyService(models.Model):
    class ServiceType(models.TextChoices):
        PERPETRATOR_PROGRAMME = "perpetrator_programme", "Perpetrator programme (e.g. Drive)"
        HOUSING = "housing", "Housing"
        BENEFITS = "benefits", "Benefits and money advice"
        SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"
        MENTAL_HEALTH = "mental_health", "Mental health"
        EMPLOYMENT = "employment", "Employment"
        EDUCATION = "education", "Education and training"
        VICTIM_SUPPORT = "victim_support", "Victim support (IDVA / ISVA)"
        OFFENDER_MANAGEMENT = "offender_management", "Offender management (probation, IOM)"
        MULTI_AGENCY = "multi_agency", "Multi-agency arrangement (MARAC, MAPPA)"
        OTHER = "other", "Other"

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=200)
    service_type = models.CharField(max_length=40, choices=ServiceType.choices)
    description = models.TextField(blank=True)
    contact = models.CharField(
        max_length=300, blank=True, help_text="How to refer: team, phone or secure email"
    )
    accepts_referrals = models.BooleanField(default=True)
    places_total = models.PositiveIntegerField(
        null=True, blank=True, help_text="Places the service has in all; blank if not limited"
    )
    places_available = models.PositiveIntegerField(
        null=True, blank=True, help_text="Places free now; blank if not known"
    )
    waiting_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Current waiting time from referral to start, in days"
    )
    capacity_updated_at = models.DateTimeField(null=True, blank=True)
    capacity_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="unique_service_per_agency"),
            models.CheckConstraint(
                condition=models.Q(places_available__isnull=True)
                | models.Q(places_total__isnull=True)
                | models.Q(places_available__lte=models.F("places_total")),
                name="service_free_places_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})"

    @property
    def is_full(self) -> bool:
        return self.places_available == 0


class ReferralOut(models.Model):
    """The unit refers a person to a partner's service; the outcome is recorded as it comes."""

    class Status(models.TextChoices):
        SENT = "sent", "Sent, no reply yet"
        WAITING = "waiting", "Accepted, on the waiting list"
        STARTED = "started", "Started"
        COMPLETED = "completed", "Completed"
        REJECTED = "rejected", "Rejected by the service"
        DECLINED = "declined", "Declined by the person"
        DID_NOT_ENGAGE = "did_not_engage", "Did not engage"
        WITHDRAWN = "withdrawn", "Withdrawn by the unit"

    PENDING = (Status.SENT, Status.WAITING)
    CLOSED = (
        Status.COMPLETED,
        Status.REJECTED,
        Status.DECLINED,
        Status.DID_NOT_ENGAGE,
        Status.WITHDRAWN,
    )

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(
        AgencyService, on_delete=models.PROTECT, related_name="referrals_out"
    )
    referred_on = models.DateField(default=timezone.localdate)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SENT)
    status_changed_on = models.DateField(default=timezone.localdate)
    started_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True, help_text="What came of it, in the service's words")
    rejection_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-referred_on", "-id"]
        indexes = [models.Index(fields=["service", "status"])]

    def __str__(self) -> str:
        return f"{self.person.reference} → {self.service.name} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING

    def days_waiting(self, today=None) -> int | None:
        """Days from referral to start (if started) or to today (if still pending)."""
        if self.started_on:
            return (self.started_on - self.referred_on).days
        if self.is_pending:
            return ((today or timezone.localdate()) - self.referred_on).days
        return None
