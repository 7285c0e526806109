"""Every read for the partner directory, already scoped to what the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from highharm.accounts.models import Agency
from highharm.accounts.permissions import Cap, user_can
from highharm.partners.models import AgencyService, ReferralOut

DEFAULT_WAITING_THRESHOLD_DAYS = 28
STALE_CAPACITY_DAYS = 30
OUTCOME_WINDOW_DAYS = 365


def waiting_threshold_days() -> int:
    return int(getattr(settings, "PARTNER_WAITING_THRESHOLD_DAYS", DEFAULT_WAITING_THRESHOLD_DAYS))


def agency_directory() -> QuerySet[Agency]:
    """Active agencies with their services (every directory viewer may see the directory)."""
    return (
        Agency.objects.filter(is_active=True)
        .prefetch_related(Prefetch("services", queryset=AgencyService.objects.order_by("name")))
        .order_by("name")
    )


def agency_get(*, agency_id: int) -> Agency:
    return Agency.objects.get(pk=agency_id)


def service_get(*, service_id: int) -> AgencyService:
    return AgencyService.objects.select_related("agency").get(pk=service_id)


def service_choices() -> QuerySet[AgencyService]:
    return (
        AgencyService.objects.filter(accepts_referrals=True, agency__is_active=True)
        .select_related("agency")
        .order_by("agency__name", "name")
    )


def referral_out_visible_to(user) -> QuerySet[ReferralOut]:
    """Referrals out naming a person: unit staff see all; a partner, those to their agency."""
    if not user_can(user, Cap.PERSON_VIEW):
        return ReferralOut.objects.none()
    qs = ReferralOut.objects.select_related("person", "service", "service__agency", "referred_by")
    if user.is_agency_scoped:
        return qs.filter(service__agency_id=user.agency_id) if user.agency_id else qs.none()
    return qs


def referral_out_editable_by(user) -> QuerySet[ReferralOut]:
    """Who may record an outcome: unit staff who may share people, or the receiving agency."""
    qs = referral_out_visible_to(user)
    if user.is_agency_scoped:
        return qs
    return qs if user_can(user, Cap.PERSON_SHARE) else qs.none()


def referral_out_list(*, user, service=None, person=None, pending_only=False) -> QuerySet:
    qs = referral_out_visible_to(user)
    if service is not None:
        qs = qs.filter(service=service)
    if person is not None:
        qs = qs.filter(person=person)
    if pending_only:
        qs = qs.filter(status__in=ReferralOut.PENDING)
    return qs.order_by("-referred_on", "-id")


def referral_out_get(*, user, referral_out_id: int, for_edit: bool = False) -> ReferralOut:
    qs = referral_out_editable_by(user) if for_edit else referral_out_visible_to(user)
    return qs.get(pk=referral_out_id)


@dataclass
class ServiceCapacity:
    service: AgencyService
    pending: int = 0
    waiting_over_threshold: int = 0
    rejected_recently: int = 0
    started_recently: int = 0
    referred_recently: int = 0
    mean_days_to_start: float | None = None
    issues: list[str] = field(default_factory=list)

    @property
    def short(self) -> bool:
        return bool(self.issues)


def capacity_summary(*, today: dt.date | None = None, threshold: int | None = None) -> dict:
    """Where external capacity runs short, service by service and by type of service.

    A service is short when its waiting time is over the threshold, it has no
    free places, it is not taking referrals, referrals out to it have waited
    longer than the threshold without starting, or it rejected referrals in the
    last year. Counts only: no person is named, so every directory viewer may see it.
    """
    today = today or timezone.localdate()
    threshold = waiting_threshold_days() if threshold is None else threshold
    window_start = today - dt.timedelta(days=OUTCOME_WINDOW_DAYS)
    overdue_before = today - dt.timedelta(days=threshold)
    services = (
        AgencyService.objects.filter(agency__is_active=True)
        .select_related("agency")
        .annotate(
            n_pending=Count(
                "referrals_out", filter=Q(referrals_out__status__in=ReferralOut.PENDING)
            ),
            n_overdue=Count(
                "referrals_out",
                filter=Q(
                    referrals_out__status__in=ReferralOut.PENDING,
                    referrals_out__referred_on__lt=overdue_before,
                ),
            ),
            n_rejected=Count(
                "referrals_out",
                filter=Q(
                    referrals_out__status=ReferralOut.Status.REJECTED,
                    referrals_out__referred_on__gte=window_start,
                ),
            ),
            n_referred=Count(
                "referrals_out", filter=Q(referrals_out__referred_on__gte=window_start)
            ),
        )
        .order_by("agency__name", "name")
    )
    started = (
        ReferralOut.objects.filter(started_on__isnull=False, started_on__gte=window_start)
        .values_list("service_id", "referred_on", "started_on")
        .order_by()
    )
    waits: dict[int, list[int]] = {}
    for service_id, referred_on, started_on in started:
        waits.setdefault(service_id, []).append((started_on - referred_on).days)

    rows: list[ServiceCapacity] = []
    for service in services:
        row = ServiceCapacity(
            service=service,
            pending=service.n_pending,
            waiting_over_threshold=service.n_overdue,
            rejected_recently=service.n_rejected,
            referred_recently=service.n_referred,
            started_recently=len(waits.get(service.pk, [])),
        )
        if waits.get(service.pk):
            row.mean_days_to_start = sum(waits[service.pk]) / len(waits[service.pk])
        if not service.accepts_referrals:
            row.issues.append("Not taking referrals")
        if service.waiting_days is not None and service.waiting_days > threshold:
            row.issues.append(
                f"Waiting time {service.waiting_days} days, over the {threshold}-day threshold"
            )
        if service.is_full:
            row.issues.append("No free places")
        if row.waiting_over_threshold:
            row.issues.append(
                f"{row.waiting_over_threshold} referral{'s' if row.waiting_over_threshold != 1 else ''}"
                f" out waiting more than {threshold} days"
            )
        if row.rejected_recently:
            row.issues.append(
                f"{row.rejected_recently} referral{'s' if row.rejected_recently != 1 else ''}"
                " out rejected in the last 12 months"
            )
        if service.capacity_updated_at is None or (
            today - timezone.localtime(service.capacity_updated_at).date()
        ) > dt.timedelta(days=STALE_CAPACITY_DAYS):
            row.issues.append(f"Capacity not updated in the last {STALE_CAPACITY_DAYS} days")
        rows.append(row)

    by_type: dict[str, dict] = {}
    labels = dict(AgencyService.ServiceType.choices)
    for row in rows:
        s = row.service
        entry = by_type.setdefault(
            s.service_type,
            {
                "service_type": s.service_type,
                "label": labels.get(s.service_type, s.service_type),
                "services": 0,
                "taking_referrals": 0,
                "places_total": 0,
                "places_available": 0,
                "places_unknown": 0,
                "shortest_wait": None,
                "pending": 0,
                "short": 0,
            },
        )
        entry["services"] += 1
        entry["pending"] += row.pending
        entry["short"] += 1 if row.short else 0
        if s.accepts_referrals:
            entry["taking_referrals"] += 1
            if s.waiting_days is not None and (
                entry["shortest_wait"] is None or s.waiting_days < entry["shortest_wait"]
            ):
                entry["shortest_wait"] = s.waiting_days
        if s.places_total is not None:
            entry["places_total"] += s.places_total
        if s.places_available is None:
            entry["places_unknown"] += 1
        else:
            entry["places_available"] += s.places_available
    return {
        "threshold": threshold,
        "services": rows,
        "short": [r for r in rows if r.short],
        "by_type": sorted(by_type.values(), key=lambda e: e["label"]),
    }


def outcome_counts(*, service=None, since: dt.date | None = None) -> dict[str, int]:
    """How referrals out ended up, by status (counts only)."""
    qs = ReferralOut.objects.all()
    if service is not None:
        qs = qs.filter(service=service)
    if since is not None:
        qs = qs.filter(referred_on__gte=since)
    counts = dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    return {status: counts.get(status, 0) for status in ReferralOut.Status.values}
