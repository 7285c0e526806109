"""Every read the evaluation needs from the database, as Polars frames or runs.

- `incidents_frame`: the incidents table in the engine's shape;
- `catalogue_frame`: offence harm weights (a file, else the database
  catalogue, else the default `data/offences.csv`);
- `cohort_from_database`: adopted, comparison, monitored and exited cohorts
  from the referral, triage and case records;
- `interventions_frame`: interventions on cases, for the other successes;
- `evaluation_run_list` / `evaluation_run_get`: stored runs, for users who may
  see evaluations.
"""

from __future__ import annotations

import polars as pl
from django.conf import settings
from django.db import DatabaseError, connection

from highharm.accounts.permissions import Cap, user_can
from highharm.evaluation.models import EvaluationRun
from highharm.evaluation.readers import read_catalogue
from highharm.people.models import Person
from highharm.records.models import Incident, Offence

MAX_SQL_PARAMETERS = 5000
COHORT_KINDS = {
    "adopted": "perpetrators adopted to the panel, indexed on their adoption date",
    "comparison": (
        "perpetrators referred but not adopted (monitored or no further action), "
        "indexed on their triage date"
    ),
    "monitored": "perpetrators given a monitoring period (not after exit), indexed on its start",
    "exited": "perpetrators who have left management, indexed on their exit date",
}


class CohortNotAvailable(RuntimeError):
    """A cohort the database cannot supply (unknown kind, or no one in it)."""


COHORT_COLUMNS = {"perpetrator_ref": pl.String, "index_date": pl.Date, "group": pl.String}


def _rows_frame(rows) -> pl.DataFrame:
    frame = pl.DataFrame(
        [tuple(r) for r in rows],
        schema=["perpetrator_ref", "index_date", "group"],
        orient="row",
    )
    if frame.height and frame.schema["index_date"] != pl.Date:
        frame = frame.with_columns(pl.col("index_date").cast(pl.String).str.to_date("%Y-%m-%d"))
    return frame.select([pl.col(c).cast(t) for c, t in COHORT_COLUMNS.items()])


def _first_per_person(frame: pl.DataFrame) -> pl.DataFrame:
    """Each person once, on their earliest index date (ties broken by group name)."""
    return (
        frame.sort(["perpetrator_ref", "index_date", "group"])
        .unique(subset=["perpetrator_ref"], keep="first", maintain_order=True)
        .sort(["index_date", "perpetrator_ref"])
    )


def _adopted_rows() -> pl.DataFrame:
    """Adopt decisions (meeting date) and cases (their adopt decision's meeting, else opened_on)."""
    from django.db.models import F, Value
    from django.db.models.functions import Coalesce

    from highharm.cases.models import Case
    from highharm.referrals.models import TriageDecision

    decisions = (
        TriageDecision.objects.filter(outcome=TriageDecision.Outcome.ADOPT, is_current=True)
        .annotate(ref=F("referral__person__reference"), day=F("meeting__meeting_date"))
        .annotate(g=Value("adopted"))
        .values_list("ref", "day", "g")
    )
    cases = Case.objects.annotate(
        ref=F("person__reference"),
        day=Coalesce("triage_decision__meeting__meeting_date", "opened_on"),
        g=Value("adopted"),
    ).values_list("ref", "day", "g")
    return pl.concat([_rows_frame(decisions), _rows_frame(cases)])


def cohort_from_database(kind: str) -> pl.DataFrame:
    """The cohort of `kind` (adopted, comparison, monitored, exited) from the workflow records.

    Returns a frame `perpetrator_ref, index_date, group` like a cohort file,
    each person once (their earliest qualifying date). Definitions
    (docs/evaluation.md, "Cohorts from the database"):

    - adopted: a current adopt triage decision or a case; index: the date of
      the triage meeting that adopted them (a case without a decision: its
      opening date); group `adopted`;
    - comparison: a current monitor, other-pathway or no-further-action
      decision, never adopted and never given a case; index: the meeting date;
      group: the decision (`monitor`, `other_pathway`, `nfa`);
    - monitored: a monitoring period from triage or otherwise (not after exit);
      index: its start; group: the period's kind;
    - exited: a case exit; index: the exit date; group: the exit reason.

    Read only, a query or two per cohort (no per-person loop).
    """
    from django.db.models import F

    from highharm.cases.models import Case, Exit
    from highharm.referrals.models import MonitoringPeriod, TriageDecision

    if kind not in COHORT_KINDS:
        raise CohortNotAvailable(
            f"unknown cohort {kind!r}: choose one of {', '.join(sorted(COHORT_KINDS))}"
        )
    if kind == "adopted":
        frame = _adopted_rows()
    elif kind == "comparison":
        adopted_people = TriageDecision.objects.filter(
            outcome=TriageDecision.Outcome.ADOPT, is_current=True
        ).values("referral__person_id")
        rows = (
            TriageDecision.objects.filter(
                is_current=True,
                outcome__in=[
                    TriageDecision.Outcome.MONITOR,
                    TriageDecision.Outcome.OTHER_PATHWAY,
                    TriageDecision.Outcome.NFA,
                ],
            )
            .exclude(referral__person_id__in=adopted_people)
            .exclude(referral__person_id__in=Case.objects.values("person_id"))
            .annotate(ref=F("referral__person__reference"), day=F("meeting__meeting_date"))
            .values_list("ref", "day", "outcome")
        )
        frame = _rows_frame(rows)
    elif kind == "monitored":
        rows = (
            MonitoringPeriod.objects.exclude(kind=MonitoringPeriod.Kind.POST_EXIT)
            .annotate(ref=F("person__reference"))
            .values_list("ref", "starts_on", "kind")
        )
        frame = _rows_frame(rows)
    else:  # exited
        rows = Exit.objects.annotate(ref=F("case__person__reference")).values_list(
            "ref", "exited_on", "reason"
        )
        frame = _rows_frame(rows)
    frame = _first_per_person(frame)
    if frame.height == 0:
        raise CohortNotAvailable(
            f"The {kind} cohort ({COHORT_KINDS[kind]}) is empty: no one in the database "
            "meets its definition yet. Give the cohort as a CSV file instead "
            "(columns perpetrator_ref,index_date[,group])."
        )
    return frame


def interventions_frame(*, perpetrator_refs: list[str] | None = None) -> pl.DataFrame | None:
    """Interventions on cases as the successes engine's frame, in one query; None without a database."""
    from django.db.models import F

    from highharm.cases.models import Intervention
    from highharm.evaluation.successes import INTERVENTION_COLUMNS, empty_interventions

    try:
        rows = list(
            Intervention.objects.annotate(ref=F("case__person__reference")).values_list(
                "ref", "kind", "type", "status", "outcome", "engaged", "started_on"
            )
        )
    except DatabaseError:
        return None
    if not rows:
        return empty_interventions()
    frame = pl.DataFrame(rows, schema=list(INTERVENTION_COLUMNS), orient="row")
    if frame.schema["started_on"] != pl.Date:
        frame = frame.with_columns(pl.col("started_on").cast(pl.String).str.to_date("%Y-%m-%d"))
    if perpetrator_refs is not None:
        frame = frame.filter(pl.col("perpetrator_ref").is_in(list(perpetrator_refs)))
    return frame.select([pl.col(c).cast(t) for c, t in INTERVENTION_COLUMNS.items()])


def incidents_frame(*, perpetrator_refs: list[str] | None = None) -> pl.DataFrame:
    """Incidents as perpetrator_ref, occurred_on, offence_code, crime_reference.

    Read with one SQL query (no model instances) so a force's records load
    quickly; restricted to the given perpetrators when a list is given.
    """
    inc, person, offence = Incident._meta, Person._meta, Offence._meta
    q = connection.ops.quote_name
    # Identifiers come from model metadata, quoted; values are passed as parameters.
    sql = (
        f"SELECT p.{q('reference')}, i.{q('occurred_on')}, o.{q('code')}, i.{q('crime_reference')} "  # noqa: S608
        f"FROM {q(inc.db_table)} i "
        f"JOIN {q(person.db_table)} p ON p.{q('id')} = i.{q('perpetrator_id')} "
        f"JOIN {q(offence.db_table)} o ON o.{q('id')} = i.{q('offence_id')}"
    )
    params: list = []
    if perpetrator_refs is not None:
        if not perpetrator_refs:
            return _empty_incidents()
        ids = list(
            Person.objects.filter(reference__in=perpetrator_refs).values_list("id", flat=True)
        )
        if not ids:
            return _empty_incidents()
        if len(ids) <= MAX_SQL_PARAMETERS:
            sql += f" WHERE i.{q('perpetrator_id')} IN ({', '.join(['%s'] * len(ids))})"
            params = ids
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return _empty_incidents()
    frame = pl.DataFrame(
        rows,
        schema=["perpetrator_ref", "occurred_on", "offence_code", "crime_reference"],
        orient="row",
    )
    if frame.schema["occurred_on"] != pl.Date:  # SQLite returns text
        frame = frame.with_columns(pl.col("occurred_on").cast(pl.String).str.to_date("%Y-%m-%d"))
    if perpetrator_refs is not None and not params:  # too many to list in SQL: filter here
        frame = frame.filter(pl.col("perpetrator_ref").is_in(list(perpetrator_refs)))
    return frame


def latest_incident_date():
    """The date of the latest incident held: how far the records run."""
    from django.db.models import Max

    return Incident.objects.aggregate(latest=Max("occurred_on"))["latest"]


def _empty_incidents() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "perpetrator_ref": pl.String,
            "occurred_on": pl.Date,
            "offence_code": pl.String,
            "crime_reference": pl.String,
        }
    )


def catalogue_frame(path=None) -> tuple[pl.DataFrame, str]:
    """(code, harm_days) and where it came from: a file, the database, or the default file."""
    if path:
        return read_catalogue(path, name=str(path)), f"file {path}"
    try:
        rows = list(Offence.objects.values_list("code", "harm_days"))
    except DatabaseError:  # no database set up (a file-only evaluation): use the default
        rows = []
    if rows:
        frame = pl.DataFrame(rows, schema=["code", "harm_days"], orient="row")
        return frame.with_columns(pl.col("harm_days").cast(pl.Float64)), "database catalogue"
    default = settings.DATA_DIR / "offences.csv"
    return read_catalogue(default, name="default catalogue"), "default catalogue (offences.csv)"


def evaluation_run_list(*, user, limit: int = 20) -> list[EvaluationRun]:
    if not user_can(user, Cap.EVALUATION_VIEW):
        return []
    return list(
        EvaluationRun.objects.defer("result")
        .select_related("created_by")
        .order_by("-created_at", "-id")[:limit]
    )


def evaluation_run_get(*, user, pk: int) -> EvaluationRun:
    """The run, or EvaluationRun.DoesNotExist when absent or not visible to the user."""
    if not user_can(user, Cap.EVALUATION_VIEW):
        raise EvaluationRun.DoesNotExist
    return EvaluationRun.objects.select_related("created_by").get(pk=pk)


def evaluation_run_latest(*, user) -> EvaluationRun | None:
    if not user_can(user, Cap.EVALUATION_VIEW):
        return None
    return EvaluationRun.objects.select_related("created_by").order_by("-created_at", "-id").first()
