"""Optimistic locking for referral, triage and monitoring records.

Every editable record carries a `version`. A form sends back the version it
was loaded at; a service saves only if the row still has it, and otherwise
raises `EditConflict` carrying the record as it now is and what this editor
tried to save, so the page can tell the second editor and show the change.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


@dataclass
class Difference:
    field: str
    label: str
    saved: str
    yours: str


class EditConflict(Exception):
    """Someone else saved the record after this editor loaded it."""

    def __init__(self, *, current: models.Model, attempted: dict | None = None, message: str = ""):
        self.current = current
        self.attempted = attempted or {}
        self.message = message or (
            f"This {current._meta.verbose_name} was changed by someone else while you were "
            "working on it. Your changes have not been saved."
        )
        super().__init__(self.message)

    def _latest(self):
        history = getattr(self.current, "history", None)
        if history is None:
            return None
        return history.order_by("-history_date").select_related("history_user").first()

    @property
    def changed_by(self) -> str:
        latest = self._latest()
        if latest is None or latest.history_user is None:
            return "another user"
        user = latest.history_user
        return getattr(user, "display_name", "") or user.get_username()

    @property
    def changed_at(self):
        latest = self._latest()
        return latest.history_date if latest is not None else None

    def differences(self) -> list[Difference]:
        rows = []
        for name, yours in self.attempted.items():
            try:
                model_field = self.current._meta.get_field(name)
            except Exception:  # noqa: S112 (attempted values may name non-fields)
                continue
            saved = getattr(self.current, name)
            if _comparable(saved) == _comparable(yours):
                continue
            rows.append(
                Difference(
                    field=name,
                    label=str(model_field.verbose_name).capitalize(),
                    saved=display(model_field, saved),
                    yours=display(model_field, yours),
                )
            )
        return rows


def _comparable(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    if isinstance(value, list | tuple):
        return sorted(str(v) for v in value)
    return value


def display(model_field, value) -> str:
    if value is None or value == "" or value == []:
        return "(blank)"
    if isinstance(value, models.Model):
        return getattr(value, "display_name", None) or str(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def check_version(instance: models.Model, expected_version, attempted: dict | None = None):
    """Raise EditConflict unless the (locked, freshly read) instance is at expected_version."""
    if expected_version is not None and int(expected_version) != instance.version:
        raise EditConflict(current=instance, attempted=attempted)
