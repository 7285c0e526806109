"""Managed cases: an adopted perpetrator, their lead offender manager and plan, and
everything done with and about them (interventions, orders, contacts, tracing,
victims' safeguarding) until they exit into post-exit monitoring.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="cases")
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="lead offender manager",
        on_delete=models.PROTECT,
        related_name="cases_led",
    )
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    triage_decision = models.ForeignKey(
        "referrals.TriageDecision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        help_text="The triage decision to adopt that opened the case",
    )
    opened_on = models.DateField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    plan = models.TextField(
        "management plan",
        blank=True,
        help_text="Objectives for tracing, engagement, enforcement and safeguarding",
    )
    review_due = models.DateField("review due", null=True, blank=True, db_index=True)
    closed_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [
            # One open case per person: a second allocation (or a double submit) is refused.
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="open"), name="one_open_case_per_person"
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True)
                | Q(status="closed", closed_on__isnull=False),
                name="case_closed_on_iff_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk} ({self.person.reference})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Intervention(models.Model):
    class Kind(models.TextChoices):
        ENGAGEMENT = "engagement", "Engagement"
        ENFORCEMENT = "enforcement", "Enforcement"
        SAFEGUARDING = "safeguarding", "Safeguarding"

    class Type(models.TextChoices):
        # Engagement: support that reduces the drivers of offending.
        PERPETRATOR_PROGRAMME = "perpetrator_programme", "Perpetrator programme"
        HOUSING = "housing", "Housing"
        BENEFITS = "benefits", "Benefits"
        SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"
        MENTAL_HEALTH = "mental_health", "Mental health"
        EMPLOYMENT = "employment", "Employment"
        EDUCATION = "education", "Education"
        # Enforcement: the criminal and civil tools.
        ARREST = "arrest", "Arrest"
        CHARGE = "charge", "Charge"
        BAIL_CONDITIONS = "bail_conditions", "Bail conditions"
        DVPN = "dvpn", "Domestic Violence Protection Notice (DVPN)"
        DVPO = "dvpo", "Domestic Violence Protection Order (DVPO)"
        DAPN = "dapn", "Domestic Abuse Protection Notice (DAPN)"
        DAPO = "dapo", "Domestic Abuse Protection Order (DAPO)"
        SPO = "spo", "Stalking Protection Order (SPO)"
        NMO = "nmo", "Non-Molestation Order (NMO)"
        RO = "ro", "Restraining Order (RO)"
        SHPO = "shpo", "Sexual Harm Prevention Order (SHPO)"
        SRO = "sro", "Sexual Risk Order (SRO)"
        WARRANT = "warrant", "Warrant"
        # Safeguarding: protecting victims and potential victims.
        DVDS_RIGHT_TO_ASK = "dvds_right_to_ask", "DVDS right-to-ask disclosure"
        DVDS_RIGHT_TO_KNOW = "dvds_right_to_know", "DVDS right-to-know disclosure"
        IDVA_REFERRAL = "idva_referral", "IDVA referral"
        ISVA_REFERRAL = "isva_referral", "ISVA referral"
        MARAC_REFERRAL = "marac_referral", "MARAC referral"
        SAFETY_PLAN = "safety_plan", "Safety plan"
        TARGET_HARDENING = "target_hardening", "Target hardening"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        STOPPED = "stopped", "Stopped before completion"
        DECLINED = "declined", "Declined or refused"

    class Outcome(models.TextChoices):
        PENDING = "pending", "Not known yet"
        HOUSING_SECURED = "housing_secured", "Housing secured"
        BENEFITS_IN_PLACE = "benefits_in_place", "Benefits in place"
        TREATMENT_STARTED = "treatment_started", "Treatment started"
        TREATMENT_COMPLETED = "treatment_completed", "Treatment completed"
        PROGRAMME_STARTED = "programme_started", "Programme started"
        PROGRAMME_COMPLETED = "programme_completed", "Programme completed"
        EMPLOYMENT_SECURED = "employment_secured", "Employment secured"
        EDUCATION_STARTED = "education_started", "Education or training started"
        ARRESTED = "arrested", "Arrested"
        CHARGED = "charged", "Charged"
        NO_FURTHER_ACTION = "no_further_action", "No further action"
        BAIL_CONDITIONS_SET = "bail_conditions_set", "Bail conditions set"
        ORDER_OBTAINED = "order_obtained", "Order obtained"
        ORDER_REFUSED = "order_refused", "Order refused by the court"
        WARRANT_EXECUTED = "warrant_executed", "Warrant executed"
        DISCLOSURE_MADE = "disclosure_made", "Disclosure made"
        DISCLOSURE_NOT_MADE = "disclosure_not_made", "Disclosure not made"
        VICTIM_SUPPORTED = "victim_supported", "Victim engaged with support"
        SUPPORT_DECLINED = "support_declined", "Victim declined support"
        MARAC_HEARD = "marac_heard", "Heard at MARAC"
        SAFETY_PLAN_IN_PLACE = "safety_plan_in_place", "Safety plan in place"
        SECURITY_FITTED = "security_fitted", "Security measures fitted"
        NOT_ACHIEVED = "not_achieved", "Not achieved"
        OTHER = "other", "Other"

    class Engagement(models.TextChoices):
        ENGAGED = "engaged", "Engaged"
        PARTLY = "partly", "Partly engaged"
        NOT_ENGAGED = "not_engaged", "Did not engage"
        NOT_APPLICABLE = "not_applicable", "Not applicable"
        NOT_KNOWN = "not_known", "Not known yet"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="interventions")
    kind = models.CharField(max_length=14, choices=Kind.choices, editable=False)
    type = models.CharField(max_length=30, choices=Type.choices)
    provider = models.CharField(
        max_length=200, blank=True, help_text="Agency, team or service delivering it"
    )
    started_on = models.DateField("start date")
    ended_on = models.DateField("end date", null=True, blank=True)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.PLANNED)
    outcome = models.CharField(max_length=24, choices=Outcome.choices, default=Outcome.PENDING)
    engaged = models.CharField(
        "perpetrator engaged",
        max_length=16,
        choices=Engagement.choices,
        default=Engagement.NOT_KNOWN,
    )
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    history = HistoricalRecords(excluded_fields=["submission_key"])

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="intervention_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} ({self.started_on:%d/%m/%Y})"

    def save(self, *args, **kwargs):
        self.kind = KIND_OF_TYPE[self.type]
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None):
        if self.type in KIND_OF_TYPE:
            self.kind = KIND_OF_TYPE[self.type]
        super().clean_fields(exclude=exclude)

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.status in (self.Status.COMPLETED, self.Status.STOPPED) and not self.ended_on:
            raise ValidationError({"ended_on": "Give the end date of a finished intervention."})


_T = Intervention.Type
_K = Intervention.Kind
TYPES_BY_KIND = {
    _K.ENGAGEMENT: [
        _T.PERPETRATOR_PROGRAMME,
        _T.HOUSING,
        _T.BENEFITS,
        _T.SUBSTANCE_MISUSE,
        _T.MENTAL_HEALTH,
        _T.EMPLOYMENT,
        _T.EDUCATION,
    ],
    _K.ENFORCEMENT: [
        _T.ARREST,
        _T.CHARGE,
        _T.BAIL_CONDITIONS,
        _T.DVPN,
        _T.DVPO,
        _T.DAPN,
        _T.DAPO,
        _T.SPO,
        _T.NMO,
        _T.RO,
        _T.SHPO,
        _T.SRO,
        _T.WARRANT,
    ],
    _K.SAFEGUARDING: [
        _T.DVDS_RIGHT_TO_ASK,
        _T.DVDS_RIGHT_TO_KNOW,
        _T.IDVA_REFERRAL,
        _T.ISVA_REFERRAL,
        _T.MARAC_REFERRAL,
        _T.SAFETY_PLAN,
        _T.TARGET_HARDENING,
    ],
}
KIND_OF_TYPE = {t.value: kind.value for kind, types in TYPES_BY_KIND.items() for t in types}


class Order(models.Model):
    """A protective or preventive order in force against the perpetrator."""

    class Type(models.TextChoices):
        DVPN = "dvpn", "Domestic Violence Protection Notice (DVPN)"
        DVPO = "dvpo", "Domestic Violence Protection Order (DVPO)"
        DAPN = "dapn", "Domestic Abuse Protection Notice (DAPN)"
        DAPO = "dapo", "Domestic Abuse Protection Order (DAPO)"
        SPO_INTERIM = "spo_interim", "Interim Stalking Protection Order"
        SPO = "spo", "Stalking Protection Order (SPO)"
        NMO = "nmo", "Non-Molestation Order (NMO)"
        RO = "ro", "Restraining Order (RO)"
        SHPO = "shpo", "Sexual Harm Prevention Order (SHPO)"
        SRO = "sro", "Sexual Risk Order (SRO)"
        BAIL = "bail", "Bail conditions"
        LICENCE = "licence", "Licence conditions"
        OTHER = "other", "Other order"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="orders")
    type = models.CharField(max_length=14, choices=Type.choices)
    reference = models.CharField("court or order reference", max_length=100, blank=True)
    starts_on = models.DateField("start date")
    ends_on = models.DateField(
        "end date", null=True, blank=True, help_text="Leave blank for 'until further order'"
    )
    conditions = models.TextField(help_text="The prohibitions and requirements, as ordered")
    intervention = models.ForeignKey(
        Intervention,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        help_text="The intervention that obtained it",
    )
    revoked_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    history = HistoricalRecords(excluded_fields=["submission_key"])

    class Meta:
        ordering = ["ends_on", "-starts_on", "id"]
        indexes = [models.Index(fields=["ends_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="order_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} from {self.starts_on:%d/%m/%Y}"

    def is_active(self, today) -> bool:
        if self.revoked_on and self.revoked_on <= today:
            return False
        return self.starts_on <= today and (self.ends_on is None or self.ends_on >= today)

    def days_left(self, today) -> int | None:
        return None if self.ends_on is None else (self.ends_on - today).days


class CaseVictim(models.Model):
    """A victim linked to the case, with their safeguarding. Visible only to roles that may see victims."""

    class Safeguarding(models.TextChoices):
        NOT_ASSESSED = "not_assessed", "Not yet assessed"
        SUPPORTED = "supported", "Supported by IDVA or ISVA"
        SAFETY_PLAN = "safety_plan", "Safety plan in place"
        MARAC = "marac", "Referred to MARAC"
        DECLINED = "declined", "Declined support"
        NO_CONTACT = "no_contact", "Could not be contacted"
        NO_CURRENT_RISK = "no_current_risk", "No current safeguarding need"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="victims")
    victim = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    relationship = models.CharField(
        max_length=20,
        choices=[
            ("partner", "Current partner"),
            ("ex_partner", "Ex-partner"),
            ("family", "Family member"),
            ("acquaintance", "Acquaintance"),
            ("stranger", "Stranger"),
            ("other", "Other"),
            ("unknown", "Unknown"),
        ],
        default="unknown",
    )
    safeguarding = models.CharField(
        "safeguarding status",
        max_length=20,
        choices=Safeguarding.choices,
        default=Safeguarding.NOT_ASSESSED,
    )
    notes = models.TextField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "victim"], name="victim_once_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.victim.reference} on {self.case}"


class Contact(models.Model):
    class With(models.TextChoices):
        PERPETRATOR = "perpetrator", "The perpetrator"
        VICTIM = "victim", "A victim"
        AGENCY = "agency", "An agency"

    class Method(models.TextChoices):
        FACE_TO_FACE = "face_to_face", "Face to face"
        HOME_VISIT = "home_visit", "Home visit"
        PHONE = "phone", "Phone"
        VIDEO = "video", "Video call"
        TEXT = "text", "Text message"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        MEETING = "meeting", "Multi-agency meeting"
        ATTEMPTED = "attempted", "Attempted, no contact made"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="contacts")
    with_whom = models.CharField("contact with", max_length=12, choices=With.choices)
    victim = models.ForeignKey(
        CaseVictim,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
        help_text="Which victim, for a contact with a victim",
    )
    agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency_name = models.CharField("other agency", max_length=200, blank=True)
    method = models.CharField(max_length=14, choices=Method.choices)
    contacted_on = models.DateField("date")
    notes = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    history = HistoricalRecords(excluded_fields=["submission_key"])

    class Meta:
        ordering = ["-contacted_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} with {self.get_with_whom_display().lower()}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.with_whom == self.With.VICTIM and self.victim_id is None:
            raise ValidationError({"victim": "Choose which victim."})
        if self.with_whom != self.With.VICTIM:
            self.victim = None
        if self.with_whom == self.With.AGENCY and not (self.agency_id or self.agency_name):
            raise ValidationError({"agency": "Choose the agency, or name it."})

    @property
    def agency_label(self) -> str:
        return self.agency.name if self.agency_id else self.agency_name


class TracingRecord(models.Model):
    """Where the perpetrator is: each attempt to locate them and what it found."""

    class Status(models.TextChoices):
        LOCATED = "located", "Located"
        WANTED = "wanted", "Wanted"
        IN_CUSTODY = "in_custody", "In custody"
        NOT_LOCATED = "not_located", "Not located"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="tracing")
    recorded_on = models.DateField("date")
    status = models.CharField(max_length=12, choices=Status.choices)
    last_known_address = models.TextField(blank=True)
    whereabouts = models.TextField(blank=True, help_text="Where they are, or are believed to be")
    attempt = models.TextField(
        "attempt to locate", blank=True, help_text="What was done to find them, and by whom"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    history = HistoricalRecords(excluded_fields=["submission_key"])

    class Meta:
        ordering = ["-recorded_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} on {self.recorded_on:%d/%m/%Y}"


class Exit(models.Model):
    """The closure of a case: why, when, and how long the person is monitored afterwards."""

    class Reason(models.TextChoices):
        RISK_REDUCED = "risk_reduced", "Risk reduced: objectives met"
        LONG_CUSTODY = "long_custody", "Long-term custody"
        MOVED_AWAY = "moved_away", "Moved out of the force area"
        MAPPA = "mappa", "Transferred to MAPPA"
        IOM = "iom", "Transferred to IOM"
        OTHER_PATHWAY = "other_pathway", "Managed by another pathway"
        NO_LONGER_CRITERIA = "no_longer_criteria", "No longer meets the criteria"
        DECEASED = "deceased", "Deceased"
        OTHER = "other", "Other"

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="exit")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    exited_on = models.DateField("date of exit")
    rationale = models.TextField()
    monitor_until = models.DateField("monitor until", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-exited_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(monitor_until__isnull=True)
                | Q(monitor_until__gte=models.F("exited_on")),
                name="exit_monitoring_after_exit",
            )
        ]

    def __str__(self) -> str:
        return f"Exit of {self.case}: {self.get_reason_display()}"
