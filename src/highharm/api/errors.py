"""One mapping from the services' exceptions to API answers, shared by every router.

- django ValidationError -> 422 with the message for each field (`__all__` for the form);
- EditConflict (someone else saved first) -> 409 with the record's current version and
  values, and what this caller tried to save;
- CaseError / PanelError (a rule of the case or the panel refuses the request) -> 400.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from ninja import Schema

from highharm.cases.services import CaseError
from highharm.panels.services import PanelError
from highharm.referrals.locking import EditConflict


class Error(Schema):
    detail: str


class FieldErrors(Schema):
    detail: str
    errors: dict[str, list[str]]


class Conflict(Schema):
    detail: str
    current_version: int | None = None
    current: dict[str, str | int | float | bool | None]
    attempted: dict[str, str | int | float | bool | None]


def field_messages(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {name: [str(m) for m in msgs] for name, msgs in error.message_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


def _plain(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple | set | dict):
        return ", ".join(str(v) for v in value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def conflict_body(error: EditConflict) -> dict:
    record = error.current
    current = {}
    for field in record._meta.concrete_fields:
        if field.name in ("submission_key", "submission_token"):
            continue
        current[field.name] = _plain(getattr(record, field.attname))
    return {
        "detail": error.message,
        "current_version": getattr(record, "version", None),
        "current": current,
        "attempted": {k: _plain(v) for k, v in error.attempted.items()},
    }


def install(api) -> None:
    """Register the handlers on the NinjaAPI."""

    @api.exception_handler(ValidationError)
    def validation_error(request, exc):
        messages = field_messages(exc)
        first = next((m[0] for m in messages.values() if m), "Invalid request")
        return api.create_response(request, {"detail": first, "errors": messages}, status=422)

    @api.exception_handler(EditConflict)
    def edit_conflict(request, exc):
        return api.create_response(request, conflict_body(exc), status=409)

    @api.exception_handler(CaseError)
    def case_error(request, exc):
        return api.create_response(request, {"detail": str(exc)}, status=400)

    @api.exception_handler(PanelError)
    def panel_error(request, exc):
        return api.create_response(request, {"detail": str(exc)}, status=400)
