"""The offence catalogue: read, validate and load a table of offences and harm weights.

A catalogue file has the columns of the data contract::

    code,name,category,domestic,stalking,sexual,strangulation,weapon,breach,harm_days,source

It may be UTF-8 (with or without a byte-order mark) or Windows-1252, separated
by commas or semicolons. Every row is checked before anything is written; one
bad row means nothing at all is written, and every problem is reported with
its line, its column and the reason.

`catalogue_parse` is pure (no database). `catalogue_load` writes, in one
transaction. The default catalogue ships as `highharm/data/offences.csv`;
how its weights were derived is in docs/harm-index.md.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

DEFAULT_CATALOGUE_PATH = Path(__file__).resolve().parent.parent / "data" / "offences.csv"
DEFAULT_CATALOGUE_NAME = "highharm-default"

FLAG_COLUMNS = ("domestic", "stalking", "sexual", "strangulation", "weapon", "breach")
COLUMNS = ("code", "name", "category", *FLAG_COLUMNS, "harm_days", "source")
_TRUE = {"y", "yes", "1", "true", "t"}
_FALSE = {"n", "no", "0", "false", "f", ""}
_CODE = re.compile(r"^[A-Za-z0-9_./-]{1,20}$")
_DECIMAL_COMMA = re.compile(r"^\d+,\d+$")
NAME_MAX = 200
CATALOGUE_NAME_MAX = 60


@dataclass(frozen=True)
class CatalogueError:
    """One problem in a catalogue file. `line` is the file's line number (header = 1)."""

    line: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.reason}" if where else self.reason


@dataclass(frozen=True)
class CatalogueRow:
    line: int
    code: str
    name: str
    category: str
    flags: dict[str, bool]
    harm_days: float
    source: str


@dataclass
class CatalogueParse:
    rows: list[CatalogueRow] = field(default_factory=list)
    errors: list[CatalogueError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""


@dataclass
class CatalogueLoadResult:
    """What a load did. Nothing was written if `errors` is not empty."""

    name: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    kept_in_use: list[str] = field(default_factory=list)
    errors: list[CatalogueError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        text = (
            f"catalogue {self.name!r}: {self.inserted} inserted, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        )
        if self.deleted:
            text += f", {self.deleted} deleted"
        if self.kept_in_use:
            text += (
                f"; kept {len(self.kept_in_use)} not in the file because incidents use them: "
                + ", ".join(self.kept_in_use)
            )
        return text


def _decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). Raises UnicodeDecodeError if neither encoding fits."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252"), "cp1252"


def _delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _category_lookup(categories: dict[str, str]) -> dict[str, str]:
    """Map lower-cased value and label to the stored value."""
    lookup = {}
    for value, label in categories.items():
        lookup[value.lower()] = value
        lookup[label.lower()] = value
    return lookup


def catalogue_parse(data: bytes, *, categories: dict[str, str]) -> CatalogueParse:
    """Read and check catalogue bytes. `categories` maps stored value -> human label.

    Pure: no database. Every row is checked; all problems are collected.
    """
    result = CatalogueParse()
    try:
        text, result.encoding = _decode(data)
    except UnicodeDecodeError as exc:
        result.errors.append(
            CatalogueError(
                None, None, f"the file is neither UTF-8 nor Windows-1252 (byte {exc.start})"
            )
        )
        return result
    if not text.strip():
        result.errors.append(CatalogueError(None, None, "the file is empty"))
        return result

    first_line = text.splitlines()[0]
    result.delimiter = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=result.delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        result.errors.append(CatalogueError(1, None, f"the header cannot be read: {exc}"))
        return result
    header = [h.strip().lstrip("\ufeff").lower() for h in header]
    missing = [c for c in COLUMNS if c not in header]
    for column in missing:
        result.errors.append(CatalogueError(1, column, "required column is missing"))
    seen_headers: set[str] = set()
    for h in header:
        if h in seen_headers and h in COLUMNS:
            result.errors.append(CatalogueError(1, h, "column appears twice in the header"))
        seen_headers.add(h)
    extra = [h for h in header if h and h not in COLUMNS]
    if extra:
        result.warnings.append("ignored unknown columns: " + ", ".join(extra))
    if result.errors:
        return result
    index = {name: header.index(name) for name in COLUMNS}
    lookup = _category_lookup(categories)
    first_line_of_code: dict[str, int] = {}

    line = 1
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            result.errors.append(CatalogueError(start, None, f"the row cannot be read: {exc}"))
            break
        line = start
        if not record or all(not cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            result.errors.append(
                CatalogueError(
                    line,
                    None,
                    f"the row has {len(record)} fields but the header has {len(header)}"
                    f" (separator {result.delimiter!r})",
                )
            )
            continue
        code = record[index["code"]].strip()
        if code and code in first_line_of_code:
            result.errors.append(
                CatalogueError(
                    line,
                    "code",
                    f"duplicate code {code!r}: already on line {first_line_of_code[code]}",
                )
            )
        elif code:
            first_line_of_code[code] = line
        row = _check_row(record, index, line, lookup, result.delimiter, result.errors)
        if row is not None and first_line_of_code.get(row.code) == line:
            result.rows.append(row)

    if not result.rows and not result.errors:
        result.errors.append(CatalogueError(None, None, "the file has a header but no offences"))
    return result


def _check_row(record, index, line, lookup, delimiter, errors) -> CatalogueRow | None:
    problems: list[CatalogueError] = []

    def cell(name: str) -> str:
        return record[index[name]].strip()

    code = cell("code")
    if not code:
        problems.append(CatalogueError(line, "code", "code is empty"))
    elif not _CODE.match(code):
        problems.append(
            CatalogueError(
                line,
                "code",
                f"code {code!r} must be 1-20 letters, digits or _ . / - (no spaces)",
            )
        )

    name = cell("name")
    if not name:
        problems.append(CatalogueError(line, "name", "name is empty"))
    elif len(name) > NAME_MAX:
        problems.append(
            CatalogueError(line, "name", f"name is {len(name)} characters; at most {NAME_MAX}")
        )

    raw_category = cell("category")
    category = lookup.get(raw_category.lower())
    if category is None:
        allowed = ", ".join(sorted({v for v in lookup.values()}))
        problems.append(
            CatalogueError(
                line, "category", f"unknown category {raw_category!r}; use one of: {allowed}"
            )
        )

    flags = {}
    for flag in FLAG_COLUMNS:
        raw = cell(flag).lower()
        if raw in _TRUE:
            flags[flag] = True
        elif raw in _FALSE:
            flags[flag] = False
        else:
            problems.append(
                CatalogueError(
                    line, flag, f"{cell(flag)!r} is not Y/N (also 1/0, yes/no, true/false)"
                )
            )

    raw_harm = cell("harm_days")
    harm = None
    candidate = raw_harm
    if delimiter == ";" and _DECIMAL_COMMA.match(candidate):
        candidate = candidate.replace(",", ".")
    if not raw_harm:
        problems.append(CatalogueError(line, "harm_days", "harm_days is empty"))
    else:
        try:
            harm = float(candidate)
        except ValueError:
            problems.append(
                CatalogueError(line, "harm_days", f"{raw_harm!r} is not a number of days")
            )
        else:
            if not math.isfinite(harm):
                problems.append(
                    CatalogueError(line, "harm_days", f"{raw_harm!r} is not a finite number")
                )
                harm = None
            elif harm < 0:
                problems.append(
                    CatalogueError(
                        line, "harm_days", f"{raw_harm} is negative; harm must be 0 or more"
                    )
                )
                harm = None

    source = cell("source")
    if not source:
        problems.append(
            CatalogueError(line, "source", "source is empty; say where the weight comes from")
        )

    if problems:
        errors.extend(problems)
        return None
    return CatalogueRow(
        line=line,
        code=code,
        name=name,
        category=category,
        flags=flags,
        harm_days=harm,
        source=source,
    )


def _row_differs(offence, row: CatalogueRow, name: str) -> list[str]:
    changed = []
    for attr in ("name", "category", "source"):
        if getattr(offence, attr) != getattr(row, attr):
            changed.append(attr)
    for flag in FLAG_COLUMNS:
        if getattr(offence, flag) != row.flags[flag]:
            changed.append(flag)
    if not math.isclose(offence.harm_days, row.harm_days, rel_tol=0, abs_tol=1e-9):
        changed.append("harm_days")
    if offence.catalogue != name:
        changed.append("catalogue")
    return changed


def catalogue_load(
    *, path: str | Path, name: str | None = None, replace: bool = False
) -> CatalogueLoadResult:
    """Load a catalogue file into `Offence`, in one transaction.

    New codes are inserted, changed rows updated, identical rows left alone.
    With `replace`, offences not in the file are deleted unless an incident
    uses them; those are kept and listed in the result. If any row is invalid,
    nothing is written and the result lists every error.
    """
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    from highharm.records.models import Incident, Offence

    path = Path(path)
    if name is None:
        name = DEFAULT_CATALOGUE_NAME if path.resolve() == DEFAULT_CATALOGUE_PATH else path.stem
    name = name.strip()
    result = CatalogueLoadResult(name=name)
    if not name or len(name) > CATALOGUE_NAME_MAX:
        result.errors.append(
            CatalogueError(None, None, f"catalogue name must be 1-{CATALOGUE_NAME_MAX} characters")
        )
        return result
    try:
        data = path.read_bytes()
    except OSError as exc:
        result.errors.append(CatalogueError(None, None, f"cannot read {path}: {exc.strerror}"))
        return result

    parsed = catalogue_parse(data, categories=dict(Offence.Category.choices))
    result.warnings = parsed.warnings
    if parsed.errors:
        result.errors = parsed.errors
        return result

    reason = f"load-catalogue {name}"[:100]
    with transaction.atomic():
        existing = {o.code: o for o in Offence.objects.select_for_update().all()}
        to_create, to_update, update_fields = [], [], set()
        for row in parsed.rows:
            offence = existing.get(row.code)
            if offence is None:
                to_create.append(
                    Offence(
                        code=row.code,
                        name=row.name,
                        category=row.category,
                        harm_days=row.harm_days,
                        source=row.source,
                        catalogue=name,
                        **row.flags,
                    )
                )
                continue
            changed = _row_differs(offence, row, name)
            if not changed:
                result.unchanged += 1
                continue
            offence.name, offence.category, offence.source = row.name, row.category, row.source
            offence.harm_days, offence.catalogue = row.harm_days, name
            for flag, value in row.flags.items():
                setattr(offence, flag, value)
            update_fields.update(changed)
            to_update.append(offence)
        if to_create:
            bulk_create_with_history(to_create, Offence, default_change_reason=reason)
        if to_update:
            bulk_update_with_history(
                to_update, Offence, sorted(update_fields), default_change_reason=reason
            )
        result.inserted, result.updated = len(to_create), len(to_update)

        if replace:
            in_file = {row.code for row in parsed.rows}
            absent = Offence.objects.exclude(code__in=in_file)
            used = set(
                Incident.objects.filter(offence__in=absent)
                .values_list("offence__code", flat=True)
                .distinct()
            )
            result.kept_in_use = sorted(used)
            doomed = list(absent.exclude(code__in=used))
            for offence in doomed:
                offence._change_reason = reason
                offence.delete()
            result.deleted = len(doomed)
    return result


def catalogue_load_default(*, replace: bool = False) -> CatalogueLoadResult:
    """Load the shipped default catalogue (highharm/data/offences.csv)."""
    return catalogue_load(path=DEFAULT_CATALOGUE_PATH, name=DEFAULT_CATALOGUE_NAME, replace=replace)
