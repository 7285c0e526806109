"""Every read for referrals, triage and monitoring, already scoped to what the user may see.

Hooks for other apps:
- `adopted_awaiting_case()`: current "adopt" decisions (cases turns them into cases).
- `person_status(person)` / `person_statuses(references)`: adopted, monitored,
  declined_recently, referred or none (the candidate list marks people with it).
- `risk_tool_result(person=...)`: the risk tool's result, None until the
  assessment tool exists.
- `alert_list(user=...)` / `alert_open_count(user=...)`: monitoring alerts for dashboards.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from highharm.accounts.permissions import Cap, user_can
from highharm.people.models import Person, Relationship
from highharm.people.selectors import person_visible_to
from highharm.records.selectors import incident_chronology
from highharm.referrals.models import (
    Alert,
    MonitoringPeriod,
    Referral,
    TriageDecision,
    TriageDeferral,
    TriageMeeting,
)

FLAG_NAMES = ("domestic", "stalking", "sexual", "strangulation", "weapon", "breach")
DECLINED_RECENTLY_DAYS = 183  # "no further action within 6 months"


# --- Referrals -------------------------------------------------------------------------------


def referral_visible_to(user) -> QuerySet[Referral]:
    """All referrals for unit staff; a partner-agency user sees only their agency's."""
    if not user_can(user, Cap.REFERRAL_VIEW):
        return Referral.objects.none()
    qs = Referral.objects.select_related("person", "referred_by", "referring_agency", "linked_to")
    if user.is_agency_scoped:
        return qs.filter(referring_agency_id=user.agency_id) if user.agency_id else qs.none()
    return qs


def referral_get(*, user, referral_id: int) -> Referral:
    """The referral, or Referral.DoesNotExist if absent or not visible (never tell which)."""
    return referral_visible_to(user).get(pk=referral_id)


def referral_list(*, user, status: str | None = None, query: str = "") -> QuerySet[Referral]:
    qs = referral_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    query = (query or "").strip()
    if query:
        qs = qs.filter(person__reference__iexact=query)
    return qs.annotate(n_linked=Count("linked_referrals")).order_by("-referred_at", "-id")


def referral_decisions(*, referral: Referral) -> list[TriageDecision]:
    """Every decision on the referral, newest first: the current one and those it superseded."""
    return list(
        referral.decisions.select_related(
            "meeting", "decided_by", "referral_out__service"
        ).order_by("-decided_at", "-id")
    )


def referral_current_decision(*, referral: Referral) -> TriageDecision | None:
    target = referral.linked_to if referral.status == Referral.Status.LINKED else referral
    return target.decisions.filter(is_current=True).select_related("meeting").first()


def referral_linked(*, user, referral: Referral) -> list[Referral]:
    """Referrals linked to this open one (their extra information), as the user may see them."""
    return list(
        referral_visible_to(user)
        .filter(linked_to=referral)
        .prefetch_related("victims__person")
        .order_by("referred_at")
    )


def referral_history(*, referral: Referral) -> list:
    return list(referral.history.select_related("history_user").order_by("-history_date")[:50])


def possible_matches(*, person: Person, limit: int = 10) -> list[Person]:
    """Existing nominals that may be the same as a person created by a referral (REF-...)."""
    if not person.family_name:
        return []
    qs = Person.objects.exclude(pk=person.pk).filter(
        family_name__iexact=person.family_name, given_name__iexact=person.given_name
    )
    if person.date_of_birth:
        qs = qs.filter(Q(date_of_birth=person.date_of_birth) | Q(date_of_birth__isnull=True))
    return list(qs.order_by("reference")[:limit])


# --- Facts for triage, pre-filled from the records -------------------------------------------


def person_score(*, person: Person) -> dict | None:
    """The person's latest score and its explanation, from the scoring app if it provides one.

    Returns {"score", "explanation", "rank", "computed_at"} or None. Degrades
    gracefully while the scoring app is absent or has not scored the person.
    """
    try:
        from highharm.scoring import selectors as scoring
    except ImportError:
        return None
    for name in ("person_latest_score", "latest_score", "person_score", "score_for_person"):
        func = getattr(scoring, name, None)
        if func is None:
            continue
        try:
            result = func(person=person)
        except TypeError:
            result = func(person)
        return _score_as_dict(result)
    return None


def _score_as_dict(result) -> dict | None:
    if result is None:
        return None
    if isinstance(result, dict):
        data = dict(result)
    else:
        data = {
            name: getattr(result, name)
            for name in ("score", "explanation", "rank", "computed_at", "components", "band")
            if hasattr(result, name)
        }
    explanation = data.get("explanation")
    if isinstance(explanation, list | tuple):
        data["explanation"] = "; ".join(str(e) for e in explanation)
    return data if data.get("score") is not None else None


def risk_tool_result(*, person: Person):
    """The risk tool's latest result for the person, or None.

    The assessment app sits beside referrals, so it is reached through the dotted
    path in settings.RISK_TOOL_RESULT (a function (person) -> {"instrument",
    "level", "completed_on", "summary"} or None), not imported here.
    """
    from django.conf import settings
    from django.utils.module_loading import import_string

    dotted = getattr(settings, "RISK_TOOL_RESULT", "")
    if not dotted:
        return None
    return import_string(dotted)(person=person)


@dataclass
class PersonFacts:
    person: Person
    incidents: list
    incident_count: int
    total_harm: float
    harm_last_year: float
    last_incident_on: dt.date | None
    victim_count: int
    flags: dict[str, int]
    score: dict | None
    risk_tool: object
    status: PersonStatusDetail | None = None
    chronology_limit: int = 0
    flag_list: list[tuple[str, int]] = field(default_factory=list)


def person_facts(
    *, person: Person, chronology_limit: int = 50, today: dt.date | None = None
) -> PersonFacts:
    """What triage needs to see, from the force's records: chronology, harm, victims, flags."""
    today = today or timezone.localdate()
    incidents = list(incident_chronology(person=person))
    flags = dict.fromkeys(FLAG_NAMES, 0)
    victims: set[int] = set()
    total_harm = 0.0
    harm_last_year = 0.0
    year_ago = today - dt.timedelta(days=365)
    for incident in incidents:
        harm = incident.offence.harm_days
        total_harm += harm
        if incident.occurred_on >= year_ago:
            harm_last_year += harm
        if incident.victim_id:
            victims.add(incident.victim_id)
        for name in FLAG_NAMES:
            # The effective flags are the incident's OR its offence's (the data contract).
            if getattr(incident, name) or getattr(incident.offence, name):
                flags[name] += 1
    victims.update(
        Relationship.objects.filter(perpetrator=person).values_list("victim_id", flat=True)
    )
    return PersonFacts(
        person=person,
        incidents=incidents[:chronology_limit],
        incident_count=len(incidents),
        total_harm=total_harm,
        harm_last_year=harm_last_year,
        last_incident_on=incidents[0].occurred_on if incidents else None,
        victim_count=len(victims),
        flags=flags,
        flag_list=[(name, n) for name, n in flags.items() if n],
        score=person_score(person=person),
        risk_tool=risk_tool_result(person=person),
        status=person_status_detail(person=person, today=today),
        chronology_limit=chronology_limit,
    )


# --- Triage meetings and their queue ---------------------------------------------------------


def meeting_list() -> QuerySet[TriageMeeting]:
    return (
        TriageMeeting.objects.select_related("chair")
        .annotate(n_decisions=Count("decisions", filter=Q(decisions__is_current=True)))
        .order_by("-meeting_date", "-id")
    )


def meeting_get(*, meeting_id: int) -> TriageMeeting:
    return TriageMeeting.objects.select_related("chair").get(pk=meeting_id)


def meeting_open_list() -> QuerySet[TriageMeeting]:
    return TriageMeeting.objects.filter(closed_at__isnull=True).order_by("meeting_date", "id")


def open_referral_count() -> int:
    return Referral.objects.filter(status=Referral.Status.OPEN).count()


@dataclass
class QueueItem:
    referral: Referral
    carried_over: bool
    deferrals: list[TriageDeferral]
    linked: list[Referral]
    facts: PersonFacts


def triage_queue(*, meeting: TriageMeeting, with_facts: bool = True) -> list[QueueItem]:
    """Open referrals not yet decided: those carried over from earlier meetings first, then
    the rest, oldest first. A referral is carried over when an earlier meeting deferred it or
    when it was already waiting at an earlier meeting."""
    earlier_dates = list(
        TriageMeeting.objects.filter(meeting_date__lt=meeting.meeting_date).values_list(
            "meeting_date", flat=True
        )
    )
    referrals = list(
        Referral.objects.filter(status=Referral.Status.OPEN)
        .select_related("person", "referred_by", "referring_agency")
        .prefetch_related(
            Prefetch(
                "deferrals",
                queryset=TriageDeferral.objects.select_related("meeting").order_by("deferred_at"),
            ),
            Prefetch(
                "linked_referrals",
                queryset=Referral.objects.select_related("referred_by", "referring_agency"),
            ),
            "victims__person",
        )
        .order_by("referred_at", "id")
    )
    items = []
    for referral in referrals:
        deferrals = [d for d in referral.deferrals.all() if d.meeting_id != meeting.pk]
        received = timezone.localtime(referral.referred_at).date()
        waited = any(day > received for day in earlier_dates)
        items.append(
            QueueItem(
                referral=referral,
                carried_over=bool(deferrals) or waited,
                deferrals=list(referral.deferrals.all()),
                linked=list(referral.linked_referrals.all()),
                facts=person_facts(person=referral.person, chronology_limit=10)
                if with_facts
                else None,
            )
        )
    items.sort(key=lambda i: (not i.carried_over, i.referral.referred_at, i.referral.pk))
    return items


def meeting_decisions(*, meeting: TriageMeeting) -> list[TriageDecision]:
    return list(
        meeting.decisions.select_related(
            "referral__person", "decided_by", "superseded_by"
        ).order_by("decided_at", "id")
    )


# --- Hooks for cases and the candidate list --------------------------------------------------


def adopted_awaiting_case() -> QuerySet[TriageDecision]:
    """Current "adopt" decisions with their person and date, oldest first.

    The cases app filters out the people who already have a case.
    """
    return (
        TriageDecision.objects.filter(is_current=True, outcome=TriageDecision.Outcome.ADOPT)
        .select_related("referral__person", "meeting", "decided_by")
        .order_by("decided_at", "id")
    )


class PersonStatus(StrEnum):
    ADOPTED = "adopted"
    MONITORED = "monitored"
    DECLINED_RECENTLY = "declined_recently"
    REFERRED = "referred"
    NONE = "none"

    @property
    def label(self) -> str:
        return {
            "adopted": "Adopted",
            "monitored": "Monitored",
            "declined_recently": "Declined recently",
            "referred": "Referred, awaiting triage",
            "none": "Not known to the unit",
        }[self.value]


@dataclass
class PersonStatusDetail:
    status: PersonStatus
    since: dt.date | None = None
    until: dt.date | None = None
    detail: str = ""

    @property
    def label(self) -> str:
        return self.status.label


def _statuses(person_ids: list[int], today: dt.date) -> dict[int, PersonStatusDetail]:
    """Status for many people in a fixed number of queries.

    Precedence: adopted (a current adopt decision, and no post-exit monitoring
    started since) > referred (an open referral) > monitored (an active
    monitoring period) > declined_recently (the latest current decision is no
    further action or another pathway, within 6 months) > none.
    """
    result = {pid: PersonStatusDetail(PersonStatus.NONE) for pid in person_ids}
    if not person_ids:
        return result
    latest: dict[int, TriageDecision] = {}
    for decision in (
        TriageDecision.objects.filter(referral__person_id__in=person_ids, is_current=True)
        .select_related("referral")
        .order_by("decided_at", "id")
    ):
        latest[decision.referral.person_id] = decision
    open_refs = dict(
        Referral.objects.filter(person_id__in=person_ids, status=Referral.Status.OPEN).values_list(
            "person_id", "referred_at"
        )
    )
    periods: dict[int, MonitoringPeriod] = {}
    post_exit_started: dict[int, dt.datetime] = {}
    for period in MonitoringPeriod.objects.filter(
        person_id__in=person_ids, ended_at__isnull=True
    ).order_by("until"):
        if period.kind == MonitoringPeriod.Kind.POST_EXIT:
            previous = post_exit_started.get(period.person_id)
            if previous is None or period.started_at > previous:
                post_exit_started[period.person_id] = period.started_at
        if period.starts_on <= today <= period.until:
            periods[period.person_id] = period
    declined_since = today - dt.timedelta(days=DECLINED_RECENTLY_DAYS)
    for pid in person_ids:
        decision = latest.get(pid)
        exit_at = post_exit_started.get(pid)
        if (
            decision is not None
            and decision.outcome == TriageDecision.Outcome.ADOPT
            and (exit_at is None or exit_at < decision.decided_at)
        ):
            result[pid] = PersonStatusDetail(
                PersonStatus.ADOPTED, since=timezone.localtime(decision.decided_at).date()
            )
        elif pid in open_refs:
            result[pid] = PersonStatusDetail(
                PersonStatus.REFERRED, since=timezone.localtime(open_refs[pid]).date()
            )
        elif pid in periods:
            period = periods[pid]
            result[pid] = PersonStatusDetail(
                PersonStatus.MONITORED,
                since=period.starts_on,
                until=period.until,
                detail=period.get_kind_display(),
            )
        elif (
            decision is not None
            and decision.outcome
            in (TriageDecision.Outcome.NFA, TriageDecision.Outcome.OTHER_PATHWAY)
            and timezone.localtime(decision.decided_at).date() >= declined_since
        ):
            result[pid] = PersonStatusDetail(
                PersonStatus.DECLINED_RECENTLY,
                since=timezone.localtime(decision.decided_at).date(),
                detail=decision.summary,
            )
    return result


def person_status_detail(*, person: Person, today: dt.date | None = None) -> PersonStatusDetail:
    return _statuses([person.pk], today or timezone.localdate())[person.pk]


def person_status(person: Person, *, today: dt.date | None = None) -> PersonStatus:
    """The person's current standing with the unit (a str enum: "adopted", "monitored",
    "declined_recently", "referred" or "none")."""
    return person_status_detail(person=person, today=today).status


def person_statuses(references, *, today: dt.date | None = None) -> dict[str, PersonStatus]:
    """person_status for many references at once (missing references are "none")."""
    references = list(references)
    ids = dict(Person.objects.filter(reference__in=references).values_list("pk", "reference"))
    statuses = _statuses(list(ids), today or timezone.localdate())
    found = {ids[pid]: detail.status for pid, detail in statuses.items()}
    return {ref: found.get(ref, PersonStatus.NONE) for ref in references}


def person_status_details(
    references, *, today: dt.date | None = None
) -> dict[str, PersonStatusDetail]:
    """Like person_statuses, with dates and a detail line for display."""
    references = list(references)
    ids = dict(Person.objects.filter(reference__in=references).values_list("pk", "reference"))
    statuses = _statuses(list(ids), today or timezone.localdate())
    found = {ids[pid]: detail for pid, detail in statuses.items()}
    return {ref: found.get(ref, PersonStatusDetail(PersonStatus.NONE)) for ref in references}


# --- Monitoring ------------------------------------------------------------------------------


def alert_visible_to(user) -> QuerySet[Alert]:
    """Monitoring alerts are for the unit's staff who act on them; never for partner agencies."""
    if not user_can(user, Cap.MONITORING_MANAGE) or user.is_agency_scoped:
        return Alert.objects.none()
    return Alert.objects.select_related(
        "person", "incident", "incident__offence", "period", "referral", "closed_by"
    )


def alert_list(*, user, status: str | None = Alert.Status.OPEN) -> QuerySet[Alert]:
    qs = alert_visible_to(user)
    if status == "closed":
        qs = qs.exclude(status=Alert.Status.OPEN)
    elif status:
        qs = qs.filter(status=status)
    return qs.order_by("-incident__occurred_on", "-id")


def alert_get(*, user, alert_id: int) -> Alert:
    return alert_visible_to(user).get(pk=alert_id)


def alert_rows(*, user, status: str | None = Alert.Status.OPEN, limit: int = 50) -> list[dict]:
    """Alerts with the name the user may see, for `referrals/includes/alerts.html` on any page
    (dashboards include it with `alerts=rows`)."""
    from highharm.people.selectors import person_display_name

    return [
        {"alert": alert, "name": person_display_name(user=user, person=alert.person)}
        for alert in alert_list(user=user, status=status)[:limit]
    ]


def alert_open_count(*, user) -> int:
    return alert_visible_to(user).filter(status=Alert.Status.OPEN).count()


def monitoring_period_list(*, active_only: bool = True, today: dt.date | None = None):
    today = today or timezone.localdate()
    qs = MonitoringPeriod.objects.select_related("person", "decision", "started_by").annotate(
        n_open_alerts=Count("alerts", filter=Q(alerts__status=Alert.Status.OPEN))
    )
    if active_only:
        qs = qs.filter(ended_at__isnull=True, starts_on__lte=today, until__gte=today)
    return qs.order_by("until", "id")


def person_referrals(*, user, person: Person) -> list[Referral]:
    """For the person page: the person's referrals the user may see, newest first."""
    return list(
        referral_visible_to(user)
        .filter(person=person)
        .annotate(
            has_current=Exists(
                TriageDecision.objects.filter(referral=OuterRef("pk"), is_current=True)
            )
        )
        .order_by("-referred_at")
    )


def person_is_visible(*, user, person: Person) -> bool:
    return person_visible_to(user).filter(pk=person.pk).exists()
