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
from collections.abc import Callable

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


FLAG_BITS = {name: 1 << i for i, name in enumerate(SCORABLE_FLAGS)}
UNKNOWN_HARM_BIT = 1 << len(SCORABLE_FLAGS)
_PERP_LIMIT = 1 << 32  # perpetrator codes take the top 32 bits of the sort key
_VICTIM_LIMIT = (1 << 30) - 1  # victim codes 30 bits; the largest value means "no victim"
_MAX_HARM_HUNDREDTHS = (1 << 32) - 1
CHUNK_ROWS = 2_000_000


def _codes(series: pl.Series, limit: int) -> tuple[pl.Series, Callable[[pl.Series], pl.Series]]:
    """Whole-number codes 0 <= code < limit, equal exactly when the references are equal,
    and the function that turns codes back into the references.

    Categorical references give their physical codes for free; whole numbers are used as
    they are when they fit; anything else (text, or numbers that do not fit) is encoded
    as categorical first.
    """
    dtype = series.dtype
    if dtype.is_integer() and series.len() > series.null_count():
        if 0 <= series.min() and series.max() < limit:
            return series, lambda codes: codes.cast(dtype)
    if isinstance(dtype, pl.Categorical | pl.Enum):
        categorical = series
    else:
        categorical = series.cast(pl.String).cast(pl.Categorical)
    physical = categorical.to_physical()

    def decode(codes: pl.Series) -> pl.Series:
        # `categorical` stays referenced until here: its categories must outlive the codes.
        references = codes.cast(physical.dtype).cat.to(categorical.dtype)
        if references.dtype == dtype:
            return references
        return references.cast(pl.String).cast(dtype)

    return physical, decode


def _lanes(
    totals: list[tuple[str, pl.Expr, int]],
) -> tuple[dict[str, pl.Expr], dict[str, tuple[str, int, int]]]:
    """Share 64-bit running sums between per-perpetrator totals.

    Each total is (name, value per incident (a whole number >= 0), bound on any one
    perpetrator's total). A total that never exceeds its bound fits a lane of
    bound.bit_length() bits, and lanes side by side in one unsigned 64-bit word add up
    without disturbing each other: a perpetrator's word total (the difference of two
    running sums, modulo 2**64) is exactly the sum of their lanes, each shifted into
    place. Returns the words {name: expression} and each total's (word, shift, width).
    """
    u64 = pl.UInt64
    words: dict[str, pl.Expr] = {}
    lanes: dict[str, tuple[str, int, int]] = {}
    word, used, parts = "", 64, []

    def close() -> None:
        if parts:
            words[word] = pl.sum_horizontal(parts) if len(parts) > 1 else parts[0]

    for name, value, bound in totals:
        width = max(int(bound), 1).bit_length()
        if width > 64:
            raise ScoringInputError(f"{name} is too large to total exactly")
        if used + width > 64:
            close()
            word, used, parts = f"_w{len(words)}", 0, []
        parts.append(value.cast(u64) * pl.lit(1 << used, u64))
        lanes[name] = (word, used, width)
        used += width
    close()
    return words, lanes


def measure(
    incidents: pl.DataFrame | pl.LazyFrame,
    *,
    as_of: dt.date,
    window_days: int,
    period_days: int,
    serial_relationships: tuple[str, ...] = ("partner", "ex_partner"),
) -> pl.LazyFrame:
    """One row per perpetrator with at least one incident in the window: the measures."""
    raw = _per_person(
        incidents,
        as_of=as_of,
        window_days=window_days,
        period_days=period_days,
        serial_relationships=serial_relationships,
    )
    return _derive(raw, as_of=as_of)


def _per_person(
    incidents: pl.DataFrame | pl.LazyFrame,
    *,
    as_of: dt.date,
    window_days: int,
    period_days: int,
    serial_relationships: tuple[str, ...],
) -> pl.DataFrame:
    """One row per perpetrator with at least one incident in the window: the raw measures
    (whole numbers: ages in days, harm in hundredths of a day).

    Window: as_of - window_days < occurred_on <= as_of (window_days calendar days,
    the as-of day included). Escalation compares the periods
    (as_of - period_days, as_of] and (as_of - 2*period_days, as_of - period_days],
    whatever the window. Harm is held in hundredths of a day (integers), so sums are
    exact and independent of row order.

    How (docs/scoring.md, "How the engine computes"): each incident gets one sort key,
    a whole number made of (perpetrator, outside the window, victim, not a partner).
    One sort by it puts every perpetrator's incidents together, and each victim's
    together inside them. A perpetrator with one incident is measured from that row;
    for the others every measure is a running sum or a running maximum over the sorted
    rows, read off at each perpetrator's last row: no hash table per perpetrator and no
    Python per row.
    """
    if window_days < 1 or period_days < 1:
        raise ValueError("window_days and period_days must be at least 1")
    df = incidents.collect() if isinstance(incidents, pl.LazyFrame) else incidents
    validate_input(df.columns)
    for column in ("perpetrator_ref", "occurred_on"):
        missing = df.get_column(column).null_count()
        if missing:
            raise ScoringInputError(f"{column} is missing on {missing} incidents")
    if df.height >= 1 << 31:
        raise ScoringInputError("more than 2,147,483,647 incidents: score in parts")

    as_of_day = _day_number(as_of)
    lookback = max(window_days, 2 * period_days)
    whole_window = window_days == lookback  # then every incident kept is in the window
    if lookback >= 1 << 23:
        raise ValueError("the look-back is longer than the engine allows")
    i64, u64 = pl.Int64, pl.UInt64
    age = pl.lit(as_of_day, i64) - pl.col("occurred_on").cast(pl.Int32).cast(i64)

    def text(column: str) -> pl.Expr:
        dtype = df.schema[column]
        textual = dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)
        return pl.col(column) if textual else pl.col(column).cast(pl.String)

    partner = text("relationship").is_in(list(serial_relationships)).fill_null(False)
    u8 = pl.UInt8

    def bit(present: pl.Expr, value: int) -> pl.Expr:
        return present.fill_null(False).cast(u8) * pl.lit(value, u8)

    flag_bits = pl.sum_horizontal(
        bit(text("category") == "coercive_control", FLAG_BITS["coercive_control"]),
        *[
            bit(pl.col(name), FLAG_BITS[name])
            for name in SCORABLE_FLAGS
            if name != "coercive_control"
        ],
        bit(pl.col("harm_days").is_null(), UNKNOWN_HARM_BIT),
    )
    perp, references = _codes(df.get_column("perpetrator_ref"), _PERP_LIMIT)
    victim = _codes(df.get_column("victim_ref"), _VICTIM_LIMIT)[0]
    outside = (pl.col("_a") >= window_days).cast(u64)
    dates = df.get_column("occurred_on")
    needs_filter = bool(dates.len()) and not (
        as_of_day - lookback < _day_number(dates.min()) and _day_number(dates.max()) <= as_of_day
    )
    kept = (pl.col("_a") >= 0) & (pl.col("_a") < lookback) if needs_filter else pl.lit(True)
    hundredths = (pl.col("harm_days").cast(pl.Float64) * 100).round()
    low, high = (
        df.lazy()
        .select(_a=age, _h=hundredths)
        .filter(kept)
        .select(pl.col("_h").min().alias("lo"), pl.col("_h").max().alias("hi"))
        .collect()
        .row(0)
    )
    low, high = int(low or 0), int(high or 0)
    if low < 0 or high > _MAX_HARM_HUNDREDTHS:
        raise ScoringInputError("harm_days must be between 0 and 42 million days")
    keyed = (
        df.lazy()
        .select(
            _a=age,
            _h=hundredths.cast(pl.UInt32).fill_null(0),
            _bits=flag_bits,
            _p=pl.lit(perp).cast(u64),
            _v=pl.lit(victim).cast(u64).fill_null(_VICTIM_LIMIT),
            _partner=partner,
        )
        .filter(kept)
        .select(
            pl.col("_a").cast(pl.Int32),
            "_h",
            "_bits",
            # perpetrator (32 bits) | outside the window (1) | victim (30) | not a partner (1)
            _k=pl.col("_p") * (1 << 32)
            + outside * (1 << 31)
            + pl.col("_v") * 2
            + (~pl.col("_partner")).cast(u64),
        )
        .sort("_k")
        .collect()
    )
    del perp, victim

    # Neighbours in sorted order: a new perpetrator when the top 32 bits change, a new
    # (perpetrator, window, victim) when anything but the lowest bit changes.
    before = pl.col("_k").xor(pl.col("_k").shift(1))
    after = pl.col("_k").xor(pl.col("_k").shift(-1))
    inside = (pl.col("_k") & (1 << 31)) == 0
    has_victim = (pl.col("_k") & (_VICTIM_LIMIT * 2)) != _VICTIM_LIMIT * 2
    is_partner = (pl.col("_k") & 1) == 0
    a, h, bits = pl.col("_a").cast(i64), pl.col("_h").cast(i64), pl.col("_bits")
    recent = pl.col("_a") < period_days
    prior = (pl.col("_a") >= period_days) & (pl.col("_a") < 2 * period_days)
    in_window = pl.col("_in")
    # A perpetrator with a single incident needs no running sum: each of their totals is
    # that incident's own value. Most perpetrators have one, so they are set apart.
    alone = keyed.select(
        (before >= (1 << 32)).fill_null(True) & (after >= (1 << 32)).fill_null(True)
    ).to_series()
    singles, keyed = keyed.filter(alone), keyed.filter(~alone)
    del alone
    # Each other perpetrator's rows lie together: how many (the busiest bounds every count)
    # and where they end.
    lengths = (
        keyed.select((pl.col("_k") // pl.lit(1 << 32, u64)).rle().struct.field("len"))
        .to_series()
        .cast(pl.Int64)
    )
    busiest = int(lengths.max() or 1)
    ends = lengths.cum_sum()

    def flag(name: str) -> pl.Expr:
        return ((bits & (FLAG_BITS.get(name) or UNKNOWN_HARM_BIT)) > 0) & in_window

    def inside_only(expr: pl.Expr) -> pl.Expr:
        return expr if whole_window else pl.when(in_window).then(expr).otherwise(0)

    victim_here = pl.col("_new_pair") & pl.col("_has_victim") & in_window
    # Every per-perpetrator total, with a bound on it: counts are at most the busiest
    # perpetrator's number of incidents, sums at most that many times the largest value.
    totals = [
        ("frequency", in_window, busiest),
        ("victims", victim_here, busiest),
        ("partner_victims", victim_here & pl.col("_is_partner"), busiest),
        ("incidents_recent", recent, busiest),
        ("incidents_prior", prior, busiest),
        ("harm_unknown", flag("unknown"), busiest),
        *[(f"flag_{name}", flag(name), busiest) for name in SCORABLE_FLAGS],
        ("_sum_age", inside_only(a), busiest * lookback),
        ("_harm_recent_c", pl.when(recent).then(h).otherwise(0), busiest * max(high, 1)),
        ("_harm_prior_c", pl.when(prior).then(h).otherwise(0), busiest * max(high, 1)),
    ]
    # When the window is exactly the two escalation periods (the default), every incident
    # in it is in one of them, so the harm in the window is their sum: one total fewer.
    periods_fill_window = window_days == 2 * period_days
    if not periods_fill_window:
        totals.append(("_harm_sum_c", inside_only(h), busiest * max(high, 1)))
    words, lanes = _lanes(totals)
    # g numbers the perpetrators 1, 2, ... in sorted order; g * 2**s + value has a running
    # maximum that restarts with each perpetrator, so it reads off a per-person maximum.
    g = pl.col("_g")
    running = {
        **{word: expr.cum_sum() for word, expr in words.items()},
        "_m_oldest": (g * (1 << 24) + inside_only(a + 1)).cum_max(),
        "_m_newest": (g * (1 << 24) + inside_only((1 << 24) - 1 - a)).cum_max(),
        "_m_harm": (g * (1 << 33) + inside_only(h)).cum_max(),
    }
    i32 = pl.Int32

    def total(name: str) -> pl.Expr:
        word, shift, width = lanes[name]
        value = pl.col(word) // pl.lit(1 << shift, u64)
        return value if shift + width == 64 else value % pl.lit(1 << width, u64)

    # Harm in hundredths as 32-bit numbers when no perpetrator's total can exceed them.
    harm_dtype = pl.Int32 if busiest * max(high, 1) < 1 << 31 else i64

    def measures(
        value_of: Callable[[str], pl.Expr], newest: pl.Expr, oldest: pl.Expr, harm_max: pl.Expr
    ) -> dict[str, pl.Expr]:
        """The per-person columns, from each total's value (`value_of(name)`) and the
        newest and oldest ages and the largest harm."""
        return {
            "_p": pl.col("_k") // pl.lit(1 << 32, u64),
            "frequency": value_of("frequency").cast(i32),
            "recency_days": newest.cast(i32),
            "_first_age": oldest.cast(i32),
            "_sum_age": value_of("_sum_age").cast(i64),
            "_harm_sum_c": (
                value_of("_harm_recent_c") + value_of("_harm_prior_c")
                if periods_fill_window
                else value_of("_harm_sum_c")
            ).cast(harm_dtype),
            "_harm_max_c": harm_max.cast(harm_dtype),
            "harm_unknown": value_of("harm_unknown").cast(i32),
            "victims": value_of("victims").cast(i32),
            "partner_victims": value_of("partner_victims").cast(i32),
            "_harm_recent_c": value_of("_harm_recent_c").cast(harm_dtype),
            "_harm_prior_c": value_of("_harm_prior_c").cast(harm_dtype),
            "incidents_recent": value_of("incidents_recent").cast(i32),
            "incidents_prior": value_of("incidents_prior").cast(i32),
            **{f"flag_{name}": value_of(f"flag_{name}") > 0 for name in SCORABLE_FLAGS},
        }

    marks = {"_in": inside, "_has_victim": has_victim, "_is_partner": is_partner}

    def summarise(chunk: pl.DataFrame) -> pl.LazyFrame:
        return (
            chunk.lazy()
            .with_columns(
                **marks,
                _new_pair=(before >= 2).fill_null(True),
                _last=(after >= (1 << 32)).fill_null(True),
                _g=(before >= (1 << 32)).fill_null(True).cast(i64).cum_sum(),
            )
            .with_columns(**running)
            .filter(pl.col("_last"))
            # Each word's total for one perpetrator: the running sum at their last row less
            # that at the previous perpetrator's last row, modulo 2**64, so the sums may wrap.
            .with_columns([(pl.col(w) - pl.col(w).shift(1).fill_null(0)).alias(w) for w in words])
            .select(
                **measures(
                    total,
                    newest=(1 << 24) - 1 - (pl.col("_m_newest") - g * (1 << 24)),
                    oldest=pl.col("_m_oldest") - g * (1 << 24) - 1,
                    harm_max=pl.col("_m_harm") - g * (1 << 33),
                )
            )
            .filter(pl.col("frequency") > 0)
        )

    own_value = {name: value.cast(u64) for name, value, _ in totals}

    def summarise_singles(rows: pl.DataFrame) -> pl.LazyFrame:
        return (
            rows.lazy()
            .with_columns(**marks, _new_pair=pl.lit(True))
            .select(**measures(own_value.__getitem__, newest=a, oldest=a, harm_max=inside_only(h)))
            .filter(pl.col("frequency") > 0)
        )

    # In slices of about CHUNK_ROWS incidents that end at a perpetrator's last incident:
    # the running sums restart in each slice, so the slices are independent.
    cuts = [0]
    if keyed.height > CHUNK_ROWS:
        for target in range(CHUNK_ROWS, keyed.height, CHUNK_ROWS):
            cut = int(ends[ends.search_sorted(target, side="left")])
            if cut > cuts[-1]:
                cuts.append(cut)
    cuts.append(keyed.height)
    parts = [
        summarise(keyed.slice(begin, end - begin))
        for begin, end in zip(cuts, cuts[1:], strict=False)
        if end > begin
    ]
    parts.append(summarise_singles(singles))
    # The slices and the single-incident rows are independent: worked out side by side.
    per_person = pl.concat(pl.collect_all(parts))
    del keyed, singles
    refs = references(per_person.get_column("_p")).alias("perpetrator_ref")
    return per_person.select(pl.lit(refs), pl.exclude("_p"))


def _derive(raw: pl.DataFrame, *, as_of: dt.date) -> pl.LazyFrame:
    """Dates, harm in days and the gap trend from the raw whole-number measures."""
    as_of_day = _day_number(as_of)
    hundred = _hundreds(raw.height)
    # Trend in the gap between consecutive incidents: the least-squares slope of
    # gap_j (days) on j = 0..k-1, k = frequency - 1 gaps. With ages a (days before
    # as-of), sum_j j*gap_j = sum(a) - k*min(a) - max(a), so no sort by date is
    # needed; everything is whole numbers until the final division (docs/scoring.md).
    n = pl.col("frequency")
    k = n - 1
    sum_j = k * (k - 1) // 2
    sum_jj = (k - 1) * k * (2 * k - 1) // 6
    sum_g = pl.col("_first_age") - pl.col("recency_days")
    sum_jg = pl.col("_sum_age") - k * pl.col("recency_days") - pl.col("_first_age")
    numerator = k * sum_jg - sum_j * sum_g
    denominator = k * sum_jj - sum_j * sum_j

    return (
        raw.lazy()
        .with_columns(
            last_incident_on=(pl.lit(as_of_day, pl.Int64) - pl.col("recency_days")).cast(pl.Date),
            first_incident_on=(pl.lit(as_of_day, pl.Int64) - pl.col("_first_age")).cast(pl.Date),
            harm_sum=_days(pl.col("_harm_sum_c"), hundred),
            harm_max=_days(pl.col("_harm_max_c"), hundred),
            harm_recent=_days(pl.col("_harm_recent_c"), hundred),
            harm_prior=_days(pl.col("_harm_prior_c"), hundred),
            gap_slope=pl.when(k >= 2).then(numerator / denominator),
            _gap_num=pl.when(k >= 2).then(numerator),
            _gap_den=pl.when(k >= 2).then(denominator),
        )
        .drop("_first_age", "_sum_age")
    )


POINTS = pl.Int16  # points per component (the configuration keeps the total below 8192)


def _hundreds(height: int) -> pl.Series:
    """A column of 100.0, `height` long: the divisor of `_days`."""
    return pl.repeat(100.0, height, dtype=pl.Float64, eager=True)


def _days(hundredths: pl.Expr, hundred: pl.Series | None = None) -> pl.Expr:
    """Hundredths of a day as days, correctly rounded: the double nearest to n / 100.

    Polars divides a column by a constant as a multiplication by its reciprocal, which
    can be off in the last bit (0.07 * 100 ... ); dividing by a column of 100.0 (`hundred`,
    as long as the frame) is an IEEE division, correctly rounded, and four times cheaper
    than the exact decimal division used without it.
    """
    if hundred is None:
        return (hundredths.cast(pl.Decimal(38, 2)) / 100).cast(pl.Float64)
    return hundredths.cast(pl.Float64) / pl.lit(hundred)


def _band_points(value: pl.Expr, bands: tuple[Band, ...], *, at_most: bool = False) -> pl.Expr:
    """Points of the first band that matches (value >= min, or value <= max_days)."""
    if not bands:
        return pl.lit(0, POINTS)
    chain = None
    for band in bands:
        condition = value <= band.threshold if at_most else value >= band.threshold
        chain = (pl.when(condition) if chain is None else chain.when(condition)).then(
            pl.lit(band.points, POINTS)
        )
    return chain.otherwise(pl.lit(0, POINTS))


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
        points_serial=pl.when(serial).then(config.serial_points).otherwise(0).cast(POINTS),
        points_escalation=pl.when(escalating_harm)
        .then(config.harm_points)
        .otherwise(0)
        .cast(POINTS),
        points_gaps=pl.when(gaps_shortening).then(config.gap_points).otherwise(0).cast(POINTS),
        **{
            f"points_{name}": pl.when(pl.col(f"flag_{name}"))
            .then(config.flags.get(name, 0))
            .otherwise(0)
            .cast(POINTS)
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
    return lf.with_columns(
        priority_score=pl.sum_horizontal([pl.col(c).cast(pl.Int32) for c in components])
    )


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


def _lookup(texts: list[str], code: pl.Expr) -> pl.Expr:
    """texts[code] for every row: a gather from a short table, far cheaper than building
    the same text row by row."""
    return pl.lit(pl.Series(texts, dtype=pl.String)).gather(code)


def flags_expr() -> pl.Expr:
    """The flags present in the window, as 'stalking|weapon' (empty when none)."""
    code = pl.sum_horizontal(
        pl.col(f"flag_{name}").cast(pl.UInt8) * (1 << i) for i, name in enumerate(SCORABLE_FLAGS)
    )
    texts = [
        "|".join(name for i, name in enumerate(SCORABLE_FLAGS) if c >> i & 1)
        for c in range(1 << len(SCORABLE_FLAGS))
    ]
    return _lookup(texts, code)


def escalation_expr() -> pl.Expr:
    """'harm rising', 'gaps shortening', both ('harm rising; gaps shortening') or ''."""
    code = pl.col("escalating_harm").cast(pl.UInt8) + pl.col("gaps_shortening").cast(pl.UInt8) * 2
    return _lookup(["", "harm rising", "gaps shortening", "harm rising; gaps shortening"], code)


RANK_ORDER = [
    ("priority_score", True),
    ("harm_sum", True),
    ("recency_days", False),
]
"""Ties on score go to more harm, then the more recent. People equal on all three share a
rank (competition ranking: 1, 2, 2, 4) and are listed by reference."""


def _scored(
    incidents: pl.DataFrame | pl.LazyFrame,
    *,
    as_of: dt.date,
    config: ScoringConfig,
    window: int,
    full: bool,
) -> pl.DataFrame:
    """The raw measures with their priority score (with `full`, every derived measure and
    point as well), one row per perpetrator."""
    raw = _per_person(
        incidents,
        as_of=as_of,
        window_days=window,
        period_days=config.period_days,
        serial_relationships=config.serial_relationships,
    )
    if full:
        return award_points(_derive(raw, as_of=as_of), config).collect()
    return raw.hstack(
        award_points(_derive(raw, as_of=as_of), config).select("priority_score").collect()
    )


def _rank_keys(
    scored: pl.DataFrame, *, config: ScoringConfig, window: int
) -> tuple[list[pl.Expr], list[bool]]:
    """The ranking keys, best first when sorted ascending by `descending`.

    (score, harm, recency) fit one whole number (score 13 bits, harm 38, recency 12),
    which sorts much faster than three columns; otherwise the three columns."""
    fits = (
        config.max_score < 1 << 13
        and (scored.height == 0 or scored.get_column("_harm_sum_c").max() < 1 << 38)
        and window < 1 << 12
    )
    if not fits:
        keys = [pl.col("priority_score"), pl.col("_harm_sum_c"), pl.col("recency_days")]
        return keys, [True, True, False]
    key = (
        (pl.lit((1 << 13) - 1, pl.Int64) - pl.col("priority_score")).cast(pl.UInt64) * (1 << 50)
        + ((1 << 38) - 1 - pl.col("_harm_sum_c")).cast(pl.UInt64) * (1 << 12)
        + pl.col("recency_days").cast(pl.UInt64)
    )
    return [key], [False]


def _listed(
    scored: pl.DataFrame,
    *,
    config: ScoringConfig,
    window: int,
    top: int | None = None,
) -> tuple[pl.Series, pl.Series]:
    """The row positions in list order (rank, then reference) and the rank at each. With
    `top`, only ranks 1 to `top` (more than `top` rows when a rank is shared at the end)."""
    keys, descending = _rank_keys(scored, config=config, window=window)
    reference = pl.col("perpetrator_ref")
    if isinstance(scored.schema["perpetrator_ref"], pl.Categorical | pl.Enum):
        reference = reference.cast(pl.String)  # compares faster than categorical
    # The keys, the reference and the row number, each worked out once.
    key_names = [f"_k{n}" for n in range(len(keys))]
    rows = scored.select(
        *[k.alias(name) for k, name in zip(keys, key_names, strict=True)],
        reference.alias("_ref"),
        _i=pl.int_range(0, pl.len(), dtype=pl.UInt32),
    )
    if top is not None and top <= 0:
        rows = rows.head(0)
    elif top is not None and top < rows.height and len(keys) == 1:
        # Only the rows whose key is at most the top-th smallest have ranks 1 to `top`.
        key = rows.get_column("_k0")
        rows = rows.filter(key <= key.bottom_k(top).max())
    rows = rows.sort([*key_names, "_ref"], descending=[*descending, False])
    # A rank starts wherever the key changes; everyone after shares it until the next.
    changed = pl.any_horizontal(
        (pl.col(c) != pl.col(c).shift(1)).fill_null(True) for c in key_names
    )
    ranks = rows.select(
        pl.when(changed).then(pl.int_range(1, pl.len() + 1, dtype=pl.Int32)).otherwise(0).cum_max()
    ).to_series()
    return rows.get_column("_i"), ranks


def rank(
    incidents: pl.DataFrame | pl.LazyFrame,
    *,
    as_of: dt.date,
    config: ScoringConfig,
    window_days: int | None = None,
) -> pl.DataFrame:
    """Every perpetrator with an incident in the window: measures, points, priority score
    and rank (1 = highest; people equal on score, harm and recency share a rank). The rows
    are left where they are (`score` returns them in order). Columns starting with `_` are
    working values that `finish` needs for the explanation."""
    window = window_days or config.window_days
    # Measures, points and score are worked out once, for every row, before the ranking.
    scored = _scored(incidents, as_of=as_of, config=config, window=window, full=True)
    keys, descending = _rank_keys(scored, config=config, window=window)
    if len(keys) == 1:
        # Competition ranking is the "min" rank of the key: one more than those ahead.
        return scored.with_columns(rank=keys[0].rank("min").cast(pl.Int32))
    positions, ranks = _listed(scored, config=config, window=window)
    return scored.with_columns(
        rank=pl.zeros(scored.height, pl.Int32, eager=True).scatter(positions, ranks)
    )


def finish(
    ranked: pl.DataFrame,
    *,
    as_of: dt.date,
    config: ScoringConfig,
    window_days: int | None = None,
    explain: bool = True,
) -> pl.DataFrame:
    """OUTPUT_COLUMNS for ranked rows: flags, escalation, the configuration version and,
    with `explain`, the sentence (otherwise null: the points columns still say it all)."""
    window = window_days or config.window_days
    return (
        ranked.lazy()
        .select(
            pl.all(),
            escalation=escalation_expr(),
            flags=flags_expr(),
            explanation=explanation_expr(config, window_days=window)
            if explain
            else pl.lit(None, pl.String),
            config_version=pl.lit(config.version),
            as_of=pl.lit(as_of, pl.Date),
            window_days=pl.lit(window, pl.Int64),
        )
        .select(OUTPUT_COLUMNS)
        .collect()
    )


def score(
    incidents: pl.DataFrame | pl.LazyFrame,
    *,
    as_of: dt.date,
    config: ScoringConfig,
    window_days: int | None = None,
    top: int | None = None,
    explain: bool = True,
) -> pl.DataFrame:
    """Score, rank and explain every perpetrator with an incident in the window.

    Returns OUTPUT_COLUMNS, one row per perpetrator, best first (rank 1), people who
    share a rank in order of reference. With `top`, only ranks 1 to `top` are kept (every
    one who shares the last of them included), and only they get a sentence.
    """
    window = window_days or config.window_days
    raw = _scored(incidents, as_of=as_of, config=config, window=window, full=False)
    positions, ranks = _listed(raw, config=config, window=window, top=top)
    raw = raw.drop("priority_score")
    # Move the narrow raw measures into rank order, then work out the rest in place.
    ordered = raw[positions].with_columns(rank=ranks)
    del raw
    ranked = award_points(_derive(ordered, as_of=as_of), config).collect()
    del ordered
    return finish(ranked, as_of=as_of, config=config, window_days=window, explain=explain)


__all__ = [
    "FLAG_NAMES",
    "INPUT_COLUMNS",
    "OUTPUT_COLUMNS",
    "PROTECTED_COLUMNS",
    "ScoringInputError",
    "award_points",
    "explanation_expr",
    "finish",
    "measure",
    "rank",
    "score",
    "validate_input",
    "window_label",
]
