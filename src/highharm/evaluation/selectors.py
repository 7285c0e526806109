"""Every read the evaluation needs from the database, as Polars frames or runs.

- `incidents_frame`: the incidents table in the engine's shape;
- `catalogue_frame`: offence harm weights (a file, else the database
  catalogue, else the default `data/offences.csv`);
- `cohort_from_database`: the hook for workflow cohorts (not yet available);
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
    "monitored": "perpetrators under a monitoring period, indexed on its start",
    "exited": "perpetrators who have left management, indexed on their exit date",
}


class CohortNotAvailable(RuntimeError):
    """A cohort the database cannot supply yet."""


def cohort_from_database(kind: str) -> pl.DataFrame:
    """The cohort of `kind` (adopted, comparison, monitored, exited) from the workflow records.

    Returns a frame `perpetrator_ref, index_date, group` like a cohort file.

    Not yet available: the referral, triage and case records that define these
    cohorts are being built. When they are, this reads adopted people from
    the adopt triage decisions (index: the decision's meeting date, or the
    case's opening date), the comparison from the other triage outcomes
    (index: the meeting date), the monitored from monitoring periods (index:
    their start) and the exited from case exits (index: the exit date).
    Until then it raises CohortNotAvailable with a message that says what to
    do instead.
    """
    if kind not in COHORT_KINDS:
        raise CohortNotAvailable(
            f"unknown cohort {kind!r}: choose one of {', '.join(sorted(COHORT_KINDS))}"
        )
    raise CohortNotAvailable(
        f"The {kind} cohort ({COHORT_KINDS[kind]}) cannot be read from the database yet: "
        "the workflow records it depends on are not available in this version. Give the "
        "cohort as a CSV file instead (columns perpetrator_ref,index_date[,group]), "
        "for example `highharm evaluate --cohort adopted.csv`."
    )


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
