"""Referrals into the High Harm Unit, triage meetings and their decisions, and monitoring.

A referral names a perpetrator and says why the unit should look at them.
Open referrals wait in the queue of the next triage meeting, which decides:
adopt to the panel, monitor for a set period, route to another pathway, or no
further action, always with a rationale and the people present. A decision
can be revisited: the new decision supersedes the old, which is kept.

People decided "monitor", and people whose case has closed, are watched for a
period; a new incident for them raises an alert.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class RiskIndicator(models.TextChoices):
    """Risk indicators a referrer can tick, drawn from the DASH (2009) and S-DASH questions."""

    STRANGULATION = "strangulation", "Strangulation, choking or suffocation"
    THREATS_TO_KILL = "threats_to_kill", "Threats to kill"
    WEAPON = "weapon", "Use or threat of a weapon"
    ESCALATION = "escalation", "Abuse getting worse or more frequent"
    SEPARATION = "separation", "Recent or pending separation"
    PREGNANCY = "pregnancy", "Victim pregnant or a new baby"
    STALKING = "stalking", "Stalking, harassment or obsessive behaviour"
    COERCIVE_CONTROL = "coercive_control", "Controlling or coercive behaviour"
    SEXUAL_ABUSE = "sexual_abuse", "Sexual abuse"
    BREACH = "breach", "Breach of an order or bail conditions"
    MULTIPLE_VICTIMS = "multiple_victims", "Several victims, past or present"
    CHILDREN_AT_RISK = "children_at_risk", "Children at risk or used to control"
    SUBSTANCE_MISUSE = "substance_misuse", "Drug or alcohol misuse"
    MENTAL_HEALTH = "mental_health", "Mental health concerns or suicide threats"
    ANIMAL_ABUSE = "animal_abuse", "Hurting or threatening pets"
    VICTIM_FRIGHTENED = "victim_frightened", "Victim very frightened of what they will do"


class Referral(models.Model):
    class Source(models.TextChoices):
        OFFICER = "officer", "Police officer or staff"
        PARTNER = "partner", "Partner agency"
        CANDIDATE_LIST = "candidate_list", "Candidate list"
        MONITORING = "monitoring", "Monitoring alert (re-referral)"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Awaiting triage"
        LINKED = "linked", "Linked to an open referral"
        DECIDED = "decided", "Decided at triage"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Children(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        UNKNOWN = "unknown", "Not known"

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="referrals")
    source = models.CharField(max_length=20, choices=Source.choices)
    source_detail = models.CharField(max_length=200, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    referring_agency = models.ForeignKey(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_made",
        help_text="The referrer's agency when they referred; partner users see their agency's",
    )
    referred_at = models.DateTimeField(default=timezone.now, db_index=True)
    reason = models.TextField()
    concerns = models.TextField()
    risk_indicators = models.JSONField(default=list, blank=True)
    no_known_victim = models.BooleanField(default=False)
    children_in_household = models.CharField(max_length=10, choices=Children.choices)
    children_count = models.PositiveSmallIntegerField(null=True, blank=True)
    children_ages = models.CharField(max_length=200, blank=True)
    children_notes = models.TextField(blank=True)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    linked_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="linked_referrals",
        help_text="The open referral this one was added to instead of queueing twice",
    )
    previous_referral = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="re_referrals",
        help_text="An earlier, decided referral this one re-opens (e.g. from a monitoring alert)",
    )
    incident = models.ForeignKey(
        "records.Incident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The incident that prompted a re-referral",
    )
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["referred_at", "id"]
        constraints = [
            # The triage queue holds one item per person: a second referral is linked instead.
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status="open"),
                name="one_open_referral_per_person",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="linked") | models.Q(linked_to__isnull=False),
                name="linked_referral_names_its_target",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk} of {self.person.reference}"

    @property
    def risk_indicator_labels(self) -> list[str]:
        labels = dict(RiskIndicator.choices)
        return [labels.get(code, code) for code in self.risk_indicators]


class ReferralVictim(models.Model):
    """A known victim named on a referral: an existing nominal, or a name the referrer gives."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="victims")
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=200, blank=True)
    relationship = models.CharField(max_length=20, blank=True)
    notes = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | ~models.Q(name=""),
                name="victim_has_person_or_name",
            )
        ]

    def __str__(self) -> str:
        return self.person.reference if self.person_id else self.name

    @property
    def relationship_label(self) -> str:
        from highharm.people.models import Relationship

        return dict(Relationship.Kind.choices).get(self.relationship, self.relationship)


class TriageMeeting(models.Model):
    meeting_date = models.DateField(db_index=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    location = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-meeting_date", "-id"]

    def __str__(self) -> str:
        return f"Triage meeting {self.meeting_date:%d/%m/%Y}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class TriageAttendee(models.Model):
    """Someone present at a triage meeting, with their agency."""

    meeting = models.ForeignKey(TriageMeeting, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=200)
    agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "name", "agency"], name="unique_attendee_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})" if self.agency_id else self.name

    def as_present(self) -> dict:
        return {
            "name": self.name,
            "agency": self.agency.name if self.agency_id else "",
            "role": self.role,
        }


class TriageDeferral(models.Model):
    """A referral considered at a meeting and carried over to the next, with the reason."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="deferrals")
    meeting = models.ForeignKey(TriageMeeting, on_delete=models.PROTECT, related_name="deferrals")
    reason = models.TextField()
    deferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    deferred_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["deferred_at"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "meeting"], name="one_deferral_per_meeting")
        ]

    def __str__(self) -> str:
        return f"Referral {self.referral_id} carried over from {self.meeting}"


class TriageDecision(models.Model):
    class Outcome(models.TextChoices):
        ADOPT = "adopt", "Adopt to the panel"
        MONITOR = "monitor", "Monitor for a set period"
        OTHER_PATHWAY = "other_pathway", "Route to another pathway"
        NFA = "nfa", "No further action"

    class Pathway(models.TextChoices):
        MARAC = "marac", "MARAC"
        MAPPA = "mappa", "MAPPA"
        IOM = "iom", "Integrated Offender Management (IOM)"
        DRIVE = "drive", "Drive"
        OTHER_PROGRAMME = "other_programme", "Another perpetrator programme"
        OTHER = "other", "Other"

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="decisions")
    meeting = models.ForeignKey(TriageMeeting, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    pathway = models.CharField(max_length=20, choices=Pathway.choices, blank=True)
    pathway_detail = models.CharField(max_length=200, blank=True)
    monitor_until = models.DateField(null=True, blank=True)
    rationale = models.TextField()
    revision_reason = models.TextField(blank=True)
    present = models.JSONField(
        default=list, help_text="The people present when the decision was made (a snapshot)"
    )
    referral_out = models.ForeignKey(
        "partners.ReferralOut", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now, db_index=True)
    is_current = models.BooleanField(default=True)
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    submission_token = models.UUIDField(unique=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=models.Q(is_current=True),
                name="one_current_decision_per_referral",
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome="monitor") | models.Q(monitor_until__isnull=False),
                name="monitor_decision_has_end_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome="other_pathway") | ~models.Q(pathway=""),
                name="pathway_decision_names_pathway",
            ),
            models.CheckConstraint(
                condition=~models.Q(rationale=""), name="decision_has_rationale"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.decided_at:%d/%m/%Y})"

    @property
    def summary(self) -> str:
        if self.outcome == self.Outcome.MONITOR and self.monitor_until:
            return f"Monitor until {self.monitor_until:%d/%m/%Y}"
        if self.outcome == self.Outcome.OTHER_PATHWAY:
            label = self.get_pathway_display()
            if self.pathway_detail:
                label = f"{label}: {self.pathway_detail}"
            return f"Route to {label}"
        return self.get_outcome_display()


class MonitoringPeriod(models.Model):
    """A person watched for new incidents between two dates."""

    class Kind(models.TextChoices):
        TRIAGE = "triage", "Triage decision to monitor"
        POST_EXIT = "post_exit", "After leaving case management"
        OTHER = "other", "Other"

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="monitoring_periods"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason = models.TextField()
    starts_on = models.DateField()
    until = models.DateField()
    started_at = models.DateTimeField(default=timezone.now)
    baseline_incident_id = models.BigIntegerField(
        default=0,
        help_text="The highest incident id when monitoring began: later ids were imported after",
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.ForeignKey(
        TriageDecision,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="monitoring_periods",
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["until", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(until__gte=models.F("starts_on")), name="monitoring_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person.reference} monitored {self.starts_on:%d/%m/%Y}–{self.until:%d/%m/%Y}"

    def is_active(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.ended_at is None and self.starts_on <= today <= self.until


class Alert(models.Model):
    """A new incident for a monitored person: re-refer them, or dismiss with a reason."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RE_REFERRED = "re_referred", "Re-referred"
        DISMISSED = "dismissed", "Dismissed"

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey("records.Incident", on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(MonitoringPeriod, on_delete=models.PROTECT, related_name="alerts")
    raised_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    dismiss_reason = models.TextField(blank=True)
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "incident"], name="one_alert_per_incident")
        ]

    def __str__(self) -> str:
        return f"Alert: {self.incident.crime_reference} for {self.person.reference}"
