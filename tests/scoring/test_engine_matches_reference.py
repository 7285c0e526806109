"""On random small forces the engine agrees exactly with the plain-Python reference:
same people, same measures, same points, same explanation, same ranks.

The data include same-day incidents, incidents without a victim, unknown and zero
harm, incidents on and around every window edge, and incidents after the as-of date.
"""

import dataclasses
import datetime as dt

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from highharm.scoring.config import Band, load_config
from highharm.scoring.engine import INPUT_COLUMNS, score
from tests.scoring.reference import reference_scores

DEFAULT = load_config("src/highharm/data/scoring.toml")
# A configuration with low thresholds so that every component fires on tiny data.
EAGER = dataclasses.replace(
    DEFAULT,
    version="eager",
    recency=(Band(0, 9), Band(3, 5), Band(40, 2)),
    frequency=(Band(4, 8), Band(2, 3)),
    harm=(Band(500, 7), Band(15.3, 4), Band(0.01, 1)),
    harm_max=(Band(365, 6), Band(8, 2)),
    victims=(Band(3, 5), Band(2, 3)),
    serial_min_victims=2,
    period_days=20,
    harm_ratio=1.0,
    gap_min_incidents=3,
    gap_slope_days=0.0,
    flags={**DEFAULT.flags, "domestic": 1},
)

AS_OF = dt.date(2026, 3, 1)
CATEGORIES = [
    "violence_with_injury",
    "violence_without_injury",
    "stalking_harassment",
    "coercive_control",
    "sexual",
    "criminal_damage",
    "breach_of_order",
    "other",
    "unknown",
]
HARMS = [None, 0.0, 0.01, 5.0, 8.0, 15.3, 28.0, 182.5, 252.0, 365.0, 547.5, 2920.0]
RELATIONSHIPS = ["partner", "ex_partner", "family", "acquaintance", "stranger", "other", "unknown"]


@st.composite
def forces(draw):
    config = draw(st.sampled_from([DEFAULT, EAGER]))
    window = draw(st.sampled_from([1, 2, 7, 30, 40, 365, 400, 730, 1000, 5000]))
    period = config.period_days
    edges = [
        0,
        1,
        -1,
        window - 1,
        window,
        window + 1,
        period - 1,
        period,
        2 * period - 1,
        2 * period,
    ]
    offsets = st.one_of(
        st.sampled_from(edges),
        st.integers(min_value=-5, max_value=60),
        st.integers(min_value=-5, max_value=1100),
    )
    incident = st.fixed_dictionaries(
        {
            "perpetrator_ref": st.sampled_from(["A", "B", "C", "D", "E"]),
            "victim_ref": st.sampled_from([None, "V1", "V2", "V3", "V4", "A"]),
            "days_before": offsets,
            "category": st.sampled_from(CATEGORIES),
            "harm_days": st.sampled_from(HARMS),
            "relationship": st.sampled_from(RELATIONSHIPS + ["partner", "ex_partner"] * 3),
            **{
                f: st.booleans()
                for f in ("domestic", "stalking", "sexual", "strangulation", "weapon", "breach")
            },
        }
    )
    rows = draw(st.lists(incident, min_size=0, max_size=30))
    # Same-day repeats: copy some incidents to the same date.
    if rows and draw(st.booleans()):
        rows += [dict(r) for r in rows[: draw(st.integers(1, len(rows)))]]
    for r in rows:
        r["occurred_on"] = AS_OF - dt.timedelta(days=r.pop("days_before"))
    return config, window, rows


def frame(rows):
    return pl.DataFrame(
        rows,
        schema={
            "perpetrator_ref": pl.String,
            "victim_ref": pl.String,
            "occurred_on": pl.Date,
            "category": pl.String,
            "harm_days": pl.Float64,
            "relationship": pl.String,
            **{
                f: pl.Boolean
                for f in ("domestic", "stalking", "sexual", "strangulation", "weapon", "breach")
            },
        },
    ).select(list(INPUT_COLUMNS))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(forces())
def test_it_agrees_with_the_reference_implementation(force):
    config, window, rows = force
    expected = reference_scores(rows, as_of=AS_OF, config=config, window_days=window)
    got = score(frame(rows), as_of=AS_OF, config=config, window_days=window).to_dicts()
    assert [g["perpetrator_ref"] for g in got] == [e["perpetrator_ref"] for e in expected]
    for g, e in zip(got, expected, strict=True):
        assert g["rank"] == e["rank"]
        for key in (
            "frequency",
            "recency_days",
            "last_incident_on",
            "first_incident_on",
            "harm_unknown",
            "victims",
            "partner_victims",
            "incidents_recent",
            "incidents_prior",
            "gap_slope",
            "escalating_harm",
            "gaps_shortening",
            "serial",
            "flags",
            "escalation",
            "priority_score",
            "explanation",
        ):
            assert g[key] == e[key], (key, g["perpetrator_ref"], g[key], e[key])
        assert g["harm_sum"] == e["harm_sum_h"] / 100
        assert g["harm_max"] == e["harm_max_h"] / 100
        assert g["harm_recent"] == e["harm_recent_h"] / 100
        assert g["harm_prior"] == e["harm_prior_h"] / 100
        for name, points in e["points"].items():
            assert g[f"points_{name}"] == points, (name, g["perpetrator_ref"])
        for name in (
            "stalking",
            "sexual",
            "strangulation",
            "weapon",
            "breach",
            "coercive_control",
            "domestic",
        ):
            assert g[f"flag_{name}"] == e[f"flag_{name}"]
        assert g["config_version"] == config.version
        assert g["as_of"] == AS_OF and g["window_days"] == window


@settings(max_examples=40, deadline=None)
@given(forces(), st.randoms(use_true_random=False))
def test_it_does_not_depend_on_row_order(force, rnd):
    config, window, rows = force
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    a = score(frame(rows), as_of=AS_OF, config=config, window_days=window)
    b = score(frame(shuffled), as_of=AS_OF, config=config, window_days=window)
    assert a.equals(b)


@settings(max_examples=40, deadline=None)
@given(forces(), st.integers(min_value=1, max_value=7))
def test_it_gives_the_same_result_in_slices(force, rows_per_slice):
    from highharm.scoring import engine

    config, window, rows = force
    whole = score(frame(rows), as_of=AS_OF, config=config, window_days=window)
    saved = engine.CHUNK_ROWS
    engine.CHUNK_ROWS = rows_per_slice
    try:
        sliced = score(frame(rows), as_of=AS_OF, config=config, window_days=window)
    finally:
        engine.CHUNK_ROWS = saved
    assert sliced.equals(whole)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(forces(), st.integers(min_value=0, max_value=12))
def test_the_top_n_are_ranks_1_to_n_of_the_whole_ranking(force, top):
    # With `top`, only the rows that can reach the top are sorted: ranks 1 to `top`, with
    # everyone who shares the last of them.
    config, window, rows = force
    whole = score(frame(rows), as_of=AS_OF, config=config, window_days=window)
    assert score(frame(rows), as_of=AS_OF, config=config, window_days=window, top=top).equals(
        whole.filter(pl.col("rank") <= top)
    )


def test_the_top_n_takes_everyone_who_shares_rank_n_in_reference_order():
    config = load_config("src/highharm/data/scoring.toml")
    same = {
        "victim_ref": None,
        "occurred_on": AS_OF - dt.timedelta(days=20),
        "category": "other",
        "harm_days": 10.0,
        "relationship": "family",
        **dict.fromkeys(("domestic", "stalking", "sexual", "strangulation", "weapon"), False),
        "breach": False,
    }
    rows = [{"perpetrator_ref": f"T{i:02d}", **same} for i in (7, 3, 9, 0, 5, 1, 8, 2, 6, 4)]
    rows.append({**rows[0], "perpetrator_ref": "HIGH", "harm_days": 900.0})
    got = score(frame(rows), as_of=AS_OF, config=config, top=4)
    assert got.get_column("perpetrator_ref").to_list() == [
        "HIGH",
        *[f"T{i:02d}" for i in range(10)],
    ]
    assert got.get_column("rank").to_list() == [1] + [2] * 10
    assert score(frame(rows), as_of=AS_OF, config=config, top=1).height == 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(forces())
def test_rank_leaves_rows_in_place_with_the_ranks_the_list_gives(force):
    from highharm.scoring.engine import finish, rank

    config, window, rows = force
    # Three people with the same single incident: a shared rank in every example.
    tie = {
        "victim_ref": None,
        "occurred_on": AS_OF,
        "category": "other",
        "harm_days": 1.0,
        "relationship": "family",
        **dict.fromkeys(("domestic", "stalking", "sexual", "strangulation", "weapon"), False),
        "breach": False,
    }
    rows = [*rows, *({"perpetrator_ref": f"TIE-{c}", **tie} for c in "CAB")]
    listed = score(frame(rows), as_of=AS_OF, config=config, window_days=window, explain=False)
    ranked = finish(
        rank(frame(rows), as_of=AS_OF, config=config, window_days=window),
        as_of=AS_OF,
        config=config,
        window_days=window,
        explain=False,
    )
    assert ranked.sort("perpetrator_ref").equals(listed.sort("perpetrator_ref"))
