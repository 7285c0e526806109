"""The importers take arbitrary bytes and malformed rows without a server-side failure.

Feeding `records_import` and `catalogue_load` random files must end in one of two ways:
a clear error that names the problem (and then nothing at all is written), or an import
in which every stored row is a valid line of the file and every other line is accounted
for (rejected with a reason, or a duplicate). Never an unexpected exception, never a
half-written row.
"""

import csv
import io
import re
import uuid
from contextlib import contextmanager

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from highharm.people.models import Person
from highharm.records.catalogue import COLUMNS as CATALOGUE_COLUMNS
from highharm.records.catalogue import catalogue_load
from highharm.records.importer.reading import InputError
from highharm.records.models import ImportRun, Incident, Offence
from highharm.records.services import records_import

PERSONS_HEADER = "reference,given_name,family_name,date_of_birth,gender,ethnicity,aliases"
INCIDENTS_HEADER = (
    "crime_reference,occurred_on,offence_code,perpetrator_ref,victim_ref,relationship,"
    "domestic,stalking,sexual,strangulation,weapon,breach,outcome"
)
FUZZ = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,  # the same examples on every run and database: no flaky CI
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Rows: mostly plausible values, some at a rule's edge, some hostile text. NUL characters
# are left to the arbitrary-bytes tests (a file holding one is refused as binary).
hostile = st.text(
    alphabet=st.sampled_from(
        list("Ab9 -/.|;,\"'\t\r\n") + ["\ufeff", "é", "€", "\u202e", "\U0001f600"]
    ),
    max_size=12,
)


class Field:
    """Values a column takes: some valid, some not, and hostile text."""

    def __init__(self, valid, invalid=()):
        self.valid = st.sampled_from(valid)
        self.any = st.one_of(st.sampled_from([*valid, *invalid]), hostile)


PERSON_FIELDS = [
    Field(["P1", "P2", "P3", " P2 "], ["", "x" * 41]),
    Field(["Pete", "Vera", "", "O'Neil", "Zoë"], ["x" * 101]),
    Field(["Perp", "Victim", "", "Smith-Jones"]),
    Field(["1985-03-04", "04/03/1985", ""], ["31/02/2001", "2999-01-01", "1900-1-1", "85-03-04"]),
    Field(["F", "M", "X", "U", "", "m", "female"], ["Q"]),
    Field(["", "White British"], ["x" * 61]),
    Field(["", "Pete P", "A|B", "|"], ["x" * 201]),
]
CATALOGUE_FIELDS = [
    Field(["CA", "ABH", "NEW1", "NEW2"], ["", "bad code", "x" * 21]),
    Field(["Common assault", "Something new"], ["", "x" * 201]),
    Field(["violence_with_injury", "Sexual", "other"], ["", "nonsense"]),
    *[Field(["Y", "N", "", "yes"], ["maybe"]) for _ in range(6)],
    Field(["8", "0", "365.5"], ["-1", "nan", "inf", "", "12,5", "ten"]),
    Field(["Sentencing Council guideline"], [""]),
]
INCIDENT_FIELDS = [
    Field(["CR1", "CR2", "CR3"], ["", "x" * 41]),
    Field(["2025-01-10", "10/01/2025"], ["", "2025-02-30", "2999-01-01"]),
    Field(["CA", "ABH", "abh", "STALK"], ["NOPE", ""]),
    Field(["P1", "P2"], ["P9", ""]),
    Field(["", "P1", "P2"], ["P9"]),
    Field(["partner", "ex_partner", "unknown", ""], ["spouse"]),
    *[Field(["Y", "N", "", "1", "0", "yes"], ["maybe"]) for _ in range(6)],
    Field(["charged", "caution", ""], ["acquitted"]),
]


@st.composite
def rows_of(draw, fields, max_rows=10):
    """A file's rows: a third of files hold only valid values; the others mix in invalid
    values, hostile text, and now and then a field too few or too many."""
    clean = draw(st.integers(0, 2)) == 0
    rows = []
    for _ in range(draw(st.integers(0, max_rows))):
        row = [draw(f.valid if clean else f.any) for f in fields]
        shape = "ok" if clean else draw(st.sampled_from(["ok"] * 8 + ["short", "long"]))
        if shape == "short":
            row = row[: draw(st.integers(1, len(fields) - 1))]
        elif shape == "long":
            row = [*row, draw(hostile)]
        rows.append(row)
    return rows


def maybe_headed(header: str):
    """Arbitrary bytes, half of the time after a valid header line."""
    return st.tuples(st.booleans(), st.binary(max_size=400)).map(
        lambda t: ((header + "\n").encode() if t[0] else b"") + t[1]
    )


def rows_text(header: str, rows: list[list[str]]) -> bytes:
    """The rows as CSV. CRLF line ends make the writer quote any value holding a CR or LF,
    so the file has one reading (a bare CR in an unquoted value is read as data by the
    importer but as a line end by Python's csv module)."""
    out = io.StringIO()
    out.write(header + "\r\n")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue().encode("utf-8", errors="surrogatepass")


@contextmanager
def rolled_back():
    """Each example runs inside a transaction that is undone afterwards."""
    with transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


def import_file(tmp_path, name: str, data: bytes, **paths):
    path = tmp_path / f"{uuid.uuid4().hex}-{name}"
    path.write_bytes(data)
    key = "persons_path" if name.startswith("persons") else "incidents_path"
    return path, records_import(**{key: path}, **paths)


def assert_nothing_written():
    assert Person.objects.count() == 0
    assert Incident.objects.count() == 0
    assert ImportRun.objects.count() == 0


def assert_accounted_for(report):
    assert report.read == (
        report.inserted + report.updated + report.unchanged + report.duplicates + report.rejected
    )


# ---------------------------------------------------------------- force records


@pytest.mark.django_db
@FUZZ
@given(data=maybe_headed(PERSONS_HEADER))
def test_it_takes_arbitrary_bytes_as_a_persons_file(tmp_path, data):
    with rolled_back():
        try:
            path, result = import_file(tmp_path, "persons.csv", data)
        except InputError as exc:
            event(f"refused as a whole: {exc.message[:60]}")
            assert exc.message.strip()
            assert_nothing_written()
            return
        report = result.files[0]
        event(f"read, {min(report.inserted, 3)}+ stored, {min(report.rejected, 3)}+ rejected")
        assert_accounted_for(report)
        assert Person.objects.count() == report.inserted
        assert ImportRun.objects.get().status in ("completed", "completed_with_rejects")


@pytest.mark.django_db
@FUZZ
@given(rows=rows_of(PERSON_FIELDS))
def test_it_stores_only_valid_person_rows(tmp_path, rows):
    with rolled_back():
        try:
            path, result = import_file(tmp_path, "persons.csv", rows_text(PERSONS_HEADER, rows))
        except InputError as exc:
            event(f"refused as a whole: {exc.message[:60]}")
            assert exc.message.strip()
            assert_nothing_written()
            return
        report = result.files[0]
        event(f"read, {min(report.inserted, 3)}+ stored, {min(report.rejected, 3)}+ rejected")
        assert_accounted_for(report)
        assert Person.objects.count() == report.inserted
        # Every stored person is one line of the file, with its values as written there.
        lines = list(
            csv.reader(io.StringIO(path.read_bytes().decode("utf-8", "replace"), newline=""))
        )[1:]
        by_reference: dict[str, list[list[str]]] = {}
        for line in lines:
            if line and line[0].strip():
                # A line break inside a quoted field is stored as "\n" (the reader
                # normalises CRLF there), so compare with the file's text normalised the same way.
                normalised = [value.replace("\r\n", "\n") for value in line]
                by_reference.setdefault(line[0].strip(), []).append(normalised + [""] * 7)
        for person in Person.objects.all():
            assert "\x00" not in person.reference + person.given_name + person.family_name
            assert person.gender in ("F", "M", "X", "U")
            assert any(
                (person.given_name, person.family_name) == (line[1].strip(), line[2].strip())
                for line in by_reference[person.reference]
            ), person.reference
        rejected = report.rejected
        if rejected:
            rejects = list(csv.DictReader(io.StringIO(report.rejects_path.read_text("utf-8-sig"))))
            assert {r["reason"] != "" for r in rejects} == {True}
            assert len({r["line"] for r in rejects}) == rejected


@pytest.mark.django_db
@FUZZ
@given(data=maybe_headed(INCIDENTS_HEADER))
def test_it_takes_arbitrary_bytes_as_an_incidents_file(tmp_path, data, catalogue):
    with rolled_back():
        try:
            path, result = import_file(tmp_path, "incidents.csv", data)
        except InputError as exc:
            event(f"refused as a whole: {exc.message[:60]}")
            assert exc.message.strip()
            assert_nothing_written()
            return
        assert_accounted_for(result.files[0])
        assert Incident.objects.count() == 0  # nobody exists for an incident to belong to


@pytest.mark.django_db
@FUZZ
@given(rows=rows_of(INCIDENT_FIELDS))
def test_it_stores_only_valid_incident_rows(tmp_path, rows, catalogue):
    with rolled_back():
        Person.objects.create(reference="P1")
        Person.objects.create(reference="P2")
        try:
            path, result = import_file(tmp_path, "incidents.csv", rows_text(INCIDENTS_HEADER, rows))
        except InputError as exc:
            event(f"refused as a whole: {exc.message[:60]}")
            assert exc.message.strip()
            assert Incident.objects.count() == 0
            return
        report = result.files[0]
        event(f"read, {min(report.inserted, 3)}+ stored, {min(report.rejected, 3)}+ rejected")
        assert_accounted_for(report)
        assert Incident.objects.count() == report.inserted
        for incident in Incident.objects.select_related("perpetrator", "offence"):
            assert incident.perpetrator.reference in ("P1", "P2")
            assert incident.offence.code in catalogue
            assert "\x00" not in incident.crime_reference


# ---------------------------------------------------------------- offence catalogue


@pytest.mark.django_db
@FUZZ
@given(data=maybe_headed(",".join(CATALOGUE_COLUMNS)))
def test_it_takes_arbitrary_bytes_as_a_catalogue(tmp_path, data):
    with rolled_back():
        path = tmp_path / f"{uuid.uuid4().hex}.csv"
        path.write_bytes(data)
        result = catalogue_load(path=path)
        event("refused" if result.errors else "loaded")
        if result.errors:
            assert all(str(e).strip() for e in result.errors)
            assert Offence.objects.count() == 0
        else:
            assert Offence.objects.count() == result.inserted > 0


@pytest.mark.django_db
@FUZZ
@given(rows=rows_of(CATALOGUE_FIELDS))
def test_it_writes_a_catalogue_all_or_nothing(tmp_path, rows, catalogue):
    with rolled_back():
        before = sorted(Offence.objects.values_list("code", "harm_days", "name"))
        path = tmp_path / f"{uuid.uuid4().hex}.csv"
        path.write_bytes(rows_text(",".join(CATALOGUE_COLUMNS), rows))
        result = catalogue_load(path=path)
        event("refused, nothing written" if result.errors else "loaded")
        if result.errors:
            assert sorted(Offence.objects.values_list("code", "harm_days", "name")) == before
            # Lines as a CSV reader counts them: CR, LF and CRLF each end one.
            n_lines = len(re.split(rb"\r\n|\r|\n", path.read_bytes()))
            for error in result.errors:
                assert error.reason.strip()
                assert error.line is None or 1 <= error.line <= n_lines
        else:
            codes = {r[0].strip() for r in rows if any(c.strip() for c in r)}
            assert codes <= set(Offence.objects.values_list("code", flat=True))
