"""Every write of the scoring app: storing a dated snapshot of scores (one transaction)."""

from __future__ import annotations

import datetime as dt

import polars as pl
from django.db import transaction

from highharm.people.models import Person
from highharm.scoring.config import SCORABLE_FLAGS, ScoringConfig
from highharm.scoring.models import PerpetratorScore, ScoreRun

POINT_COLUMNS = [
    "points_recency",
    "points_frequency",
    "points_harm",
    "points_harm_max",
    "points_victims",
    "points_serial",
    "points_escalation",
    "points_gaps",
    *[f"points_{f}" for f in SCORABLE_FLAGS],
]
BATCH = 2000


class ScoreStoreError(ValueError):
    pass


def score_run_store(
    *,
    scores: pl.DataFrame,
    as_of: dt.date,
    window_days: int,
    config: ScoringConfig,
    incidents_scored: int,
    source: str = "database",
    created_by=None,
    created_by_label: str = "",
    duration_s: float = 0.0,
) -> ScoreRun:
    """Save a ranked result of the engine as a ScoreRun with one PerpetratorScore per row.

    Every perpetrator_ref must be a person in the database (score the database, not a
    file, to store). All or nothing: one transaction.
    """
    if scores.height and scores.get_column("config_version").unique().to_list() != [config.version]:
        raise ScoreStoreError("the scores were not produced with this configuration")
    with transaction.atomic():
        run = ScoreRun.objects.create(
            as_of=as_of,
            window_days=window_days,
            config_version=config.version,
            config_sha256=config.sha256,
            config_text=config.text,
            source=source[:300],
            incidents_scored=incidents_scored,
            perpetrators_scored=scores.height,
            created_by=created_by,
            created_by_label=created_by_label[:150],
            duration_s=duration_s,
        )
        for offset in range(0, scores.height, BATCH):
            batch = scores.slice(offset, BATCH)
            refs = batch.get_column("perpetrator_ref").to_list()
            ids = dict(Person.objects.filter(reference__in=refs).values_list("reference", "id"))
            missing = [r for r in refs if r not in ids]
            if missing:
                raise ScoreStoreError(
                    f"{len(missing)} scored people are not in the database (e.g. {missing[0]}); "
                    "only scores of the database can be stored"
                )
            PerpetratorScore.objects.bulk_create(
                [
                    PerpetratorScore(
                        run=run,
                        person_id=ids[row["perpetrator_ref"]],
                        rank=row["rank"],
                        priority_score=row["priority_score"],
                        recency_days=row["recency_days"],
                        last_incident_on=row["last_incident_on"],
                        first_incident_on=row["first_incident_on"],
                        frequency=row["frequency"],
                        harm_sum=row["harm_sum"],
                        harm_max=row["harm_max"],
                        harm_unknown=row["harm_unknown"],
                        victims=row["victims"],
                        partner_victims=row["partner_victims"],
                        harm_recent=row["harm_recent"],
                        harm_prior=row["harm_prior"],
                        gap_slope=row["gap_slope"],
                        escalation=row["escalation"] or "",
                        flags=row["flags"] or "",
                        explanation=row["explanation"] or "",
                        points={c.removeprefix("points_"): row[c] for c in POINT_COLUMNS},
                        **{f"flag_{f}": bool(row[f"flag_{f}"]) for f in SCORABLE_FLAGS},
                    )
                    for row in batch.iter_rows(named=True)
                ],
                batch_size=BATCH,
            )
    return run


KEEP_LATEST = 30
KEEP_MONTHS = 24


def score_runs_prune(
    *, keep_latest: int = KEEP_LATEST, keep_months: int = KEEP_MONTHS
) -> list[int]:
    """Delete the stored runs the keep-policy does not keep; return the ids deleted.

    Kept (docs/scoring.md, "How long runs are kept"):
    * the `keep_latest` most recent runs (by when they were stored): the candidate list,
      "new since the last run" and the recent, fine-grained part of a person's chart;
    * the latest run (by as-of date, then when stored) of each of the `keep_months` most
      recent calendar months (of the as-of date) that have a run: a monthly history.
    Everything else goes, with its scores, in one transaction.
    """
    if keep_latest < 1:
        raise ScoreStoreError("keep_latest must be at least 1: the latest run is always kept")
    if keep_months < 0:
        raise ScoreStoreError("keep_months must be 0 or more")
    runs = list(ScoreRun.objects.order_by("-created_at", "-id").values_list("id", "as_of"))
    keep = {run_id for run_id, _ in runs[:keep_latest]}
    monthly: dict[tuple[int, int], tuple[dt.date, int]] = {}
    by_as_of = ScoreRun.objects.order_by("as_of", "created_at", "id").values_list("id", "as_of")
    for run_id, as_of in by_as_of:
        monthly[(as_of.year, as_of.month)] = (as_of, run_id)  # the last one of the month wins
    months = sorted(monthly, reverse=True)[:keep_months]
    keep |= {monthly[m][1] for m in months}
    doomed = [run_id for run_id, _ in runs if run_id not in keep]
    if doomed:
        with transaction.atomic():
            PerpetratorScore.objects.filter(run_id__in=doomed).delete()
            ScoreRun.objects.filter(id__in=doomed).delete()
    return sorted(doomed)
