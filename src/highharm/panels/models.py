"""The High Harm Perpetrator Panel (HHPP): meetings, agenda, minutes and actions.

The panel discusses people (the perpetrators adopted at triage, and those
whose case is due for review). It works on `people.Person` rather than on
`cases.Case` because the dependency runs panels -> cases: a newly adopted
person may be on the agenda before a case is allocated, and the cases app
adds its details to the agenda and pack through `panels.hooks`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class PanelMeeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    held_on = models.DateField("date", db_index=True)
    starts_at = models.TimeField("start time", null=True, blank=True)
    location = models.CharField(max_length=200, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chaired_panels",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    notes = models.TextField(blank=True, help_text="General notes, apologies, matters arising")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    history = HistoricalRecords(excluded_fields=["submission_key"])

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"Panel of {self.held_on:%-d %B %Y}"

    @property
    def title(self) -> str:
        return str(self)


class PanelAttendee(models.Model):
    """Someone invited to a meeting, by agency: present or sending apologies."""

    class Attendance(models.TextChoices):
        PRESENT = "present", "Present"
        APOLOGIES = "apologies", "Apologies"
        ABSENT = "absent", "Absent"

    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(max_length=200)
    role_title = models.CharField("role", max_length=200, blank=True)
    agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency_name = models.CharField(
        "other agency", max_length=200, blank=True, help_text="When the agency is not listed"
    )
    attendance = models.CharField(
        max_length=12, choices=Attendance.choices, default=Attendance.PRESENT
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency__name", "agency_name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "name"], name="attendee_once_per_meeting"),
            models.CheckConstraint(
                condition=Q(agency__isnull=False) | ~Q(agency_name=""),
                name="attendee_has_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency_label})"

    @property
    def agency_label(self) -> str:
        return self.agency.name if self.agency_id else self.agency_name


class AgendaItem(models.Model):
    class Reason(models.TextChoices):
        NEWLY_ADOPTED = "newly_adopted", "Newly adopted"
        DUE_FOR_REVIEW = "due_for_review", "Due for review"
        OTHER = "other", "Other"

    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="agenda")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="panel_agenda_items"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    reason_detail = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="person_once_per_agenda")
        ]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.person.reference} ({self.get_reason_display()})"


class Minute(models.Model):
    """What the panel said and agreed about one person at one meeting."""

    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="minutes")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    discussion = models.TextField(blank=True)
    decisions = models.TextField("decisions and rationale", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["meeting__held_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="one_minute_per_person")
        ]

    def __str__(self) -> str:
        return f"Minute: {self.meeting}, {self.person.reference}"


class Action(models.Model):
    """An action with an owner and a due date, carried from meeting to meeting until closed."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    meeting = models.ForeignKey(
        PanelMeeting,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
        help_text="The meeting that set the action; blank when set from a case",
    )
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="panel_actions",
    )
    description = models.TextField("action")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="panel_actions",
    )
    owner_name = models.CharField(
        "owner (not a Highharm user)", max_length=200, blank=True, help_text="Name and role"
    )
    agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency_name = models.CharField("other agency", max_length=200, blank=True)
    due_on = models.DateField("due date")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(null=True, blank=True)
    update_note = models.TextField("update", blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    history = HistoricalRecords(excluded_fields=["submission_key"])

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=False) | ~Q(owner_name=""), name="action_has_owner"
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True)
                | (~Q(status="open") & Q(closed_on__isnull=False)),
                name="action_closed_on_iff_closed",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def owner_label(self) -> str:
        if self.owner_id:
            return self.owner.display_name
        return self.owner_name

    @property
    def agency_label(self) -> str:
        if self.agency_id:
            return self.agency.name
        return self.agency_name

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def is_overdue(self, today) -> bool:
        return self.is_open and self.due_on < today
