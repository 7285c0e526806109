"""Retention review rules, after the MoPI approach (docs/security.md, "Retention").

Pure: no Django import. Polars column expressions over every person at once, so the
review list of a whole force is one pass, not a loop per person.

Each person falls into one review group, the most serious that any of their records
puts them in:

1. **Certain public protection matters.** The person is (or was) managed by the unit
   (a case: a multi-agency panel judged them a potentially dangerous person), or an
   incident involving them is one of the most serious sexual or violent offences
   (``GROUP1_CODES``, or any offence whose harm weight is at least
   ``GROUP1_HARM_DAYS``). Reviewed every 10 years; kept until the person's 100th
   birthday unless a reviewer records an exceptional reason (e.g. the record is wrong).
2. **Other sexual, violent or serious offences.** An incident in a violent, sexual,
   stalking or coercive-control category, or carrying a sexual, stalking,
   strangulation or weapon flag. Reviewed every 10 years.
3. **All other offences.** Anything else (criminal damage, breaches, other offences,
   domestic incidents recorded as no crime), and people with no incident at all.
   Due for disposal after a 6-year clear period.

"Clear period" means: counted from the person's last activity (their latest incident,
or the latest date of their case), or from the last recorded decision to retain,
whichever is later. A new incident restarts it. Incidents count whether the person is
the perpetrator or the victim: a victim's details are part of that crime's record and
are reviewed with it.

Input frames:

``incidents`` (one row per person and incident they are in):
    person_id (integer), occurred_on (date), code (text), category (text),
    harm_days (float, null = unknown), sexual, stalking, strangulation, weapon
    (effective flags: the incident's OR its offence's).

``people`` (one row per person to review):
    person_id, date_of_birth (date or null), recorded_on (date: when the record was
    created, used only when the person has no incident and no case), has_case
    (bool), case_activity_on (date or null: latest opening or closing date of a
    case), last_retain_on (date or null: the latest decision to retain).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

PUBLIC_PROTECTION = 1
SERIOUS = 2
OTHER = 3

GROUP_LABELS = {
    PUBLIC_PROTECTION: "Group 1: certain public protection matters",
    SERIOUS: "Group 2: other sexual, violent or serious offences",
    OTHER: "Group 3: all other offences",
}

# The access log itself: a row is due for review (and, on a recorded decision, disposal)
# this many years after it was written (docs/security.md, "Retention of the access log").
ACCESS_LOG_RETENTION_YEARS = 7

# Years between reviews (Group 3: the clear period after which disposal is due).
REVIEW_YEARS = {PUBLIC_PROTECTION: 10, SERIOUS: 10, OTHER: 6}
# Group 1 records are kept until the person is deemed to have reached this age.
RETAIN_UNTIL_AGE = 100

# The default catalogue's offences treated as Group 1: homicide, the gravest violence,
# rape and sexual assault, sexual offences against children, and breach of a sexual
# harm prevention order (the person is already managed as a sexual offender).
GROUP1_CODES = frozenset(
    {
        "MURDER",
        "MANSL",
        "ATTMUR",
        "GBH18",
        "CORROSIVE",
        "KIDNAP",
        "FALSEIMP",
        "ARSONLIFE",
        "RAPE",
        "AOBP",
        "SEXASLT",
        "CAUSESEX",
        "RAPECH13",
        "SACH13",
        "SACTCH",
        "IIOC",
        "BRSHPO",
    }
)
# A force's own catalogue may use other codes: any offence weighing 3 years or more
# of custody at the starting point is Group 1 as well.
GROUP1_HARM_DAYS = 1095.0

GROUP2_CATEGORIES = frozenset(
    {
        "violence_with_injury",
        "violence_without_injury",
        "sexual",
        "stalking_harassment",
        "coercive_control",
    }
)
GROUP2_FLAGS = ("sexual", "stalking", "strangulation", "weapon")

INCIDENT_COLUMNS = {
    "person_id": pl.Int64,
    "occurred_on": pl.Date,
    "code": pl.String,
    "category": pl.String,
    "harm_days": pl.Float64,
    "sexual": pl.Boolean,
    "stalking": pl.Boolean,
    "strangulation": pl.Boolean,
    "weapon": pl.Boolean,
}
PEOPLE_COLUMNS = {
    "person_id": pl.Int64,
    "date_of_birth": pl.Date,
    "recorded_on": pl.Date,
    "has_case": pl.Boolean,
    "case_activity_on": pl.Date,
    "last_retain_on": pl.Date,
}
OUTPUT_COLUMNS = (
    "person_id",
    "group",
    "basis",
    "last_activity",
    "next_review",
    "retain_until",
    "due",
)


def access_log_cutoff(as_of: dt.date) -> dt.date:
    """Access-log rows written before this day are due on ``as_of`` (29 Feb: 28 Feb)."""
    years = ACCESS_LOG_RETENTION_YEARS
    try:
        return as_of.replace(year=as_of.year - years)
    except ValueError:
        return as_of.replace(year=as_of.year - years, day=28)


def empty_incidents() -> pl.DataFrame:
    return pl.DataFrame(schema=INCIDENT_COLUMNS)


def empty_people() -> pl.DataFrame:
    return pl.DataFrame(schema=PEOPLE_COLUMNS)


def _check(frame: pl.DataFrame, columns: dict, what: str) -> pl.DataFrame:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lack columns: {', '.join(missing)}")
    return frame.select([pl.col(c).cast(t) for c, t in columns.items()])


def incident_group_expr() -> pl.Expr:
    """The review group one incident puts the people in it into."""
    flagged = pl.any_horizontal([pl.col(f).fill_null(False) for f in GROUP2_FLAGS])
    return (
        pl.when(
            pl.col("code").is_in(list(GROUP1_CODES))
            | (pl.col("harm_days").fill_null(0.0) >= GROUP1_HARM_DAYS)
        )
        .then(pl.lit(PUBLIC_PROTECTION))
        .when(pl.col("category").is_in(list(GROUP2_CATEGORIES)) | flagged)
        .then(pl.lit(SERIOUS))
        .otherwise(pl.lit(OTHER))
        .cast(pl.Int8)
    )


def review_table(incidents: pl.DataFrame, people: pl.DataFrame, *, as_of: dt.date) -> pl.DataFrame:
    """One row per person of ``people``: group, basis, dates and whether a review is due.

    ``basis`` explains the group in words: the case, or the most serious incident (the
    latest of equally serious ones, then the first code in alphabetical order).
    ``retain_until`` is the 100th birthday for Group 1 (null when the date of birth is
    unknown, or for other groups). ``due`` is ``next_review <= as_of``.
    """
    incidents = _check(incidents, INCIDENT_COLUMNS, "incidents")
    people = _check(people, PEOPLE_COLUMNS, "people")

    graded = incidents.with_columns(incident_group=incident_group_expr())
    per_person = (
        graded.sort(
            ["person_id", "incident_group", "occurred_on", "code"],
            descending=[False, False, True, False],
        )
        .group_by("person_id", maintain_order=True)
        .agg(
            worst_group=pl.col("incident_group").first(),
            worst_code=pl.col("code").first(),
            worst_on=pl.col("occurred_on").first(),
            last_incident=pl.col("occurred_on").max(),
        )
    )
    table = people.join(per_person, on="person_id", how="left")

    has_case = pl.col("has_case").fill_null(False)
    group = (
        pl.when(has_case)
        .then(pl.lit(PUBLIC_PROTECTION, dtype=pl.Int8))
        .otherwise(pl.col("worst_group").fill_null(OTHER))
        .cast(pl.Int8)
    )
    basis = (
        pl.when(has_case)
        .then(pl.lit("managed by the unit (case)"))
        .when(pl.col("worst_code").is_not_null())
        .then(
            pl.concat_str(
                [pl.col("worst_code"), pl.lit(" on "), pl.col("worst_on").dt.to_string("%Y-%m-%d")]
            )
        )
        .otherwise(pl.lit("no incident recorded"))
    )
    activity = pl.max_horizontal("last_incident", "case_activity_on")
    last_activity = pl.when(activity.is_null()).then(pl.col("recorded_on")).otherwise(activity)
    table = table.with_columns(group=group, basis=basis, last_activity=last_activity)
    clock = pl.max_horizontal("last_activity", "last_retain_on")
    next_review = (
        pl.when(pl.col("group") == PUBLIC_PROTECTION)
        .then(clock.dt.offset_by(f"{REVIEW_YEARS[PUBLIC_PROTECTION]}y"))
        .when(pl.col("group") == SERIOUS)
        .then(clock.dt.offset_by(f"{REVIEW_YEARS[SERIOUS]}y"))
        .otherwise(clock.dt.offset_by(f"{REVIEW_YEARS[OTHER]}y"))
    )
    retain_until = (
        pl.when(pl.col("group") == PUBLIC_PROTECTION)
        .then(pl.col("date_of_birth").dt.offset_by(f"{RETAIN_UNTIL_AGE}y"))
        .otherwise(pl.lit(None, dtype=pl.Date))
    )
    return (
        table.with_columns(next_review=next_review, retain_until=retain_until)
        .with_columns(due=pl.col("next_review").fill_null(as_of) <= pl.lit(as_of))
        .select(OUTPUT_COLUMNS)
        .sort(["next_review", "person_id"])
    )


@dataclass(frozen=True)
class Retention:
    """The retention position of one person."""

    group: int
    basis: str
    last_activity: dt.date | None
    next_review: dt.date | None
    retain_until: dt.date | None
    due: bool

    @property
    def label(self) -> str:
        return GROUP_LABELS[self.group]

    def disposal_blocked_by_group(self, as_of: dt.date) -> str:
        """Why the group forbids ordinary disposal on ``as_of`` ('' when it does not)."""
        if self.group != PUBLIC_PROTECTION:
            return ""
        if self.retain_until is None:
            return "Group 1 records are kept until the 100th birthday, and the date of birth is unknown"
        if as_of < self.retain_until:
            return (
                f"Group 1 records are kept until the 100th birthday ({self.retain_until:%d/%m/%Y})"
            )
        return ""


def person_retention(incidents: pl.DataFrame, person: dict, *, as_of: dt.date) -> Retention:
    """The retention position of one person: ``person`` holds the ``people`` columns."""
    people = pl.DataFrame([person], schema=PEOPLE_COLUMNS)
    incidents = _check(incidents, INCIDENT_COLUMNS, "incidents").filter(
        pl.col("person_id") == person["person_id"]
    )
    row = review_table(incidents, people, as_of=as_of).row(0, named=True)
    return Retention(
        group=int(row["group"]),
        basis=row["basis"],
        last_activity=row["last_activity"],
        next_review=row["next_review"],
        retain_until=row["retain_until"],
        due=bool(row["due"]),
    )
