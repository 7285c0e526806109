"""The force has the published shape of harm (docs/synthetic.md), measured in plain Python.

The figures are computed here from the CSV rows with the catalogue's weights,
independently of highharm.synthetic.measure. Bounds are loose: 3,000
perpetrators is a small force.
"""

import datetime as dt
import math
from collections import Counter, defaultdict

from highharm.synthetic.catalogue import harm_weights

from .conftest import END


def _harm(force):
    weights, _ = harm_weights()
    harm = defaultdict(float)
    for row in force["incidents"]:
        harm[row["perpetrator_ref"]] += weights[row["offence_code"]]
    return harm


def test_it_leaves_most_perpetrator_victim_pairs_with_a_single_incident(force):
    pairs = Counter(
        (row["perpetrator_ref"], row["victim_ref"])
        for row in force["incidents"]
        if row["victim_ref"]
    )
    single = sum(1 for n in pairs.values() if n == 1) / len(pairs)
    assert 0.68 <= single <= 0.85  # Suffolk: 76% of pairs had no repeat


def test_it_concentrates_harm_among_the_top_three_percent(force):
    harm = sorted(_harm(force).values(), reverse=True)
    top = harm[: math.ceil(0.03 * len(harm))]
    assert sum(top) / sum(harm) >= 0.5


def test_it_has_some_escalating_perpetrators(force):
    weights, _ = harm_weights()
    by_perp = defaultdict(list)
    for row in force["incidents"]:
        by_perp[row["perpetrator_ref"]].append(
            (dt.date.fromisoformat(row["occurred_on"]), weights[row["offence_code"]])
        )
    escalating = 0
    for events in by_perp.values():
        if len(events) < 4:
            continue
        events.sort()
        half = len(events) // 2
        early, late = events[:half], events[half:]
        gaps = [(b[0] - a[0]).days for a, b in zip(events, events[1:], strict=False)]
        early_gap = sum(gaps[: half - 1]) / max(half - 1, 1)
        late_gap = sum(gaps[half:]) / max(len(gaps) - half, 1)
        early_harm = sum(h for _, h in early) / len(early)
        late_harm = sum(h for _, h in late) / len(late)
        escalating += late_harm > early_harm and late_gap < early_gap
    assert 0.01 <= escalating / len(by_perp) <= 0.1


def test_it_has_stalkers_who_breach_orders_after_a_charge(force):
    by_perp = defaultdict(list)
    for row in force["incidents"]:
        by_perp[row["perpetrator_ref"]].append(row)
    found = 0
    for rows in by_perp.values():
        rows.sort(key=lambda r: r["occurred_on"])
        if sum(r["stalking"] == "Y" for r in rows) < 3:
            continue
        charged = [r["occurred_on"] for r in rows if r["outcome"] == "charged"]
        breaches = [r["occurred_on"] for r in rows if r["breach"] == "Y"]
        found += bool(charged and breaches and min(breaches) > min(charged))
    assert found >= 10


def test_it_has_serial_perpetrators_with_several_partners(force):
    partners = defaultdict(set)
    for row in force["incidents"]:
        if row["victim_ref"] and row["relationship"] in ("partner", "ex_partner"):
            partners[row["perpetrator_ref"]].add(row["victim_ref"])
    assert sum(len(v) >= 2 for v in partners.values()) >= 20


def test_it_records_offences_at_realistic_rates(force):
    rows = force["incidents"]
    share = Counter()
    for row in rows:
        share["sexual"] += row["sexual"] == "Y"
        share["DOMNC"] += row["offence_code"] == "DOMNC"
        share["no_victim"] += row["victim_ref"] == ""
        share["strangulation"] += row["strangulation"] == "Y"
    n = len(rows)
    assert 0.01 <= share["sexual"] / n <= 0.08
    assert 0.2 <= share["DOMNC"] / n <= 0.45
    assert 0.01 <= share["no_victim"] / n <= 0.15
    assert 0.005 <= share["strangulation"] / n <= 0.06


def test_it_puts_strangulation_among_a_minority_mostly_high_harm(force):
    harm = _harm(force)
    stranglers = {r["perpetrator_ref"] for r in force["incidents"] if r["strangulation"] == "Y"}
    assert 0.01 <= len(stranglers) / len(harm) <= 0.1
    median = sorted(harm.values())[len(harm) // 2]
    assert sum(harm[p] > median for p in stranglers) / len(stranglers) > 0.9


def test_it_makes_a_few_victims_perpetrators_too(force):
    perpetrators = {r["perpetrator_ref"] for r in force["incidents"]}
    victims = {r["victim_ref"] for r in force["incidents"] if r["victim_ref"]}
    assert 0 < len(perpetrators & victims) <= 0.05 * len(perpetrators)


def test_it_makes_perpetrators_mostly_male_adults(force):
    perpetrators = {r["perpetrator_ref"] for r in force["incidents"]}
    people = [p for p in force["persons"] if p["reference"] in perpetrators]
    genders = Counter(p["gender"] for p in people)
    assert 0.65 <= genders["M"] / len(people) <= 0.9
    assert genders["F"] / len(people) >= 0.1
    ages = [
        (END - dt.date.fromisoformat(p["date_of_birth"])).days / 365.25
        for p in people
        if p["date_of_birth"]
    ]
    assert sum(18 <= a <= 60 for a in ages) / len(ages) >= 0.85
    assert min(ages) >= 16


def test_it_records_ethnicity_for_some_people_only(force):
    recorded = sum(bool(p["ethnicity"]) for p in force["persons"]) / len(force["persons"])
    assert 0.4 <= recorded <= 0.85
    white = sum(p["ethnicity"] == "White" for p in force["persons"] if p["ethnicity"])
    assert 0.75 <= white / (recorded * len(force["persons"])) <= 0.88  # ONS 2021: 81.7%
