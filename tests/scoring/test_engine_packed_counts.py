"""The engine keeps several per-perpetrator totals in one 64-bit running sum (each in a
lane as wide as the busiest perpetrator needs) and reads them off at each perpetrator's
last row. Counts that are all at their largest, a perpetrator with hundreds of incidents
beside others with one, running sums that wrap round 2**64, and slices of a few rows must
still give every count exactly as the plain reference does."""

import datetime as dt
import random

import pytest

from highharm.scoring import engine
from highharm.scoring.config import load_config
from tests.scoring.reference import reference_scores
from tests.scoring.test_engine_matches_reference import frame

CONFIG = load_config("src/highharm/data/scoring.toml")
AS_OF = dt.date(2026, 3, 1)
FLAGS = ("domestic", "stalking", "sexual", "strangulation", "weapon", "breach")
COUNTS = (
    "frequency",
    "victims",
    "partner_victims",
    "incidents_recent",
    "incidents_prior",
    "harm_unknown",
    *[f"flag_{f}" for f in (*FLAGS, "coercive_control")],
)


def _all_flagged(ref: str, n: int, *, days_before: int) -> list[dict]:
    """n incidents, each with every flag, unknown harm, a new partner victim each time."""
    return [
        {
            "perpetrator_ref": ref,
            "victim_ref": f"{ref}-V{i}",
            "occurred_on": AS_OF - dt.timedelta(days=days_before),
            "category": "coercive_control",
            "harm_days": None,
            "relationship": "partner",
            **dict.fromkeys(FLAGS, True),
        }
        for i in range(n)
    ]


def _mixed(rnd: random.Random, ref: str, n: int) -> list[dict]:
    return [
        {
            "perpetrator_ref": ref,
            "victim_ref": rnd.choice([None, "V1", "V2", f"{ref}-V3"]),
            "occurred_on": AS_OF - dt.timedelta(days=rnd.randrange(0, 800)),
            "category": rnd.choice(["coercive_control", "sexual", "other", "unknown"]),
            "harm_days": rnd.choice([None, 0.0, 5.0, 28.0, 365.0]),
            "relationship": rnd.choice(["partner", "ex_partner", "family", "stranger"]),
            **{f: rnd.random() < 0.3 for f in FLAGS},
        }
        for _ in range(n)
    ]


def _check(rows: list[dict]) -> list[dict]:
    expected = {
        e["perpetrator_ref"]: e
        for e in reference_scores(rows, as_of=AS_OF, config=CONFIG, window_days=730)
    }
    got = engine.score(frame(rows), as_of=AS_OF, config=CONFIG, explain=False).to_dicts()
    assert {g["perpetrator_ref"] for g in got} == set(expected)
    for g in got:
        e = expected[g["perpetrator_ref"]]
        for key in COUNTS:
            assert g[key] == e[key], (key, g["perpetrator_ref"], g[key], e[key])
        assert g["rank"] == e["rank"] and g["priority_score"] == e["priority_score"]
    return got


@pytest.mark.parametrize("most", [255, 256])
def test_counts_at_their_largest_do_not_spill_into_each_other(most):
    # Every count of P-FULL equals its frequency (all flagged, all unknown harm, all recent,
    # a new partner victim each time). Neighbours: one in the prior year, one mixed.
    rows = _all_flagged("P-FULL", most, days_before=10)
    rows += _all_flagged("P-PRIOR", 3, days_before=400)
    rows += _mixed(random.Random(1), "P-ONE", 1)
    got = {g["perpetrator_ref"]: g for g in _check(rows)}
    full = got["P-FULL"]
    assert full["frequency"] == full["victims"] == full["partner_victims"] == most
    assert full["incidents_recent"] == full["harm_unknown"] == most
    assert full["incidents_prior"] == 0 and all(full[f"flag_{f}"] for f in FLAGS)
    assert got["P-PRIOR"]["incidents_prior"] == 3 and got["P-PRIOR"]["incidents_recent"] == 0


@pytest.mark.parametrize("rows_per_slice", [1, 3, 50, 2_000_000])
def test_a_busy_perpetrator_among_quiet_ones_in_slices(monkeypatch, rows_per_slice):
    rnd = random.Random(7)
    rows = _mixed(rnd, "BUSY", 600)
    for i in range(40):
        rows += _mixed(rnd, f"Q{i:02d}", rnd.randrange(1, 4))
    rnd.shuffle(rows)
    monkeypatch.setattr(engine, "CHUNK_ROWS", rows_per_slice)
    got = _check(rows)
    assert max(g["frequency"] for g in got) > 255


def test_polars_wraps_unsigned_running_sums_and_differences():
    # The engine relies on this: running sums of 64-bit words wrap modulo 2**64, and the
    # difference of two wrapped sums is still the exact total between them.
    import polars as pl

    words = pl.Series([2**64 - 1, 5, 2**63], dtype=pl.UInt64)
    running = words.cum_sum()
    assert running.to_list() == [2**64 - 1, 4, 2**63 + 4]
    assert (running - running.shift(1)).to_list()[1:] == [5, 2**63]


def test_running_sums_that_wrap_many_times_still_give_exact_totals():
    # 3,000 perpetrators with one incident each: every lane is one incident wide, so the
    # harm lanes sit high in their word and each row adds about 2**59 to its running sum,
    # which wraps round 2**64 hundreds of times over the slice.
    rows = [
        {
            "perpetrator_ref": f"S{i:05d}",
            "victim_ref": f"V{i:05d}",
            "occurred_on": AS_OF - dt.timedelta(days=i % 300),
            "category": "sexual",
            "harm_days": 2555.0 - (i % 7),
            "relationship": "partner",
            **{f: (i + j) % 2 == 0 for j, f in enumerate(FLAGS)},
        }
        for i in range(3000)
    ]
    got = _check(rows)
    assert len(got) == 3000
    assert {g["harm_sum"] for g in got} == {2555.0 - k for k in range(7)}


def test_harm_beyond_32_bits_still_totals_exactly():
    # Two incidents of 20 million days: 4e9 hundredths, more than a 32-bit total holds.
    rows = _all_flagged("Q1", 2, days_before=5)
    for row in rows:
        row["harm_days"] = 20_000_000.0
    got = engine.score(frame(rows), as_of=AS_OF, config=CONFIG, explain=False).row(0, named=True)
    assert got["frequency"] == 2
    assert got["harm_max"] == 20_000_000.0 and got["harm_sum"] == 40_000_000.0
    assert got["harm_recent"] == 40_000_000.0


@pytest.mark.parametrize("harm", [-1.0, 43_000_000.0])
def test_harm_outside_its_range_is_refused(harm):
    rows = _all_flagged("P1", 1, days_before=3)
    rows[0]["harm_days"] = harm
    with pytest.raises(engine.ScoringInputError, match="harm_days must be between"):
        engine.score(frame(rows), as_of=AS_OF, config=CONFIG)
