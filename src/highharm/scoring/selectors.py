"""Every read of the scoring app: incidents for the engine, stored runs, the candidate list,
a person's score history, and statuses from other apps (pluggable).

Nothing is cached in process memory: several web workers on several hosts
share one database, and a stored run is already a cheap read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import DatabaseError, connection
from django.db.models import Count
from django.utils.module_loading import import_string

from highharm.people.models import Person
from highharm.records.models import Incident, Offence
from highharm.scoring import engine
from highharm.scoring.config import FLAG_NAMES, ScoringConfig, load_config
from highharm.scoring.models import PerpetratorScore, ScoreRun
from highharm.scoring.sources import FLAGS, catalogue_frame_from_rows

PER_PAGE = 50
TOP_N = 50
FILTER_FLAGS = FLAG_NAMES  # stalking, sexual, strangulation, weapon, breach, coercive_control


def scoring_config(path: str | None = None) -> ScoringConfig:
    """The configuration in force: `path`, else settings.SCORING_CONFIG (HIGHHARM_SCORING_CONFIG)."""
    return load_config(path or settings.SCORING_CONFIG)


# --- Incidents from the database, for the engine ----------------------------------------------


def _incident_sql(*, counting: bool = False) -> str:
    incident = Incident._meta.db_table
    offence = Offence._meta.db_table
    person = Person._meta.db_table
    where = "WHERE i.occurred_on > %s AND i.occurred_on <= %s"
    if counting:
        return f"SELECT COUNT(*) FROM {incident} i {where}"  # noqa: S608 (table names from models)
    if connection.vendor == "postgresql":
        day = "(i.occurred_on - DATE '1970-01-01')"
    else:
        day = "CAST(julianday(i.occurred_on) - 2440587.5 AS INTEGER)"
    flags = ", ".join(f"CASE WHEN i.{f} OR o.{f} THEN 1 ELSE 0 END" for f in FLAGS)
    return (
        f"SELECT p.reference, v.reference, {day}, o.category, o.harm_days, {flags}, "  # noqa: S608
        f"i.relationship FROM {incident} i "
        f"JOIN {offence} o ON o.id = i.offence_id "
        f"JOIN {person} p ON p.id = i.perpetrator_id "
        f"LEFT JOIN {person} v ON v.id = i.victim_id {where}"
    )


def incident_count(*, as_of: dt.date, lookback_days: int) -> int:
    start = as_of - dt.timedelta(days=lookback_days)
    with connection.cursor() as cursor:
        cursor.execute(_incident_sql(counting=True), [start, as_of])
        return int(cursor.fetchone()[0])


def incident_frame(
    *,
    as_of: dt.date,
    lookback_days: int,
    progress: Callable[[int], None] | None = None,
    chunk_rows: int = 100_000,
    perpetrator: Person | None = None,
) -> pl.DataFrame:
    """Incidents in (as_of - lookback_days, as_of] joined with their offences, as the
    engine's input: one SQL query, fetched in chunks into columns (no ORM object per row)."""
    start = as_of - dt.timedelta(days=lookback_days)
    sql = _incident_sql()
    params: list = [start, as_of]
    if perpetrator is not None:
        sql += " AND i.perpetrator_id = %s"
        params.append(perpetrator.pk)
    schema = {
        "perpetrator_ref": pl.String,
        "victim_ref": pl.String,
        "day": pl.Int32,
        "category": pl.String,
        "harm_days": pl.Float64,
        **{f: pl.Int8 for f in FLAGS},
        "relationship": pl.String,
    }
    parts = []
    cursor = connection.chunked_cursor() if perpetrator is None else connection.cursor()
    try:
        cursor.execute(sql, params)
        while True:
            rows = cursor.fetchmany(chunk_rows)
            if not rows:
                break
            parts.append(pl.DataFrame(rows, schema=schema, orient="row"))
            if progress is not None:
                progress(len(rows))
    finally:
        cursor.close()
    frame = pl.concat(parts) if parts else pl.DataFrame(schema=schema)
    return frame.select(
        "perpetrator_ref",
        "victim_ref",
        pl.col("day").cast(pl.Date).alias("occurred_on"),
        "category",
        "harm_days",
        *[pl.col(f).cast(pl.Boolean) for f in FLAGS],
        "relationship",
    ).select(list(engine.INPUT_COLUMNS))


def catalogue_frame_from_database() -> pl.DataFrame | None:
    """The offence catalogue in the database, or None when it is empty or unreachable."""
    try:
        rows = list(
            Offence.objects.values("code", "category", "harm_days", *FLAGS).order_by("code")
        )
    except DatabaseError:
        return None
    return catalogue_frame_from_rows(rows) if rows else None


def score_database(
    *,
    as_of: dt.date,
    config: ScoringConfig,
    window_days: int | None = None,
    top: int | None = None,
    progress: Callable[[int], None] | None = None,
    perpetrator: Person | None = None,
) -> tuple[pl.DataFrame, int]:
    """Score the incidents in the database: (ranked result, incidents read)."""
    window = window_days or config.window_days
    frame = incident_frame(
        as_of=as_of,
        lookback_days=max(window, 2 * config.period_days),
        progress=progress,
        perpetrator=perpetrator,
    )
    return engine.score(
        frame, as_of=as_of, config=config, window_days=window, top=top
    ), frame.height


# --- Stored runs ------------------------------------------------------------------------------


def latest_run() -> ScoreRun | None:
    return ScoreRun.objects.order_by("-created_at", "-id").first()


def previous_run(run: ScoreRun) -> ScoreRun | None:
    return (
        ScoreRun.objects.filter(created_at__lte=run.created_at)
        .exclude(pk=run.pk)
        .exclude(created_at=run.created_at, id__gt=run.id)
        .order_by("-created_at", "-id")
        .first()
    )


def run_list(*, limit: int = 20) -> list[ScoreRun]:
    return list(ScoreRun.objects.order_by("-created_at", "-id")[:limit])


def new_entrants(
    *, run: ScoreRun, previous: ScoreRun | None, top_n: int = TOP_N
) -> list[PerpetratorScore]:
    """People in the run's top N who were not in the previous run's top N."""
    if previous is None:
        return []
    before = set(
        PerpetratorScore.objects.filter(run=previous, rank__lte=top_n).values_list(
            "person_id", flat=True
        )
    )
    return [
        score
        for score in PerpetratorScore.objects.filter(run=run, rank__lte=top_n)
        .select_related("person")
        .order_by("rank", "id")
        if score.person_id not in before
    ]


# --- Statuses from other apps (pluggable) -----------------------------------------------------


@dataclass(frozen=True)
class CandidateStatus:
    """How the unit already knows a person: adopted, monitored, declined recently, referred."""

    code: str
    label: str
    detail: str = ""


def _status_from(value) -> CandidateStatus | None:
    if value is None:
        return None
    if isinstance(value, CandidateStatus):
        return value
    if isinstance(value, dict):
        code, label, detail = (
            value.get("code") or value.get("status"),
            value.get("label"),
            value.get("detail", ""),
        )
    else:
        raw = getattr(value, "status", value)
        code = getattr(raw, "value", raw)
        label = getattr(value, "label", None) or getattr(raw, "label", None)
        detail = getattr(value, "detail", "") or ""
        since = getattr(value, "since", None)
        if since and not detail:
            detail = f"since {since:%d/%m/%Y}"
    code = str(code or "")
    if not code or code == "none":
        return None
    return CandidateStatus(
        code=code, label=str(label or code.replace("_", " ").capitalize()), detail=str(detail or "")
    )


def candidate_statuses(*, references: list[str]) -> dict[str, list[CandidateStatus]]:
    """Statuses of these people from the sources named in settings.CANDIDATE_STATUS_SOURCES.

    Each source is a dotted path to a function `(references) -> {reference: status}`
    where a status is a CandidateStatus, a dict with code/label/detail, or an object
    with `.status` (str or enum; "none" means no status), `.label`, `.detail`, `.since`.
    The referrals app plugs in here; with no source configured, nobody has a status.
    Statuses mark rows on the candidate list; they never hide anyone.
    """
    found: dict[str, list[CandidateStatus]] = {}
    if not references:
        return found
    for dotted in getattr(settings, "CANDIDATE_STATUS_SOURCES", []):
        source = import_string(dotted)
        for reference, value in (source(list(references)) or {}).items():
            status = _status_from(value)
            if status is not None:
                found.setdefault(reference, []).append(status)
    return found


# --- The candidate list -----------------------------------------------------------------------


@dataclass
class CandidateRow:
    rank: int
    reference: str
    person: Person | None
    priority_score: int
    explanation: str
    flags: list[str]
    escalation: str
    frequency: int
    victims: int
    harm_sum: float
    recency_days: int
    last_incident_on: dt.date
    previous_rank: int | None = None
    new_in_top: bool = False
    joint: bool = False  # someone else has the same rank (equal score, harm and recency)
    statuses: list[CandidateStatus] = field(default_factory=list)


@dataclass
class CandidateList:
    live: bool
    as_of: dt.date
    config_version: str
    window_days: int
    page: Page
    rows: list[CandidateRow]
    total: int
    run: ScoreRun | None = None
    previous: ScoreRun | None = None
    new_entrants: list[PerpetratorScore] = field(default_factory=list)
    top_n: int = TOP_N


def _row_from_score(score: PerpetratorScore) -> CandidateRow:
    return CandidateRow(
        rank=score.rank,
        reference=score.person.reference,
        person=score.person,
        priority_score=score.priority_score,
        explanation=score.explanation,
        flags=score.flag_list,
        escalation=score.escalation,
        frequency=score.frequency,
        victims=score.victims,
        harm_sum=score.harm_sum,
        recency_days=score.recency_days,
        last_incident_on=score.last_incident_on,
    )


def candidate_list(
    *,
    flags: list[str] | None = None,
    min_score: int | None = None,
    page: int | str = 1,
    per_page: int = PER_PAGE,
    top_n: int = TOP_N,
    today: dt.date | None = None,
) -> CandidateList:
    """The ranked candidates of the latest stored run, filtered and paginated; computed
    from the database now when no run is stored yet (nothing is kept between requests)."""
    flags = [f for f in (flags or []) if f in FILTER_FLAGS]
    run = latest_run()
    if run is not None:
        qs = PerpetratorScore.objects.filter(run=run)
        for flag in flags:
            qs = qs.filter(**{f"flag_{flag}": True})
        if min_score is not None:
            qs = qs.filter(priority_score__gte=min_score)
        paginator = Paginator(qs.select_related("person").order_by("rank", "id"), per_page)
        page_obj = paginator.get_page(page)
        rows = [_row_from_score(s) for s in page_obj.object_list]
        if rows:
            shared = set(
                PerpetratorScore.objects.filter(run=run, rank__in={r.rank for r in rows})
                .values("rank")
                .annotate(n=Count("id"))
                .filter(n__gt=1)
                .values_list("rank", flat=True)
            )
            for row in rows:
                row.joint = row.rank in shared
        previous = previous_run(run)
        if previous is not None and rows:
            before = dict(
                PerpetratorScore.objects.filter(
                    run=previous, person_id__in=[r.person.pk for r in rows]
                ).values_list("person_id", "rank")
            )
            for row in rows:
                row.previous_rank = before.get(row.person.pk)
                row.new_in_top = row.rank <= top_n and (
                    row.previous_rank is None or row.previous_rank > top_n
                )
        result = CandidateList(
            live=False,
            as_of=run.as_of,
            config_version=run.config_version,
            window_days=run.window_days,
            page=page_obj,
            rows=rows,
            total=paginator.count,
            run=run,
            previous=previous,
            new_entrants=new_entrants(run=run, previous=previous, top_n=top_n),
            top_n=top_n,
        )
    else:
        result = _live_candidate_list(
            flags=flags,
            min_score=min_score,
            page=page,
            per_page=per_page,
            top_n=top_n,
            today=today,
        )
    statuses = candidate_statuses(references=[r.reference for r in result.rows])
    for row in result.rows:
        row.statuses = statuses.get(row.reference, [])
    return result


def _live_candidate_list(*, flags, min_score, page, per_page, top_n, today) -> CandidateList:
    from django.utils import timezone

    as_of = today or timezone.localdate()
    config = scoring_config()
    scores, _ = score_database(as_of=as_of, config=config)
    for flag in flags:
        scores = scores.filter(pl.col(f"flag_{flag}"))
    if min_score is not None:
        scores = scores.filter(pl.col("priority_score") >= min_score)
    paginator = Paginator(range(scores.height), per_page)
    page_obj = paginator.get_page(page)
    window = scores.slice(page_obj.start_index() - 1, per_page) if scores.height else scores
    shared = (
        set(scores.filter(pl.col("rank").is_duplicated()).get_column("rank").to_list())
        if scores.height
        else set()
    )
    refs = window.get_column("perpetrator_ref").to_list() if window.height else []
    people = {p.reference: p for p in Person.objects.filter(reference__in=refs)}
    rows = [
        CandidateRow(
            rank=r["rank"],
            joint=r["rank"] in shared,
            reference=r["perpetrator_ref"],
            person=people.get(r["perpetrator_ref"]),
            priority_score=r["priority_score"],
            explanation=r["explanation"],
            flags=[f for f in r["flags"].split("|") if f],
            escalation=r["escalation"],
            frequency=r["frequency"],
            victims=r["victims"],
            harm_sum=r["harm_sum"],
            recency_days=r["recency_days"],
            last_incident_on=r["last_incident_on"],
        )
        for r in window.iter_rows(named=True)
    ]
    return CandidateList(
        live=True,
        as_of=as_of,
        config_version=config.version,
        window_days=config.window_days,
        page=page_obj,
        rows=rows,
        total=scores.height,
        top_n=top_n,
    )


# --- One person's scores ----------------------------------------------------------------------


def person_score_history(*, person: Person, limit: int = 60) -> list[PerpetratorScore]:
    """The person's rows in stored runs, oldest run first (at most `limit`, the latest)."""
    rows = list(
        PerpetratorScore.objects.filter(person=person)
        .select_related("run")
        .order_by("-run__created_at", "-run__id")[:limit]
    )
    rows.reverse()
    return rows


def person_latest_score(*, person: Person) -> dict | None:
    """The person's score in the latest stored run that scored them, for other apps
    (the referral form quotes it): {"score", "explanation", "rank", "computed_at",
    "as_of", "config_version", "run_id", "in_latest_run"}; None when never stored."""
    score = (
        PerpetratorScore.objects.filter(person=person)
        .select_related("run")
        .order_by("-run__created_at", "-run__id")
        .first()
    )
    if score is None:
        return None
    latest = latest_run()
    return {
        "score": score.priority_score,
        "explanation": score.explanation,
        "rank": score.rank,
        "computed_at": score.run.created_at,
        "as_of": score.run.as_of,
        "config_version": score.run.config_version,
        "run_id": score.run_id,
        "in_latest_run": latest is not None and latest.pk == score.run_id,
    }
