"""Reading an import file: CSV (UTF-8 with or without BOM, or Windows-1252; comma or
semicolon) or Parquet, streamed in chunks of Polars string columns.

Pure Python + Polars, no Django. Every chunk is a DataFrame with

- ``_line``: the physical line number in the file (the header is line 1 when it is the
  first line; blank lines count), or the 1-based row number for Parquet;
- ``_raw``: the record as it appears in the file (for the rejects file);
- ``_nfields``: how many fields the record has (to catch truncated lines);
- one string column per expected column, stripped of surrounding spaces (null when the
  record is too short to have it, or when an optional column is absent from the file).

Splitting is vectorised: a line without a double quote is split by Polars. Lines with
quotes go through Python's C ``csv`` reader, and a quoted value that runs over several
lines is joined back into one record (numbered by its first line).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from highharm.records.importer import schema

CSV_SUFFIXES = (".csv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")
SEPARATORS = (",", ";", "\t")
BLOCK_BYTES = 4 << 20
# A quoted value may run over at most this many lines; beyond that the quote is taken
# as a mistake and the line is read on its own (and will usually be rejected).
MAX_RECORD_LINES = 50
SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


class InputError(Exception):
    """The file cannot be read at all: nothing is imported from it (exit code 2)."""

    def __init__(self, path: Path | str, message: str):
        self.path = str(path)
        self.message = message
        super().__init__(f"{path}: {message}")


def normalise_header(name: str) -> str:
    return (
        name.strip().strip('"').strip().lstrip("\ufeff").lower().replace(" ", "_").replace("-", "_")
    )


@dataclass
class Source:
    path: Path
    kind: str  # schema.PERSONS or schema.INCIDENTS
    format: str  # "csv" or "parquet"
    header: list[str]  # the file's column names, normalised
    encoding: str = ""
    separator: str = ""
    header_line: int = 1
    bom: bool = False
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def columns(self) -> tuple[str, ...]:
        return schema.COLUMNS[self.kind]

    def describe(self) -> str:
        if self.format == "parquet":
            return "Parquet"
        enc = {"utf-8": "UTF-8", "cp1252": "Windows-1252"}[self.encoding]
        if self.bom:
            enc += " with BOM"
        return f"CSV, {enc}, {SEPARATOR_NAMES[self.separator]}-separated"

    def chunks(self, rows: int) -> Iterator[pl.DataFrame]:
        if self.format == "parquet":
            yield from _parquet_chunks(self, rows)
        else:
            yield from _csv_chunks(self, rows)


def open_source(path: Path | str, kind: str) -> Source:
    """Check that ``path`` can be read as a ``kind`` file and has the needed columns.

    Raises InputError (exit code 2) naming the problem; reads only the header (and, for
    a CSV file, checks the whole file is text in one of the accepted encodings).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "file not found")
    if not path.is_file():
        raise InputError(path, "is not a file")
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        source = _open_parquet(path, kind)
    elif suffix in CSV_SUFFIXES:
        source = _open_csv(path, kind)
    else:
        raise InputError(
            path,
            f"is not a CSV or Parquet file (expected a name ending .csv or .parquet, "
            f"not {suffix or 'no extension'})",
        )
    _check_columns(source)
    return source


def _check_columns(source: Source) -> None:
    wanted = schema.COLUMNS[source.kind]
    optional = schema.OPTIONAL[source.kind]
    seen = set(source.header)
    missing = [c for c in wanted if c not in seen and c not in optional]
    if missing and not (seen & set(wanted)):
        raise InputError(
            source.path,
            f"the first line is not a {source.kind} header: none of the expected column names "
            f"was found. Expected: {', '.join(wanted)}",
        )
    for name in wanted:
        if source.header.count(name) > 1:
            raise InputError(source.path, f"the column {name} appears twice in the header")
    if missing:
        raise InputError(
            source.path,
            f"the header is missing the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} (found: {', '.join(h for h in source.header if h)})",
        )
    source.ignored_columns = [h for h in source.header if h and h not in wanted]


# ---------------------------------------------------------------- CSV


def _detect_encoding(path: Path) -> tuple[str, bool]:
    """('utf-8' | 'cp1252', has_bom). Raises InputError for binary or UTF-16 files."""
    with path.open("rb") as fh:
        head = fh.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8", True
        if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            raise InputError(
                path, "is UTF-16 text; save it as CSV in UTF-8 (or Windows-1252) and try again"
            )
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        utf8 = True
        while block := fh.read(BLOCK_BYTES):
            if b"\x00" in block:
                raise InputError(path, "is not a CSV text file (it contains binary data)")
            if utf8:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8 = False
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
    return ("utf-8" if utf8 else "cp1252"), False


def _text_blocks(source: Source) -> Iterator[list[str]]:
    """Physical lines of the file (without line ends), a block at a time."""
    decoder = codecs.getincrementaldecoder(source.encoding)(errors="replace")
    carry = ""
    with source.path.open("rb") as fh:
        if source.bom:
            fh.read(len(codecs.BOM_UTF8))
        while block := fh.read(BLOCK_BYTES):
            text = (carry + decoder.decode(block)).replace("\r\n", "\n")
            parts = text.split("\n")
            carry = parts.pop()
            yield parts
    text = (carry + decoder.decode(b"", final=True)).replace("\r\n", "\n")
    if text:
        yield text.split("\n")


def _sniff_separator(line: str, wanted: tuple[str, ...]) -> str:
    best, best_score = ",", (-1, -1)
    for sep in SEPARATORS:
        names = [normalise_header(n) for n in _split_one(line, sep)]
        score = (sum(n in wanted for n in names), len(names))
        if score > best_score:
            best, best_score = sep, score
    return best


def _split_one(line: str, sep: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=sep))
    except (csv.Error, StopIteration):
        return line.split(sep)


def _open_csv(path: Path, kind: str) -> Source:
    encoding, bom = _detect_encoding(path)
    source = Source(path=path, kind=kind, format="csv", header=[], encoding=encoding, bom=bom)
    line_no = 0
    header_line = None
    for block in _text_blocks(source):
        for line in block:
            line_no += 1
            if line.strip(" \t,;"):
                header_line = line
                break
        if header_line is not None:
            break
    if header_line is None:
        raise InputError(path, "the file is empty: it has no header line")
    source.separator = _sniff_separator(header_line, schema.COLUMNS[kind])
    source.header = [normalise_header(n) for n in _split_one(header_line, source.separator)]
    source.header_line = line_no
    return source


def _ends_inside_quotes(text: str, sep: str) -> bool:
    """True when ``text`` ends inside a quoted value (so the record goes on to the next line)."""
    in_quotes = False
    at_field_start = True
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if in_quotes:
            if c == '"':
                if i + 1 < n and text[i + 1] == '"':
                    i += 2
                    continue
                in_quotes = False
        elif c == '"' and at_field_start:
            in_quotes = True
            at_field_start = False
        else:
            at_field_start = c in (sep, "\n")
        i += 1
    return in_quotes


def _csv_chunks(source: Source, rows: int) -> Iterator[pl.DataFrame]:
    rows = max(1, rows)
    to_skip = source.header_line
    pending: list[str] = []
    start = source.header_line + 1  # line number of pending[0]
    blocks = _text_blocks(source)
    eof = False
    while True:
        while not eof and len(pending) < rows + MAX_RECORD_LINES:
            block = next(blocks, None)
            if block is None:
                eof = True
                break
            if to_skip:
                n = min(to_skip, len(block))
                block = block[n:]
                to_skip -= n
            pending.extend(block)
        if not pending:
            return
        take = min(rows, len(pending))
        frame, used = _parse_lines(
            pending[:take], pending[take : take + MAX_RECORD_LINES], start, source
        )
        pending = pending[take + used :]
        start += take + used
        if frame.height:
            yield frame


def _parse_lines(
    lines: list[str], lookahead: list[str], start: int, source: Source
) -> tuple[pl.DataFrame, int]:
    """Turn consecutive physical lines into records. Returns (frame, lookahead lines used)."""
    sep = source.separator
    raw = pl.Series("_raw", lines, dtype=pl.String)
    quotes = raw.str.count_matches('"', literal=True)
    blank = raw.str.strip_chars(" \t" + sep) == ""
    slow_index: list[int] = []
    slow_text: list[str] = []
    used = 0
    joined = pl.Series("joined", [False] * len(lines), dtype=pl.Boolean)
    if quotes.sum():
        odd = set((quotes % 2 == 1).arg_true().to_list())
        joined_lines: list[int] = []
        skip_to = -1
        everything = lines + lookahead
        for i in (quotes > 0).arg_true().to_list():
            if i <= skip_to:
                continue
            text = lines[i]
            if i in odd and _ends_inside_quotes(text, sep):
                merged, j = text, i
                while j - i < MAX_RECORD_LINES - 1 and j + 1 < len(everything):
                    j += 1
                    merged += "\n" + everything[j]
                    if not _ends_inside_quotes(merged, sep):
                        text, skip_to = merged, j
                        joined_lines.extend(range(i + 1, min(j, len(lines) - 1) + 1))
                        used = max(used, j - len(lines) + 1)
                        break
            slow_index.append(i)
            slow_text.append(text)
        if joined_lines:
            joined = pl.Series("joined", [False] * len(lines), dtype=pl.Boolean).scatter(
                joined_lines, True
            )
    fast_mask = (quotes == 0) & ~blank & ~joined
    index = pl.int_range(0, len(lines), eager=True, dtype=pl.Int64)
    fast = pl.DataFrame({"_i": index.filter(fast_mask), "_raw": raw.filter(fast_mask)})
    fast = fast.with_columns(pl.col("_raw").str.split(sep).alias("_fields"))
    parts = [fast]
    if slow_index:
        try:
            fields = list(csv.reader(io.StringIO("\n".join(slow_text)), delimiter=sep))
        except csv.Error:
            fields = []
        if len(fields) != len(slow_text):  # a record the csv module could not take apart
            fields = [_split_one(t, sep) for t in slow_text]
        slow = pl.DataFrame(
            {
                "_i": pl.Series(slow_index, dtype=pl.Int64),
                "_raw": pl.Series(slow_text, dtype=pl.String),
                "_fields": pl.Series(fields, dtype=pl.List(pl.String)),
            }
        )
        parts.append(slow)
    records = pl.concat(parts).sort("_i") if len(parts) > 1 else fast
    return _fields_to_columns(records, start, source), used


def _fields_to_columns(records: pl.DataFrame, start: int, source: Source) -> pl.DataFrame:
    position = {name: i for i, name in enumerate(source.header)}
    exprs = [
        (pl.col("_i") + start).alias("_line"),
        pl.col("_raw"),
        pl.col("_fields").list.len().cast(pl.Int32).alias("_nfields"),
    ]
    for name in source.columns:
        if name in position:
            exprs.append(
                pl.col("_fields")
                .list.get(position[name], null_on_oob=True)
                .str.strip_chars()
                .alias(name)
            )
        else:
            exprs.append(pl.lit(None, dtype=pl.String).alias(name))
    return records.select(exprs)


# ---------------------------------------------------------------- Parquet


def _open_parquet(path: Path, kind: str) -> Source:
    import pyarrow.parquet as pq

    try:
        names = pq.ParquetFile(path).schema_arrow.names
    except Exception as exc:  # noqa: BLE001 - any failure means "not readable as Parquet"
        raise InputError(path, f"could not be read as a Parquet file ({exc})")
    return Source(
        path=path, kind=kind, format="parquet", header=[normalise_header(n) for n in names]
    )


def _parquet_chunks(source: Source, rows: int) -> Iterator[pl.DataFrame]:
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(source.path)
    original = parquet.schema_arrow.names
    offset = 0
    for batch in parquet.iter_batches(batch_size=max(1, rows)):
        frame = pl.from_arrow(batch)
        assert isinstance(frame, pl.DataFrame)
        frame = frame.rename({o: normalise_header(o) for o in original}).select(
            pl.all().cast(pl.String)
        )
        height = frame.height
        exprs = [
            pl.int_range(offset + 1, offset + 1 + height, dtype=pl.Int64).alias("_line"),
            pl.concat_str([pl.all().fill_null("")], separator=",").alias("_raw"),
            pl.lit(len(original), dtype=pl.Int32).alias("_nfields"),
        ]
        for name in source.columns:
            if name in frame.columns:
                exprs.append(pl.col(name).str.strip_chars())
            else:
                exprs.append(pl.lit(None, dtype=pl.String).alias(name))
        offset += height
        yield frame.select(exprs)
