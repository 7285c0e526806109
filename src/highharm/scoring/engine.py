"""The identification engine: rank perpetrators by recency, frequency, harm, victims,
escalation and flags, and explain every score. docs/scoring.md defines each measure.

Pure Polars column expressions over a whole force (or every force) at once: no
Django import, no Python loop per person or incident. One group-by pass
computes every measure; points and explanations are column expressions too.

Input (one row per incident; nothing else is accepted, see INPUT_COLUMNS):
    perpetrator_ref, victim_ref (null = none recorded), occurred_on (date),
    category (offence category), harm_days (null = unknown, counted as 0 and noted),
    domestic, stalking, sexual, strangulation, weapon, breach (effective flags:
    the incident's flag OR its offence's flag), relationship.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from highharm.scoring.config import FLAG_NAMES, SCORABLE_FLAGS, Band, ScoringConfig

EPOCH = dt.date(1970, 1, 1)

INPUT_COLUMNS: dict[str, str] = {
    "perpetrator_ref": "reference of the perpetrator (text, categorical or whole number)",
    "victim_ref": "reference of the victim, null when none is recorded",
    "occurred_on": "date of the incident",
    "category": "offence category",
    "harm_days": "harm weight of the offence in days, null when unknown",
    "domestic": "effective domestic flag",
    "stalking": "effective stalking flag",
    "sexual": "effective sexual-offence flag",
    "strangulation": "effective strangulation flag",
    "weapon": "effective weapon flag",
    "breach": "effective breach-of-order flag",
    "relationship": "relationship of the victim to the perpetrator",
}
"""The complete input schema. Any other column is refused."""

PROTECTED_COLUMNS = frozenset(
    {
        "ethnicity",
        "ethnic_group",
        "ethnic_origin",
        "race",
        "gender",
        "sex",
        "age",
        "age_band",
        "date_of_birth",
        "dob",
        "birth_date",
        "year_of_birth",
        "address",
        "postcode",
        "post_code",
        "home_address",
        "lsoa",
        "ward",
        "nationality",
        "religion",
        "disability",
        "sexual_orientation",
        "marital_status",
        "pregnancy",
    }
)
"""Protected characteristics and places: never an input to any score (docs/scoring.md)."""

OUTPUT_COLUMNS = [
    "perpetrator_ref",
    "rank",
    "priority_score",
    "recency_days",
    "frequency",
    "harm_sum",
    "harm_max",
    "victims",
    "escalation",
    "flags",
    "explanation",
    "config_version",
    "as_of",
    "window_days",
    "first_incident_on",
    "last_incident_on",
    "harm_unknown",
    "partner_victims",
    "serial",
    "harm_recent",
    "harm_prior",
    "incidents_recent",
    "incidents_prior",
    "escalating_harm",
    "gap_slope",
    "gaps_shortening",
    *[f"flag_{name}" for name in SCORABLE_FLAGS],
    "points_recency",
    "points_frequency",
    "points_harm",
    "points_harm_max",
    "points_victims",
    "points_serial",
    "points_escalation",
    "points_gaps",
    *[f"points_{name}" for name in SCORABLE_FLAGS],
]

FLAG_LABELS = {
    "stalking": "stalking",
    "sexual": "sexual offence",
    "strangulation": "strangulation",
    "weapon": "weapon",
    "breach": "breach of an order",
    "coercive_control": "coercive control",
    "domestic": "domestic abuse",
}


class ScoringInputError(ValueError):
    """The incidents given to the engine do not match INPUT_COLUMNS."""


def validate_input(columns: list[str] | dict) -> None:
    """Refuse a frame that lacks a column, or carries any column outside INPUT_COLUMNS.

    A protected characteristic (ethnicity, gender, age, date of birth, address, …)
    is named as such, so a caller who passed one learns why it is refused.
    """
    names = list(columns)
    protected = sorted(c for c in names if c.strip().lower() in PROTECTED_COLUMNS)
    if protected:
        raise ScoringInputError(
            "refused: "
            + ", ".join(protected)
            + " is a protected characteristic or personal detail and is never an input to the score"
        )
    extra = sorted(set(names) - set(INPUT_COLUMNS))
    if extra:
        raise ScoringInputError(
            "refused: the engine takes only "
            + ", ".join(INPUT_COLUMNS)
            + "; remove "
            + ", ".join(extra)
        )
    missing = [c for c in INPUT_COLUMNS if c not in names]
    if missing:
        raise ScoringInputError("missing column(s): " + ", ".join(missing))


def window_label(days: int) -> str:
    """'2 years' for 730 days, '1 year' for 365, otherwise 'N days'."""
    if days % 365 == 0:
        years = days // 365
        return "1 year" if years == 1 else f"{years} years"
    return f"{days} days"


def _day_number(value: dt.date) -> int:
    return (value - EPOCH).days


def measure(
    incidents: pl.DataFrame | pl.LazyFrame,
    *,
    as_of: dt.date,
    window_days: int,
    period_days: int,
    serial_relationships: tuple[str, ...] = ("partner", "ex_partner"),
) -> pl.LazyFrame:
    """One row per perpetrator with at least one incident in the window: the raw measures.

    Window: as_of - window_days < occurred_on <= as_of (window_days calendar days,
    the as-of day included). Escalation compares the periods
    (as_of - period_days, as_of] and (as_of - 2*period_days, as_of - period_days],
    whatever the window. Harm is held in hundredths of a day (integers), so sums are
    exact and independent of row order.
    """
    if window_days < 1 or period_days < 1:
        raise ValueError("window_days and period_days must be at least 1")
    lf = incidents.lazy()
    validate_input(lf.collect_schema().names())

    as_of_day = _day_number(as_of)
    lookback = max(window_days, 2 * period_days)
    age = (pl.lit(as_of_day, pl.Int32) - pl.col("occurred_on").cast(pl.Int32)).alias("age")
    lf = lf.with_columns(age).filter((pl.col("age") >= 0) & (pl.col("age") < lookback))

    whole_window = window_days == lookback  # then every remaining incident is in the window
    in_window = pl.lit(True) if whole_window else (pl.col("age") < window_days)

    def w(expr: pl.Expr) -> pl.Expr:
        """The expression for incidents in the window only (null outside it)."""
        return expr if whole_window else pl.when(in_window).then(expr)

    harm_c = (pl.col("harm_days").cast(pl.Float64) * 100).round().cast(pl.Int64)
    recent = pl.col("age") < period_days
    prior = (pl.col("age") >= period_days) & (pl.col("age") < 2 * period_days)
    partner = pl.col("relationship").cast(pl.String).is_in(list(serial_relationships))

    lf = lf.with_columns(
        _harm=w(harm_c.fill_null(0)),
        _unknown=w(pl.col("harm_days").is_null()),
        _victim=w(pl.col("victim_ref")),
        _partner_victim=w(pl.when(partner).then(pl.col("victim_ref"))),
        _age_w=w(pl.col("age").cast(pl.Int64)),
        _harm_recent=pl.when(recent).then(harm_c.fill_null(0)).otherwise(0),
        _harm_prior=pl.when(prior).then(harm_c.fill_null(0)).otherwise(0),
        _recent=recent,
        _prior=prior,
        _coercive_control=w(pl.col("category").cast(pl.String) == "coercive_control"),
        **{f"_{name}": w(pl.col(name)) for name in SCORABLE_FLAGS if name != "coercive_control"},
    )

    def distinct(column: str) -> pl.Expr:
        return pl.col(column).n_unique().cast(pl.Int64) - (pl.col(column).null_count() > 0).cast(
            pl.Int64
        )

    aggregated = lf.group_by("perpetrator_ref").agg(
        frequency=(pl.len() if whole_window else in_window.sum()).cast(pl.Int64),
        recency_days=pl.col("_age_w").min(),
        _first_age=pl.col("_age_w").max(),
        _sum_age=pl.col("_age_w").sum(),
        _harm_sum=pl.col("_harm").sum(),
        _harm_max=pl.col("_harm").max(),
        harm_unknown=pl.col("_unknown").sum().cast(pl.Int64),
        victims=distinct("_victim"),
        partner_victims=distinct("_partner_victim"),
        _harm_recent=pl.col("_harm_recent").sum(),
        _harm_prior=pl.col("_harm_prior").sum(),
        incidents_recent=pl.col("_recent").sum().cast(pl.Int64),
        incidents_prior=pl.col("_prior").sum().cast(pl.Int64),
        **{f"flag_{name}": pl.col(f"_{name}").any() for name in SCORABLE_FLAGS},
    )
    if not whole_window:
        aggregated = aggregated.filter(pl.col("frequency") > 0)

    # Trend in the gap between consecutive incidents: the least-squares slope of
    # gap_j (days) on j = 0..k-1, k = frequency - 1 gaps. With ages a (days before
    # as-of) sorted, sum_j j*gap_j = sum(a) - (k)*min(a) - max(a), so no sort is
    # needed; everything is whole numbers until the final division (docs/scoring.md).
    n = pl.col("frequency")
    k = n - 1
    sum_j = k * (k - 1) // 2
    sum_jj = (k - 1) * k * (2 * k - 1) // 6
    sum_g = pl.col("_first_age") - pl.col("recency_days")
    sum_jg = pl.col("_sum_age") - k * pl.col("recency_days") - pl.col("_first_age")
    numerator = k * sum_jg - sum_j * sum_g
    denominator = k * sum_jj - sum_j * sum_j

    return aggregated.with_columns(
        recency_days=pl.col("recency_days").cast(pl.Int64),
        last_incident_on=(pl.lit(as_of_day, pl.Int64) - pl.col("recency_days")).cast(pl.Date),
        first_incident_on=(pl.lit(as_of_day, pl.Int64) - pl.col("_first_age")).cast(pl.Date),
        harm_sum=_days(pl.col("_harm_sum")),
        harm_max=_days(pl.col("_harm_max")),
        harm_recent=_days(pl.col("_harm_recent")),
        harm_prior=_days(pl.col("_harm_prior")),
        gap_slope=pl.when(k >= 2).then(numerator / denominator),
        _gap_num=pl.when(k >= 2).then(numerator),
        _gap_den=pl.when(k >= 2).then(denominator),
        _harm_sum_c=pl.col("_harm_sum"),
        _harm_max_c=pl.col("_harm_max"),
        _harm_recent_c=pl.col("_harm_recent"),
        _harm_prior_c=pl.col("_harm_prior"),
    ).drop("_first_age", "_sum_age", "_harm_sum", "_harm_max", "_harm_recent", "_harm_prior")


def _days(hundredths: pl.Expr) -> pl.Expr:
    """Hundredths of a day as days, correctly rounded (Polars divides a column by a constant
    as a multiplication by its reciprocal, which can be off in the last bit; a decimal is not)."""
    return (hundredths.cast(pl.Decimal(38, 2)) / 100).cast(pl.Float64)


def _band_points(value: pl.Expr, bands: tuple[Band, ...], *, at_most: bool = False) -> pl.Expr:
    """Points of the first band that matches (value >= min, or value <= max_days)."""
    if not bands:
        return pl.lit(0, pl.Int64)
    chain = None
    for band in bands:
        condition = value <= band.threshold if at_most else value >= band.threshold
        chain = (pl.when(condition) if chain is None else chain.when(condition)).then(
            pl.lit(band.points, pl.Int64)
        )
    return chain.otherwise(pl.lit(0, pl.Int64))


def award_points(measures: pl.LazyFrame, config: ScoringConfig) -> pl.LazyFrame:
    """Add each component's points, the escalation judgements and the priority score."""
    escalating_harm = (
        (pl.col("incidents_recent") >= 1)
        & (pl.col("incidents_prior") >= 1)
        & (pl.col("_harm_recent_c") > pl.col("_harm_prior_c"))
        & (
            pl.col("_harm_recent_c").cast(pl.Float64)
            >= config.harm_ratio * pl.col("_harm_prior_c").cast(pl.Float64)
        )
    )
    gaps_shortening = (pl.col("frequency") >= config.gap_min_incidents) & (
        pl.col("gap_slope") <= config.gap_slope_days
    ).fill_null(False)
    serial = pl.col("partner_victims") >= config.serial_min_victims
    lf = measures.with_columns(
        escalating_harm=escalating_harm,
        gaps_shortening=gaps_shortening,
        serial=serial,
        # Bands on harm compare hundredths of a day, exactly.
        points_recency=_band_points(pl.col("recency_days"), config.recency, at_most=True),
        points_frequency=_band_points(pl.col("frequency"), config.frequency),
        points_harm=_band_points(
            pl.col("_harm_sum_c"),
            tuple(Band(round(b.threshold * 100), b.points) for b in config.harm),
        ),
        points_harm_max=_band_points(
            pl.col("_harm_max_c"),
            tuple(Band(round(b.threshold * 100), b.points) for b in config.harm_max),
        ),
        points_victims=_band_points(pl.col("victims"), config.victims),
        points_serial=pl.when(serial).then(config.serial_points).otherwise(0).cast(pl.Int64),
        points_escalation=pl.when(escalating_harm)
        .then(config.harm_points)
        .otherwise(0)
        .cast(pl.Int64),
        points_gaps=pl.when(gaps_shortening).then(config.gap_points).otherwise(0).cast(pl.Int64),
        **{
            f"points_{name}": pl.when(pl.col(f"flag_{name}"))
            .then(config.flags.get(name, 0))
            .otherwise(0)
            .cast(pl.Int64)
            for name in SCORABLE_FLAGS
        },
    )
    components = [
        "points_recency",
        "points_frequency",
        "points_harm",
        "points_harm_max",
        "points_victims",
        "points_serial",
        "points_escalation",
        "points_gaps",
        *[f"points_{name}" for name in SCORABLE_FLAGS],
    ]
    return lf.with_columns(priority_score=pl.sum_horizontal(components).cast(pl.Int64))


def _days_text(hundredths: pl.Expr) -> pl.Expr:
    """Harm in hundredths of a day as text: '940' for a whole number, '15.3' otherwise."""
    return (
        pl.when(hundredths % 100 == 0)
        .then((hundredths // 100).cast(pl.String))
        .otherwise(_days(hundredths).cast(pl.String))
    )


def _tenths_text(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """numerator / denominator (whole numbers, denominator > 0) to one decimal place, halves
    away from zero, in exact integer arithmetic: '-14.3'."""
    tenths = (2 * 10 * numerator.abs() + denominator) // (2 * denominator)
    sign = pl.when((numerator < 0) & (tenths > 0)).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.concat_str(
        [sign, (tenths // 10).cast(pl.String), pl.lit("."), (tenths % 10).cast(pl.String)]
    )


def _plural(count: pl.Expr, singular: str, plural: str) -> pl.Expr:
    return pl.format(
        "{} {}",
        count,
        pl.when(count == 1).then(pl.lit(singular)).otherwise(pl.lit(plural)),
    )


def explanation_expr(config: ScoringConfig, *, window_days: int) -> pl.Expr:
    """The sentence a panel member reads: every component that scored, with its points.

    Built from column expressions (concatenation with nulls skipped), never per row.
    """
    span = window_label(window_days)
    period = "last year" if config.period_days == 365 else f"last {config.period_days} days"
    before = (
        "the year before" if config.period_days == 365 else f"the {config.period_days} days before"
    )

    def part(points: str, text: pl.Expr) -> pl.Expr:
        return pl.when(pl.col(points) > 0).then(pl.format("{} (+{})", text, pl.col(points)))

    recency_text = (
        pl.when(pl.col("recency_days") == 0)
        .then(pl.lit("last incident on the as-of date"))
        .otherwise(
            pl.format(
                "last incident {} ago",
                _plural(pl.col("recency_days"), "day", "days"),
            )
        )
    )
    parts = [
        part(
            "points_frequency",
            pl.format(
                "{} in {}", _plural(pl.col("frequency"), "incident", "incidents"), pl.lit(span)
            ),
        ),
        part(
            "points_victims",
            pl.format("{} in {}", _plural(pl.col("victims"), "victim", "victims"), pl.lit(span)),
        ),
        part("points_recency", recency_text),
        part("points_harm", pl.format("harm {} days", _days_text(pl.col("_harm_sum_c")))),
        part(
            "points_harm_max",
            pl.format("most harmful incident {} days", _days_text(pl.col("_harm_max_c"))),
        ),
        part(
            "points_serial",
            pl.format(
                "serial perpetrator: {} victims in separate relationships",
                pl.col("partner_victims"),
            ),
        ),
        part(
            "points_escalation",
            pl.format(
                "escalating: harm {} days in the {} against {} {}",
                _days_text(pl.col("_harm_recent_c")),
                pl.lit(period),
                _days_text(pl.col("_harm_prior_c")),
                pl.lit(before),
            ),
        ),
        part(
            "points_gaps",
            pl.format(
                "incidents coming closer together (gap trend {} days per incident)",
                _tenths_text(pl.col("_gap_num"), pl.col("_gap_den")),
            ),
        ),
        *[part(f"points_{name}", pl.lit(FLAG_LABELS[name])) for name in SCORABLE_FLAGS],
    ]
    sentence = pl.concat_str(parts, separator=", ", ignore_nulls=True)
    sentence = pl.when(sentence == "").then(pl.lit("no component scored")).otherwise(sentence)
    note = pl.when(pl.col("harm_unknown") > 0).then(
        pl.format(
            "; note: harm unknown for {} (counted as 0)",
            _plural(pl.col("harm_unknown"), "incident", "incidents"),
        )
    )
    return pl.concat_str([sentence, note], ignore_nulls=True)


def flags_expr() -> pl.Expr:
    """The flags present in the window, as 'stalking|weapon' (empty when none)."""
    return pl.concat_str(
        [pl.when(pl.col(f"flag_{name}")).then(pl.lit(name)) for name in SCORABLE_FLAGS],
        separator="|",
        ignore_nulls=True,
    )


def escalation_expr() -> pl.Expr:
    return pl.concat_str(
        [
            pl.when(pl.col("escalating_harm")).then(pl.lit("harm rising")),
            pl.when(pl.col("gaps_shortening")).then(pl.lit("gaps shortening")),
        ],
        separator="; ",
        ignore_nulls=True,
    )


RANK_ORDER = [
    ("priority_score", True),
    ("harm_sum", True),
    ("recency_days", False),
    ("perpetrator_ref", False),
]
"""Ties on score go to more harm, then the more recent, then the reference (deterministic)."""


def score(
    incidents: pl.DataFrame | pl.LazyFrame,
    *,
    as_of: dt.date,
    config: ScoringConfig,
    window_days: int | None = None,
    top: int | None = None,
    explain: bool = True,
) -> pl.DataFrame:
    """Score and rank every perpetrator with an incident in the window.

    Returns OUTPUT_COLUMNS, one row per perpetrator, best first (rank 1). With
    `top`, only the first `top` ranks are kept (and only they are explained).
    """
    window = window_days or config.window_days
    lf = award_points(
        measure(
            incidents,
            as_of=as_of,
            window_days=window,
            period_days=config.period_days,
            serial_relationships=config.serial_relationships,
        ),
        config,
    )
    lf = lf.sort(
        [c for c, _ in RANK_ORDER],
        descending=[d for _, d in RANK_ORDER],
        nulls_last=True,
    )
    if top is not None:
        lf = lf.head(top)
    lf = lf.with_columns(
        rank=pl.int_range(1, pl.len() + 1, dtype=pl.Int64),
        escalation=escalation_expr(),
        flags=flags_expr(),
        explanation=explanation_expr(config, window_days=window)
        if explain
        else pl.lit(None, pl.String),
        config_version=pl.lit(config.version),
        as_of=pl.lit(as_of, pl.Date),
        window_days=pl.lit(window, pl.Int64),
    )
    return lf.select(OUTPUT_COLUMNS).collect()


__all__ = [
    "FLAG_NAMES",
    "INPUT_COLUMNS",
    "OUTPUT_COLUMNS",
    "PROTECTED_COLUMNS",
    "ScoringInputError",
    "award_points",
    "explanation_expr",
    "measure",
    "score",
    "validate_input",
    "window_label",
]
