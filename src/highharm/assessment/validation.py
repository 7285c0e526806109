"""The validation workbench engine: how well does a score predict an outcome, and for whom?

Pure computation (numpy, polars); no Django import, no scipy (it costs a second to import). Given a numeric
score and a 0/1 outcome per row (and optionally a group per row) it reports:

* n and base rate;
* AUC by the Mann–Whitney rank formula (ties count one half), with a seeded
  stratified percentile-bootstrap 95% interval;
* a calibration table by score band;
* at a threshold ("score >= threshold" is a positive prediction): accuracy,
  false positive rate, false negative rate and positive predictive value;
* the same figures for each value of the group column, and the largest
  between-group gaps.

A figure that cannot be computed (for example FNR when no row has outcome 1)
is None, and ``undefined`` says why.

Speed (docs/risk-tool.md, "Validation workbench"): every figure is computed
from a table of counts per distinct score value (one sort of the scores). The
bootstrap never resamples rows: a stratified row bootstrap is exactly a
multinomial draw of positive counts and of negative counts over the distinct
score values, and the AUC of a resample follows from cumulative sums over that
table. When there are more than ``max_bins`` distinct values, neighbouring
values are merged into quantile bins (ties never split) and each bin keeps its
own within-bin concordance, which makes the AUC of the original sample exact
and the bootstrap error negligible (measured in bench/validate.py).
"""

from __future__ import annotations

import csv
import io
import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist

import numpy as np
import polars as pl

DEFAULT_BANDS = 10
DEFAULT_BOOTSTRAP = 1000
DEFAULT_SEED = 20250605
DEFAULT_MAX_BINS = 500
DEFAULT_ROC_POINTS = 200
CONFIDENCE = 0.95
MAX_GROUPS = 50
MAX_BANDS = 100
MAX_BOOTSTRAP = 100_000
MISSING_GROUP = "(missing)"
SMALL_GROUP_N = 30
SMALL_GROUP_CLASS = 5
MISSING_TOKENS = ("", "na", "n/a", "nan", "null", "none")
_EXAMPLES = 5  # how many offending lines a message names

Progress = Callable[[int, int], None]


class ValidationInputError(ValueError):
    """The input cannot be used. ``problems`` holds one plain-English message per problem."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


@dataclass
class ValidationData:
    """Scores, outcomes and groups ready for :func:`validate`; built by :func:`read_table`."""

    score: np.ndarray  # float64, finite
    outcome: np.ndarray  # int8, 0 or 1
    group: np.ndarray | None = None  # int32 codes into group_labels
    group_labels: list[str] = field(default_factory=list)
    score_column: str = "score"
    outcome_column: str = "outcome"
    group_column: str | None = None
    source: str = ""
    rows_read: int = 0
    excluded_missing_score: int = 0
    excluded_where: list[str] = field(default_factory=list)  # the first few, e.g. "line 7"


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------


def _describe(where: list[str], total: int) -> str:
    shown = ", ".join(where[:_EXAMPLES])
    more = total - min(total, _EXAMPLES)
    return shown + (f" and {more:,} more" if more > 0 else "")


def _decode(data: bytes) -> bytes:
    """Return UTF-8 bytes: UTF-8 (with or without BOM) is kept, anything else is read as Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace").encode("utf-8")


def _separator(data: bytes) -> str:
    """The most frequent of comma, semicolon and tab on the first line (comma if none)."""
    end = data.find(b"\n")
    first = (data if end < 0 else data[:end]).decode("utf-8", errors="replace").rstrip("\r")
    if not first.strip():
        raise ValidationInputError("the file is empty: the first line should name the columns")
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","


def _csv_failure(data: bytes, separator: str, width: int, error: Exception) -> str:
    """Say which line broke the CSV reader, when a plain reading can tell."""
    text = io.StringIO(data.decode("utf-8"), newline="")
    for number, row in enumerate(csv.reader(text, delimiter=separator), start=1):
        if len(row) > width:
            return (
                f"line {number} has {len(row)} fields but the header names {width} "
                f"(is a value with a {separator!r} in it missing its quotes?)"
            )
    return f"the file could not be read as CSV (separator {separator!r}): {error}"


def _find_column(names: list[str], wanted: str, role: str) -> int:
    if wanted in names:
        if names.count(wanted) > 1:
            raise ValidationInputError(
                f"{role} column {wanted!r} appears {names.count(wanted)} times in the header"
            )
        return names.index(wanted)
    import difflib

    close = difflib.get_close_matches(wanted, names, n=1, cutoff=0.6)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    shown = ", ".join(repr(n) for n in names[:30]) + (" …" if len(names) > 30 else "")
    raise ValidationInputError(
        f"{role} column {wanted!r} is not in the file; its columns are {shown}.{hint}"
    )


def _read_frame(
    source: str | Path | bytes, columns: list[tuple[str, str]]
) -> tuple[pl.DataFrame, str, str]:
    """Read the named columns as a frame with columns named by role.

    Returns (frame, where-word, separator): rows are numbered as "line" (CSV, the
    header is line 1) or "row" (Parquet, the first data row is row 1).
    """
    name = str(source) if not isinstance(source, bytes) else ""
    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        if not path.is_file():
            raise ValidationInputError(f"no such file: {path}")
        data = path.read_bytes()
    if data[:4] == b"PAR1" or name.lower().endswith(".parquet"):
        try:
            schema_names = list(pl.read_parquet_schema(io.BytesIO(data)).keys())
        except Exception as error:  # noqa: BLE001 (any parse failure is bad input)
            raise ValidationInputError(f"the file is not readable Parquet: {error}")
        picked = [schema_names[_find_column(schema_names, col, role)] for role, col in columns]
        frame = pl.read_parquet(io.BytesIO(data), columns=picked)
        frame = frame.rename({old: role for old, (role, _) in zip(picked, columns, strict=True)})
        return frame, "row", ""
    if b"\x00" in data[:65536]:
        raise ValidationInputError("the file is not a text (CSV) file, nor Parquet")
    data = _decode(data)
    separator = _separator(data)
    try:
        raw_names = pl.read_csv(data, separator=separator, n_rows=0, infer_schema=False).columns
    except Exception as error:  # noqa: BLE001 (any parse failure is bad input)
        raise ValidationInputError(f"the first line could not be read as column names: {error}")
    # polars renames a repeated name (score, score_duplicated_0); the header as written decides.
    end = data.find(b"\n")
    first_line = (data if end < 0 else data[:end]).decode("utf-8").rstrip("\r")
    written = [name.strip() for name in next(csv.reader([first_line], delimiter=separator))]
    names = [name.strip() for name in raw_names]
    for _, col in columns:
        if written.count(col) > 1:
            raise ValidationInputError(
                f"column {col!r} appears {written.count(col)} times in the header; rename one"
            )
    indexes = [_find_column(names, col, role) for role, col in columns]
    try:
        frame = pl.read_csv(
            data,
            separator=separator,
            has_header=True,
            columns=[raw_names[i] for i in indexes],
            infer_schema=False,
            raise_if_empty=False,
        )
    except Exception as error:  # noqa: BLE001 (any parse failure is bad input)
        raise ValidationInputError(_csv_failure(data, separator, len(raw_names), error))
    frame = frame.select(
        [pl.col(raw_names[i]).alias(role) for i, (role, _) in zip(indexes, columns, strict=True)]
    )
    return frame, "line", separator


def read_table(
    source: str | Path | bytes,
    *,
    score: str,
    outcome: str,
    group: str | None = None,
    source_name: str = "",
) -> ValidationData:
    """Read and check a CSV (UTF-8 or Windows-1252; comma, semicolon or tab) or Parquet file.

    Rows with a missing score (blank, NA, NaN, null) are excluded and counted. A
    score that is not a finite number, or an outcome that is not 0 or 1, makes the
    input unusable: :class:`ValidationInputError` names the lines.
    """
    columns = [("score", score), ("outcome", outcome)]
    if group:
        columns.append(("group", group))
    chosen = [col for _, col in columns]
    if len(set(chosen)) < len(chosen):
        raise ValidationInputError(
            "the score, outcome and group columns must be different columns, not "
            + ", ".join(repr(c) for c in chosen)
        )
    frame, word, separator = _read_frame(source, columns)
    offset = 2 if word == "line" else 1
    rows_read = frame.height
    if rows_read == 0:
        raise ValidationInputError("the file has a header but no rows")

    problems: list[str] = []
    index = pl.int_range(pl.len(), dtype=pl.Int64).alias("_i")

    # Score: missing -> excluded; anything else must be a finite number.
    s = frame["score"]
    if s.dtype == pl.String:
        text = s.str.strip_chars()
        if separator == ";":  # European decimal comma alongside a semicolon separator
            text = text.str.replace(",", ".", literal=True)
        missing = text.is_null() | text.str.to_lowercase().is_in(list(MISSING_TOKENS))
        value = text.cast(pl.Float64, strict=False)
        bad = ~missing & (value.is_null() | value.is_infinite() | value.is_nan())
        raw = s
    elif s.dtype.is_numeric():
        value = s.cast(pl.Float64)
        missing = value.is_null() | value.is_nan()
        bad = ~missing & value.is_infinite()
        raw = s.cast(pl.String)
    else:
        raise ValidationInputError(
            f"score column {score!r} holds {s.dtype}, not numbers; choose a numeric column"
        )
    missing = missing.fill_null(True)
    bad = bad.fill_null(False)
    if bad.any():
        where = pl.DataFrame({"raw": raw, "bad": bad}).with_columns(index).filter(pl.col("bad"))
        examples = [
            f"{word} {i + offset} ({r!r})"
            for i, r in zip(where["_i"][:_EXAMPLES], where["raw"][:_EXAMPLES], strict=True)
        ]
        problems.append(
            f"score column {score!r} is not a number at {_describe(examples, where.height)}"
        )

    keep = ~missing
    excluded = int(missing.sum())
    excluded_where: list[str] = []
    if excluded:
        idx = pl.DataFrame({"m": missing}).with_columns(index).filter(pl.col("m"))["_i"]
        excluded_where = [f"{word} {int(i) + offset}" for i in idx[:_EXAMPLES]]

    # Outcome: must be 0 or 1 on every row that has a score.
    o = frame["outcome"]
    if o.dtype == pl.String:
        otext = o.str.strip_chars()
        ovalue = otext.cast(pl.Float64, strict=False)
    elif o.dtype.is_numeric() or o.dtype == pl.Boolean:
        otext = o.cast(pl.String)
        ovalue = o.cast(pl.Float64)
    else:
        raise ValidationInputError(f"outcome column {outcome!r} holds {o.dtype}, not 0/1")
    obad = (~ovalue.is_in([0.0, 1.0])).fill_null(True) & keep
    if obad.any():
        where = pl.DataFrame({"raw": otext, "bad": obad}).with_columns(index).filter(pl.col("bad"))
        examples = [
            f"{word} {i + offset} ({'blank' if r is None or r == '' else repr(r)})"
            for i, r in zip(where["_i"][:_EXAMPLES], where["raw"][:_EXAMPLES], strict=True)
        ]
        problems.append(
            f"outcome column {outcome!r} is not 0 or 1 at {_describe(examples, where.height)}"
        )

    if problems:
        raise ValidationInputError(problems)
    if excluded == rows_read:
        raise ValidationInputError(
            f"every row ({rows_read:,}) has a missing score in column {score!r}: nothing to validate"
        )

    score_values = value.filter(keep).to_numpy().astype(np.float64, copy=False)
    outcome_values = ovalue.filter(keep).to_numpy().astype(np.int8)

    codes = None
    labels: list[str] = []
    if group:
        codes, labels = _group_codes(frame["group"].filter(keep), f"group column {group!r}")

    return ValidationData(
        score=score_values,
        outcome=outcome_values,
        group=codes,
        group_labels=labels,
        score_column=score,
        outcome_column=outcome,
        group_column=group,
        source=source_name or (str(source) if not isinstance(source, bytes) else ""),
        rows_read=rows_read,
        excluded_missing_score=excluded,
        excluded_where=excluded_where,
    )


def _group_codes(values: pl.Series, what: str) -> tuple[np.ndarray, list[str]]:
    """Group codes (int32, one per row) and their labels, blank and null as MISSING_GROUP."""
    g = values.cast(pl.String).str.strip_chars()
    g = g.fill_null(MISSING_GROUP).replace("", MISSING_GROUP)
    labels = sorted(g.unique().to_list())
    if len(labels) > MAX_GROUPS:
        raise ValidationInputError(
            f"{what} has {len(labels):,} different values; at most {MAX_GROUPS} can be "
            "compared (is it an identifier rather than a group?)"
        )
    codes = g.replace_strict(old=labels, new=list(range(len(labels))), return_dtype=pl.Int32)
    return codes.to_numpy(), labels


def data_from_arrays(
    score,
    outcome,
    group=None,
    *,
    score_column: str = "score",
    outcome_column: str = "outcome",
    group_column: str | None = None,
) -> ValidationData:
    """Build :class:`ValidationData` from arrays (for callers that already hold the data).

    NaN scores are excluded and counted like blank ones; outcomes must be 0 or 1.
    """
    s = np.asarray(score, dtype=np.float64)
    y = np.asarray(outcome)
    if s.shape != y.shape or s.ndim != 1:
        raise ValidationInputError("score and outcome must be one-dimensional and the same length")
    if np.isinf(s).any():
        raise ValidationInputError("a score is infinite")
    keep = ~np.isnan(s)
    yk = y[keep]
    if yk.size and not np.isin(yk, (0, 1)).all():
        raise ValidationInputError("the outcome must be 0 or 1 on every row")
    codes = None
    labels: list[str] = []
    if group is not None:
        raw = np.asarray(group, dtype=object)
        if raw.shape != s.shape:
            raise ValidationInputError("group must be as long as score")
        g = pl.Series("g", raw[keep].tolist(), dtype=pl.String, strict=False)
        codes, labels = _group_codes(g, "group")
    if not keep.any():
        raise ValidationInputError("every score is missing: nothing to validate")
    excluded = int((~keep).sum())
    return ValidationData(
        score=s[keep],
        outcome=yk.astype(np.int8),
        group=codes,
        group_labels=labels,
        score_column=score_column,
        outcome_column=outcome_column,
        group_column=(group_column or "group") if group is not None else None,
        rows_read=int(s.size),
        excluded_missing_score=excluded,
        excluded_where=[f"row {i + 1}" for i in np.flatnonzero(~keep)[:_EXAMPLES]],
    )


# --------------------------------------------------------------------------------------
# Counts per distinct score, AUC, bins
# --------------------------------------------------------------------------------------


@dataclass
class ScoreTable:
    """Counts per distinct score value, in ascending score order."""

    values: np.ndarray  # float64
    pos: np.ndarray  # int64, rows with outcome 1
    neg: np.ndarray  # int64, rows with outcome 0

    @property
    def total(self) -> np.ndarray:
        return self.pos + self.neg

    @property
    def n_pos(self) -> int:
        return int(self.pos.sum())

    @property
    def n_neg(self) -> int:
        return int(self.neg.sum())


def score_table(score: np.ndarray, outcome: np.ndarray) -> ScoreTable:
    """Counts of outcome-1 and outcome-0 rows per distinct score."""
    score = np.asarray(score, dtype=np.float64)
    order = np.argsort(score)
    return sorted_score_table(score[order], np.asarray(outcome)[order])


def sorted_score_table(score: np.ndarray, outcome: np.ndarray) -> ScoreTable:
    """:func:`score_table` for scores already in ascending order (no sort needed)."""
    if score.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return ScoreTable(values=np.zeros(0), pos=empty, neg=empty)
    starts = np.flatnonzero(np.concatenate([[True], score[1:] != score[:-1]]))
    total = np.diff(np.append(starts, score.size)).astype(np.int64)
    pos = np.add.reduceat(outcome.astype(np.int64), starts)
    return ScoreTable(values=score[starts], pos=pos, neg=total - pos)


def auc_from_counts(pos: np.ndarray, neg: np.ndarray) -> float | None:
    """AUC from counts per distinct score (ascending): the Mann–Whitney U / (P·N).

    Each (outcome-1, outcome-0) pair counts 1 when the outcome-1 row scores
    higher and 1/2 when they tie, which is what ranking with average ranks gives.
    Integer arithmetic (doubled) keeps it exact.
    """
    pos = np.asarray(pos, dtype=np.int64)
    neg = np.asarray(neg, dtype=np.int64)
    n_pos, n_neg = int(pos.sum()), int(neg.sum())
    if n_pos == 0 or n_neg == 0:
        return None
    below = np.cumsum(neg) - neg
    twice_u = int(2 * (pos * below).sum() + (pos * neg).sum())
    return twice_u / (2 * n_pos * n_neg)


def auc(score, outcome) -> float | None:
    """AUC of a score for a 0/1 outcome; None when either class is absent."""
    table = score_table(np.asarray(score, dtype=np.float64), np.asarray(outcome))
    return auc_from_counts(table.pos, table.neg)


def quantile_ids(total: np.ndarray, parts: int) -> np.ndarray:
    """Assign consecutive distinct values (with counts ``total``) to at most ``parts`` bins.

    A distinct value goes to bin floor(rows before it · parts / n), so bins hold
    about n/parts rows, tied scores always share a bin, and empty bin numbers are
    closed up. Returns a bin id (0, 1, …) per distinct value.
    """
    total = np.asarray(total, dtype=np.int64)
    if len(total) <= parts:
        return np.arange(len(total), dtype=np.int64)
    before = np.cumsum(total) - total
    raw = before * parts // int(total.sum())
    change = np.diff(raw, prepend=raw[0]) > 0
    return np.cumsum(change).astype(np.int64)


@dataclass
class BinnedTable:
    """A score table merged into bins, with each bin's own concordance."""

    pos: np.ndarray
    neg: np.ndarray
    concordance: np.ndarray  # share of (1, 0) pairs inside the bin ranked right (ties 1/2)
    lower: np.ndarray
    upper: np.ndarray
    exact: bool  # True when every bin is one distinct value


def bin_table(table: ScoreTable, max_bins: int) -> BinnedTable:
    ids = quantile_ids(table.total, max_bins)
    k = int(ids[-1]) + 1 if len(ids) else 0
    pos = np.bincount(ids, weights=table.pos, minlength=k).astype(np.int64)
    neg = np.bincount(ids, weights=table.neg, minlength=k).astype(np.int64)
    # Concordant (1, 0) pairs within each bin, counted per distinct value j in bin b:
    # pos_j * (outcome-0 rows in b below j + half the outcome-0 rows tied at j).
    cum_neg_before = np.cumsum(table.neg) - table.neg
    bin_start = np.flatnonzero(np.diff(ids, prepend=-1))  # first distinct value of each bin
    neg_before_bin = cum_neg_before[bin_start][ids]
    twice = 2 * table.pos * (cum_neg_before - neg_before_bin) + table.pos * table.neg
    twice_in_bin = np.bincount(ids, weights=twice, minlength=k)
    pairs = pos * neg
    with np.errstate(invalid="ignore", divide="ignore"):
        concordance = np.where(pairs > 0, twice_in_bin / (2.0 * np.maximum(pairs, 1)), 0.5)
    bin_end = np.append(bin_start[1:], len(ids)) - 1
    return BinnedTable(
        pos=pos,
        neg=neg,
        concordance=concordance,
        lower=table.values[bin_start],
        upper=table.values[bin_end],
        exact=k == len(ids),
    )


def binned_auc(pos: np.ndarray, neg: np.ndarray, concordance: np.ndarray) -> np.ndarray:
    """AUC of one or many count tables over the same bins (rows = resamples).

    Pairs in different bins are ranked by bin; pairs inside a bin count their
    bin's concordance. With one distinct value per bin this is the exact AUC.
    """
    pos = np.atleast_2d(pos)
    neg = np.atleast_2d(neg)
    n_pos = pos.sum(axis=1)
    n_neg = neg.sum(axis=1)
    below = np.cumsum(neg, axis=1) - neg
    across = (pos * below).sum(axis=1).astype(np.float64)
    within = (pos * neg).astype(np.float64) @ concordance
    with np.errstate(invalid="ignore", divide="ignore"):
        return (across + within) / (n_pos * n_neg).astype(np.float64)


def bootstrap_auc(
    binned: BinnedTable,
    *,
    resamples: int,
    rng: np.random.Generator,
    chunk: int = 200,
    progress: Progress | None = None,
) -> np.ndarray:
    """AUCs of ``resamples`` stratified bootstrap resamples, drawn as multinomial counts.

    Resampling P outcome-1 rows with replacement from the outcome-1 rows is the
    same, in distribution, as drawing their counts per bin from
    Multinomial(P, pos/P); likewise for the outcome-0 rows. Cost: resamples × bins,
    whatever the number of rows.
    """
    n_pos, n_neg = int(binned.pos.sum()), int(binned.neg.sum())
    out = np.empty(resamples, dtype=np.float64)
    p_pos = binned.pos / n_pos
    p_neg = binned.neg / n_neg
    done = 0
    while done < resamples:
        m = min(chunk, resamples - done)
        pos = rng.multinomial(n_pos, p_pos, size=m)
        neg = rng.multinomial(n_neg, p_neg, size=m)
        out[done : done + m] = binned_auc(pos, neg, binned.concordance)
        done += m
        if progress is not None:
            progress(m, resamples)
    return out


def percentile_interval(values: np.ndarray, confidence: float = CONFIDENCE) -> list[float]:
    alpha = (1 - confidence) / 2
    lo, hi = np.percentile(values, [100 * alpha, 100 * (1 - alpha)])
    return [float(lo), float(hi)]


def wilson_interval(successes: int, n: int, confidence: float = CONFIDENCE) -> list[float] | None:
    """Wilson score interval for a proportion (Wilson 1927); None when n is 0."""
    if n == 0:
        return None
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return [max(0.0, centre - half), min(1.0, centre + half)]


# --------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------


def _ratio(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else numerator / denominator


def confusion(tp: int, fp: int, tn: int, fn: int) -> dict:
    """Accuracy, FPR, FNR and PPV from a confusion matrix; None with a reason when undefined."""
    n = tp + fp + tn + fn
    figures = {
        "accuracy": _ratio(tp + tn, n),
        "fpr": _ratio(fp, fp + tn),
        "fnr": _ratio(fn, fn + tp),
        "ppv": _ratio(tp, tp + fp),
        "tpr": _ratio(tp, tp + fn),
        "tnr": _ratio(tn, tn + fp),
        "predicted_positive_rate": _ratio(tp + fp, n),
    }
    reasons = {
        "accuracy": "no rows",
        "fpr": "no rows with outcome 0, so there can be no false positives to count",
        "fnr": "no rows with outcome 1, so there can be no false negatives to count",
        "ppv": "no row scores at or above the threshold, so nothing is predicted positive",
        "tpr": "no rows with outcome 1",
        "tnr": "no rows with outcome 0",
        "predicted_positive_rate": "no rows",
    }
    undefined = {k: reasons[k] for k, v in figures.items() if v is None}
    return {
        **figures,
        "confusion": {"tp": tp, "fp": fp, "tn": tn, "fn": fn},
        "undefined": undefined,
    }


def _calibration(table: ScoreTable, bands: int, method: str) -> list[dict]:
    total = table.total
    n = int(total.sum())
    if method == "quantile":
        ids = quantile_ids(total, bands)
    elif method == "equal":
        lo, hi = float(table.values[0]), float(table.values[-1])
        if hi == lo:
            ids = np.zeros(len(total), dtype=np.int64)
        else:
            raw = np.floor((table.values - lo) / (hi - lo) * bands).astype(np.int64)
            raw = np.minimum(raw, bands - 1)  # the top value belongs to the last band
            ids = np.cumsum(np.diff(raw, prepend=raw[0]) > 0).astype(np.int64)
    else:
        raise ValueError(f"unknown band method {method!r}: use 'quantile' or 'equal'")
    k = int(ids[-1]) + 1
    band_n = np.bincount(ids, weights=total, minlength=k).astype(np.int64)
    band_pos = np.bincount(ids, weights=table.pos, minlength=k).astype(np.int64)
    band_sum = np.bincount(ids, weights=table.values * total, minlength=k)
    start = np.flatnonzero(np.diff(ids, prepend=-1))
    end = np.append(start[1:], len(ids)) - 1
    rows = []
    for b in range(k):
        rows.append(
            {
                "band": b + 1,
                "lower": float(table.values[start[b]]),
                "upper": float(table.values[end[b]]),
                "n": int(band_n[b]),
                "share": int(band_n[b]) / n,
                "positives": int(band_pos[b]),
                "mean_score": float(band_sum[b] / band_n[b]),
                "observed_rate": int(band_pos[b]) / int(band_n[b]),
                "observed_ci": wilson_interval(int(band_pos[b]), int(band_n[b])),
            }
        )
    return rows


def _roc(table: ScoreTable, points: int) -> list[list[float]]:
    """ROC vertices at up to ``points`` quantile thresholds (exact vertices, thinned)."""
    if table.n_pos == 0 or table.n_neg == 0:
        return []
    ids = quantile_ids(table.total, points)
    k = int(ids[-1]) + 1
    pos = np.bincount(ids, weights=table.pos, minlength=k)[::-1]
    neg = np.bincount(ids, weights=table.neg, minlength=k)[::-1]
    tpr = np.concatenate([[0.0], np.cumsum(pos) / table.n_pos])
    fpr = np.concatenate([[0.0], np.cumsum(neg) / table.n_neg])
    return [[float(x), float(y)] for x, y in zip(fpr, tpr, strict=True)]


def _figures(
    score: np.ndarray,
    outcome: np.ndarray,
    threshold: float,
    *,
    resamples: int,
    rng: np.random.Generator,
    max_bins: int,
    roc_points: int,
    progress: Progress | None,
) -> tuple[dict, ScoreTable]:
    n = int(score.size)
    table = sorted_score_table(score, outcome)  # callers pass scores in ascending order
    n_pos, n_neg = table.n_pos, table.n_neg
    predicted = score >= threshold
    tp = int(np.count_nonzero(predicted & (outcome == 1)))
    fp = int(np.count_nonzero(predicted)) - tp
    fn = n_pos - tp
    tn = n_neg - fp
    result = {
        "n": n,
        "positives": n_pos,
        "negatives": n_neg,
        "base_rate": _ratio(n_pos, n),
        "auc": auc_from_counts(table.pos, table.neg),
        "auc_ci": None,
    }
    undefined: dict[str, str] = {}
    if result["auc"] is None:
        undefined["auc"] = (
            "every row has outcome 0; the AUC needs rows of both outcomes"
            if n_pos == 0
            else "every row has outcome 1; the AUC needs rows of both outcomes"
        )
        undefined["auc_ci"] = undefined["auc"]
    elif resamples <= 0:
        undefined["auc_ci"] = "no bootstrap resamples were asked for"
    else:
        binned = bin_table(table, max_bins)
        draws = bootstrap_auc(binned, resamples=resamples, rng=rng, progress=progress)
        result["auc_ci"] = percentile_interval(draws)
        result["auc_bins"] = len(binned.pos)
    figures = confusion(tp, fp, tn, fn)
    undefined.update(figures.pop("undefined"))
    result.update(figures)
    result["roc"] = _roc(table, roc_points)
    result["undefined"] = undefined
    return result, table


def _gap(groups: dict[str, dict], key: str) -> dict:
    defined = {g: f[key] for g, f in groups.items() if f[key] is not None}
    if len(defined) < 2:
        return {
            "gap": None,
            "highest": None,
            "lowest": None,
            "ratio": None,
            "reason": f"fewer than two groups have a defined {key.upper()}",
        }
    highest = max(defined, key=lambda g: defined[g])
    lowest = min(defined, key=lambda g: defined[g])
    return {
        "gap": defined[highest] - defined[lowest],
        "highest": highest,
        "lowest": lowest,
        "ratio": (defined[highest] / defined[lowest]) if defined[lowest] > 0 else None,
    }


def validate(
    data: ValidationData,
    *,
    threshold: float | None = None,
    bands: int = DEFAULT_BANDS,
    band_method: str = "quantile",
    bootstrap: int = DEFAULT_BOOTSTRAP,
    seed: int = DEFAULT_SEED,
    max_bins: int = DEFAULT_MAX_BINS,
    roc_points: int = DEFAULT_ROC_POINTS,
    progress: Progress | None = None,
) -> dict:
    """The workbench report as a JSON-ready dict (keys documented in docs/risk-tool.md)."""
    if not 1 <= bands <= MAX_BANDS:
        raise ValidationInputError(f"bands must be between 1 and {MAX_BANDS}, not {bands}")
    if not 0 <= bootstrap <= MAX_BOOTSTRAP:
        raise ValidationInputError(
            f"bootstrap resamples must be between 0 and {MAX_BOOTSTRAP:,}, not {bootstrap}"
        )
    if threshold is not None and not math.isfinite(threshold):
        raise ValidationInputError("the threshold must be a finite number")
    if max_bins < 2:
        raise ValueError("max_bins must be at least 2")
    # One sort serves the whole report: each group's rows keep the ascending order.
    order = np.argsort(data.score)
    score, outcome = data.score[order], data.outcome[order]
    group = data.group[order] if data.group is not None else None
    if threshold is None:
        threshold = float(np.median(score))
        threshold_rule = "default: the median score"
    else:
        threshold = float(threshold)
        threshold_rule = "given"

    groups_total = len(data.group_labels) if data.group is not None else 0
    total_work = bootstrap * (1 + groups_total)
    done = 0

    def tick(m: int, _total: int) -> None:
        nonlocal done
        done += m
        if progress is not None:
            progress(done, total_work)

    overall, table = _figures(
        score,
        outcome,
        threshold,
        resamples=bootstrap,
        rng=np.random.default_rng(seed),
        max_bins=max_bins,
        roc_points=roc_points,
        progress=tick,
    )
    report: dict = {
        "source": data.source,
        "score_column": data.score_column,
        "outcome_column": data.outcome_column,
        "group_column": data.group_column,
        "rows_read": data.rows_read,
        "excluded_missing_score": data.excluded_missing_score,
        "excluded_where": data.excluded_where,
        "n": overall["n"],
        "positives": overall["positives"],
        "negatives": overall["negatives"],
        "base_rate": overall["base_rate"],
        "auc": overall["auc"],
        "auc_ci": overall["auc_ci"],
        "auc_ci_method": (
            f"percentile bootstrap, {bootstrap} stratified resamples, seed {seed}"
            if bootstrap
            else "none"
        ),
        "bootstrap": bootstrap,
        "seed": seed,
        "confidence": CONFIDENCE,
        "threshold": threshold,
        "threshold_rule": threshold_rule,
        "accuracy": overall["accuracy"],
        "fpr": overall["fpr"],
        "fnr": overall["fnr"],
        "ppv": overall["ppv"],
        "tpr": overall["tpr"],
        "tnr": overall["tnr"],
        "predicted_positive_rate": overall["predicted_positive_rate"],
        "confusion": overall["confusion"],
        "score_min": float(table.values[0]),
        "score_max": float(table.values[-1]),
        "distinct_scores": len(table.values),
        "score_is_probability": bool(table.values[0] >= 0 and table.values[-1] <= 1),
        "band_method": band_method,
        "bands_requested": bands,
        "calibration": _calibration(table, bands, band_method),
        "roc": overall["roc"],
        "undefined": overall["undefined"],
        "groups": {},
        "disparities": {},
    }
    if "auc_bins" in overall:
        report["auc_bins"] = overall["auc_bins"]

    if data.group is not None:
        groups: dict[str, dict] = {}
        for code, label in enumerate(data.group_labels):
            mask = group == code
            figures, _ = _figures(
                score[mask],
                outcome[mask],
                threshold,
                resamples=bootstrap,
                rng=np.random.default_rng([seed, zlib.crc32(label.encode())]),
                max_bins=max_bins,
                roc_points=roc_points,
                progress=tick,
            )
            figures["small"] = bool(
                figures["n"] < SMALL_GROUP_N
                or figures["positives"] < SMALL_GROUP_CLASS
                or figures["negatives"] < SMALL_GROUP_CLASS
            )
            figures.pop("auc_bins", None)
            groups[label] = figures
        report["groups"] = groups
        report["disparities"] = {key: _gap(groups, key) for key in ("fpr", "fnr", "ppv", "auc")}
    return report


def without_curves(report: dict) -> dict:
    """The report without the ROC vertex lists (for compact JSON)."""
    slim = {k: v for k, v in report.items() if k != "roc"}
    slim["groups"] = {
        g: {k: v for k, v in f.items() if k != "roc"} for g, f in report["groups"].items()
    }
    return slim


# --------------------------------------------------------------------------------------
# Text output
# --------------------------------------------------------------------------------------


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def _num(x: float | None, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _score(x: float) -> str:
    return f"{x:g}" if abs(x) < 1e6 else f"{x:.6g}"


def _ci(ci: list[float] | None) -> str:
    return "" if ci is None else f" ({_num(ci[0])}–{_num(ci[1])})"


def format_text(report: dict) -> str:
    """A plain-text report for the terminal."""
    lines: list[str] = []
    add = lines.append
    source = f" in {report['source']}" if report.get("source") else ""
    add(f"Validation of score {report['score_column']!r} against outcome "
        f"{report['outcome_column']!r}{source}")  # fmt: skip
    add(f"Rows read: {report['rows_read']:,}; used: {report['n']:,}; "
        f"excluded (score missing): {report['excluded_missing_score']:,}"
        + (f" (at {_describe(report['excluded_where'], report['excluded_missing_score'])})"
           if report["excluded_missing_score"] else ""))  # fmt: skip
    add("")
    add(f"n                {report['n']:,}")
    add(f"Base rate        {_pct(report['base_rate'])} ({report['positives']:,} with outcome 1)")
    add(f"AUC              {_num(report['auc'])}"
        + (f"   95% CI {_num(report['auc_ci'][0])}–{_num(report['auc_ci'][1])} "
           f"({report['auc_ci_method']})" if report["auc_ci"] else ""))  # fmt: skip
    add(f"Threshold        score >= {_score(report['threshold'])} ({report['threshold_rule']}); "
        f"{_pct(report['predicted_positive_rate'])} predicted positive")  # fmt: skip
    add(f"Accuracy         {_num(report['accuracy'])}")
    add(f"False pos. rate  {_num(report['fpr'])}")
    add(f"False neg. rate  {_num(report['fnr'])}")
    add(f"Pos. pred. value {_num(report['ppv'])}")
    c = report["confusion"]
    add(f"Confusion        TP {c['tp']:,}  FP {c['fp']:,}  TN {c['tn']:,}  FN {c['fn']:,}")
    add("")
    add(f"Calibration ({len(report['calibration'])} {report['band_method']} bands of the score)")
    add(f"  {'band':>4}  {'scores':>23}  {'n':>10}  {'mean score':>10}  {'observed':>9}  95% CI")
    for band in report["calibration"]:
        bounds = f"{_score(band['lower'])} – {_score(band['upper'])}"
        add(f"  {band['band']:>4}  {bounds:>23}  {band['n']:>10,}  {band['mean_score']:>10.4g}  "
            f"{_pct(band['observed_rate']):>9}  {_pct(band['observed_ci'][0])}–"
            f"{_pct(band['observed_ci'][1])}")  # fmt: skip
    if report["groups"]:
        add("")
        add(f"Groups (column {report['group_column']!r}; threshold as above)")
        width = max(5, *(len(g) for g in report["groups"]))
        add(f"  {'group':<{width}}  {'n':>10}  {'base rate':>9}  {'AUC (95% CI)':>20}  "
            f"{'FPR':>6}  {'FNR':>6}  {'PPV':>6}")  # fmt: skip
        for label, f in report["groups"].items():
            auc_text = _num(f["auc"]) + _ci(f["auc_ci"])
            add(f"  {label:<{width}}  {f['n']:>10,}  {_pct(f['base_rate']):>9}  {auc_text:>20}  "
                f"{_num(f['fpr']):>6}  {_num(f['fnr']):>6}  {_num(f['ppv']):>6}"
                + ("  small group: figures unreliable" if f["small"] else ""))  # fmt: skip
        add("")
        add("Largest gaps between groups")
        for key in ("fpr", "fnr", "ppv", "auc"):
            d = report["disparities"][key]
            if d["gap"] is None:
                add(f"  {key.upper():<4} –  ({d['reason']})")
            else:
                hi = report["groups"][d["highest"]][key]
                lo = report["groups"][d["lowest"]][key]
                add(f"  {key.upper():<4} {d['gap']:.3f}  ({d['highest']} {hi:.3f} vs "
                    f"{d['lowest']} {lo:.3f})")  # fmt: skip
    notes = [f"{k.upper()}: {v}" for k, v in report["undefined"].items() if k in _SHOWN]
    for label, f in report["groups"].items():
        notes += [f"{label}: {k.upper()}: {v}" for k, v in f["undefined"].items() if k in _SHOWN]
    if notes:
        add("")
        add("Not computed")
        lines.extend(f"  {note}" for note in notes)
    return "\n".join(lines) + "\n"


_SHOWN = ("auc", "accuracy", "fpr", "fnr", "ppv")
