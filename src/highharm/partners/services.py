"""Every write for partner services and referrals out (one transaction each)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from highharm.partners.models import AgencyService, ReferralOut
from highharm.people.models import PersonShare


class StaleEdit(Exception):
    """Someone saved the record after this editor loaded it (optimistic locking)."""

    def __init__(self, *, current, attempted: dict):
        self.current = current
        self.attempted = attempted
        super().__init__(
            f"This {current._meta.verbose_name} was changed by someone else while you were "
            "editing it. Your changes have not been saved."
        )

    @property
    def changed_by(self) -> str:
        latest = self.current.history.order_by("-history_date").first()
        user = latest.history_user if latest is not None else None
        return (getattr(user, "display_name", "") or user.get_username()) if user else ""

    def differences(self) -> list[dict]:
        rows = []
        for name, yours in self.attempted.items():
            saved = getattr(self.current, name)
            if _norm(saved) != _norm(yours):
                field = self.current._meta.get_field(name)
                rows.append(
                    {
                        "label": str(field.verbose_name).capitalize(),
                        "saved": _show(field, saved),
                        "yours": _show(field, yours),
                    }
                )
        return rows


def _norm(value):
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    return value


def _show(field, value) -> str:
    if value is None or value == "":
        return "(blank)"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _locked(model, pk, expected_version, attempted):
    current = model.objects.select_for_update().get(pk=pk)
    if expected_version is not None and int(expected_version) != current.version:
        raise StaleEdit(current=current, attempted=attempted)
    return current


def _check_places(places_total, places_available):
    if places_total is not None and places_available is not None:
        if places_available > places_total:
            raise ValidationError(
                {
                    "places_available": (
                        f"Free places ({places_available}) cannot be more than the places "
                        f"the service has in all ({places_total})"
                    )
                }
            )


def service_create(
    *,
    agency,
    name: str,
    service_type: str,
    by,
    description: str = "",
    contact: str = "",
    accepts_referrals: bool = True,
    places_total: int | None = None,
    places_available: int | None = None,
    waiting_days: int | None = None,
) -> AgencyService:
    _check_places(places_total, places_available)
    with transaction.atomic():
        if AgencyService.objects.filter(agency=agency, name__iexact=name.strip()).exists():
            raise ValidationError({"name": f"{agency} already has a service called {name}"})
        service = AgencyService(
            agency=agency,
            name=name.strip(),
            service_type=service_type,
            description=description,
            contact=contact,
            accepts_referrals=accepts_referrals,
            places_total=places_total,
            places_available=places_available,
            waiting_days=waiting_days,
            capacity_updated_at=timezone.now(),
            capacity_updated_by=by,
        )
        service.full_clean()
        service.save()
    return service


SERVICE_FIELDS = (
    "name",
    "service_type",
    "description",
    "contact",
    "accepts_referrals",
    "places_total",
    "places_available",
    "waiting_days",
)
CAPACITY_FIELDS = ("places_total", "places_available", "waiting_days", "accepts_referrals")


def service_update(*, service_id: int, expected_version: int, by, **changes) -> AgencyService:
    """Change a service's details or capacity; refuses a stale edit (StaleEdit)."""
    unknown = set(changes) - set(SERVICE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown service fields: {sorted(unknown)}")
    with transaction.atomic():
        service = _locked(AgencyService, service_id, expected_version, changes)
        capacity_changed = any(
            getattr(service, f) != changes[f] for f in CAPACITY_FIELDS if f in changes
        )
        for name, value in changes.items():
            setattr(service, name, value)
        _check_places(service.places_total, service.places_available)
        if capacity_changed:
            service.capacity_updated_at = timezone.now()
            service.capacity_updated_by = by
        service.version += 1
        service.full_clean()
        service.save()
    return service


def referral_out_create(
    *, person, service: AgencyService, reason: str, by, referred_on=None
) -> ReferralOut:
    """Refer a person to a partner's service. The person is shared with that agency,
    whose staff need to know who is referred to them and may record the outcome."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter why the person is referred to this service"})
    if not service.accepts_referrals:
        raise ValidationError({"service": f"{service.name} is not accepting referrals just now"})
    with transaction.atomic():
        referral_out = ReferralOut.objects.create(
            person=person,
            service=service,
            reason=reason.strip(),
            referred_by=by,
            referred_on=referred_on or timezone.localdate(),
        )
        PersonShare.objects.get_or_create(
            person=person,
            agency=service.agency,
            defaults={"shared_by": by, "reason": f"Referred to {service.name}"[:300]},
        )
    return referral_out


def referral_out_update(
    *,
    referral_out_id: int,
    expected_version: int,
    by,
    status: str,
    outcome: str = "",
    rejection_reason: str = "",
    started_on=None,
) -> ReferralOut:
    """Record where a referral out has got to; refuses a stale edit (StaleEdit)."""
    attempted = {
        "status": status,
        "outcome": outcome,
        "rejection_reason": rejection_reason,
        "started_on": started_on,
    }
    errors = {}
    if status == ReferralOut.Status.REJECTED and not (rejection_reason or "").strip():
        errors["rejection_reason"] = "Enter why the service rejected the referral"
    if status in (ReferralOut.Status.STARTED, ReferralOut.Status.COMPLETED) and not started_on:
        errors["started_on"] = "Enter the date the person started with the service"
    if status in ReferralOut.CLOSED and status != ReferralOut.Status.REJECTED:
        if not (outcome or "").strip():
            errors["outcome"] = "Enter the outcome"
    with transaction.atomic():
        current = _locked(ReferralOut, referral_out_id, expected_version, attempted)
        if started_on and started_on < current.referred_on:
            errors["started_on"] = (
                f"The start date must be on or after the referral date "
                f"({current.referred_on:%d/%m/%Y})"
            )
        if errors:
            raise ValidationError(errors)
        if current.status != status:
            current.status_changed_on = timezone.localdate()
        current.status = status
        current.outcome = outcome.strip()
        current.rejection_reason = rejection_reason.strip()
        current.started_on = started_on
        current.version += 1
        current.save()
    return current
