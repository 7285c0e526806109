"""Running evaluations: gather the inputs, call the engine, store a run.

`evaluation_compute` reads (incidents and catalogue from files or the
database) and computes, writing nothing: the CLI uses it directly.
`evaluation_run_create` computes and stores a run in one transaction, with an
access-log entry: the page uses it.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from django.db import transaction

from highharm.audit.services import access_log_record
from highharm.evaluation import selectors
from highharm.evaluation.engine import EvaluationParams, evaluate, prepare_people
from highharm.evaluation.models import EvaluationRun
from highharm.evaluation.readers import read_incidents
from highharm.evaluation.successes import other_successes


def evaluation_compute(
    *,
    cohort: pl.DataFrame,
    comparison: pl.DataFrame | None = None,
    incidents_path=None,
    catalogue_path=None,
    before_days: int = 365,
    after_days: int = 365,
    as_of: dt.date | None = None,
    bootstrap: int = 2000,
    seed: int = 20240601,
    sources: dict | None = None,
    successes_from_database: bool | None = None,
) -> dict:
    """The evaluation result (a JSON-ready dict). Incidents from a file, else the database.

    Other successes are read from the case records when the evaluation uses
    the database (by default: when the incidents come from it); a file-only
    evaluation says they were not read.
    """
    if successes_from_database is None:
        successes_from_database = not incidents_path
    refs = cohort["perpetrator_ref"].to_list()
    if comparison is not None:
        refs += comparison["perpetrator_ref"].to_list()
    if incidents_path:
        incidents = read_incidents(incidents_path, name=str(incidents_path))
        incidents_source = f"file {incidents_path}"
    else:
        incidents = selectors.incidents_frame(perpetrator_refs=sorted(set(refs)))
        incidents_source = "database"
        # The records run to the latest incident held by anyone, not just by these people.
        as_of = as_of or selectors.latest_incident_date()
    catalogue, catalogue_source = selectors.catalogue_frame(catalogue_path)
    params = EvaluationParams(
        before_days=before_days,
        after_days=after_days,
        as_of=as_of,
        bootstrap=bootstrap,
        seed=seed,
    )
    result = evaluate(
        cohort=cohort,
        comparison=comparison,
        incidents=incidents,
        catalogue=catalogue,
        params=params,
        sources=(sources or {}) | {"incidents": incidents_source, "catalogue": catalogue_source},
    )
    # Other successes come from the case records (interventions), whatever the incidents' source.
    result["other_successes"] = other_successes(
        people=prepare_people(cohort, comparison),
        interventions=selectors.interventions_frame(perpetrator_refs=sorted(set(refs)))
        if successes_from_database
        else None,
        as_of=dt.date.fromisoformat(result["parameters"]["as_of"]),
    )
    return result


def evaluation_run_create(
    *,
    user,
    title: str,
    cohort: pl.DataFrame,
    cohort_source: str,
    comparison: pl.DataFrame | None = None,
    comparison_source: str = "",
    before_days: int = 365,
    after_days: int = 365,
    as_of: dt.date | None = None,
    request=None,
) -> EvaluationRun:
    """Evaluate a cohort against the database's incidents and store the run."""
    sources = {"cohort": cohort_source} | (
        {"comparison": comparison_source} if comparison is not None else {}
    )
    result = evaluation_compute(
        cohort=cohort,
        comparison=comparison,
        before_days=before_days,
        after_days=after_days,
        as_of=as_of,
        sources=sources,
    )
    with transaction.atomic():
        run = EvaluationRun.objects.create(
            created_by=user,
            title=title or "Evaluation",
            cohort_source=cohort_source[:300],
            comparison_source=comparison_source[:300],
            incidents_source=result["parameters"]["sources"]["incidents"][:300],
            parameters={k: v for k, v in result["parameters"].items() if k != "sources"},
            result=result,
        )
        access_log_record(
            request=request,
            user=user,
            action="evaluation_run",
            object_type="evaluation",
            object_id=str(run.pk),
            detail={"people": len(result["people"]), "title": run.title},
        )
    return run
