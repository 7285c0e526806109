"""`highharm validate`: text and JSON output, and exit status 2 on unusable input."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from highharm import cli

REQUIRED_KEYS = {
    "n", "base_rate", "auc", "auc_ci", "threshold", "accuracy", "fpr", "fnr", "ppv",
    "calibration", "groups",
}  # fmt: skip
GROUP_KEYS = {"n", "base_rate", "auc", "fpr", "fnr", "ppv"}


@pytest.fixture
def scored_csv(tmp_path):
    # Eight people in two areas. North: scores 1 2 3 4 with outcomes 0 1 0 1.
    # South: scores 5 6 7 8 with outcomes 0 0 1 1, and one row with no score.
    path = tmp_path / "scored.csv"
    path.write_text(
        "ref,score,reoffended,area\n"
        "P1,1,0,North\nP2,2,1,North\nP3,3,0,North\nP4,4,1,North\n"
        "P5,5,0,South\nP6,6,0,South\nP7,7,1,South\nP8,8,1,South\nP9,,1,South\n"
    )
    return path


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("validate", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_json_with_the_agreed_keys(scored_csv):
    out, err = run(
        "--data", str(scored_csv), "--score", "score", "--outcome", "reoffended",
        "--group", "area", "--threshold", "4", "--bootstrap", "200", "--format", "json",
    )  # fmt: skip
    report = json.loads(out)
    assert REQUIRED_KEYS <= set(report)
    assert set(report["groups"]) == {"North", "South"}
    for figures in report["groups"].values():
        assert GROUP_KEYS <= set(figures)
    # All 8 scored rows: outcome-1 scores 2 4 7 8, outcome-0 scores 1 3 5 6.
    # Pairs won: 2 beats 1; 4 beats 1,3; 7 and 8 beat all four -> 1 + 2 + 4 + 4 = 11 of 16.
    assert report["n"] == 8 and report["base_rate"] == 0.5
    assert report["auc"] == pytest.approx(11 / 16)
    assert len(report["auc_ci"]) == 2
    # Threshold 4: flagged 4 5 6 7 8 -> TP 3 (4 7 8), FP 2 (5 6), TN 2 (1 3), FN 1 (2).
    assert report["accuracy"] == pytest.approx(5 / 8)
    assert report["fpr"] == pytest.approx(2 / 4)
    assert report["fnr"] == pytest.approx(1 / 4)
    assert report["ppv"] == pytest.approx(3 / 5)
    # North at 4: TP 1, FP 0, TN 2, FN 1; South: TP 2, FP 2, TN 0, FN 0.
    assert report["groups"]["North"]["fpr"] == 0 and report["groups"]["South"]["fpr"] == 1
    assert report["disparities"]["fpr"]["gap"] == 1
    assert report["excluded_missing_score"] == 1
    assert "1 row(s) with a missing score were excluded (first at line 10)" in err
    assert "roc" not in report


def test_it_prints_a_readable_text_report(scored_csv):
    out, _ = run(
        "--data", str(scored_csv), "--score", "score", "--outcome", "reoffended",
        "--group", "area", "--bootstrap", "100", "--seed", "7",
    )  # fmt: skip
    assert "n                8" in out
    assert "AUC              0.688" in out
    assert "seed 7" in out
    assert "score >= 4.5 (default: the median score)" in out  # median of 1..8
    assert "Calibration" in out and "Groups (column 'area'" in out
    assert "Largest gaps between groups" in out
    assert "small group: figures unreliable" in out


def test_it_is_reproducible_for_a_seed(scored_csv):
    args = ("--data", str(scored_csv), "--score", "score", "--outcome", "reoffended",
            "--format", "json", "--seed", "3")  # fmt: skip
    assert json.loads(run(*args)[0])["auc_ci"] == json.loads(run(*args)[0])["auc_ci"]


def test_it_stops_with_status_2_and_names_the_problem(scored_csv, tmp_path):
    with pytest.raises(CommandError) as caught:
        run("--data", str(scored_csv), "--score", "risk", "--outcome", "reoffended")
    assert caught.value.returncode == 2
    assert "score column 'risk' is not in the file" in str(caught.value)

    bad = tmp_path / "bad.csv"
    bad.write_text("score,outcome\n1,0\n2,maybe\n")
    with pytest.raises(CommandError) as caught:
        run("--data", str(bad), "--score", "score", "--outcome", "outcome")
    assert caught.value.returncode == 2
    assert "outcome column 'outcome' is not 0 or 1 at line 3 ('maybe')" in str(caught.value)


def test_its_console_script_exits_2_on_unusable_input(tmp_path, capsys):
    missing = tmp_path / "missing.csv"
    with pytest.raises(SystemExit) as caught:
        cli.main(["highharm", "validate", "--data", str(missing), "--score", "s", "--outcome", "o"])
    assert caught.value.code == 2
    assert "no such file" in capsys.readouterr().err


def test_it_explains_figures_it_cannot_compute(tmp_path):
    # nobody has outcome 1: no AUC, no false negative rate; still a report (status 0)
    path = tmp_path / "none.csv"
    path.write_text("score,outcome\n1,0\n2,0\n3,0\n")
    out, _ = run("--data", str(path), "--score", "score", "--outcome", "outcome")
    assert "AUC              –" in out
    assert "Not computed" in out
    assert "FNR: no rows with outcome 1" in out
    report = json.loads(run("--data", str(path), "--score", "score", "--outcome", "outcome",
                            "--format", "json")[0])  # fmt: skip
    assert report["auc"] is None and report["fnr"] is None and report["auc_ci"] is None
    assert report["fpr"] == pytest.approx(2 / 3)  # median 2: scores 2 and 3 flagged


def test_it_refuses_impossible_settings_with_status_2(scored_csv):
    with pytest.raises(CommandError) as caught:
        run("--data", str(scored_csv), "--score", "score", "--outcome", "reoffended",
            "--bands", "0")  # fmt: skip
    assert caught.value.returncode == 2
    assert "bands must be between 1 and 100" in str(caught.value)
