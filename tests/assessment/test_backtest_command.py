"""`highharm backtest`: text and JSON from an incidents export or the database; clear failures."""

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from highharm.synthetic.generator import generate

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth")
    _persons, incidents, _stats = generate(1500, 4, 7, out, end_date=dt.date(2025, 6, 30))
    return str(incidents)


def run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("backtest", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_the_scores_side_by_side(export, catalogue):
    text, err = run("--as-of", "2024-06-30", "--incidents", export, "--bootstrap", "50")
    assert "Outcome: harm of more than 180 days in the 365 days after 30/06/2024" in text
    for label in ("RFGV priority score", "HHU tool, data part", "Fitted model"):
        assert label in text
    assert "multiplies the odds by" in text
    assert "rows read" in err


def test_it_writes_json_with_the_workbench_keys(export, catalogue, tmp_path):
    scores = tmp_path / "scores.csv"
    text, _ = run(
        "--as-of", "30/06/2024", "--incidents", export, "--format", "json", "--bootstrap", "20",
        "--harm-threshold", "28", "--outcome-days", "180", "--no-model", "--scores-out", str(scores),
    )  # fmt: skip
    result = json.loads(text)
    assert result["outcome_days"] == 180 and result["harm_threshold"] == 28
    assert set(result["reports"]) == {"rfgv", "hhu_data"}
    for report in result["reports"].values():
        assert {
            "n",
            "base_rate",
            "auc",
            "auc_ci",
            "threshold",
            "fpr",
            "fnr",
            "ppv",
            "calibration",
        } <= set(report)
        assert "roc" not in report
    header = scores.read_text().splitlines()[0].split(",")
    assert {"perpetrator_ref", "rfgv", "hhu_data", "future_harm", "outcome"} <= set(header)
    assert "ethnicity" not in header


def test_it_backtests_the_database(perpetrator):
    text, _ = run("--as-of", "2025-07-01", "--bootstrap", "0", "--no-model")
    assert "People scored: 1;" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "yesterday"], "is not a date"),
        (["--as-of", "2024-06-30", "--flag-share", "0"], "between 0 and 100"),
        (["--as-of", "2024-06-30", "--outcome-days", "0"], "at least 1"),
    ],
)
def test_it_refuses_impossible_options(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_it_exits_2_when_no_one_can_be_scored(db):
    with pytest.raises(CommandError, match="no perpetrator has an incident") as error:
        run("--as-of", "2001-01-01", "--no-model")
    assert error.value.returncode == 2
