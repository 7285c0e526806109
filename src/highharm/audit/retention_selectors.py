"""Reads for the retention review: load every person's records into the frames the
pure rules (``highharm.audit.retention``) take, and list who is due.

Retention reaches into every app that holds personal data, below the audit app in
the design's layering, so models are looked up by name (``apps.get_model``) when
the function runs: the cases and referrals apps are optional here, and a disposal
is refused on what they hold only when they are installed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import polars as pl
from django.apps import apps
from django.db import connection
from django.db.models import Max, Min, Q
from django.utils import timezone

from highharm.audit import retention
from highharm.audit.models import AccessLog, RetentionDecision


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _fetch_frame(sql: str, params: list, schema: dict) -> pl.DataFrame:
    """Run ``sql`` and return its rows as a frame with ``schema`` (PostgreSQL: COPY)."""
    names = list(schema)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            query = cursor.cursor.mogrify(sql, params) if params else sql
            buffer = io.BytesIO()
            with cursor.cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT csv)") as copy:
                for block in copy:
                    buffer.write(block)
        if not buffer.getbuffer().nbytes:
            return pl.DataFrame(schema=schema)
        buffer.seek(0)
        raw = pl.read_csv(
            buffer,
            has_header=False,
            new_columns=names,
            schema_overrides={
                n: (pl.String if t in (pl.Date, pl.Boolean) else t) for n, t in schema.items()
            },
        )
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        # SQLite gives dates as date objects or as text, depending on the expression.
        text = [i for i, t in enumerate(schema.values()) if t in (pl.Date, pl.Boolean)]
        rows = [
            tuple(str(v) if (i in text and v is not None) else v for i, v in enumerate(row))
            for row in rows
        ]
        raw = pl.DataFrame(
            rows,
            schema={n: (pl.String if t in (pl.Date, pl.Boolean) else t) for n, t in schema.items()},
            orient="row",
        )
    casts = []
    for name, kind in schema.items():
        if kind == pl.Date:
            casts.append(pl.col(name).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=True))
        elif kind == pl.Boolean:
            casts.append(pl.col(name).cast(pl.String).is_in(["1", "t", "true", "True"]))
        else:
            casts.append(pl.col(name).cast(kind))
    return raw.with_columns(casts)


def retention_incident_frame(*, person_ids: list[int] | None = None) -> pl.DataFrame:
    """One row per (person, incident they are in), as perpetrator or as victim."""
    incident = _model("records.Incident")
    offence = _model("records.Offence")
    i_table, o_table = incident._meta.db_table, offence._meta.db_table
    # Booleans: PostgreSQL has them; SQLite stores 0/1. Either way the frame gets 0/1.
    true = "TRUE" if connection.vendor == "postgresql" else "1"
    flags = ", ".join(
        f"CASE WHEN i.{f} = {true} OR o.{f} = {true} THEN 1 ELSE 0 END"
        for f in ("sexual", "stalking", "strangulation", "weapon")
    )
    params: list = []
    where_p = where_v = ""
    if person_ids is not None:
        if not person_ids:
            return retention.empty_incidents()
        marks = ", ".join(["%s"] * len(person_ids))
        where_p = f" AND i.perpetrator_id IN ({marks})"
        where_v = f" AND i.victim_id IN ({marks})"
        params = [*person_ids, *person_ids]
    # Table and column names come from the models; values are bound parameters.
    sql = f"""
        SELECT i.perpetrator_id, i.occurred_on, o.code, o.category, o.harm_days, {flags}
        FROM {i_table} i JOIN {o_table} o ON o.id = i.offence_id WHERE 1 = 1{where_p}
        UNION ALL
        SELECT i.victim_id, i.occurred_on, o.code, o.category, o.harm_days, {flags}
        FROM {i_table} i JOIN {o_table} o ON o.id = i.offence_id
        WHERE i.victim_id IS NOT NULL{where_v}
    """  # noqa: S608
    return _fetch_frame(sql, params, retention.INCIDENT_COLUMNS)


def _disposed_ids() -> set[int]:
    return set(
        RetentionDecision.objects.filter(decision=RetentionDecision.Decision.DISPOSE).values_list(
            "person_id", flat=True
        )
    )


def retention_people_frame(*, person_ids: list[int] | None = None) -> pl.DataFrame:
    """One row per person not yet disposed of, with what the rules need besides incidents."""
    person = _model("people.Person")
    table = person._meta.db_table
    params: list = []
    where = ""
    if person_ids is not None:
        if not person_ids:
            return retention.empty_people()
        where = f" WHERE p.id IN ({', '.join(['%s'] * len(person_ids))})"
        params = list(person_ids)
    recorded = (
        "CAST(p.created_at AS date)" if connection.vendor == "postgresql" else "date(p.created_at)"
    )
    frame = _fetch_frame(
        f"SELECT p.id, p.date_of_birth, {recorded} FROM {table} p{where}",  # noqa: S608
        params,
        {"person_id": pl.Int64, "date_of_birth": pl.Date, "recorded_on": pl.Date},
    )
    disposed = _disposed_ids()
    if disposed:
        frame = frame.filter(~pl.col("person_id").is_in(list(disposed)))

    case_rows: list[tuple] = []
    case = _model("cases.Case")
    if case is not None:
        cases = case.objects.all()
        if person_ids is not None:
            cases = cases.filter(person_id__in=person_ids)
        case_rows = list(
            cases.values("person_id")
            .annotate(opened=Max("opened_on"), closed=Max("closed_on"))
            .values_list("person_id", "opened", "closed")
        )
    cases_frame = pl.DataFrame(
        [(pid, max(d for d in (o, c) if d is not None)) for pid, o, c in case_rows],
        schema={"person_id": pl.Int64, "case_activity_on": pl.Date},
        orient="row",
    ).with_columns(has_case=pl.lit(True))

    decisions = RetentionDecision.objects.filter(decision=RetentionDecision.Decision.RETAIN)
    if person_ids is not None:
        decisions = decisions.filter(person_id__in=person_ids)
    retained = pl.DataFrame(
        list(
            decisions.values("person_id")
            .annotate(on=Max("decided_on"))
            .values_list("person_id", "on")
        ),
        schema={"person_id": pl.Int64, "last_retain_on": pl.Date},
        orient="row",
    )
    return (
        frame.join(cases_frame, on="person_id", how="left")
        .join(retained, on="person_id", how="left")
        .with_columns(pl.col("has_case").fill_null(False))
        .select(list(retention.PEOPLE_COLUMNS))
    )


def retention_holds(*, person_ids: list[int] | None = None, as_of: dt.date) -> dict[int, list[str]]:
    """Why disposal is refused now, per person: open case, open referral, monitoring, alert."""
    holds: dict[int, list[str]] = {}

    def add(model_label: str, condition: Q, why: str) -> None:
        model = _model(model_label)
        if model is None:
            return
        rows = model.objects.filter(condition)
        if person_ids is not None:
            rows = rows.filter(person_id__in=person_ids)
        for pid in rows.values_list("person_id", flat=True).distinct():
            holds.setdefault(pid, [])
            if why not in holds[pid]:
                holds[pid].append(why)

    add("cases.Case", Q(status="open"), "open case")
    add("referrals.Referral", Q(status__in=["open", "linked"]), "open referral")
    add(
        "referrals.MonitoringPeriod",
        Q(ended_at__isnull=True, starts_on__lte=as_of, until__gte=as_of),
        "being monitored",
    )
    add("referrals.Alert", Q(status="open"), "open monitoring alert")
    return holds


@dataclass(frozen=True)
class ReviewRow:
    reference: str
    group: int
    basis: str
    last_activity: dt.date | None
    next_review: dt.date | None
    retain_until: dt.date | None
    holds: tuple[str, ...]

    @property
    def action(self) -> str:
        if self.holds:
            return "held: " + ", ".join(self.holds)
        if self.group == retention.OTHER:
            return "dispose unless a reason to retain is recorded"
        if self.group == retention.PUBLIC_PROTECTION:
            return "review; keep until the 100th birthday unless the record is wrong"
        return "review: retain with a reason, or dispose"

    def as_dict(self) -> dict:
        return {
            "reference": self.reference,
            "group": self.group,
            "basis": self.basis,
            "last_activity": self.last_activity,
            "next_review": self.next_review,
            "retain_until": self.retain_until,
            "action": self.action,
        }


def retention_review_list(*, as_of: dt.date, include_not_due: bool = False) -> list[ReviewRow]:
    """Every person whose review is due on ``as_of`` (or everyone), soonest first."""
    table = retention.review_table(
        retention_incident_frame(), retention_people_frame(), as_of=as_of
    )
    if not include_not_due:
        table = table.filter(pl.col("due"))
    ids = table.get_column("person_id").to_list()
    person = _model("people.Person")
    references: dict[int, str] = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        references.update(person.objects.filter(pk__in=chunk).values_list("pk", "reference"))
    holds = retention_holds(as_of=as_of) if ids else {}
    return [
        ReviewRow(
            reference=references[row["person_id"]],
            group=int(row["group"]),
            basis=row["basis"],
            last_activity=row["last_activity"],
            next_review=row["next_review"],
            retain_until=row["retain_until"],
            holds=tuple(holds.get(row["person_id"], ())),
        )
        for row in table.iter_rows(named=True)
    ]


def retention_review_csv(rows: list[ReviewRow]) -> str:
    out = io.StringIO()
    fields = [
        "reference",
        "group",
        "basis",
        "last_activity",
        "next_review",
        "retain_until",
        "action",
    ]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.as_dict().items()})
    return out.getvalue()


@dataclass(frozen=True)
class AccessLogDue:
    """The access-log rows due for disposal on a day: always the oldest rows, in one run."""

    before: dt.date
    rows: int
    first_id: int | None
    last_id: int | None
    oldest_at: dt.datetime | None
    newest_at: dt.datetime | None


def access_log_due(*, as_of: dt.date) -> AccessLogDue:
    """The access-log rows written more than ACCESS_LOG_RETENTION_YEARS before ``as_of``.

    Only a run from the start of the log counts: the rows before the first row that is
    not yet due (so that what remains is still one unbroken chain, even if a clock was
    ever set back).
    """
    before = retention.access_log_cutoff(as_of)
    start = timezone.make_aware(dt.datetime.combine(before, dt.time.min))
    first_kept = (
        AccessLog.objects.filter(at__gte=start).order_by("pk").values_list("pk", flat=True).first()
    )
    due = AccessLog.objects.all()
    if first_kept is not None:
        due = due.filter(pk__lt=first_kept)
    summary = due.order_by().aggregate(
        first_id=Min("pk"), last_id=Max("pk"), oldest_at=Min("at"), newest_at=Max("at")
    )
    return AccessLogDue(
        before=before,
        rows=due.count() if summary["last_id"] is not None else 0,
        **summary,
    )
