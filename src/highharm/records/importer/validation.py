"""Validating a chunk of an import file, in Polars column expressions (no Django).

Each ``check_*`` takes a chunk from ``reading`` and returns the rows that passed, with
their values normalised and typed and a ``content_hash``, and one reject row per problem
found (a row with three problems gets three reject rows, so an analyst can fix all of
them at once). Checks that need the database (does this person exist? was this crime
reference already in an earlier chunk?) are made by the import service, which hands the
answers to the small pure functions at the end of this module.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import polars as pl

from highharm.records.importer import schema
from highharm.records.importer.schema import MAX_LENGTH, WHAT, Reason

REJECT_SCHEMA = {
    "line": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "reason": pl.String,
    "raw_row": pl.String,
}
HASH_VERSION = {schema.PERSONS: "p1", schema.INCIDENTS: "i1"}
_TIME_SUFFIX = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$"
_ISO = r"^\d{4}-\d{1,2}-\d{1,2}$"
_UK = r"^\d{1,2}/\d{1,2}/\d{4}$"


@dataclass
class Checked:
    valid: pl.DataFrame
    rejects: pl.DataFrame
    duplicates: int = 0  # exact repeats of an earlier row, dropped and counted once


def empty_rejects() -> pl.DataFrame:
    return pl.DataFrame(schema=REJECT_SCHEMA)


def rejected_lines(rejects: pl.DataFrame) -> int:
    return rejects.get_column("line").n_unique() if rejects.height else 0


# ---------------------------------------------------------------- building blocks


def _blank(col: str) -> pl.Expr:
    return pl.col(col).is_null() | (pl.col(col) == "")


def _date_parts(col: str) -> tuple[pl.Expr, pl.Expr]:
    """(parsed date or null, looks like a date) for ISO or UK dates, time of day ignored."""
    core = pl.col(col).str.replace(_TIME_SUFFIX, "")
    iso = core.str.contains(_ISO)
    uk = core.str.contains(_UK)
    parsed = (
        pl.when(iso)
        .then(core.str.to_date("%Y-%m-%d", strict=False))
        .when(uk)
        .then(core.str.to_date("%d/%m/%Y", strict=False))
        .otherwise(None)
    )
    return parsed, (iso | uk).fill_null(False)


def _flag(col: str) -> pl.Expr:
    low = pl.col(col).str.to_lowercase()
    return (
        pl.when(_blank(col) | low.is_in(schema.FALSE_WORDS))
        .then(False)
        .when(low.is_in(schema.TRUE_WORDS))
        .then(True)
        .otherwise(None)
    )


def _word(col: str) -> pl.Expr:
    """lower case, spaces and hyphens as underscores: 'Ex-partner' -> 'ex_partner'."""
    return pl.col(col).str.to_lowercase().str.replace_all(r"[\s\-]+", "_")


def _field_count_rules(header_len: int, header: list[str]) -> list[tuple]:
    names = pl.lit(pl.Series(header, dtype=pl.String).implode())
    missing_name = names.list.get(pl.col("_nfields"), null_on_oob=True).fill_null("")
    return [
        (
            missing_name,
            pl.col("_nfields") < header_len,
            pl.lit(""),
            pl.format(
                Reason.TOO_FEW_FIELDS.replace("{found}", "{}").replace("{expected}", "{}"),
                pl.col("_nfields"),
                pl.lit(header_len),
            ),
        ),
        (
            pl.lit(""),
            pl.col("_nfields") > header_len,
            pl.lit(""),
            pl.format(
                Reason.TOO_MANY_FIELDS.replace("{found}", "{}").replace("{expected}", "{}"),
                pl.col("_nfields"),
                pl.lit(header_len),
            ),
        ),
    ]


def _apply_rules(df: pl.DataFrame, rules: list[tuple]) -> pl.DataFrame:
    """rules: (column name or expr, condition, value expr or None, reason expr or str)."""
    parts = []
    for column, condition, value, reason in rules:
        hit = df.filter(condition.fill_null(False))
        if not hit.height:
            continue
        column_expr = pl.lit(column) if isinstance(column, str) else column
        value_expr = pl.col(column) if value is None else value
        reason_expr = pl.lit(reason) if isinstance(reason, str) else reason
        parts.append(
            hit.select(
                pl.col("_line").cast(pl.Int64).alias("line"),
                column_expr.cast(pl.String).alias("column"),
                value_expr.cast(pl.String).fill_null("").alias("value"),
                reason_expr.cast(pl.String).alias("reason"),
                pl.col("_raw").alias("raw_row"),
            )
        )
    if not parts:
        return empty_rejects()
    return pl.concat(parts)


def _split(df: pl.DataFrame, rejects: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    if rejects.height:
        bad = rejects.get_column("line").unique()
        df = df.filter(~pl.col("_line").is_in(bad.implode()))
    return df, rejects.sort("line", maintain_order=True)


def _too_long(col: str) -> tuple:
    limit = MAX_LENGTH[col]
    return (
        col,
        pl.col(col).str.len_chars() > limit,
        None,
        Reason.TOO_LONG.format(what=WHAT[col].capitalize(), limit=limit),
    )


def _missing(col: str) -> tuple:
    return (col, _blank(col), None, Reason.MISSING.format(what=WHAT[col].capitalize()))


def _date_rules(col: str, *, today: dt.date, required: bool) -> list[tuple]:
    what = WHAT[col].capitalize()
    present = ~_blank(col)
    rules = []
    if required:
        rules.append(_missing(col))
    rules += [
        (col, present & ~pl.col(f"_{col}_datelike"), None, Reason.NOT_A_DATE),
        (
            col,
            present & pl.col(f"_{col}_datelike") & pl.col(f"_{col}_date").is_null(),
            None,
            Reason.NOT_A_REAL_DATE,
        ),
        (col, pl.col(f"_{col}_date") > today, None, Reason.DATE_IN_FUTURE.format(what=what)),
        (
            col,
            pl.col(f"_{col}_date") < dt.date(schema.EARLIEST_DATE_YEAR, 1, 1),
            None,
            Reason.DATE_TOO_EARLY.format(what=what),
        ),
    ]
    return rules


def _with_date(df: pl.DataFrame, col: str) -> pl.DataFrame:
    parsed, datelike = _date_parts(col)
    return df.with_columns(parsed.alias(f"_{col}_date"), datelike.alias(f"_{col}_datelike"))


def content_hashes(canonical: pl.Series) -> pl.Series:
    """A stable 32-character hash of each row's canonical text (blake2b, 16 bytes).

    Stable across Polars and Python versions, unlike Polars' own hash, so that a
    re-import after an upgrade still recognises unchanged rows.
    """
    blake = hashlib.blake2b
    return pl.Series(
        "content_hash",
        [blake(t.encode(), digest_size=16).hexdigest() for t in canonical.to_list()],
        dtype=pl.String,
    )


# ---------------------------------------------------------------- persons


def check_persons(chunk: pl.DataFrame, *, header: list[str], today: dt.date) -> Checked:
    df = chunk.with_columns(
        pl.col("given_name").fill_null(""),
        pl.col("family_name").fill_null(""),
        pl.col("ethnicity").fill_null(""),
        pl.col("gender").str.to_uppercase().alias("_gender_up"),
        pl.col("aliases")
        .fill_null("")
        .str.split(schema.ALIAS_SEPARATOR)
        .list.eval(pl.element().str.strip_chars())
        .list.eval(pl.element().filter(pl.element() != ""))
        .list.unique()
        .list.sort()
        .alias("_aliases"),
    )
    df = _with_date(df, "date_of_birth")
    gender = (
        pl.when(_blank("gender"))
        .then(pl.lit(schema.DEFAULT_GENDER))
        .when(pl.col("_gender_up").is_in(schema.GENDERS))
        .then(pl.col("_gender_up"))
        .otherwise(pl.col("_gender_up").replace_strict(schema.GENDER_WORDS, default=None))
    )
    df = df.with_columns(gender.alias("_gender"))
    header_len = len(header)
    field_rejects = _apply_rules(df, _field_count_rules(header_len, header))
    df_ok, _ = _split(df, field_rejects)
    alias_limit = MAX_LENGTH["alias"]
    rules = [
        _missing("reference"),
        _too_long("reference"),
        _too_long("given_name"),
        _too_long("family_name"),
        *_date_rules("date_of_birth", today=today, required=False),
        ("gender", pl.col("_gender").is_null(), None, Reason.UNKNOWN_GENDER),
        _too_long("ethnicity"),
        (
            "aliases",
            pl.col("_aliases").list.eval(pl.element().str.len_chars().max()).list.first()
            > alias_limit,
            None,
            Reason.ALIAS_TOO_LONG.format(limit=alias_limit),
        ),
    ]
    rejects = pl.concat([field_rejects, _apply_rules(df_ok, rules)])
    valid, rejects = _split(df_ok, rejects)
    valid = valid.select(
        pl.col("_line"),
        pl.col("_raw"),
        pl.col("reference"),
        pl.col("given_name"),
        pl.col("family_name"),
        pl.col("_date_of_birth_date").alias("date_of_birth"),
        pl.col("_gender").alias("gender"),
        pl.col("ethnicity"),
        pl.col("_aliases").list.join(schema.ALIAS_SEPARATOR).alias("aliases"),
    )
    canonical = pl.concat_str(
        [
            pl.lit(HASH_VERSION[schema.PERSONS]),
            pl.col("reference"),
            pl.col("given_name"),
            pl.col("family_name"),
            pl.col("date_of_birth").cast(pl.String).fill_null(""),
            pl.col("gender"),
            pl.col("ethnicity"),
            pl.col("aliases"),
        ],
        separator="\x1f",
    )
    valid = valid.with_columns(canonical.alias("_canonical"))
    valid = valid.with_columns(content_hashes(valid.get_column("_canonical"))).drop("_canonical")
    return Checked(valid=valid, rejects=rejects)


# ---------------------------------------------------------------- incidents


def check_incidents(
    chunk: pl.DataFrame, *, header: list[str], today: dt.date, offence_codes: list[str]
) -> Checked:
    df = chunk.with_columns(
        pl.col("offence_code").str.to_uppercase().alias("_offence"),
        pl.when(_blank("victim_ref")).then(None).otherwise(pl.col("victim_ref")).alias("_victim"),
        pl.when(_blank("relationship"))
        .then(pl.lit(schema.DEFAULT_RELATIONSHIP))
        .otherwise(_word("relationship"))
        .alias("_relationship"),
        pl.when(_blank("outcome"))
        .then(pl.lit(schema.DEFAULT_OUTCOME))
        .otherwise(_word("outcome"))
        .alias("_outcome"),
        *[_flag(f).alias(f"_{f}") for f in schema.FLAGS],
    )
    df = _with_date(df, "occurred_on")
    header_len = len(header)
    field_rejects = _apply_rules(df, _field_count_rules(header_len, header))
    df_ok, _ = _split(df, field_rejects)
    codes = pl.Series(offence_codes, dtype=pl.String).implode()
    rules = [
        _missing("crime_reference"),
        _too_long("crime_reference"),
        *_date_rules("occurred_on", today=today, required=True),
        _missing("offence_code"),
        (
            "offence_code",
            ~_blank("offence_code") & ~pl.col("_offence").is_in(codes),
            None,
            Reason.UNKNOWN_OFFENCE,
        ),
        _missing("perpetrator_ref"),
        _too_long("perpetrator_ref"),
        _too_long("victim_ref"),
        (
            "victim_ref",
            pl.col("_victim") == pl.col("perpetrator_ref"),
            None,
            Reason.VICTIM_IS_PERPETRATOR,
        ),
        (
            "relationship",
            ~pl.col("_relationship").is_in(schema.RELATIONSHIPS),
            None,
            Reason.UNKNOWN_RELATIONSHIP,
        ),
        *[(f, pl.col(f"_{f}").is_null(), None, Reason.UNKNOWN_FLAG) for f in schema.FLAGS],
        ("outcome", ~pl.col("_outcome").is_in(schema.OUTCOMES), None, Reason.UNKNOWN_OUTCOME),
    ]
    rejects = pl.concat([field_rejects, _apply_rules(df_ok, rules)])
    valid, rejects = _split(df_ok, rejects)
    valid = valid.select(
        pl.col("_line"),
        pl.col("_raw"),
        pl.col("crime_reference"),
        pl.col("_occurred_on_date").alias("occurred_on"),
        pl.col("_offence").alias("offence_code"),
        pl.col("perpetrator_ref"),
        pl.col("_victim").alias("victim_ref"),
        pl.col("_relationship").alias("relationship"),
        *[pl.col(f"_{f}").alias(f) for f in schema.FLAGS],
        pl.col("_outcome").alias("outcome"),
    )
    canonical = pl.concat_str(
        [
            pl.lit(HASH_VERSION[schema.INCIDENTS]),
            pl.col("crime_reference"),
            pl.col("occurred_on").cast(pl.String),
            pl.col("offence_code"),
            pl.col("perpetrator_ref"),
            pl.col("victim_ref").fill_null(""),
            pl.col("relationship"),
            pl.concat_str(
                [pl.when(pl.col(f)).then(pl.lit("Y")).otherwise(pl.lit("N")) for f in schema.FLAGS]
            ),
            pl.col("outcome"),
        ],
        separator="\x1f",
    )
    valid = valid.with_columns(canonical.alias("_canonical"))
    valid = valid.with_columns(content_hashes(valid.get_column("_canonical"))).drop("_canonical")
    return Checked(valid=valid, rejects=rejects)


def reject_unknown_people(checked: Checked, unknown_refs: list[str]) -> Checked:
    """Reject incidents whose perpetrator or victim is in neither the persons file nor the DB."""
    if not unknown_refs:
        return checked
    unknown = pl.Series(unknown_refs, dtype=pl.String).implode()
    rules = [
        (
            "perpetrator_ref",
            pl.col("perpetrator_ref").is_in(unknown),
            None,
            pl.format(
                Reason.PERSON_NOT_FOUND.replace("{who}", "Perpetrator").replace("{ref}", "{}"),
                pl.col("perpetrator_ref"),
            ),
        ),
        (
            "victim_ref",
            pl.col("victim_ref").is_in(unknown),
            None,
            pl.format(
                Reason.PERSON_NOT_FOUND.replace("{who}", "Victim").replace("{ref}", "{}"),
                pl.col("victim_ref"),
            ),
        ),
    ]
    more = _apply_rules(checked.valid, rules)
    valid, rejects = _split(checked.valid, pl.concat([checked.rejects, more]))
    return Checked(valid=valid, rejects=rejects, duplicates=checked.duplicates)


def reject_disposed(checked: Checked, disposed_refs: list[str], columns: dict[str, str]) -> Checked:
    """Reject rows naming a person whose record was disposed of under the retention rules.

    ``columns`` maps each reference column to the word for the person in it
    ("Person", "Perpetrator", "Victim").
    """
    if not disposed_refs:
        return checked
    disposed = pl.Series(disposed_refs, dtype=pl.String).implode()
    rules = [
        (
            column,
            pl.col(column).is_in(disposed),
            None,
            pl.format(
                Reason.PERSON_DISPOSED.replace("{who}", who).replace("{ref}", "{}"),
                pl.col(column),
            ),
        )
        for column, who in columns.items()
    ]
    more = _apply_rules(checked.valid, rules)
    valid, rejects = _split(checked.valid, pl.concat([checked.rejects, more]))
    return Checked(valid=valid, rejects=rejects, duplicates=checked.duplicates)


def dedupe_within(checked: Checked, *, key: str, what: str) -> Checked:
    """Within one chunk: the first valid row for a key is kept; a later row with the same
    content is an exact duplicate (dropped, counted once); a later row with different
    content is rejected, naming the line that was kept."""
    valid = checked.valid.sort("_line").with_columns(
        pl.col("_line").first().over(key).alias("_first_line"),
        pl.col("content_hash").first().over(key).alias("_first_hash"),
    )
    later = pl.col("_line") != pl.col("_first_line")
    exact = later & (pl.col("content_hash") == pl.col("_first_hash"))
    conflict = later & (pl.col("content_hash") != pl.col("_first_hash"))
    duplicates = valid.filter(exact).height
    more = _apply_rules(valid, [(key, conflict, None, _conflict_reason(key, what, "_first_line"))])
    kept = valid.filter(~later).drop("_first_line", "_first_hash")
    return Checked(
        valid=kept,
        rejects=pl.concat([checked.rejects, more]).sort("line", maintain_order=True),
        duplicates=checked.duplicates + duplicates,
    )


def _conflict_reason(key: str, what: str, first_line: str) -> pl.Expr:
    return pl.format(
        Reason.DUPLICATE_CONFLICT.replace("{what}", what.capitalize())
        .replace("{key}", "{}")
        .replace("{first}", "{}"),
        pl.col(key),
        pl.col(first_line),
        pl.col(first_line),
    )


def dedupe_across(checked: Checked, earlier: pl.DataFrame, *, key: str, what: str) -> Checked:
    """Against rows taken from earlier chunks of the same file.

    ``earlier`` has one row per key already taken: ``key``, ``first_line`` and
    ``first_hash``. A row with the same content is an exact duplicate (dropped, counted);
    one with different content is rejected, naming the line that was taken.
    """
    if not earlier.height:
        return checked
    df = checked.valid.join(earlier, on=key, how="left")
    seen = pl.col("first_line").is_not_null()
    exact = seen & (pl.col("content_hash") == pl.col("first_hash"))
    conflict = seen & (pl.col("content_hash") != pl.col("first_hash"))
    more = _apply_rules(df, [(key, conflict, None, _conflict_reason(key, what, "first_line"))])
    duplicates = df.filter(exact).height
    valid = df.filter(~seen).drop("first_line", "first_hash")
    return Checked(
        valid=valid,
        rejects=pl.concat([checked.rejects, more]).sort("line", maintain_order=True),
        duplicates=checked.duplicates + duplicates,
    )


def attach_people(checked: Checked, people: pl.DataFrame) -> Checked:
    """Give each incident its perpetrator's and victim's database ids, rejecting those
    whose perpetrator or victim is in neither the persons file nor the database.

    ``people`` has one row per reference used: ``reference``, ``person_id`` (null when not
    in the database) and ``in_file`` (an accepted row of this run's persons file). In a
    dry run a person may be in the file only: the id stays null, nothing is written.
    """
    unknown = people.filter(pl.col("person_id").is_null() & ~pl.col("in_file"))
    checked = reject_unknown_people(checked, unknown.get_column("reference").to_list())
    ids = people.select("reference", "person_id")
    valid = (
        checked.valid.join(
            ids.rename({"reference": "perpetrator_ref", "person_id": "perpetrator_id"}),
            on="perpetrator_ref",
            how="left",
        )
        .join(
            ids.rename({"reference": "victim_ref", "person_id": "victim_id"}),
            on="victim_ref",
            how="left",
        )
        .sort("_line")
    )
    return Checked(valid=valid, rejects=checked.rejects, duplicates=checked.duplicates)


def classify(valid: pl.DataFrame, stored: pl.DataFrame, *, key: str) -> pl.DataFrame:
    """Add ``action``: I (new), U (stored with a different content hash), N (unchanged).

    ``stored`` has ``key`` and ``stored_hash`` for the keys already in the database.
    """
    df = valid.join(stored, on=key, how="left")
    action = (
        pl.when(pl.col("stored_hash").is_null())
        .then(pl.lit("I"))
        .when(pl.col("stored_hash") == pl.col("content_hash"))
        .then(pl.lit("N"))
        .otherwise(pl.lit("U"))
    )
    return df.with_columns(action.alias("action")).drop("stored_hash").sort("_line")


def flag_bits() -> pl.Expr:
    """The six flags as one integer, bit i for schema.FLAGS[i] (fewer values to send)."""
    return pl.sum_horizontal(
        pl.col(f).cast(pl.Int32) * (1 << i) for i, f in enumerate(schema.FLAGS)
    ).alias("flags")
