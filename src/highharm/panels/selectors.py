"""Every read of the panel's records, already scoped to what the user may see.

A partner-agency user sees a meeting, but on its agenda, minutes, actions and
pack only the people shared with their agency; nobody without
Cap.PERSON_VIEW_VICTIMS sees a victim.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from highharm.accounts.permissions import Cap, user_can
from highharm.panels import hooks
from highharm.panels.models import Action, AgendaItem, Minute, PanelMeeting
from highharm.people.models import Person
from highharm.people.selectors import person_display_name, person_visible_to

logger = logging.getLogger(__name__)


def meeting_list(*, user) -> QuerySet[PanelMeeting]:
    if not user_can(user, Cap.PANEL_VIEW):
        return PanelMeeting.objects.none()
    return PanelMeeting.objects.select_related("chair")


def meeting_get(*, user, pk: int) -> PanelMeeting:
    """The meeting, or PanelMeeting.DoesNotExist."""
    return meeting_list(user=user).get(pk=pk)


def _visible_person_ids(user):
    return person_visible_to(user).values("id")


def agenda_items(*, user, meeting: PanelMeeting) -> list[AgendaItem]:
    return list(
        AgendaItem.objects.filter(meeting=meeting, person_id__in=_visible_person_ids(user))
        .select_related("person", "added_by")
        .order_by("position", "id")
    )


def minutes_by_person(*, user, meeting: PanelMeeting) -> dict[int, Minute]:
    return {
        m.person_id: m
        for m in Minute.objects.filter(
            meeting=meeting, person_id__in=_visible_person_ids(user)
        ).select_related("recorded_by")
    }


def _actions_visible(user) -> QuerySet[Action]:
    """Actions about people the user may see, and general actions not about anyone."""
    if not user_can(user, Cap.PANEL_VIEW) and not user_can(user, Cap.CASE_VIEW):
        return Action.objects.none()
    return Action.objects.filter(
        Q(person__isnull=True) | Q(person_id__in=_visible_person_ids(user))
    ).select_related("owner", "agency", "person", "meeting")


def action_get(*, user, pk: int) -> Action:
    return _actions_visible(user).get(pk=pk)


def actions_set_at(*, user, meeting: PanelMeeting) -> list[Action]:
    return list(
        _actions_visible(user).filter(meeting=meeting).order_by("person_id", "due_on", "id")
    )


def previous_meeting(*, meeting: PanelMeeting) -> PanelMeeting | None:
    return (
        PanelMeeting.objects.filter(held_on__lt=meeting.held_on)
        .exclude(status=PanelMeeting.Status.CANCELLED)
        .order_by("-held_on", "-id")
        .first()
    )


@dataclass
class CarriedForward:
    open: list[Action]
    closed_since_last: list[Action]


def actions_carried_forward(*, user, meeting: PanelMeeting) -> CarriedForward:
    """Open actions set before this meeting, and those closed since the previous meeting."""
    earlier = _actions_visible(user).filter(
        Q(meeting__held_on__lt=meeting.held_on)
        | Q(meeting__isnull=True, created_at__date__lt=meeting.held_on)
    )
    open_actions = list(earlier.filter(status=Action.Status.OPEN).order_by("due_on", "id"))
    before = previous_meeting(meeting=meeting)
    closed = earlier.exclude(status=Action.Status.OPEN).filter(closed_on__lte=meeting.held_on)
    if before is not None:
        closed = closed.filter(closed_on__gt=before.held_on)
    return CarriedForward(open=open_actions, closed_since_last=list(closed.order_by("closed_on")))


def actions_for_person(*, user, person: Person, open_only: bool = False) -> list[Action]:
    qs = _actions_visible(user).filter(person=person)
    if open_only:
        qs = qs.filter(status=Action.Status.OPEN)
    return list(qs.order_by("-status", "due_on", "id"))


def action_tracker(*, user, show: str = "open") -> list[Action]:
    """All actions the user may see: open ones soonest due first, or the recently closed."""
    qs = _actions_visible(user)
    if show == "closed":
        return list(qs.exclude(status=Action.Status.OPEN).order_by("-closed_on", "-id")[:200])
    return list(qs.filter(status=Action.Status.OPEN).order_by("due_on", "id"))


def actions_for_person_ids(*, user, person_ids, open_only: bool = False) -> list[Action]:
    qs = _actions_visible(user).filter(person_id__in=person_ids)
    if open_only:
        qs = qs.filter(status=Action.Status.OPEN)
    return list(qs.order_by("due_on", "id"))


def actions_overdue(*, user, today: dt.date | None = None, person_ids=None) -> list[Action]:
    """Open actions past their due date owned by the user, or about the given people."""
    today = today or timezone.localdate()
    condition = Q(owner=user)
    if person_ids is not None:
        condition |= Q(person_id__in=person_ids)
    return list(
        _actions_visible(user)
        .filter(condition, status=Action.Status.OPEN, due_on__lt=today)
        .order_by("due_on", "id")
    )


def panel_history(*, user, person: Person) -> list[dict]:
    """Each meeting the person was on the agenda of, with its minute, newest first."""
    if person_visible_to(user).filter(pk=person.pk).exists() is False:
        return []
    items = (
        AgendaItem.objects.filter(person=person)
        .exclude(meeting__status=PanelMeeting.Status.CANCELLED)
        .select_related("meeting")
        .order_by("-meeting__held_on")
    )
    minutes = {m.meeting_id: m for m in Minute.objects.filter(person=person)}
    return [{"item": item, "minute": minutes.get(item.meeting_id)} for item in items]


def chair_choices():
    """Users who may chair: those whose role may manage panels."""
    from highharm.accounts.models import User
    from highharm.accounts.permissions import roles_with

    roles = [r.value for r in roles_with(Cap.PANEL_MANAGE)]
    return User.objects.filter(is_active=True, role__in=roles).order_by("first_name", "username")


def action_owner_choices():
    from highharm.accounts.models import User

    return (
        User.objects.filter(is_active=True)
        .exclude(role="")
        .select_related("agency")
        .order_by("first_name", "last_name", "username")
    )


# --- the agenda ---------------------------------------------------------------------------


def newly_adopted(*, meeting: PanelMeeting) -> list[hooks.AgendaSuggestion]:
    """People adopted at triage on or before the meeting who have not been to a panel since."""
    from django.db.models import Exists, OuterRef
    from django.db.models.functions import TruncDate

    from highharm.referrals.selectors import adopted_awaiting_case

    discussed_since = (
        AgendaItem.objects.filter(
            person_id=OuterRef("referral__person_id"),
            meeting__held_on__gte=OuterRef("decided_on"),
        )
        .exclude(meeting__status=PanelMeeting.Status.CANCELLED)
        .exclude(meeting=meeting)
    )
    decisions = (
        adopted_awaiting_case()
        .annotate(decided_on=TruncDate("decided_at"))
        .filter(decided_on__lte=meeting.held_on)
        .exclude(Exists(discussed_since))
    )
    return [
        hooks.AgendaSuggestion(
            person_id=decision.referral.person_id,
            reason=AgendaItem.Reason.NEWLY_ADOPTED,
            detail=f"Adopted at triage on {timezone.localtime(decision.decided_at):%d/%m/%Y}",
        )
        for decision in decisions
    ]


def agenda_suggestions(*, meeting: PanelMeeting) -> list[hooks.AgendaSuggestion]:
    """Who should be on this meeting's agenda and is not yet: newly adopted, due for review."""
    already = set(AgendaItem.objects.filter(meeting=meeting).values_list("person_id", flat=True))
    seen = set(already)
    suggestions = []
    for source in [newly_adopted, *hooks.AGENDA_SOURCES]:
        for suggestion in source(meeting=meeting):
            if suggestion.person_id in seen:
                continue
            seen.add(suggestion.person_id)
            suggestions.append(suggestion)
    return suggestions


# --- the panel pack -----------------------------------------------------------------------

CHRONOLOGY_ROWS = 15


@dataclass
class PackCase:
    person: Person
    display_name: str
    item: AgendaItem
    summary: str
    facts: list[tuple[str, str]]
    score: dict | None
    chronology: list
    earlier_incidents: int
    chart: str
    open_actions: list[Action]
    last_minute: Minute | None
    victims: list
    last_seen: PanelMeeting | None = None
    sections: list[hooks.PackSection] = field(default_factory=list)


@dataclass
class PanelPack:
    meeting: PanelMeeting
    attendees: list
    cases: list[PackCase]
    carried: CarriedForward
    general_actions: list[Action]
    show_victims: bool
    generated_at: dt.datetime
    hidden_items: int = 0

    @property
    def action_summary(self) -> list[dict]:
        """Per person on the agenda: open and overdue actions (the detail is in each case)."""
        rows = []
        for case in self.cases:
            overdue = sum(1 for a in case.open_actions if a.due_on < self.meeting.held_on)
            if case.open_actions:
                rows.append({"case": case, "open": len(case.open_actions), "overdue": overdue})
        return rows


def pack_build(
    *, user, meeting: PanelMeeting, today: dt.date | None = None, for_print: bool = False
) -> PanelPack:
    """Everything the pack shows, read in a fixed number of queries whatever the agenda's size.

    for_print draws the charts as PNG, which WeasyPrint lays out many times faster than SVG.
    """
    from highharm.charts import harm_timeline
    from highharm.records.models import Incident

    today = today or meeting.held_on
    items = agenda_items(user=user, meeting=meeting)
    total_items = AgendaItem.objects.filter(meeting=meeting).count()
    person_ids = [i.person_id for i in items]
    show_victims = user_can(user, Cap.PERSON_VIEW_VICTIMS)

    incidents_by_person: dict[int, list] = {pid: [] for pid in person_ids}
    for incident in (
        Incident.objects.filter(perpetrator_id__in=person_ids)
        .select_related("offence", "victim")
        .order_by("-occurred_on", "-crime_reference")
    ):
        incidents_by_person[incident.perpetrator_id].append(incident)

    open_actions: dict[int, list] = {pid: [] for pid in person_ids}
    for action in _actions_visible(user).filter(
        person_id__in=person_ids, status=Action.Status.OPEN
    ):
        open_actions[action.person_id].append(action)
    for actions in open_actions.values():
        actions.sort(key=lambda a: (a.due_on, a.pk))

    last_minutes: dict[int, Minute] = {}
    for minute in (
        Minute.objects.filter(person_id__in=person_ids, meeting__held_on__lt=meeting.held_on)
        .select_related("meeting")
        .order_by("meeting__held_on")
    ):
        last_minutes[minute.person_id] = minute
    last_seen: dict[int, PanelMeeting] = {}
    for earlier in (
        AgendaItem.objects.filter(person_id__in=person_ids, meeting__held_on__lt=meeting.held_on)
        .exclude(meeting__status=PanelMeeting.Status.CANCELLED)
        .select_related("meeting")
        .order_by("meeting__held_on")
    ):
        last_seen[earlier.person_id] = earlier.meeting

    victims: dict[int, list] = {pid: [] for pid in person_ids}
    if show_victims:
        from highharm.people.models import Relationship

        for link in Relationship.objects.filter(perpetrator_id__in=person_ids).select_related(
            "victim"
        ):
            victims[link.perpetrator_id].append(link)

    scores = pack_scores(person_ids=person_ids)
    sections: dict[int, list] = {pid: [] for pid in person_ids}
    for provider in hooks.CASE_DETAIL_PROVIDERS:
        for pid, section in provider(user=user, person_ids=person_ids).items():
            if section is not None and pid in sections:
                sections[pid].append(section)

    cases = []
    for item in items:
        person = item.person
        incidents = incidents_by_person[person.pk]
        chart = (
            harm_timeline(
                [
                    (i.occurred_on, i.offence.harm_days, i.offence.get_category_display())
                    for i in incidents
                ],
                raster=for_print,
            )
            if incidents
            else ""
        )
        cases.append(
            PackCase(
                person=person,
                display_name=person_display_name(user=user, person=person),
                item=item,
                summary=_summary(incidents, today),
                facts=_facts(person, incidents, today, user),
                score=scores.get(person.pk),
                chronology=incidents[:CHRONOLOGY_ROWS],
                earlier_incidents=max(0, len(incidents) - CHRONOLOGY_ROWS),
                chart=chart,
                open_actions=open_actions[person.pk],
                last_minute=last_minutes.get(person.pk),
                last_seen=last_seen.get(person.pk),
                victims=victims[person.pk],
                sections=sections[person.pk],
            )
        )
    return PanelPack(
        meeting=meeting,
        attendees=list(meeting.attendees.select_related("agency")),
        cases=cases,
        carried=actions_carried_forward(user=user, meeting=meeting),
        general_actions=[
            a for a in _actions_visible(user).filter(person__isnull=True, status=Action.Status.OPEN)
        ],
        show_victims=show_victims,
        generated_at=timezone.now(),
        hidden_items=total_items - len(items),
    )


def _summary(incidents, today: dt.date) -> str:
    if not incidents:
        return "No incidents recorded with this person as perpetrator."
    victims = {i.victim_id for i in incidents if i.victim_id}
    first, last = incidents[-1], incidents[0]
    recent = [i for i in incidents if (today - i.occurred_on).days <= 365]
    parts = [
        f"{len(incidents)} incident{'s' if len(incidents) != 1 else ''} "
        f"against {len(victims)} known victim{'s' if len(victims) != 1 else ''} "
        f"between {first.occurred_on:%B %Y} and {last.occurred_on:%B %Y}",
        f"{len(recent)} in the 12 months before the meeting",
        f"the most recent on {last.occurred_on:%d/%m/%Y}: {last.offence.name}",
    ]
    return "; ".join(parts) + "."


def _facts(person: Person, incidents, today: dt.date, user) -> list[tuple[str, str]]:
    facts = [("Nominal reference", person.reference)]
    if user_can(user, Cap.PERSON_VIEW_IDENTITY) and person.date_of_birth:
        dob = person.date_of_birth
        age = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
        facts.append(("Date of birth", f"{dob:%d/%m/%Y} (age {age})"))
    facts.append(("Gender", person.get_gender_display()))
    total = sum(i.offence.harm_days for i in incidents)
    last_year = sum(i.offence.harm_days for i in incidents if (today - i.occurred_on).days <= 365)
    facts.append(
        ("Harm recorded", f"{total:,.0f} days in all; {last_year:,.0f} in the last 12 months")
    )
    flags = {}
    for incident in incidents:
        for flag in incident.flag_names:
            flags[flag] = flags.get(flag, 0) + 1
    if flags:
        facts.append(
            ("Flags", ", ".join(f"{name} ({count})" for name, count in sorted(flags.items())))
        )
    return facts


def pack_scores(*, person_ids: list[int]) -> dict[int, dict]:
    """Each person's latest score and its explanation, where the scoring app has one.

    Uses the referrals app's adapter (one place knows the scoring app's API).
    Returns {person_id: {"score", "explanation": [str], "rank", "band", ...}}.
    """
    from highharm.referrals.selectors import person_score

    scores = {}
    for person in Person.objects.filter(pk__in=person_ids):
        try:
            score = person_score(person=person)
        except Exception:  # a scoring fault must never stop the panel pack
            logger.exception("scoring failed for the panel pack")
            score = None
        if score:
            explanation = score.get("explanation") or ""
            if isinstance(explanation, str):
                # The scoring app writes "component (+points), component (+points); note: ..."
                explanation = [p.strip() for p in re.split(r", |; ", explanation) if p.strip()]
            scores[person.pk] = {**score, "explanation": explanation}
    return scores
