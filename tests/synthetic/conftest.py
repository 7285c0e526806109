"""A small synthetic force shared by the tests here (generated once per session)."""

import csv
import datetime as dt

import pytest

from highharm.synthetic.generator import generate

END = dt.date(2025, 6, 30)
YEARS = 3


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def force(tmp_path_factory):
    """3,000 perpetrators over 3 years to 30 June 2025, seed 11, read back as dict rows."""
    out = tmp_path_factory.mktemp("force")
    persons_path, incidents_path, stats = generate(3000, YEARS, 11, out, END)
    return {
        "persons_path": persons_path,
        "incidents_path": incidents_path,
        "persons": read_rows(persons_path),
        "incidents": read_rows(incidents_path),
        "stats": stats,
    }
