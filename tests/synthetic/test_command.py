"""`highharm synth`: arguments in, files and a JSON summary out."""

import io
import json

import pytest
from django.core.management import CommandError, call_command


def test_it_writes_the_files_and_prints_a_summary(tmp_path):
    out = io.StringIO()
    call_command(
        "synth",
        "--perpetrators=200",
        "--years=2",
        "--seed=3",
        f"--out={tmp_path}",
        "--end-date=2024-12-31",
        stdout=out,
    )
    summary = json.loads(out.getvalue())
    assert summary["perpetrators"] == 200
    assert (tmp_path / "persons.csv").exists()
    lines = (tmp_path / "incidents.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) - 1 == summary["incidents"]
    assert not (tmp_path / "cohort.csv").exists()


def test_it_simulates_a_unit_on_request(tmp_path):
    out = io.StringIO()
    call_command(
        "synth",
        "--perpetrators=300",
        "--years=2",
        f"--out={tmp_path}",
        "--end-date=2024-12-31",
        "--simulate-unit",
        "--adoption-date=2024-01-01",
        "--measure",
        stdout=out,
    )
    summary = json.loads(out.getvalue())
    assert summary["cohort_rows"] == 9  # 3% of 300
    assert summary["measured"]["perpetrators"] == 300
    assert (tmp_path / "cohort.csv").read_text().startswith("perpetrator_ref,index_date,group")


@pytest.mark.parametrize(
    "bad, message",
    [
        (["--years=0"], "--years"),
        (["--perpetrators=0"], "--perpetrators"),
        (["--end-date=31/12/2024"], "not a date"),
        (["--simulate-unit", "--adoption-date=2020-01-01"], "--adoption-date"),
        (["--simulate-unit", "--effect=2"], "between 0 and 1"),
    ],
)
def test_it_refuses_bad_arguments(tmp_path, bad, message):
    args = ["--perpetrators=10", f"--out={tmp_path}", "--end-date=2024-12-31", *bad]
    with pytest.raises(CommandError, match=message):
        call_command("synth", *args)
