"""`highharm identify --incidents FILE` scores an export without importing it, and its figures
match an independent recount of the file."""

import csv
import datetime as dt
import io
from collections import defaultdict

import polars as pl
from django.core.management import call_command

from highharm.records.models import Incident
from highharm.synthetic.generator import generate_frames

SHIPPED_CATALOGUE = "src/highharm/data/offences.csv"
HEADER = "crime_reference;occurred_on;offence_code;perpetrator_ref;victim_ref;relationship;domestic;stalking;sexual;strangulation;weapon;breach;outcome"


def identify(*args) -> tuple[list[dict], str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("identify", *args, "--no-progress", stdout=out, stderr=err)
    text = out.getvalue()
    rows = pl.read_csv(io.StringIO(text), infer_schema_length=0).to_dicts() if text.strip() else []
    return rows, err.getvalue()


def test_it_scores_a_semicolon_export_with_uk_dates_and_reports_what_it_left_out(db, tmp_path):
    path = tmp_path / "incidents.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                "CR1;10/01/2026;CA;N1;V1;partner;Y;N;N;N;N;N;charged",
                "CR2;2026-02-01;ABH;N1;V2;ex_partner;Y;N;N;N;N;N;charged",
                "CR3;32/01/2026;ABH;N1;V2;ex_partner;Y;N;N;N;N;N;charged",  # no such date
                "CR4;2026-02-10;ZZZ;N1;;unknown;N;N;N;N;N;N;other",  # code not in the catalogue
                "CR2;2026-02-01;ABH;N1;V2;ex_partner;Y;N;N;N;N;N;charged",  # repeated
                "CR5;2026-02-20;STALKF;N2;V3;stranger;N;N;N;N;Y;N;charged",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    rows, err = identify("--incidents", str(path), "--as-of", "2026-03-01")
    assert Incident.objects.count() == 0  # nothing imported
    by_ref = {r["perpetrator_ref"]: r for r in rows}
    n1, n2 = by_ref["N1"], by_ref["N2"]
    # N1: CA (8) + ABH (252) + unknown (0); victims V1, V2; last 10/02/2026 = 19 days.
    assert (n1["frequency"], n1["victims"], n1["recency_days"]) == ("3", "2", "19")
    assert float(n1["harm_sum"]) == 260.0 and n1["harm_unknown"] == "1"
    assert "harm unknown for 1 incident (counted as 0)" in n1["explanation"]
    assert n1["serial"] == "true"
    # N2: STALKF is a stalking offence in the catalogue (365 days); the incident says weapon.
    assert n2["flags"] == "stalking|weapon" and float(n2["harm_sum"]) == 365.0
    assert "line 4, occurred_on" in err
    assert "1 repeated crime references left out" in err
    assert "ZZZ" in err and "offence catalogue:" in err


def test_it_uses_a_catalogue_given_on_the_command_line(db, tmp_path):
    catalogue = tmp_path / "force.csv"
    catalogue.write_text(
        "code,name,category,domestic,stalking,sexual,strangulation,weapon,breach,harm_days,source\n"
        "CA,Common assault,violence_without_injury,Y,N,N,N,N,N,100,force table\n"
    )
    path = tmp_path / "incidents.csv"
    path.write_text(
        HEADER.replace(";", ",") + "\nCR1,2026-02-01,CA,N1,V1,partner,N,N,N,N,N,N,charged\n"
    )
    rows, _ = identify(
        "--incidents", str(path), "--catalogue", str(catalogue), "--as-of", "2026-03-01"
    )
    assert float(rows[0]["harm_sum"]) == 100.0
    assert rows[0]["flags"] == "domestic"


def test_it_matches_an_independent_recount_of_a_synthetic_force(db, tmp_path):
    as_of = dt.date(2026, 3, 1)
    _, incidents, _ = generate_frames(400, 3, 11, end_date=as_of)
    path = tmp_path / "incidents.csv"
    incidents.write_csv(path)
    rows, _ = identify("--incidents", str(path), "--as-of", as_of.isoformat())

    harm = {}
    with open(SHIPPED_CATALOGUE, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            harm[row["code"]] = float(row["harm_days"])
    start = as_of - dt.timedelta(days=730)
    recount = defaultdict(lambda: {"n": 0, "victims": set(), "last": None, "harm": 0.0})
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            day = dt.date.fromisoformat(row["occurred_on"])
            if not start < day <= as_of:
                continue
            r = recount[row["perpetrator_ref"]]
            r["n"] += 1
            if row["victim_ref"]:
                r["victims"].add(row["victim_ref"])
            r["last"] = day if r["last"] is None else max(r["last"], day)
            r["harm"] += harm[row["offence_code"]]

    assert len(rows) == len(recount) > 100
    for row in rows:
        expected = recount[row["perpetrator_ref"]]
        assert int(row["frequency"]) == expected["n"]
        assert int(row["victims"]) == len(expected["victims"])
        assert int(row["recency_days"]) == (as_of - expected["last"]).days
        assert abs(float(row["harm_sum"]) - expected["harm"]) < 1e-6
    scores = [int(r["priority_score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)


def test_it_reads_parquet_exports_the_same_as_csv(db, tmp_path):
    as_of = dt.date(2026, 3, 1)
    _, incidents, _ = generate_frames(60, 2, 5, end_date=as_of)
    incidents.write_csv(tmp_path / "incidents.csv")
    incidents.write_parquet(tmp_path / "incidents.parquet")
    from_csv, _ = identify("--incidents", str(tmp_path / "incidents.csv"), "--as-of", "2026-03-01")
    from_parquet, _ = identify(
        "--incidents", str(tmp_path / "incidents.parquet"), "--as-of", "2026-03-01"
    )
    assert from_csv and from_csv == from_parquet
