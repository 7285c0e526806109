"""Dates: ISO YYYY-MM-DD and UK DD/MM/YYYY are read; a time of day is ignored; anything
else, or a day that does not exist, is rejected with the reason. The vectorised parser is
checked against a plain-Python reference on generated strings."""

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from highharm.records.importer import schema, validation
from highharm.records.models import Incident
from tests.records.importing import (
    INCIDENTS_HEADER,
    PEOPLE,
    PERSONS_HEADER,
    incident,
    read_rejects,
    run_import,
    write,
)


def test_it_reads_uk_and_iso_dates(db, catalogue, tmp_path):
    persons = write(tmp_path / "persons.csv", PERSONS_HEADER, PEOPLE)
    incidents = write(
        tmp_path / "incidents.csv",
        INCIDENTS_HEADER,
        [
            incident("CR1", "03/04/2024"),  # 3 April, not 4 March
            incident("CR2", "2024-04-03"),
            incident("CR3", "3/4/2024"),
            incident("CR4", "03/04/2024 14:30"),
            incident("CR5", "2024-04-03T09:15:00"),
        ],
    )

    code, _, _ = run_import("--persons", str(persons), "--incidents", str(incidents))

    assert code == 0
    days = set(Incident.objects.values_list("occurred_on", flat=True))
    assert days == {dt.date(2024, 4, 3)}


def test_it_rejects_dates_it_cannot_trust(db, catalogue, tmp_path):
    persons = write(tmp_path / "persons.csv", PERSONS_HEADER, PEOPLE)
    incidents = write(
        tmp_path / "incidents.csv",
        INCIDENTS_HEADER,
        [
            incident("CR1", "29/02/2023"),  # not a leap year
            incident("CR2", "2024-13-01"),  # no 13th month
            incident("CR3", "03/04/24"),  # two-digit year: which century?
            incident("CR4", "April 3rd"),
            incident("CR5", ""),
            incident("CR6", "1899-12-31"),
            incident("CR7", "29/02/2024"),  # a leap year: fine
        ],
    )

    run_import("--persons", str(persons), "--incidents", str(incidents))

    rejects = {r["line"]: r for r in read_rejects(tmp_path / "incidents.rejects.csv")}
    assert {line: r["reason"] for line, r in rejects.items()} == {
        "2": schema.Reason.NOT_A_REAL_DATE,
        "3": schema.Reason.NOT_A_REAL_DATE,
        "4": schema.Reason.NOT_A_DATE,
        "5": schema.Reason.NOT_A_DATE,
        "6": "Date of the incident is missing",
        "7": "Date of the incident is before 1900",
    }
    assert all(r["column"] == "occurred_on" for r in rejects.values())
    assert list(Incident.objects.values_list("crime_reference", flat=True)) == ["CR7"]


def reference_parse(text: str | None, today: dt.date):
    """Plain Python: ('ok', date) | ('missing',) | ('not a date',) | ('not real',) | ..."""
    if text is None or text == "":
        return ("missing",)
    core = text
    for sep in (" ", "T"):
        head, found, tail = text.partition(sep)
        if found and _is_time(tail):
            core = head
            break
    for shape, order in (("-", "ymd"), ("/", "dmy")):
        parts = core.split(shape)
        if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts):
            continue
        widths = [len(p) for p in parts]
        if order == "ymd" and (
            widths[0] != 4 or not 1 <= widths[1] <= 2 or not 1 <= widths[2] <= 2
        ):
            continue
        if order == "dmy" and (
            widths[2] != 4 or not 1 <= widths[0] <= 2 or not 1 <= widths[1] <= 2
        ):
            continue
        y, m, d = (
            (parts[0], parts[1], parts[2]) if order == "ymd" else (parts[2], parts[1], parts[0])
        )
        try:
            day = dt.date(int(y), int(m), int(d))
        except ValueError:
            return ("not real",)
        if day > today:
            return ("future",)
        if day.year < 1900:
            return ("early",)
        return ("ok", day)
    return ("not a date",)


def _is_time(text: str) -> bool:
    bits = text.split(":")
    if len(bits) not in (2, 3):
        return False
    hh, mm = bits[0], bits[1]
    if not (hh.isdigit() and 1 <= len(hh) <= 2 and mm.isdigit() and len(mm) == 2):
        return False
    if len(bits) == 3:
        sec, _, frac = bits[2].partition(".")
        if not (sec.isdigit() and len(sec) == 2):
            return False
        if "." in bits[2] and not (frac.isdigit() and frac):
            return False
    return True


digits = st.text("0123456789", min_size=1, max_size=4)
date_like = st.one_of(
    st.builds(lambda y, m, d: f"{y}-{m}-{d}", digits, digits, digits),
    st.builds(lambda d, m, y: f"{d}/{m}/{y}", digits, digits, digits),
    st.dates(dt.date(1890, 1, 1), dt.date(2100, 12, 31)).map(lambda d: d.strftime("%d/%m/%Y")),
    st.dates(dt.date(1890, 1, 1), dt.date(2100, 12, 31)).map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.isoformat() + " 10:30"),
    st.text(alphabet="0123456789-/: T.", max_size=14),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(date_like, min_size=1, max_size=30))
def test_it_parses_dates_like_the_plain_reference(texts):
    today = dt.date(2026, 1, 1)
    chunk = pl.DataFrame(
        {
            "_line": list(range(2, len(texts) + 2)),
            "_raw": texts,
            "_nfields": [13] * len(texts),
            **{c: [None] * len(texts) for c in schema.INCIDENT_COLUMNS},
        },
        schema_overrides={"_nfields": pl.Int32, "_line": pl.Int64}
        | {c: pl.String for c in schema.INCIDENT_COLUMNS},
    ).with_columns(
        pl.Series("occurred_on", texts, dtype=pl.String),
        pl.format("CR{}", pl.col("_line")).alias("crime_reference"),
        pl.lit("CA").alias("offence_code"),
        pl.lit("P1").alias("perpetrator_ref"),
    )
    checked = validation.check_incidents(
        chunk, header=list(schema.INCIDENT_COLUMNS), today=today, offence_codes=["CA"]
    )
    got = {}
    for row in checked.valid.iter_rows(named=True):
        got[row["_line"]] = ("ok", row["occurred_on"])
    reason_kind = {
        schema.Reason.NOT_A_DATE: ("not a date",),
        schema.Reason.NOT_A_REAL_DATE: ("not real",),
        "Date of the incident is in the future": ("future",),
        "Date of the incident is before 1900": ("early",),
        "Date of the incident is missing": ("missing",),
    }
    for row in checked.rejects.iter_rows(named=True):
        got[row["line"]] = reason_kind[row["reason"]]
    want = {line: reference_parse(t, today) for line, t in enumerate(texts, start=2)}
    # A blank string is read as missing; the reader strips spaces before this point.
    assert got == want
