"""Every read of cases, already scoped to what the user may see.

A partner-agency user sees only the cases of people shared with their agency
(anything else does not exist for them) and never sees victims or contacts
with victims.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from highharm.accounts.permissions import Cap, Role, user_can
from highharm.cases.engine import MonthFlow, month_starts, monthly_flow, months_until_full
from highharm.cases.models import (
    Case,
    CaseVictim,
    Contact,
    Exit,
    Intervention,
    Order,
    TracingRecord,
)
from highharm.panels import hooks
from highharm.panels import selectors as panel_selectors
from highharm.panels.models import AgendaItem
from highharm.people.selectors import person_display_name, person_visible_to

EXPIRY_WARNING_DAYS = 14
REVIEW_WARNING_DAYS = 14


def caseload_capacity() -> int:
    return int(getattr(settings, "CASELOAD_CAPACITY", 15))


def case_visible_to(user) -> QuerySet[Case]:
    if not user_can(user, Cap.CASE_VIEW):
        return Case.objects.none()
    qs = Case.objects.select_related("person", "lead")
    if user.is_agency_scoped:
        qs = qs.filter(person_id__in=person_visible_to(user).values("id"))
    return qs


def case_get(*, user, pk: int) -> Case:
    """The case, or Case.DoesNotExist when absent or not shared with the user (never tell which)."""
    return case_visible_to(user).get(pk=pk)


def case_list(*, user, status: str = "open", lead=None, query: str = "") -> QuerySet[Case]:
    qs = case_visible_to(user)
    if status in (Case.Status.OPEN, Case.Status.CLOSED):
        qs = qs.filter(status=status)
    if lead is not None:
        qs = qs.filter(lead=lead)
    query = (query or "").strip()
    if query:
        condition = Q(person__reference__iexact=query)
        if user_can(user, Cap.PERSON_VIEW_IDENTITY):
            for term in query.split():
                condition |= Q(person__family_name__icontains=term) | Q(
                    person__given_name__icontains=term
                )
        qs = qs.filter(condition)
    return qs.order_by("review_due", "person__family_name", "id")


def lead_choices():
    """Active users who may lead a case: offender managers first, then supervisors."""
    from highharm.accounts.models import User

    return User.objects.filter(
        is_active=True, role__in=[Role.OFFENDER_MANAGER.value, Role.SUPERVISOR.value]
    ).order_by("-role", "first_name", "last_name", "username")


def current_tracing(case_ids) -> dict[int, TracingRecord]:
    latest = {}
    for record in TracingRecord.objects.filter(case_id__in=case_ids).order_by("recorded_on", "id"):
        latest[record.case_id] = record
    return latest


@dataclass
class CaseDetail:
    case: Case
    display_name: str
    interventions: dict[str, list[Intervention]]
    orders_active: list[Order]
    orders_past: list[Order]
    contacts: list[Contact]
    tracing: list[TracingRecord]
    whereabouts: TracingRecord | None
    victims: list[CaseVictim]
    show_victims: bool
    actions: list
    panel_history: list
    exit: Exit | None
    hidden_victim_contacts: int = 0


def case_detail(*, user, case: Case, today: dt.date | None = None) -> CaseDetail:
    today = today or timezone.localdate()
    show_victims = user_can(user, Cap.PERSON_VIEW_VICTIMS)
    interventions: dict[str, list] = {k.value: [] for k in Intervention.Kind}
    for intervention in case.interventions.select_related("recorded_by"):
        interventions[intervention.kind].append(intervention)
    orders = list(case.orders.all())
    for order in orders:
        order.remaining = order.days_left(today)
        order.expiring = order.remaining is not None and 0 <= order.remaining <= EXPIRY_WARNING_DAYS
    contacts = list(case.contacts.select_related("victim__victim", "agency", "recorded_by"))
    hidden = 0
    if not show_victims:
        hidden = sum(1 for c in contacts if c.with_whom == Contact.With.VICTIM)
        contacts = [c for c in contacts if c.with_whom != Contact.With.VICTIM]
    tracing = list(case.tracing.select_related("recorded_by"))
    return CaseDetail(
        case=case,
        display_name=person_display_name(user=user, person=case.person),
        interventions=interventions,
        orders_active=[o for o in orders if o.is_active(today)],
        orders_past=[o for o in orders if not o.is_active(today)],
        contacts=contacts,
        tracing=tracing,
        whereabouts=tracing[0] if tracing else None,
        victims=list(case.victims.select_related("victim")) if show_victims else [],
        show_victims=show_victims,
        actions=panel_selectors.actions_for_person(user=user, person=case.person),
        panel_history=panel_selectors.panel_history(user=user, person=case.person),
        exit=Exit.objects.filter(case=case).first(),
        hidden_victim_contacts=hidden,
    )


def victims_suggested(*, case: Case) -> list:
    """Victims recorded against the person (relationships, incidents) not yet linked to the case."""
    from highharm.people.models import Person, Relationship
    from highharm.records.models import Incident

    linked = set(case.victims.values_list("victim_id", flat=True))
    ids = set(
        Relationship.objects.filter(perpetrator=case.person).values_list("victim_id", flat=True)
    )
    ids |= set(
        Incident.objects.filter(perpetrator=case.person, victim__isnull=False).values_list(
            "victim_id", flat=True
        )
    )
    return list(Person.objects.filter(pk__in=ids - linked).order_by("reference"))


def relationship_kind(*, case: Case, victim) -> str:
    from highharm.people.models import Relationship

    link = Relationship.objects.filter(perpetrator=case.person, victim=victim).first()
    return link.kind if link else "unknown"


# --- allocation --------------------------------------------------------------------------------


def awaiting_allocation():
    """Current decisions to adopt whose person has no case opened since: waiting for a lead."""
    from highharm.referrals.selectors import adopted_awaiting_case

    has_case = Case.objects.filter(person_id=OuterRef("referral__person_id")).filter(
        Q(status=Case.Status.OPEN) | Q(opened_on__gte=OuterRef("decided_on"))
    )
    return (
        adopted_awaiting_case()
        .annotate(decided_on=TruncDate("decided_at"))
        .exclude(Exists(has_case))
        .exclude(cases__isnull=False)
    )


def awaiting_allocation_get(*, decision_id: int):
    return awaiting_allocation().get(pk=decision_id)


# --- dashboards -------------------------------------------------------------------------------


@dataclass
class CaseRow:
    case: Case
    display_name: str
    whereabouts: TracingRecord | None
    review_overdue: bool
    review_soon: bool
    open_actions: int = 0


@dataclass
class OffenderManagerDashboard:
    caseload: list[CaseRow]
    capacity: int
    overdue_actions: list
    orders_expiring: list[Order]
    reviews_due: list[CaseRow]
    alerts: list
    alerts_available: bool
    today: dt.date


def _case_rows(user, cases: list[Case], today: dt.date) -> list[CaseRow]:
    tracing = current_tracing([c.pk for c in cases])
    soon = today + dt.timedelta(days=REVIEW_WARNING_DAYS)
    return [
        CaseRow(
            case=c,
            display_name=person_display_name(user=user, person=c.person),
            whereabouts=tracing.get(c.pk),
            review_overdue=bool(c.review_due and c.review_due < today),
            review_soon=bool(c.review_due and today <= c.review_due <= soon),
        )
        for c in cases
    ]


def orders_expiring(*, cases: QuerySet[Case], today: dt.date) -> list[Order]:
    """Orders on open cases ending within EXPIRY_WARNING_DAYS (today included), soonest first."""
    orders = list(
        Order.objects.filter(
            case__in=cases.filter(status=Case.Status.OPEN),
            ends_on__gte=today,
            ends_on__lte=today + dt.timedelta(days=EXPIRY_WARNING_DAYS),
            revoked_on__isnull=True,
        )
        .select_related("case__person", "case__lead")
        .order_by("ends_on", "id")
    )
    for order in orders:
        order.remaining = (order.ends_on - today).days
    return orders


def offender_manager_dashboard(*, user, today: dt.date | None = None) -> OffenderManagerDashboard:
    today = today or timezone.localdate()
    mine = case_visible_to(user).filter(lead=user, status=Case.Status.OPEN)
    rows = _case_rows(user, list(mine.order_by("review_due", "id")), today)
    person_ids = [r.case.person_id for r in rows]
    open_actions = Counter(
        a.person_id
        for a in panel_selectors.actions_for_person_ids(
            user=user, person_ids=person_ids, open_only=True
        )
    )
    for row in rows:
        row.open_actions = open_actions.get(row.case.person_id, 0)
    alerts, available = _alerts_for(user, lead=user)
    return OffenderManagerDashboard(
        caseload=rows,
        capacity=caseload_capacity(),
        overdue_actions=panel_selectors.actions_overdue(
            user=user, today=today, person_ids=person_ids
        ),
        orders_expiring=orders_expiring(cases=mine, today=today),
        reviews_due=[r for r in rows if r.review_overdue or r.review_soon],
        alerts=alerts,
        alerts_available=available,
        today=today,
    )


def _alerts_for(user, *, lead) -> tuple[list, bool]:
    """Open monitoring alerts: for people whose case this user led (post-exit), then the rest.

    Returns (alerts, whether the user may see alerts at all).
    """
    from highharm.referrals.selectors import alert_list

    if not user_can(user, Cap.MONITORING_MANAGE):
        return [], False
    alerts = list(alert_list(user=user)[:50])
    led = set(Case.objects.filter(lead=lead).values_list("person_id", flat=True))
    alerts.sort(key=lambda a: (a.person_id not in led,))
    for alert in alerts:
        alert.was_my_case = alert.person_id in led
    return alerts, True


@dataclass
class ManagerLoad:
    user: object
    open_cases: int
    capacity: int
    reviews_overdue: int

    @property
    def percent(self) -> int:
        return round(100 * self.open_cases / self.capacity) if self.capacity else 0

    @property
    def over(self) -> bool:
        return self.open_cases > self.capacity


@dataclass
class SupervisorDashboard:
    loads: list[ManagerLoad]
    awaiting: list
    months: list[MonthFlow]
    open_cases: int
    capacity_total: int
    capacity_each: int
    demand_per_month: float
    closures_per_month: float
    chart: str
    orders_expiring: list[Order]
    today: dt.date
    months_to_full: float | None = None
    awaiting_count: int = field(default=0)

    @property
    def spare(self) -> int:
        return self.capacity_total - self.open_cases - self.awaiting_count


def demand_by_month(*, today: dt.date, months: int = 12) -> list[MonthFlow]:
    """Per calendar month: referrals received, adoptions, cases opened and closed, open at month end.

    Referrals linked to an open referral are not counted (they are the same demand);
    an adoption counts once, when first made (not when a decision is revisited).
    """
    from highharm.referrals.models import Referral, TriageDecision

    begin = month_starts(today, months)[0]
    tz = timezone.get_current_timezone()

    def local_dates(values) -> list[dt.date]:
        return [timezone.localtime(at, tz).date() for at in values]

    referrals = local_dates(
        Referral.objects.exclude(status=Referral.Status.LINKED)
        .filter(referred_at__date__gte=begin)
        .values_list("referred_at", flat=True)
    )
    adopted = local_dates(
        TriageDecision.objects.filter(outcome=TriageDecision.Outcome.ADOPT, supersedes__isnull=True)
        .filter(decided_at__date__gte=begin)
        .values_list("decided_at", flat=True)
    )
    return monthly_flow(
        today=today,
        months=months,
        referral_dates=[d for d in referrals if begin <= d <= today],
        adopt_dates=[d for d in adopted if begin <= d <= today],
        case_spans=list(Case.objects.values_list("opened_on", "closed_on")),
    )


def supervisor_dashboard(*, user, today: dt.date | None = None) -> SupervisorDashboard:
    from highharm.accounts.models import User

    today = today or timezone.localdate()
    capacity = caseload_capacity()
    counts = dict(
        Case.objects.filter(status=Case.Status.OPEN)
        .values("lead_id")
        .annotate(n=Count("id"))
        .values_list("lead_id", "n")
    )
    overdue = dict(
        Case.objects.filter(status=Case.Status.OPEN, review_due__lt=today)
        .values("lead_id")
        .annotate(n=Count("id"))
        .values_list("lead_id", "n")
    )
    managers = User.objects.filter(
        Q(role=Role.OFFENDER_MANAGER.value, is_active=True) | Q(pk__in=list(counts))
    ).order_by("first_name", "last_name", "username")
    loads = [
        ManagerLoad(
            user=u,
            open_cases=counts.get(u.pk, 0),
            capacity=capacity if u.role == Role.OFFENDER_MANAGER and u.is_active else 0,
            reviews_overdue=overdue.get(u.pk, 0),
        )
        for u in managers
    ]
    awaiting = list(awaiting_allocation())
    for decision in awaiting:
        decision.display_name = person_display_name(user=user, person=decision.referral.person)
        decision.waiting_days = (today - decision.decided_on).days
    months = demand_by_month(today=today)
    complete = months[:-1][-6:] or months
    demand = sum(m.adopted for m in complete) / len(complete)
    closures = sum(m.closed for m in complete) / len(complete)
    open_cases = sum(counts.values())
    capacity_total = sum(load.capacity for load in loads)
    months_to_full = months_until_full(
        spare=capacity_total - open_cases - len(awaiting),
        intake_per_month=demand,
        exits_per_month=closures,
    )
    return SupervisorDashboard(
        loads=loads,
        awaiting=awaiting,
        months=months,
        open_cases=open_cases,
        capacity_total=capacity_total,
        capacity_each=capacity,
        demand_per_month=demand,
        closures_per_month=closures,
        chart=demand_chart(months, capacity_total),
        orders_expiring=orders_expiring(cases=Case.objects.all(), today=today),
        today=today,
        months_to_full=months_to_full,
        awaiting_count=len(awaiting),
    )


def demand_chart(months: list[MonthFlow], capacity_total: int) -> str:
    """Bars: referrals, adoptions, cases opened and closed per month; line: open cases vs capacity."""
    import numpy as np

    from highharm.charts import PALETTE, figure, to_data_uri

    fig, ax = figure(9, 3.4)
    x = np.arange(len(months))
    width = 0.2
    series = [
        ("Referrals", [m.referrals for m in months]),
        ("Adopted at triage", [m.adopted for m in months]),
        ("Cases opened", [m.opened for m in months]),
        ("Cases closed", [m.closed for m in months]),
    ]
    for i, (label, values) in enumerate(series):
        ax.bar(x + (i - 1.5) * width, values, width, label=label, color=PALETTE[i])
    ax.plot(
        x,
        [m.open_at_end for m in months],
        color=PALETTE[4],
        marker="o",
        linewidth=2,
        label="Open cases at month end",
    )
    if capacity_total:
        ax.axhline(capacity_total, color=PALETTE[1], linestyle="--", linewidth=1)
        ax.annotate(
            f"Capacity {capacity_total}",
            xy=(x[-1], capacity_total),
            xytext=(0, 3),
            textcoords="offset points",
            ha="right",
            fontsize=8,
            color=PALETTE[1],
        )
    ax.set_xticks(x, [m.month.strftime("%b %y") for m in months], fontsize=8)
    ax.set_ylabel("Count")
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", color="#dddddd", linewidth=0.5)
    ax.legend(fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=5)
    return to_data_uri(fig)


# --- what cases add to panels (registered in CasesConfig.ready) -------------------------------


def agenda_due_for_review(*, meeting) -> list[hooks.AgendaSuggestion]:
    """Open cases whose review falls due by the meeting, and open cases never yet at panel."""
    suggestions = []
    never = ~Exists(
        AgendaItem.objects.filter(person_id=OuterRef("person_id")).exclude(meeting=meeting)
    )
    for case in (
        Case.objects.filter(status=Case.Status.OPEN)
        .filter(Q(review_due__lte=meeting.held_on) | never)
        .annotate(never=never)
        .order_by("review_due", "id")
    ):
        if case.review_due and case.review_due <= meeting.held_on:
            detail = f"Review due {case.review_due:%d/%m/%Y}"
            reason = AgendaItem.Reason.DUE_FOR_REVIEW
        else:
            detail = f"Case opened {case.opened_on:%d/%m/%Y}; not yet seen at panel"
            reason = AgendaItem.Reason.NEWLY_ADOPTED
        suggestions.append(
            hooks.AgendaSuggestion(person_id=case.person_id, reason=reason, detail=detail)
        )
    return suggestions


def pack_case_details(*, user, person_ids) -> dict[int, hooks.PackSection]:
    """The case block of the panel pack for each person with an open case."""
    today = timezone.localdate()
    cases = {
        c.person_id: c
        for c in case_visible_to(user).filter(person_id__in=person_ids, status=Case.Status.OPEN)
    }
    case_ids = [c.pk for c in cases.values()]
    interventions = defaultdict(list)
    for intervention in Intervention.objects.filter(case_id__in=case_ids).order_by(
        "kind", "-started_on"
    ):
        interventions[intervention.case_id].append(intervention)
    orders = defaultdict(list)
    for order in Order.objects.filter(case_id__in=case_ids):
        if order.is_active(today):
            orders[order.case_id].append(order)
    tracing = current_tracing(case_ids)
    show_victims = user_can(user, Cap.PERSON_VIEW_VICTIMS)
    victims = defaultdict(list)
    if show_victims:
        for link in CaseVictim.objects.filter(case_id__in=case_ids).select_related("victim"):
            victims[link.case_id].append(link)
    last_contact = {}
    for contact in Contact.objects.filter(
        case_id__in=case_ids, with_whom=Contact.With.PERPETRATOR
    ).order_by("contacted_on", "id"):
        last_contact[contact.case_id] = contact
    sections = {}
    for person_id, case in cases.items():
        sections[person_id] = hooks.PackSection(
            template="cases/_pack_case.html",
            context={
                "case": case,
                "interventions": interventions[case.pk],
                "orders": orders[case.pk],
                "whereabouts": tracing.get(case.pk),
                "victims": victims[case.pk],
                "show_victims": show_victims,
                "last_contact": last_contact.get(case.pk),
                "today": today,
            },
        )
    return sections


def person_case_section(*, user, person) -> dict | None:
    """The cases of a person, for the person page's 'Case' section."""
    if not user_can(user, Cap.CASE_VIEW):
        return None
    cases = list(case_visible_to(user).filter(person=person).order_by("-opened_on"))
    if not cases:
        return None
    return {"title": "Case", "template": "cases/_person_section.html", "context": {"cases": cases}}
