"""Read evaluation inputs from files into Polars frames (no Django).

Cohort files have the columns `perpetrator_ref,index_date[,group]`; incident
files follow the import contract (only `perpetrator_ref`, `occurred_on` and
`offence_code` are needed here, `crime_reference` is used to drop duplicates
when present); a catalogue file follows `src/highharm/data/offences.csv`
(only `code` and `harm_days` are needed).

CSV files may be UTF-8 (with or without a byte-order mark) or Windows-1252,
comma or semicolon separated; Parquet files with the same column names are
accepted. Dates are ISO `YYYY-MM-DD` or UK `dd/mm/yyyy`. Every problem is an
`EvaluationInputError` naming the file, the row (as a spreadsheet would number
it, the header being row 1), the field and the reason.
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

MAX_ROWS_NAMED = 5


class EvaluationInputError(ValueError):
    """Bad input to an evaluation, with a message fit to show the person who supplied it."""


def _decode(data: bytes) -> bytes:
    """Return UTF-8 bytes, whether the file was UTF-8 or Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace").encode("utf-8")


def _separator(data: bytes) -> str:
    first_line = data.split(b"\n", 1)[0]
    return ";" if first_line.count(b";") > first_line.count(b",") else ","


def read_table(source, *, name: str, required: list[str], optional: list[str] = ()) -> pl.DataFrame:
    """Read a CSV or Parquet file (path or bytes or file object) with the columns asked for.

    Returns a frame of the required and present optional columns, plus `_row`
    (the row number as a spreadsheet shows it). CSV columns are strings.
    """
    is_parquet = False
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise EvaluationInputError(f"{name}: no such file {str(path)!r}")
        is_parquet = path.suffix.lower() in {".parquet", ".pq"}
        data = path.read_bytes() if not is_parquet else None
    elif isinstance(source, bytes | bytearray):
        data = bytes(source)
    else:  # a file object, such as an upload
        data = source.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
    if data is not None and data[:4] == b"PAR1":
        is_parquet = True
    if is_parquet:
        frame = pl.read_parquet(path if data is None else io.BytesIO(data))
    else:
        data = _decode(data)
        if not data.strip():
            raise EvaluationInputError(f"{name}: the file is empty")
        try:
            frame = pl.read_csv(
                io.BytesIO(data),
                separator=_separator(data),
                infer_schema=False,
                truncate_ragged_lines=False,
            )
        except pl.exceptions.ComputeError as exc:
            raise EvaluationInputError(f"{name}: not a readable CSV file ({exc})".split("\n")[0])
    frame = frame.rename({c: c.strip().lower().lstrip("\ufeff") for c in frame.columns})
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise EvaluationInputError(
            f"{name}: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} (found: {', '.join(frame.columns) or 'none'})"
        )
    keep = list(required) + [c for c in optional if c in frame.columns]
    return frame.select(keep).with_row_index("_row", offset=2)


def _rows(frame: pl.DataFrame) -> str:
    rows = frame["_row"].head(MAX_ROWS_NAMED).to_list()
    more = frame.height - len(rows)
    text = ", ".join(str(r) for r in rows)
    return f"row{'s' if frame.height > 1 else ''} {text}" + (f" and {more} more" if more else "")


def parse_dates(frame: pl.DataFrame, column: str, *, name: str) -> pl.DataFrame:
    """Turn a text column of ISO or UK dates into a Date column; name the rows that fail."""
    dtype = frame.schema[column]
    if dtype == pl.Date:
        parsed = pl.col(column)
    elif dtype == pl.Datetime or isinstance(dtype, pl.Datetime):
        parsed = pl.col(column).dt.date()
    else:
        text = pl.col(column).cast(pl.String).str.strip_chars()
        parsed = pl.coalesce(
            text.str.strptime(pl.Date, "%Y-%m-%d", strict=False),
            text.str.strptime(pl.Date, "%d/%m/%Y", strict=False),
        )
    out = frame.with_columns(parsed.alias(column + "__parsed"))
    bad = out.filter(pl.col(column + "__parsed").is_null())
    if bad.height:
        example = bad[column][0]
        raise EvaluationInputError(
            f"{name}: {_rows(bad)}: field {column} is not a date "
            f"(YYYY-MM-DD or dd/mm/yyyy), e.g. {example!r}"
        )
    return out.drop(column).rename({column + "__parsed": column})


def _require_text(frame: pl.DataFrame, column: str, *, name: str) -> pl.DataFrame:
    frame = frame.with_columns(pl.col(column).cast(pl.String).str.strip_chars())
    blank = frame.filter(pl.col(column).is_null() | (pl.col(column) == ""))
    if blank.height:
        raise EvaluationInputError(f"{name}: {_rows(blank)}: field {column} is empty")
    return frame


def read_cohort(source, *, name: str = "cohort") -> pl.DataFrame:
    """A cohort file -> perpetrator_ref (str), index_date (date), group (str, may be empty)."""
    frame = read_table(
        source, name=name, required=["perpetrator_ref", "index_date"], optional=["group"]
    )
    if frame.height == 0:
        raise EvaluationInputError(f"{name}: the file has no people in it")
    frame = _require_text(frame, "perpetrator_ref", name=name)
    frame = parse_dates(frame, "index_date", name=name)
    if "group" not in frame.columns:
        frame = frame.with_columns(pl.lit("").alias("group"))
    frame = frame.with_columns(pl.col("group").cast(pl.String).str.strip_chars().fill_null(""))
    duplicated = frame.filter(pl.col("perpetrator_ref").is_duplicated())
    if duplicated.height:
        ref = duplicated["perpetrator_ref"][0]
        raise EvaluationInputError(
            f"{name}: {_rows(duplicated)}: perpetrator_ref {ref!r} appears more than once; "
            "a person has one index date in a cohort"
        )
    return frame.select("perpetrator_ref", "index_date", "group", "_row")


def read_incidents(source, *, name: str = "incidents") -> pl.DataFrame:
    """An incidents file -> perpetrator_ref, occurred_on (date), offence_code[, crime_reference]."""
    frame = read_table(
        source,
        name=name,
        required=["perpetrator_ref", "occurred_on", "offence_code"],
        optional=["crime_reference"],
    )
    frame = frame.with_columns(
        pl.col("perpetrator_ref").cast(pl.String).str.strip_chars(),
        pl.col("offence_code").cast(pl.String).str.strip_chars().str.to_uppercase(),
    )
    frame = parse_dates(frame, "occurred_on", name=name)
    return frame


def read_catalogue(source, *, name: str = "catalogue") -> pl.DataFrame:
    """An offence catalogue -> code, harm_days (float, not negative)."""
    frame = read_table(source, name=name, required=["code", "harm_days"])
    frame = _require_text(frame, "code", name=name).with_columns(
        pl.col("code").str.to_uppercase(),
        pl.col("harm_days").cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False),
    )
    bad = frame.filter(pl.col("harm_days").is_null() | (pl.col("harm_days") < 0))
    if bad.height:
        raise EvaluationInputError(
            f"{name}: {_rows(bad)}: field harm_days must be a number of days, 0 or more"
        )
    return frame.select("code", "harm_days").unique(subset="code", keep="last", maintain_order=True)
