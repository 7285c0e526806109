"""Before and after windows, follow-up and per-person figures against a plain-Python reference."""

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from highharm.evaluation.engine import EvaluationParams, evaluate

CATALOGUE = pl.DataFrame({"code": ["CA", "ABH", "DOMNC"], "harm_days": [28.0, 180.0, 0.0]})
INDEX = dt.date(2024, 3, 1)


def frames(people, incidents):
    cohort = pl.DataFrame(
        {"perpetrator_ref": [p for p, _ in people], "index_date": [d for _, d in people]},
        schema={"perpetrator_ref": pl.String, "index_date": pl.Date},
    )
    inc = pl.DataFrame(
        incidents,
        schema={"perpetrator_ref": pl.String, "occurred_on": pl.Date, "offence_code": pl.String},
        orient="row",
    )
    return cohort, inc


def run(people, incidents, **params):
    cohort, inc = frames(people, incidents)
    params.setdefault("bootstrap", 100)
    return evaluate(
        cohort=cohort, incidents=inc, catalogue=CATALOGUE, params=EvaluationParams(**params)
    )


def by_ref(result):
    return {p["perpetrator_ref"]: p for p in result["people"]}


def test_it_puts_the_index_day_after_and_the_window_edges_where_documented():
    day = dt.timedelta(days=1)
    incidents = [
        ("A", INDEX - 365 * day, "CA"),  # first day of before: counted
        ("A", INDEX - 366 * day, "CA"),  # outside before
        ("A", INDEX - day, "ABH"),  # last day of before
        ("A", INDEX, "CA"),  # index day: after
        ("A", INDEX + 364 * day, "CA"),  # last day of after
        ("A", INDEX + 365 * day, "ABH"),  # outside after
    ]
    result = run([("A", INDEX)], incidents, as_of=dt.date(2026, 1, 1))
    a = by_ref(result)["A"]
    assert (a["offences_before"], a["offences_after"]) == (2, 2)
    assert (a["harm_before"], a["harm_after"]) == (208.0, 56.0)
    assert a["days_to_first_offence"] == 0
    assert a["follow_up_complete"] is True


def test_it_shows_incomplete_follow_up_and_does_not_count_it_as_success():
    as_of = INDEX + dt.timedelta(days=100)
    incidents = [("A", INDEX - dt.timedelta(days=10), "ABH"), ("B", INDEX, "CA")]
    result = run([("A", INDEX), ("B", dt.date(2023, 1, 1))], incidents, as_of=as_of)
    a = by_ref(result)["A"]
    assert a["follow_up_complete"] is False
    assert a["follow_up_days"] == 101  # index day to as_of inclusive
    assert a["reduced"] is None and a["no_further_offending"] is None
    cohort = result["cohort"]
    assert cohort["incomplete_follow_up"] == 1
    assert cohort["n"] == 2 and cohort["n_analysed"] == 1
    assert cohort["reduced"] == 0 and cohort["no_further_offending"] == 1  # B only
    assert cohort["offences_before"] == 0  # A's offence is not in the totals


def test_it_ignores_incidents_after_the_as_of_date_and_non_crimes():
    incidents = [
        ("A", INDEX + dt.timedelta(days=5), "DOMNC"),
        ("A", INDEX - dt.timedelta(days=5), "DOMNC"),
        ("A", INDEX + dt.timedelta(days=50), "CA"),
    ]
    result = run([("A", INDEX)], incidents, as_of=INDEX + dt.timedelta(days=20), after_days=10)
    a = by_ref(result)["A"]
    assert (a["offences_before"], a["offences_after"]) == (0, 0)
    assert a["follow_up_complete"] is True
    assert result["parameters"]["excluded_incidents"] == 2


def test_it_drops_duplicate_crime_references():
    cohort, inc = frames([("A", INDEX)], [("A", INDEX, "CA"), ("A", INDEX, "CA")])
    inc = inc.with_columns(pl.Series("crime_reference", ["CR1", "CR1"]))
    result = evaluate(
        cohort=cohort,
        incidents=inc,
        catalogue=CATALOGUE,
        params=EvaluationParams(as_of=dt.date(2026, 1, 1), bootstrap=100),
    )
    assert result["people"][0]["offences_after"] == 1


def test_it_names_unknown_offence_codes():
    import pytest

    from highharm.evaluation.readers import EvaluationInputError

    with pytest.raises(EvaluationInputError, match="'XYZ' not in the offence catalogue"):
        run([("A", INDEX)], [("A", INDEX, "XYZ")], as_of=dt.date(2026, 1, 1))


# --- against a plain-Python reference ------------------------------------------

people_strategy = st.lists(
    st.tuples(st.sampled_from("ABCDEF"), st.integers(min_value=-30, max_value=30)),
    min_size=1,
    max_size=6,
    unique_by=lambda t: t[0],
)
incident_strategy = st.lists(
    st.tuples(
        st.sampled_from("ABCDEFG"),
        st.integers(min_value=-80, max_value=80),
        st.sampled_from(["CA", "ABH", "DOMNC"]),
    ),
    max_size=40,
)


def reference(people, incidents, before, after, as_of):
    harm = {"CA": 28.0, "ABH": 180.0, "DOMNC": 0.0}
    out = {}
    for ref, index in people:
        ob = oa = 0
        hb = ha = 0.0
        for r, day, code in incidents:
            if r != ref or code == "DOMNC" or day > as_of:
                continue
            offset = (day - index).days
            if -before <= offset < 0:
                ob, hb = ob + 1, hb + harm[code]
            elif 0 <= offset < after:
                oa, ha = oa + 1, ha + harm[code]
        follow = max(0, min(after, (as_of - index).days + 1))
        complete = follow == after
        out[ref] = {
            "offences_before": ob,
            "offences_after": oa,
            "harm_before": hb,
            "harm_after": ha,
            "follow_up_days": follow,
            "follow_up_complete": complete,
            "reduced": (oa < ob) if complete else None,
            "no_further_offending": (oa == 0) if complete else None,
        }
    return out


@settings(max_examples=25, deadline=None)
@given(
    people_strategy,
    incident_strategy,
    st.integers(min_value=1, max_value=60),
    st.integers(min_value=1, max_value=60),
    st.integers(min_value=-10, max_value=90),
)
def test_it_matches_a_plain_python_reference(people, incidents, before, after, as_of_offset):
    base = dt.date(2024, 1, 1)
    people = [(r, base + dt.timedelta(days=d)) for r, d in people]
    incidents = [(r, base + dt.timedelta(days=d), c) for r, d, c in incidents]
    as_of = base + dt.timedelta(days=as_of_offset)
    result = run(people, incidents, before_days=before, after_days=after, as_of=as_of)
    expected = reference(people, incidents, before, after, as_of)
    got = by_ref(result)
    for ref, row in expected.items():
        for key, value in row.items():
            assert got[ref][key] == value, (ref, key)
    done = [r for r in expected.values() if r["follow_up_complete"]]
    assert result["cohort"]["offences_before"] == sum(r["offences_before"] for r in done)
    assert result["cohort"]["offences_after"] == sum(r["offences_after"] for r in done)
    assert result["cohort"]["reduced"] == sum(1 for r in done if r["reduced"])
    assert result["cohort"]["incomplete_follow_up"] == len(expected) - len(done)
