"""`highharm identify` scores the database or an export, writes CSV or JSON, and stores runs."""

import io
import json

import polars as pl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from highharm.audit.models import AccessLog
from highharm.scoring.models import PerpetratorScore, ScoreRun

REQUIRED = [
    "perpetrator_ref",
    "rank",
    "priority_score",
    "recency_days",
    "frequency",
    "harm_sum",
    "harm_max",
    "victims",
    "escalation",
    "flags",
    "explanation",
    "config_version",
]


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("identify", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_scores_the_database_as_csv(perpetrator):
    out, err = run("--as-of", "2026-03-01")
    rows = pl.read_csv(io.StringIO(out)).to_dicts()
    assert list(rows[0])[: len(REQUIRED)] == REQUIRED
    (p,) = rows
    # Pete: CA 10/01/2025 (28), ABH 01/06/2025 (180), STALK 14/02/2026 (365), victims V200, V201,
    # both recorded as ex-partner. 3 incidents (10), 2 victims (10), 15 days (15), harm 573 (20),
    # largest 365 (10), serial (10), last year 545 against 28 (10), stalking (10): 95.
    assert p["perpetrator_ref"] == "P100"
    assert (p["frequency"], p["victims"], p["recency_days"]) == (3, 2, 15)
    assert (p["harm_sum"], p["harm_max"]) == (573.0, 365.0)
    assert p["flags"] == "stalking|domestic"
    assert p["escalation"] == "harm rising"
    assert p["priority_score"] == 95
    assert p["rank"] == 1
    assert p["explanation"].startswith("3 incidents in 2 years (+10), 2 victims in 2 years (+10)")
    assert "scored 1 perpetrators" in err


def test_it_writes_json_to_a_file_and_logs_the_export(perpetrator, tmp_path):
    target = tmp_path / "top.json"
    run("--as-of", "01/03/2026", "--out", str(target), "--top", "5")
    data = json.loads(target.read_text())
    assert data[0]["perpetrator_ref"] == "P100"
    assert data[0]["as_of"] == "2026-03-01"
    log = AccessLog.objects.filter(action="export", object_type="candidates").get()
    assert log.detail["rows"] == 1 and log.detail["out"] == str(target)


def test_it_honours_the_window(perpetrator):
    out, _ = run("--as-of", "2026-03-01", "--window-days", "30")
    (p,) = pl.read_csv(io.StringIO(out)).to_dicts()
    assert (p["frequency"], p["harm_sum"]) == (1, 365.0)
    assert p["window_days"] == 30


def test_it_stores_a_dated_run(perpetrator):
    out, err = run("--as-of", "2026-03-01", "--store", "--top", "10")
    assert out == ""  # storing writes the table only with --out
    assert "stored run" in err
    stored = ScoreRun.objects.get()
    assert stored.as_of.isoformat() == "2026-03-01"
    assert stored.incidents_scored == 3 and stored.perpetrators_scored == 1
    assert stored.config_version == "highharm-default-2026.1"
    assert "version" in stored.config_text
    score = PerpetratorScore.objects.get(run=stored)
    assert score.person == perpetrator
    assert score.priority_score == 95 and score.rank == 1
    assert score.flag_stalking and not score.flag_weapon
    assert score.points["recency"] == 15 and score.points["serial"] == 10


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "31/02/2026"], "not a date"),
        (["--window-days", "0"], "at least 1"),
        (["--store", "--incidents", "x.csv"], "import the export first"),
        (["--config", "/nonexistent.toml"], "cannot read"),
    ],
)
def test_it_refuses_bad_arguments(db, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
