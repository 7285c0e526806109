"""--simulate-unit: high scorers adopted on a date, a true effect, natural decline."""

import csv
import datetime as dt
import math

import pytest

from highharm.synthetic.generator import UnitSimulation, generate, generate_frames

END = dt.date(2025, 6, 30)
ADOPTION = dt.date(2024, 6, 30)
N = 2000


def _sim(**kw):
    return UnitSimulation(adoption_date=ADOPTION, **kw)


def test_it_changes_nothing_when_there_is_no_effect_and_no_decline():
    _, baseline, _ = generate_frames(N, 3, 2, END)
    _, incidents, cohort = generate_frames(
        N, 3, 2, END, simulation=_sim(effect=0.0, natural_decline=0.0)
    )
    assert incidents.equals(baseline)
    assert set(cohort["group"]) == {"adopted", "comparison"}


def test_it_stops_adopted_perpetrators_after_adoption_when_the_effect_is_total():
    _, baseline, _ = generate_frames(N, 3, 2, END)
    _, incidents, cohort = generate_frames(
        N, 3, 2, END, simulation=_sim(effect=1.0, natural_decline=0.0)
    )
    adopted = set(cohort.filter(cohort["group"] == "adopted")["perpetrator_ref"])
    comparison = set(cohort.filter(cohort["group"] == "comparison")["perpetrator_ref"])
    rows = incidents.rows(named=True)
    base = baseline.rows(named=True)
    assert not [r for r in rows if r["perpetrator_ref"] in adopted and r["occurred_on"] >= ADOPTION]
    assert [r for r in base if r["perpetrator_ref"] in adopted and r["occurred_on"] >= ADOPTION]

    def key(r):
        return (r["perpetrator_ref"], r["occurred_on"], r["offence_code"])

    # the comparison group is untouched (no decline), so are their incidents
    assert sorted(key(r) for r in rows if r["perpetrator_ref"] in comparison) == sorted(
        key(r) for r in base if r["perpetrator_ref"] in comparison
    )
    # before adoption nothing changes for anyone
    assert sorted(key(r) for r in rows if r["occurred_on"] < ADOPTION) == sorted(
        key(r) for r in base if r["occurred_on"] < ADOPTION
    )


def test_it_picks_the_high_scorers_of_the_year_before_adoption():
    _, incidents, cohort = generate_frames(N, 3, 2, END, simulation=_sim(high_share=0.05))
    assert cohort.height == math.ceil(0.05 * N)
    year_before = [
        r["perpetrator_ref"]
        for r in incidents.rows(named=True)
        if ADOPTION - dt.timedelta(days=365) <= r["occurred_on"] < ADOPTION
    ]
    members = set(cohort["perpetrator_ref"])
    counts = {}
    for ref in year_before:
        counts[ref] = counts.get(ref, 0) + 1
    inside = [counts[r] for r in members]
    outside = [c for r, c in counts.items() if r not in members]
    assert min(inside) >= 1
    assert sum(inside) / len(inside) > 3 * sum(outside) / len(outside)


def test_it_writes_cohort_csv(tmp_path):
    persons_path, _, stats = generate(N, 3, 2, tmp_path, END, simulation=_sim(adopt_share=0.4))
    with open(tmp_path / "cohort.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["perpetrator_ref", "index_date", "group"]
    assert {r["index_date"] for r in rows} == {"2024-06-30"}
    with open(persons_path, newline="", encoding="utf-8") as handle:
        people = {r["reference"] for r in csv.DictReader(handle)}
    assert {r["perpetrator_ref"] for r in rows} <= people
    assert stats.cohort_rows == len(rows) == math.ceil(0.03 * N)
    adopted = sum(r["group"] == "adopted" for r in rows) / len(rows)
    assert 0.2 <= adopted <= 0.6


def test_it_refuses_shares_outside_zero_to_one():
    with pytest.raises(ValueError, match="effect"):
        _sim(effect=1.5)
