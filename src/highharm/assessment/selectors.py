"""Every read of the assessment app, already scoped to what the user may see.

Hooks for other apps:
- ``assessment_list_for_person(user=..., person=...)``: a person's assessments, newest
  first (the case page shows them); empty for roles without ``assessment.complete``.
- ``risk_tool_result(person=...)``: the latest result for triage
  (settings.RISK_TOOL_RESULT names it; referrals.selectors.risk_tool_result calls it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from highharm.accounts.permissions import Cap, user_can
from highharm.assessment import instruments
from highharm.assessment.models import Assessment
from highharm.people.models import Person
from highharm.people.selectors import person_visible_to

# --- Instruments -----------------------------------------------------------------------------


def instruments_directory():
    """Where the definitions are read from (settings.ASSESSMENT_INSTRUMENTS_DIR, else shipped)."""
    return getattr(settings, "ASSESSMENT_INSTRUMENTS_DIR", None) or instruments.INSTRUMENTS_DIR


def instrument_definitions() -> dict[str, instruments.Definition]:
    """The instruments in use, keyed by id (read from their files on each call: a new version
    is picked up without a restart, and every worker sees the same files)."""
    return instruments.builtin_definitions(instruments_directory())


def instrument_definition(instrument_id: str) -> instruments.Definition:
    """The definition in use, or KeyError."""
    return instrument_definitions()[instrument_id]


# --- Facts from the records ------------------------------------------------------------------


@dataclass
class PersonFacts:
    """What the records say about a person as of a date, for the data items."""

    as_of: dt.date
    measures: dict | None  # None when no incident in the window
    config_version: str
    window_days: int
    priority_score: int | None = None
    explanation: str = ""

    def as_json(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "measures": self.measures,
            "scoring_config": self.config_version,
            "window_days": self.window_days,
            "priority_score": self.priority_score,
            "explanation": self.explanation,
        }


def person_facts(*, person: Person, as_of: dt.date) -> PersonFacts:
    """The identification engine's measures for one person as of a date (computed now)."""
    from highharm.scoring import selectors as scoring_selectors

    config = scoring_selectors.scoring_config()
    scores, _ = scoring_selectors.score_database(as_of=as_of, config=config, perpetrator=person)
    if not scores.height:
        return PersonFacts(as_of, None, config.version, config.window_days)
    row = scores.row(0, named=True)
    return PersonFacts(
        as_of=as_of,
        measures=instruments.measures_from_row(row),
        config_version=config.version,
        window_days=config.window_days,
        priority_score=int(row["priority_score"]),
        explanation=row.get("explanation") or "",
    )


# --- Assessments -----------------------------------------------------------------------------


def assessments_visible_to(user) -> QuerySet[Assessment]:
    if not user_can(user, Cap.ASSESSMENT_COMPLETE):
        return Assessment.objects.none()
    return Assessment.objects.filter(person__in=person_visible_to(user))


def assessment_list_for_person(*, user, person: Person) -> list[Assessment]:
    """The person's assessments, newest first ([] for roles that may not see them)."""
    return list(
        assessments_visible_to(user)
        .filter(person=person)
        .select_related("definition", "completed_by", "referral")
        .order_by("-completed_at", "-id")
    )


def assessment_get(*, user, pk: int) -> Assessment:
    """The assessment, or Assessment.DoesNotExist if absent or not visible (never say which)."""
    return (
        assessments_visible_to(user)
        .select_related("person", "definition", "completed_by", "referral", "previous")
        .get(pk=pk)
    )


def assessment_latest(*, person: Person, instrument_id: str | None = None) -> Assessment | None:
    qs = Assessment.objects.filter(person=person)
    if instrument_id:
        qs = qs.filter(instrument_id=instrument_id)
    return qs.select_related("definition").order_by("-completed_at", "-id").first()


def risk_tool_result(*, person: Person) -> dict | None:
    """The latest HHU tool result for the person (else the latest of any instrument), for
    triage: {"instrument", "level", "completed_on", "summary", "assessment_id",
    "recommendation", "overridden"}; None when the person has no assessment."""
    latest = assessment_latest(person=person, instrument_id="hhu") or assessment_latest(
        person=person
    )
    if latest is None:
        return None
    summary = latest.result.get("summary", "")
    if latest.overridden:
        summary += (
            f" Overridden by {latest.completed_by_label or 'the officer'} "
            f"({latest.get_override_direction_display().lower()}): {latest.override_reason}"
        )
    return {
        "instrument": latest.definition.name,
        "level": latest.final_label,
        "recommendation": latest.computed_label,
        "overridden": latest.overridden,
        "completed_on": latest.completed_at,
        "summary": summary,
        "assessment_id": latest.pk,
    }


# --- Overrides, for supervisors --------------------------------------------------------------


def override_report(*, since: dt.date | None = None) -> dict:
    """Override counts by instrument, by officer and by direction, and the overrides themselves."""
    qs = Assessment.objects.all()
    if since is not None:
        qs = qs.filter(completed_at__date__gte=since)
    overridden = Q(override_direction__in=["up", "down"])
    totals = qs.aggregate(
        assessments=Count("id"),
        overrides=Count("id", filter=overridden),
        up=Count("id", filter=Q(override_direction="up")),
        down=Count("id", filter=Q(override_direction="down")),
    )

    def grouped(*fields):
        return [
            row | {"share": (row["overrides"] / row["assessments"]) if row["assessments"] else 0}
            for row in qs.values(*fields)
            .annotate(
                assessments=Count("id"),
                overrides=Count("id", filter=overridden),
                up=Count("id", filter=Q(override_direction="up")),
                down=Count("id", filter=Q(override_direction="down")),
            )
            .order_by(*fields)
        ]

    names = {d.id: d.name for d in instrument_definitions().values()}
    by_instrument = grouped("instrument_id")
    for row in by_instrument:
        row["name"] = names.get(row["instrument_id"], row["instrument_id"])
    by_officer = grouped("completed_by_id", "completed_by_label")
    by_officer.sort(key=lambda r: (-r["overrides"], r["completed_by_label"]))
    by_direction = [
        row
        for row in qs.filter(overridden)
        .values("instrument_id", "computed_level", "final_level", "override_direction")
        .annotate(count=Count("id"))
        .order_by("instrument_id", "-count")
    ]
    recent = list(
        qs.filter(overridden)
        .select_related("person", "definition")
        .order_by("-completed_at", "-id")[:100]
    )
    return {
        "since": since,
        "totals": totals,
        "share": (totals["overrides"] / totals["assessments"]) if totals["assessments"] else 0,
        "by_instrument": by_instrument,
        "by_officer": by_officer,
        "by_direction": by_direction,
        "recent": recent,
    }


# --- Backtesting -----------------------------------------------------------------------------


def backtest_incidents(*, as_of: dt.date, outcome_days: int, config):
    """Incidents from the look-back window before ``as_of`` to the end of the follow-up period,
    as the identification engine's input (one query, in columns)."""
    from highharm.assessment.backtest import lookback_days
    from highharm.scoring import selectors as scoring_selectors

    return scoring_selectors.incident_frame(
        as_of=as_of + dt.timedelta(days=outcome_days),
        lookback_days=lookback_days(config) + outcome_days,
    )
