"""Idempotent creation for the API, the way the pages do it.

A client sends a UUID with each creating request, either as the `Idempotency-Key`
header or as the body's `submission_key` (`submission_token` for referrals and
decisions). The same key again answers 200 with what the first request made, and
creates nothing. A key already used for something else (another case, another
operation) is refused with 422 rather than answered with a record the request did
not ask about.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from ninja import Header

from highharm.api.models import IdempotencyKey

# The header, declared on every creating operation (so it is in the published schema).
KeyHeader = Annotated[
    uuid.UUID | None,
    Header(
        alias="Idempotency-Key",
        description="A UUID naming this request: the same key again answers 200 with what "
        "the first request made and creates nothing",
    ),
]

REUSED = "This idempotency key was already used for a different request"


def request_key(header: uuid.UUID | None, body: uuid.UUID | None, *, field="submission_key"):
    """The request's key: the header or the body's field (both: they must agree)."""
    if header is not None and body is not None and header != body:
        raise ValidationError(
            {field: f"The Idempotency-Key header and {field} differ: send one key"}
        )
    return header if header is not None else body


def existing(model, key, *, belongs: Callable, field: str = "submission_key"):
    """The row an earlier request made with this key, or None. 422 if it is not this request's."""
    if key is None:
        return None
    row = model.objects.filter(**{field: key}).first()
    if row is not None and not belongs(row):
        raise ValidationError({field: REUSED})
    return row


def remembered(*, user, key, operation: str):
    """The id of what an earlier request by this user with this key made, or None."""
    if key is None:
        return None
    row = IdempotencyKey.objects.filter(user=user, key=key).first()
    if row is None:
        return None
    if row.operation != operation:
        raise ValidationError({"Idempotency-Key": REUSED})
    return row.object_id


def once(*, user, key, operation: str, make: Callable, find: Callable):
    """Run `make()` (which returns the created record) once per (user, key).

    Returns (record, created). The key is saved in the same transaction as the record,
    so two identical requests at once make one record: the second waits, fails on the
    unique key, and answers with the first's record (`find(object_id)`).
    """
    if key is None:
        return make(), True
    earlier = remembered(user=user, key=key, operation=operation)
    if earlier is not None:
        return find(earlier), False
    try:
        with transaction.atomic():
            record = make()
            IdempotencyKey.objects.create(
                user=user, key=key, operation=operation, object_id=record.pk
            )
    except IntegrityError:
        earlier = remembered(user=user, key=key, operation=operation)
        if earlier is None:
            raise
        return find(earlier), False
    return record, True
