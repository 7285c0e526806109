"""Reading an incidents export (CSV or Parquet, the import format) into the engine's input,
without importing it.

Rows are read and checked by the import pipeline's own reader and validator
(highharm.records.importer), so a file scores exactly as it would after
`highharm import-records`, with two deliberate differences for analysis:

- an offence code missing from the catalogue is kept, with unknown harm
  (counted as 0 and noted in the explanation) instead of rejecting the row;
- people need not exist in the database.

Rows the importer would reject (unreadable date, missing perpetrator, bad
flag, …) are left out and counted with their line numbers and reasons.
Repeated crime references keep their first row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from highharm.scoring.engine import INPUT_COLUMNS

FLAGS = ("domestic", "stalking", "sexual", "strangulation", "weapon", "breach")
CATALOGUE_SCHEMA = {
    "code": pl.String,
    "category": pl.String,
    "harm_days": pl.Float64,
    **{f"offence_{f}": pl.Boolean for f in FLAGS},
}

Progress = Callable[[int], None]


class SourceError(Exception):
    """The file or catalogue cannot be used at all; the message says why."""


@dataclass
class ReadReport:
    path: str = ""
    description: str = ""
    rows_read: int = 0
    rows_used: int = 0
    rejected_lines: int = 0
    duplicates_dropped: int = 0
    unknown_offence_rows: int = 0
    unknown_offence_codes: list[str] = field(default_factory=list)
    reject_examples: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{self.path}: {self.rows_read:,} rows read, {self.rows_used:,} used"
        if self.rejected_lines:
            text += f", {self.rejected_lines:,} left out (as the import would reject them)"
        if self.duplicates_dropped:
            text += f", {self.duplicates_dropped:,} repeated crime references left out"
        if self.unknown_offence_rows:
            text += (
                f"; {self.unknown_offence_rows:,} incidents have an offence code not in the "
                "catalogue (" + ", ".join(self.unknown_offence_codes[:10]) + "): harm unknown, "
                "counted as 0"
            )
        return text


def catalogue_frame_from_rows(rows: list[dict]) -> pl.DataFrame:
    """rows: dicts with code, category, harm_days and the six flags (bool)."""
    return pl.DataFrame(
        {
            "code": [str(r["code"]).upper() for r in rows],
            "category": [r["category"] for r in rows],
            "harm_days": [float(r["harm_days"]) for r in rows],
            **{f"offence_{f}": [bool(r[f]) for r in rows] for f in FLAGS},
        },
        schema=CATALOGUE_SCHEMA,
    )


def catalogue_frame_from_file(path: str | Path, *, categories: dict[str, str]) -> pl.DataFrame:
    """Read a catalogue CSV with the records app's parser (the same rules as load-catalogue)."""
    from highharm.records.catalogue import catalogue_parse

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read the catalogue {path}: {exc}")
    parsed = catalogue_parse(data, categories=categories)
    if parsed.errors:
        raise SourceError(
            f"the catalogue {path} has problems: " + "; ".join(str(e) for e in parsed.errors[:5])
        )
    return catalogue_frame_from_rows(
        [
            {"code": r.code, "category": r.category, "harm_days": r.harm_days, **r.flags}
            for r in parsed.rows
        ]
    )


def incidents_from_file(
    path: str | Path,
    *,
    catalogue: pl.DataFrame,
    today: dt.date,
    progress: Progress | None = None,
    chunk_rows: int = 250_000,
) -> tuple[pl.DataFrame, ReadReport]:
    """The engine's input from an incidents export, and a report of what was left out."""
    from highharm.records.importer import schema as import_schema
    from highharm.records.importer.reading import InputError, open_source
    from highharm.records.importer.validation import check_incidents

    try:
        source = open_source(path, import_schema.INCIDENTS)
    except InputError as exc:
        raise SourceError(str(exc))
    report = ReadReport(path=str(path), description=source.describe())
    known_codes = catalogue.get_column("code").to_list()
    parts: list[pl.DataFrame] = []
    rejected: set[int] = set()
    for chunk in source.chunks(chunk_rows):
        report.rows_read += chunk.height
        codes_here = (
            chunk.get_column("offence_code").drop_nulls().str.to_uppercase().unique().to_list()
        )
        checked = check_incidents(
            chunk,
            header=source.header,
            today=today,
            offence_codes=sorted(set(known_codes) | set(codes_here)),
        )
        if checked.rejects.height:
            rejected.update(checked.rejects.get_column("line").to_list())
            if len(report.reject_examples) < 10:
                for row in checked.rejects.head(10 - len(report.reject_examples)).iter_rows(
                    named=True
                ):
                    report.reject_examples.append(
                        f"line {row['line']}, {row['column']}: {row['reason']}"
                    )
        parts.append(
            checked.valid.select(
                "_line",
                "crime_reference",
                "content_hash",
                "perpetrator_ref",
                "victim_ref",
                "occurred_on",
                "offence_code",
                "relationship",
                *FLAGS,
            )
        )
        if progress is not None:
            progress(chunk.height)
    report.rejected_lines = len(rejected)
    if not parts:
        return empty_input(), report
    rows = pl.concat(parts)
    before = rows.height
    rows = rows.unique(subset=["crime_reference"], keep="first", maintain_order=True)
    report.duplicates_dropped = before - rows.height

    joined = rows.join(catalogue, left_on="offence_code", right_on="code", how="left")
    unknown = joined.filter(pl.col("harm_days").is_null())
    report.unknown_offence_rows = unknown.height
    report.unknown_offence_codes = sorted(unknown.get_column("offence_code").unique().to_list())
    frame = joined.select(
        pl.col("perpetrator_ref").cast(pl.String),
        pl.col("victim_ref").cast(pl.String),
        pl.col("occurred_on").cast(pl.Date),
        pl.col("category").fill_null("unknown"),
        pl.col("harm_days"),
        *[(pl.col(f) | pl.col(f"offence_{f}").fill_null(False)).alias(f) for f in FLAGS],
        pl.col("relationship"),
    )
    report.rows_used = frame.height
    return frame.select(list(INPUT_COLUMNS)), report


def empty_input() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "perpetrator_ref": pl.String,
            "victim_ref": pl.String,
            "occurred_on": pl.Date,
            "category": pl.String,
            "harm_days": pl.Float64,
            **{f: pl.Boolean for f in FLAGS},
            "relationship": pl.String,
        }
    ).select(list(INPUT_COLUMNS))
