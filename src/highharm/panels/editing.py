"""Safe editing for panel and case records: optimistic locking and once-only creation.

Two people may open the same record; the second to save must not silently
overwrite the first. Every editable record carries a `version` number. A form
sends back the version it was loaded at; `locked_update` saves only if the
row still has that version, and otherwise raises `EditConflict` (the same
exception the referrals app raises, so pages and the API treat every conflict
alike) carrying the record as it now is, so the page can show the second
editor what changed.

A double click or a browser resubmission must not create two rows. Every
creation form carries a random `submission_key`; `create_once` stores it in a
unique column and returns the existing row when the same key arrives again.

`cases` uses this module too (the dependency runs panels -> cases).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from highharm.referrals.locking import EditConflict

__all__ = ["EditConflict", "create_once", "first_error", "locked_update"]


def locked_update(model: type[models.Model], *, pk, expected_version: int, changes: dict):
    """Apply `changes` to row `pk` if it is still at `expected_version`; bump the version.

    Raises EditConflict if the row moved on, unless it already holds exactly these
    values (the same form submitted twice); ValidationError if the result is
    invalid; model.DoesNotExist if it is gone.
    """
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=pk)
        if int(expected_version) != current.version:
            if _already_saved(current, changes):
                return current  # the same edit sent twice (a double submit): nothing to do
            raise EditConflict(current=current, attempted=changes)
        for name, value in changes.items():
            setattr(current, name, value)
        current.version = current.version + 1
        current.full_clean()
        current.save()
    return current


def _same(a, b) -> bool:
    if isinstance(a, models.Model) or isinstance(b, models.Model):
        return getattr(a, "pk", a) == getattr(b, "pk", b)
    if isinstance(a, str) and isinstance(b, str):
        return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()
    return a == b


def _already_saved(current, changes: dict) -> bool:
    return all(_same(getattr(current, name), value) for name, value in changes.items())


def create_once(model: type[models.Model], *, submission_key=None, **fields):
    """Create a row unless one with this submission key exists. Returns (row, created)."""
    if submission_key:
        existing = model.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing, False
    row = model(submission_key=submission_key or None, **fields)
    row.full_clean(exclude=["submission_key"])
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        if submission_key:
            existing = model.objects.filter(submission_key=submission_key).first()
            if existing is not None:
                return existing, False
        raise
    return row, True


def first_error(error: ValidationError) -> str:
    """One readable sentence from a ValidationError."""
    if hasattr(error, "message_dict"):
        for messages in error.message_dict.values():
            if messages:
                return messages[0]
    return error.messages[0] if error.messages else str(error)
