"""What the API remembers to answer a repeated request: one row per idempotency key.

Most creating operations pass their key to a service that stores it on the new row
(`submission_key`, `submission_token`). The few services without such a column
(a triage meeting, a case's closure) are made idempotent here: the key, who sent it,
the operation and the id of what it made, saved in the same transaction as the record.
"""

from django.conf import settings
from django.db import models


class IdempotencyKey(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.UUIDField()
    operation = models.CharField(max_length=60)
    object_id = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.object_id} ({self.key})"
