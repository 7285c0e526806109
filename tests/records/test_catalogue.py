"""The offence catalogue: the shipped table, its loader and `highharm load-catalogue`.

Expected values are written out by hand from docs/harm-index.md (e.g. rape 2B is
8 years' custody = 8 x 365 = 2920 days), never read back from the loader.
"""

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from highharm.records.catalogue import (
    DEFAULT_CATALOGUE_PATH,
    catalogue_load,
    catalogue_load_default,
)
from highharm.records.models import Offence

REPO = Path(__file__).resolve().parents[2]

CONTRACT_CODES = """
MURDER MANSL ATTMUR GBH18 GBH20 ABH NFS NFSUFF CORROSIVE CA THKILL AFFRAY POA4 POA4A
FALSEIMP KIDNAP BLADEPUB THRWEAP HARASS HARFEAR STALK STALKF MALCOMM COMMS127 CCB RAPE
AOBP SEXASLT CAUSESEX RAPECH13 SACH13 SACTCH EXPOSE VOYEUR IIOC DISCIMG CD CDHIGH ARSON
ARSONLIFE THRDAM BRRO BRNMO BRSPO BRSHPO BRDAPO BRDVPO FTS BURGDW THEFT WITINT PERVJ DOMNC
""".split()
CATEGORIES = {
    "violence_with_injury",
    "violence_without_injury",
    "stalking_harassment",
    "coercive_control",
    "sexual",
    "criminal_damage",
    "breach_of_order",
    "other",
}
HEADER = "code,name,category,domestic,stalking,sexual,strangulation,weapon,breach,harm_days,source"


def shipped_rows():
    with open(DEFAULT_CATALOGUE_PATH, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def shipped_harm():
    return {row["code"]: float(row["harm_days"]) for row in shipped_rows()}


def write(tmp_path, text, *, name="force.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# --- the shipped file -------------------------------------------------------------------


def test_it_ships_every_contract_code_exactly_once():
    codes = [row["code"] for row in shipped_rows()]
    assert sorted(codes) == sorted(CONTRACT_CODES)
    assert len(codes) == len(set(codes)) == 53


def test_it_gives_every_shipped_row_a_source_a_category_flags_and_non_negative_harm():
    with open(DEFAULT_CATALOGUE_PATH, encoding="utf-8") as fh:
        assert fh.readline().strip() == HEADER
    for row in shipped_rows():
        assert row["source"].strip(), row["code"]
        assert row["category"] in CATEGORIES, row["code"]
        assert float(row["harm_days"]) >= 0, row["code"]
        for flag in ("domestic", "stalking", "sexual", "strangulation", "weapon", "breach"):
            assert row[flag] in {"Y", "N"}, (row["code"], flag)
        status = re.search(r"(Verified|Partly verified|Not verified|Convention):", row["source"])
        assert status, f"{row['code']} source does not say whether it was checked"


def test_it_keeps_the_hand_checked_ordering_of_weights():
    h = shipped_harm()
    # Assault family: 2B cells 5 years > 2 years > 36 weeks > low level community order.
    assert h["GBH18"] > h["GBH20"] > h["ABH"] > h["CA"] > 0
    assert h["RAPE"] > h["AOBP"] > h["SEXASLT"]
    assert h["RAPECH13"] > h["RAPE"]
    assert h["SACH13"] > h["SEXASLT"]
    # s.4A stalking (1 year) outranks s.2A stalking (medium CO); s.2 and s.2A share one
    # guideline table, so they carry the same weight (docs/harm-index.md).
    assert h["STALKF"] > h["STALK"] >= h["HARASS"]
    assert h["STALK"] == h["HARASS"] and h["STALKF"] == h["HARFEAR"]
    assert h["MURDER"] > h["ATTMUR"] > h["GBH18"]
    assert h["NFS"] == h["NFSUFF"] > h["ABH"]
    assert h["ARSONLIFE"] > h["ARSON"] > h["CD"]
    assert h["BRRO"] == h["BRNMO"] == h["BRSPO"] == h["BRDAPO"] > h["BRDVPO"]
    assert h["DOMNC"] == 0
    assert all(v > 0 for code, v in h.items() if code != "DOMNC")


def test_it_converts_starting_points_to_days_as_documented():
    h = shipped_harm()
    assert h["RAPE"] == 8 * 365  # 2B: 8 years' custody
    assert h["NFS"] == 365 + 6 * 365 / 12  # 2B: 1 year 6 months = 547.5
    assert h["ABH"] == 36 * 7  # 2B: 36 weeks
    assert h["BRRO"] == 12 * 7  # 2B: 12 weeks
    assert h["CA"] == 60 / 7.5  # low level community order: 60 hours / 7.5
    assert h["COMMS127"] == 5 * 1.0  # Band B fine: 100% of a week's income = 5 working days
    assert h["MURDER"] == 2 * 15 * 365  # determinate equivalent of a 15-year minimum term


def test_it_documents_every_shipped_weight_in_the_harm_index_page():
    doc = (REPO / "docs" / "harm-index.md").read_text(encoding="utf-8")
    for code, days in shipped_harm().items():
        shown = f"{days:g}"
        pattern = rf"^\| {code} \|.*\| {re.escape(shown)} \|"
        assert re.search(pattern, doc, re.M), f"{code} ({shown} days) missing from the doc table"


# --- loading ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_loads_the_default_catalogue_and_a_second_load_changes_nothing():
    first = catalogue_load_default()
    assert first.ok and (first.inserted, first.updated, first.unchanged) == (53, 0, 0)
    rape = Offence.objects.get(code="RAPE")
    assert rape.harm_days == 2920 and rape.sexual and rape.catalogue == "highharm-default"
    assert Offence.objects.get(code="NFS").strangulation
    assert Offence.objects.get(code="BRNMO").breach and Offence.objects.get(code="BRNMO").domestic
    history_rows = Offence.history.count()

    second = catalogue_load_default()
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 53)
    assert Offence.history.count() == history_rows  # nothing rewritten


@pytest.mark.django_db
def test_it_updates_a_changed_weight_and_leaves_the_rest(tmp_path):
    catalogue_load_default()
    lines = DEFAULT_CATALOGUE_PATH.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("CCB,"):
            cells = next(csv.reader([line]))
            cells[9] = "365"  # a force that weighs CCB at 1 year
            buf = io.StringIO()
            csv.writer(buf, lineterminator="").writerow(cells)
            lines[i] = buf.getvalue()
    path = write(tmp_path, "\n".join(lines) + "\n", name="offences.csv")

    result = catalogue_load(path=path, name="highharm-default")
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 52)
    ccb = Offence.objects.get(code="CCB")
    assert ccb.harm_days == 365
    assert ccb.history.first().history_change_reason == "load-catalogue highharm-default"


@pytest.mark.django_db
def test_it_reports_line_column_and_reason_for_every_bad_row_and_writes_nothing(tmp_path):
    path = write(
        tmp_path,
        HEADER + "\n"
        "AAA,Fine offence,sexual,N,N,Y,N,N,N,10,a source\n"  # line 2: valid
        "BBB,Negative,sexual,N,N,N,N,N,N,-3,a source\n"  # line 3
        "CCC,Bad category,assaultish,N,N,N,N,N,N,3,a source\n"  # line 4
        "AAA,Again,other,N,N,N,N,N,N,1,a source\n"  # line 5: duplicate of line 2
        "DDD,No source,other,N,N,N,N,N,N,1,\n"  # line 6
        "EEE,Words,other,N,N,N,N,N,N,lots,a source\n",  # line 7
    )
    result = catalogue_load(path=path)
    got = {(e.line, e.column) for e in result.errors}
    assert got == {
        (3, "harm_days"),
        (4, "category"),
        (5, "code"),
        (6, "source"),
        (7, "harm_days"),
    }
    by_line = {e.line: str(e) for e in result.errors}
    assert "negative" in by_line[3]
    assert "unknown category 'assaultish'" in by_line[4]
    assert "duplicate code 'AAA': already on line 2" in by_line[5]
    assert "source is empty" in by_line[6]
    assert "'lots' is not a number" in by_line[7]
    assert str(result.errors[0]).startswith("line 3, column harm_days:")
    assert Offence.objects.count() == 0


@pytest.mark.django_db
def test_it_reads_a_bom_semicolon_file_and_still_reports_the_bad_line(tmp_path):
    path = write(
        tmp_path,
        HEADER.replace(",", ";") + "\r\n"
        "CA;Common assault;violence_without_injury;Y;N;N;N;N;N;8;force table\r\n"
        "ABH;ABH;violence_with_injury;N;N;N;N;N;N;-252;force table\r\n",
        encoding="utf-8-sig",
    )
    result = catalogue_load(path=path)
    assert [(e.line, e.column) for e in result.errors] == [(3, "harm_days")]
    assert Offence.objects.count() == 0


@pytest.mark.django_db
def test_it_reads_windows_1252_with_semicolons_and_a_decimal_comma(tmp_path):
    path = write(
        tmp_path,
        HEADER.replace(",", ";") + "\r\n"
        "CD;Criminal damage under £5,000;criminal_damage;N;N;N;N;N;N;5;force table\r\n"
        "NFS;Non-fatal strangulation;Violence with injury;yes;;;1;0;false;547,5;force table\r\n",
        encoding="cp1252",
    )
    result = catalogue_load(path=path, name="force-2026")
    assert result.ok, [str(e) for e in result.errors]
    assert Offence.objects.get(code="CD").name == "Criminal damage under £5,000"
    nfs = Offence.objects.get(code="NFS")
    assert nfs.harm_days == 547.5 and nfs.category == "violence_with_injury"
    assert (nfs.domestic, nfs.stalking, nfs.strangulation, nfs.breach) == (True, False, True, False)
    assert nfs.catalogue == "force-2026"


@pytest.mark.django_db
def test_it_reports_a_missing_column_and_an_unreadable_file(tmp_path):
    path = write(tmp_path, "code,name,category\nX,Y,other\n")
    result = catalogue_load(path=path)
    assert {e.column for e in result.errors} >= {"harm_days", "source", "domestic"}
    assert all(e.line == 1 for e in result.errors)

    missing = catalogue_load(path=tmp_path / "nope.csv")
    assert not missing.ok and "cannot read" in str(missing.errors[0])


@pytest.mark.django_db
def test_it_replaces_only_offences_no_incident_uses(perpetrator, tmp_path):
    # The conftest catalogue has ABH, CA, STALK (used by Pete's incidents), NFS, CCB, BRO, CD.
    path = write(
        tmp_path,
        HEADER + "\n"
        "CA,Common assault,violence_without_injury,Y,N,N,N,N,N,8,force table\n"
        "NEW1,A new offence,other,N,N,N,N,N,N,1,force table\n",
    )
    result = catalogue_load(path=path, name="force", replace=True)
    assert result.ok
    assert (result.inserted, result.updated, result.unchanged) == (1, 1, 0)
    assert result.kept_in_use == ["ABH", "STALK"]
    assert result.deleted == 4  # NFS, CCB, BRO, CD
    assert set(Offence.objects.values_list("code", flat=True)) == {"CA", "NEW1", "ABH", "STALK"}
    assert Offence.objects.get(code="CA").harm_days == 8


@pytest.mark.django_db
def test_it_deletes_nothing_when_a_replace_file_is_invalid(catalogue, tmp_path):
    path = write(tmp_path, HEADER + "\nCA,Common assault,nonsense,N,N,N,N,N,N,8,x\n")
    result = catalogue_load(path=path, replace=True)
    assert not result.ok
    assert Offence.objects.count() == len(catalogue)


# --- the command --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_loads_the_default_catalogue_and_prints_a_summary():
    out = io.StringIO()
    call_command("load_catalogue", stdout=out)
    assert "53 inserted, 0 updated, 0 unchanged" in out.getvalue()
    assert Offence.objects.count() == 53


@pytest.mark.django_db
def test_the_command_exits_2_with_one_error_per_line_and_writes_nothing(tmp_path):
    path = write(
        tmp_path,
        HEADER + "\nX1,One,other,N,N,N,N,N,N,-1,s\nX2,Two,elsewhere,N,N,N,N,N,N,1,s\n",
    )
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("load_catalogue", str(path), "--name", "bad", stderr=err)
    assert excinfo.value.returncode == 2
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("line 2, column harm_days:")
    assert lines[1].startswith("line 3, column category:")
    assert Offence.objects.count() == 0


def test_the_cli_accepts_the_hyphenated_command_name(capsys):
    from highharm.cli import main

    with pytest.raises(SystemExit) as excinfo:
        main(["highharm", "load-catalogue", "--help"])
    assert excinfo.value.code == 0
    assert "--replace" in capsys.readouterr().out
