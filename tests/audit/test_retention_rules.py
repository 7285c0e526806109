"""The pure retention rules (highharm.audit.retention), by hand and against a plain reference."""

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from highharm.audit import retention as r

D = dt.date
RECORDED = D(2020, 1, 1)
TODAY = D(2026, 1, 1)


def incident(pid, day, code="CD", category="criminal_damage", harm=28.0, **flags):
    row = {
        "person_id": pid,
        "occurred_on": day,
        "code": code,
        "category": category,
        "harm_days": harm,
    }
    for f in ("sexual", "stalking", "strangulation", "weapon"):
        row[f] = flags.get(f, False)
    return row


def person(pid, *, dob=None, recorded=RECORDED, case=None, retained=None):
    return {
        "person_id": pid,
        "date_of_birth": dob,
        "recorded_on": recorded,
        "has_case": case is not None,
        "case_activity_on": case,
        "last_retain_on": retained,
    }


def position(incidents, who, as_of=TODAY):
    frame = pl.DataFrame(incidents, schema=r.INCIDENT_COLUMNS) if incidents else r.empty_incidents()
    return r.person_retention(frame, who, as_of=as_of)


def test_it_puts_a_common_assault_in_group_2_reviewed_ten_years_after():
    p = position([incident(1, D(2015, 1, 10), "CA", "violence_without_injury", 8)], person(1))
    assert (p.group, p.next_review, p.last_activity) == (2, D(2025, 1, 10), D(2015, 1, 10))
    assert p.basis == "CA on 2015-01-10"
    assert p.due


def test_it_is_not_due_the_day_before():
    p = position(
        [incident(1, D(2015, 1, 10), "CA", "violence_without_injury", 8)],
        person(1),
        as_of=D(2025, 1, 9),
    )
    assert not p.due


def test_it_gives_criminal_damage_a_six_year_clear_period():
    p = position([incident(1, D(2018, 3, 1))], person(1))
    assert (p.group, p.next_review, p.retain_until) == (3, D(2024, 3, 1), None)


def test_it_restarts_the_clear_period_with_each_new_incident():
    p = position([incident(1, D(2012, 3, 1)), incident(1, D(2019, 5, 2))], person(1))
    assert p.next_review == D(2025, 5, 2)


def test_it_keeps_rape_in_group_1_until_the_100th_birthday():
    p = position(
        [incident(1, D(2001, 2, 3), "RAPE", "sexual", 2920, sexual=True)],
        person(1, dob=D(1950, 6, 1)),
    )
    assert (p.group, p.next_review, p.retain_until) == (1, D(2011, 2, 3), D(2050, 6, 1))
    assert p.disposal_blocked_by_group(D(2026, 1, 1))
    assert not p.disposal_blocked_by_group(D(2050, 6, 1))


def test_it_blocks_group_1_disposal_when_the_date_of_birth_is_unknown():
    p = position([incident(1, D(2001, 2, 3), "MURDER", "violence_with_injury", 10950)], person(1))
    assert p.retain_until is None
    assert "unknown" in p.disposal_blocked_by_group(D(2100, 1, 1))


def test_it_treats_a_heavy_offence_of_a_force_catalogue_as_group_1():
    p = position([incident(1, D(2010, 1, 1), "LOCAL99", "other", 1095.0)], person(1))
    assert p.group == 1
    p = position([incident(1, D(2010, 1, 1), "LOCAL98", "other", 1094.9)], person(1))
    assert p.group == 3


def test_it_moves_a_flagged_incident_to_group_2():
    for flag in ("sexual", "stalking", "strangulation", "weapon"):
        p = position([incident(1, D(2010, 1, 1), **{flag: True})], person(1))
        assert p.group == 2, flag


def test_it_puts_a_person_managed_by_the_unit_in_group_1_from_the_case_date():
    p = position([incident(1, D(2010, 1, 1))], person(1, case=D(2021, 5, 5), dob=D(1980, 1, 1)))
    assert (p.group, p.basis) == (1, "managed by the unit (case)")
    assert (p.last_activity, p.next_review, p.retain_until) == (
        D(2021, 5, 5),
        D(2031, 5, 5),
        D(2080, 1, 1),
    )


def test_it_counts_from_the_record_date_when_there_is_no_incident():
    p = position([], person(1, recorded=D(2019, 7, 7)))
    assert (p.group, p.basis, p.next_review) == (3, "no incident recorded", D(2025, 7, 7))


def test_it_counts_from_the_last_decision_to_retain():
    p = position([incident(1, D(2010, 1, 1))], person(1, retained=D(2024, 1, 1)))
    assert p.next_review == D(2030, 1, 1)


def test_it_moves_29_february_to_28_february():
    p = position([incident(1, D(2016, 2, 29))], person(1))
    assert p.next_review == D(2022, 2, 28)


def test_it_explains_the_group_by_the_most_serious_incident():
    p = position(
        [
            incident(1, D(2020, 1, 1)),
            incident(1, D(2012, 1, 1), "ABH", "violence_with_injury", 252),
            incident(1, D(2014, 1, 1), "CA", "violence_without_injury", 8),
        ],
        person(1),
    )
    assert (p.group, p.basis, p.next_review) == (2, "CA on 2014-01-01", D(2030, 1, 1))


def test_it_refuses_frames_without_the_columns():
    import pytest

    with pytest.raises(ValueError, match="harm_days"):
        r.review_table(pl.DataFrame({"person_id": [1]}), r.empty_people(), as_of=D(2026, 1, 1))


# ------------------------------------------------------------ plain reference


def add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def reference_group(inc):
    if inc["code"] in r.GROUP1_CODES or (inc["harm_days"] or 0) >= 1095:
        return 1
    if inc["category"] in r.GROUP2_CATEGORIES or any(
        inc[f] for f in ("sexual", "stalking", "strangulation", "weapon")
    ):
        return 2
    return 3


def reference(incidents, people, as_of):
    out = {}
    for p in people:
        mine = [i for i in incidents if i["person_id"] == p["person_id"]]
        group = min([reference_group(i) for i in mine], default=3)
        if p["has_case"]:
            group = 1
        dates = [i["occurred_on"] for i in mine]
        if p["case_activity_on"]:
            dates.append(p["case_activity_on"])
        last = max(dates) if dates else p["recorded_on"]
        clock = max(d for d in (last, p["last_retain_on"]) if d is not None)
        nxt = add_years(clock, {1: 10, 2: 10, 3: 6}[group])
        until = add_years(p["date_of_birth"], 100) if group == 1 and p["date_of_birth"] else None
        out[p["person_id"]] = (group, last, nxt, until, nxt <= as_of)
    return out


dates = st.dates(min_value=D(1990, 1, 1), max_value=D(2030, 12, 31))
codes = st.sampled_from(["CD", "CA", "RAPE", "DOMNC", "BRRO", "STALK", "MURDER", "X1"])
categories = st.sampled_from(
    [
        "criminal_damage",
        "violence_without_injury",
        "sexual",
        "other",
        "breach_of_order",
        "stalking_harassment",
        "coercive_control",
        "violence_with_injury",
    ]
)
incidents_st = st.lists(
    st.fixed_dictionaries(
        {
            "person_id": st.integers(1, 6),
            "occurred_on": dates,
            "code": codes,
            "category": categories,
            "harm_days": st.one_of(
                st.none(), st.sampled_from([0.0, 8.0, 365.0, 1094.0, 1095.0, 4000.0])
            ),
            "sexual": st.booleans(),
            "stalking": st.booleans(),
            "strangulation": st.booleans(),
            "weapon": st.booleans(),
        }
    ),
    max_size=25,
)


@st.composite
def people_st(draw):
    out = []
    for pid in range(1, 7):
        case = draw(st.one_of(st.none(), dates))
        out.append(
            {
                "person_id": pid,
                "date_of_birth": draw(st.one_of(st.none(), dates)),
                "recorded_on": draw(dates),
                "has_case": case is not None,
                "case_activity_on": case,
                "last_retain_on": draw(st.one_of(st.none(), dates)),
            }
        )
    return out


@settings(max_examples=60, deadline=None)
@given(incidents=incidents_st, people=people_st(), as_of=dates)
def test_it_matches_a_plain_reference(incidents, people, as_of):
    frame = pl.DataFrame(incidents, schema=r.INCIDENT_COLUMNS) if incidents else r.empty_incidents()
    table = r.review_table(frame, pl.DataFrame(people, schema=r.PEOPLE_COLUMNS), as_of=as_of)
    got = {
        row["person_id"]: (
            row["group"],
            row["last_activity"],
            row["next_review"],
            row["retain_until"],
            row["due"],
        )
        for row in table.iter_rows(named=True)
    }
    assert got == reference(incidents, people, as_of)
    assert table.get_column("next_review").is_sorted()
