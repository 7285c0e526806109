"""The append-only access log.

One row for every view of a person or case, every search, every export and
every sign-in event: who, what, when, from where. Each row carries an
HMAC-SHA256 hash, under the audit key that is kept outside the database, chained
to the row before it (highharm/audit/chain.py), so any edit made behind the
application's back is found by `highharm audit verify`, even by someone who
recomputes the hashes.
"""

from django.conf import settings
from django.db import models

from highharm.audit import chain


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an access-log row."""


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The access log is append-only: rows cannot be updated.")

    def delete(self):
        raise AppendOnlyError("The access log is append-only: rows cannot be deleted.")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("The access log is append-only: rows cannot be updated.")


class AccessLog(models.Model):
    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    username = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=40, db_index=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.CharField(max_length=64, blank=True)
    path = models.CharField(max_length=500, blank=True)
    prev_hash = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64, unique=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "at"]),
            models.Index(fields=["username", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The access log is append-only: rows cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The access log is append-only: rows cannot be deleted.")

    def canonical(self) -> str:
        """The text that the row's hash covers."""
        return chain.canonical(self)

    def compute_hash(self) -> str:
        """HMAC-SHA256 of the canonical text under the configured audit key."""
        return chain.keyed_hasher(settings.AUDIT_KEY)(self.canonical())


class AuditChainHead(models.Model):
    """A single row holding the hash of the latest access-log row.

    Writers lock it (SELECT ... FOR UPDATE) so that rows are chained in
    order even with several web workers on several hosts.
    """

    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    key_id = models.CharField(
        max_length=16,
        blank=True,
        help_text="Which audit key the chain is signed with (not the key)",
    )

    def __str__(self) -> str:
        return f"access log head at row {self.last_id}"


class RetentionDecision(models.Model):
    """A recorded retention review of one person: keep the record, or dispose of it.

    MoPI asks that every review deciding to retain is recorded with its reason; a
    disposal is recorded here too (with the access-log entry `disposal`). After a
    disposal the person row holds no identity: `reference_digest` (a keyed hash of the
    RMS reference) lets an import recognise a disposed person without storing the
    reference itself. Rows are never changed: a later review adds a row.
    """

    class Decision(models.TextChoices):
        RETAIN = "retain", "Retain"
        DISPOSE = "dispose", "Dispose"

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=8, choices=Decision.choices)
    reason = models.TextField()
    decided_at = models.DateTimeField(db_index=True)
    decided_on = models.DateField(help_text="The review date the decision counts from")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_username = models.CharField(max_length=150)
    group = models.PositiveSmallIntegerField(help_text="MoPI review group at the decision")
    next_review_on = models.DateField(null=True, blank=True)
    exceptional = models.BooleanField(
        default=False, help_text="Disposed before the group's rules allowed, with a reason"
    )
    reference_digest = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["person", "decided_at"])]

    def __str__(self) -> str:
        return (
            f"{self.get_decision_display()} person {self.person_id} on {self.decided_on:%d/%m/%Y}"
        )

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Retention decisions are kept as made: add a new one.")
        super().save(*args, **kwargs)
