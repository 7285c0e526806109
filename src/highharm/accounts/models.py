from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from highharm.accounts.permissions import AGENCY_SCOPED_ROLES, ROLE_LABELS, Role, user_can


class Agency(models.Model):
    """An organisation whose staff use Highharm: the force itself or a partner agency."""

    class Kind(models.TextChoices):
        POLICE = "police", "Police"
        PROBATION = "probation", "Probation"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        HEALTH = "health", "Health"
        HOUSING = "housing", "Housing"
        VICTIM_SERVICES = "victim_services", "Victim services"
        PERPETRATOR_PROGRAMME = "perpetrator_programme", "Perpetrator programme"
        SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40, choices=Kind.choices, default=Kind.OTHER)
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    ROLE_CHOICES = [(role.value, ROLE_LABELS[role]) for role in Role]

    role = models.CharField(max_length=32, choices=ROLE_CHOICES, blank=True)
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = UserManager()

    class Meta:
        ordering = ["username"]

    def clean(self):
        super().clean()
        if self.role == Role.PARTNER and self.agency_id is None:
            raise ValidationError({"agency": "A partner-agency user must belong to an agency."})

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(Role(self.role), "") if self.role else "No role"

    @property
    def is_agency_scoped(self) -> bool:
        return self.role in AGENCY_SCOPED_ROLES

    def can(self, capability) -> bool:
        return user_can(self, capability)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 hash is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="The first characters, to recognise a token")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) for {self.user}"
