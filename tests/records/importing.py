"""Helpers shared by the import tests (tests/records/test_import_*.py)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError

PERSONS_HEADER = "reference,given_name,family_name,date_of_birth,gender,ethnicity,aliases"
INCIDENTS_HEADER = (
    "crime_reference,occurred_on,offence_code,perpetrator_ref,victim_ref,relationship,"
    "domestic,stalking,sexual,strangulation,weapon,breach,outcome"
)
# Three people used by most tests: a perpetrator and two victims.
PEOPLE = [
    "P1,Pete,Perp,1985-03-04,M,,Pete P",
    "V1,Vera,Victim,1990-01-02,F,,",
    "V2,Wendy,Witness,1991-05-06,F,,",
]


def incident(ref="CR1", day="2025-01-10", code="CA", perp="P1", victim="V1", **kw) -> str:
    """One incidents.csv line; keyword arguments override the remaining columns."""
    values = {
        "relationship": "partner",
        "domestic": "Y",
        "stalking": "N",
        "sexual": "N",
        "strangulation": "N",
        "weapon": "N",
        "breach": "N",
        "outcome": "charged",
        **kw,
    }
    return ",".join([ref, day, code, perp, victim, *values.values()])


def write(
    path: Path,
    header: str,
    lines: list[str],
    *,
    encoding: str = "utf-8",
    newline: str = "\n",
    bom: bool = False,
    separator: str = ",",
    final_newline: bool = True,
) -> Path:
    text = newline.join([header, *lines]) + (newline if final_newline else "")
    if separator != ",":
        text = text.replace(",", separator)
    data = text.encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    return path


def run_import(*args: str) -> tuple[int, str, str]:
    """Run `highharm import-records` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_records", *args, "--no-progress", stdout=out, stderr=err)
        code = 0
    except CommandError as exc:
        code = exc.returncode
        err.write(str(exc))
    return code, out.getvalue(), err.getvalue()


def read_rejects(path: Path) -> list[dict]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def snapshot() -> dict:
    """Everything the import writes, keyed by references (ids and timestamps left out)."""
    from highharm.people.models import Person, PersonAlias, Relationship
    from highharm.records.models import Incident

    return {
        "persons": sorted(
            Person.objects.values_list(
                "reference",
                "given_name",
                "family_name",
                "date_of_birth",
                "gender",
                "ethnicity",
                "content_hash",
                "version",
            )
        ),
        "aliases": sorted(PersonAlias.objects.values_list("person__reference", "name")),
        "incidents": sorted(
            Incident.objects.values_list(
                "crime_reference",
                "occurred_on",
                "offence__code",
                "perpetrator__reference",
                "victim__reference",
                "relationship",
                "domestic",
                "stalking",
                "sexual",
                "strangulation",
                "weapon",
                "breach",
                "outcome",
                "content_hash",
            ),
            key=repr,
        ),
        "relationships": sorted(
            Relationship.objects.values_list("perpetrator__reference", "victim__reference", "kind")
        ),
        "history": history_counts(),
    }


def history_counts() -> dict:
    from highharm.people.models import Person, PersonAlias, Relationship
    from highharm.records.models import Incident

    counts = {}
    for model in (Person, PersonAlias, Relationship, Incident):
        for kind in ("+", "~", "-"):
            counts[(model.__name__, kind)] = model.history.filter(history_type=kind).count()
    return counts
