"""Cases worked out by hand from docs/scoring.md and the shipped configuration."""

import dataclasses
import datetime as dt

import pytest

from highharm.scoring.config import load_config
from highharm.scoring.engine import rank, score
from tests.scoring.helpers import frame, incident

CONFIG = load_config("src/highharm/data/scoring.toml")
AS_OF = dt.date(2026, 3, 1)
D = dt.date


def one(rows, **kwargs):
    out = score(frame(rows), as_of=AS_OF, config=CONFIG, **kwargs).to_dicts()
    assert len(out) == 1
    return out[0]


def test_it_scores_and_explains_a_serial_escalating_stalker():
    rows = [
        incident("P1", D(2025, 1, 10), victim="V1", harm=8.0, relationship="ex_partner"),
        incident("P1", D(2025, 6, 1), victim="V1", harm=252.0, relationship="ex_partner"),
        incident(
            "P1",
            D(2026, 2, 14),
            victim="V2",
            harm=365.0,
            category="stalking_harassment",
            stalking=True,
        ),
        incident(
            "P1",
            D(2026, 2, 20),
            victim=None,
            harm=None,
            category="coercive_control",
            relationship="unknown",
        ),
    ]
    got = one(rows)
    # 4 incidents (band >= 4: 15); victims V1, V2 (>= 2: 10); 20 Feb -> 1 Mar = 9 days
    # (<= 28: 15); harm 8 + 252 + 365 + 0 = 625 (>= 365: 20); largest 365 (>= 365: 10);
    # V1 ex-partner and V2 partner: serial (10); last year 252 + 365 + 0 = 617 against 8
    # the year before, 617 >= 1.5 * 8 (10); gaps 142, 257, 6 days: slope
    # ((0-1)(142-135) + (2-1)(6-135)) / 2 = -68 <= -14 with 4 incidents (5); stalking (10);
    # coercive control (10). Total 115.
    assert got["frequency"] == 4
    assert got["victims"] == 2
    assert got["recency_days"] == 9
    assert got["harm_sum"] == 625.0
    assert got["harm_max"] == 365.0
    assert got["harm_unknown"] == 1
    assert got["partner_victims"] == 2 and got["serial"]
    assert (got["harm_recent"], got["harm_prior"]) == (617.0, 8.0)
    assert got["gap_slope"] == -68.0
    assert got["escalation"] == "harm rising; gaps shortening"
    assert got["flags"] == "stalking|coercive_control"
    assert got["priority_score"] == 115
    assert got["explanation"] == (
        "4 incidents in 2 years (+15), 2 victims in 2 years (+10), last incident 9 days ago (+15), "
        "harm 625 days (+20), most harmful incident 365 days (+10), "
        "serial perpetrator: 2 victims in separate relationships (+10), "
        "escalating: harm 617 days in the last year against 8 the year before (+10), "
        "incidents coming closer together (gap trend -68.0 days per incident) (+5), "
        "stalking (+10), coercive control (+10); "
        "note: harm unknown for 1 incident (counted as 0)"
    )
    assert got["config_version"] == CONFIG.version


def test_it_counts_same_day_incidents_separately_with_a_gap_of_zero():
    rows = [incident("P1", D(2026, 1, 1), harm=28.0) for _ in range(3)]
    got = one(rows)
    assert got["frequency"] == 3
    assert got["victims"] == 1
    assert got["gap_slope"] == 0.0  # gaps 0, 0
    assert got["harm_sum"] == 84.0


def test_it_counts_no_victim_when_none_is_recorded():
    got = one(
        [incident("P1", D(2026, 1, 1), victim=None), incident("P1", D(2026, 1, 2), victim=None)]
    )
    assert got["victims"] == 0
    assert got["points_victims"] == 0


def test_it_counts_zero_harm_as_zero_without_a_note():
    got = one([incident("P1", D(2026, 2, 1), harm=0.0, category="other")])
    assert got["harm_sum"] == 0.0 and got["harm_max"] == 0.0
    assert got["harm_unknown"] == 0
    assert "note" not in got["explanation"]


def test_it_ignores_incidents_after_the_as_of_date():
    rows = [incident("P1", D(2026, 3, 2), harm=2920.0), incident("P2", D(2026, 2, 1))]
    out = score(frame(rows), as_of=AS_OF, config=CONFIG)
    assert out.get_column("perpetrator_ref").to_list() == ["P2"]


def test_it_breaks_ties_on_harm_then_recency_and_equals_share_a_rank():
    rows = [
        # Same points (frequency 1, victims 1, recency <= 28: 15; harm band >= 28: 5)...
        incident("B", D(2026, 2, 20), harm=30.0),
        incident("A", D(2026, 2, 20), harm=30.0),
        incident("C", D(2026, 2, 25), harm=30.0),  # ...more recent
        incident("D", D(2026, 2, 10), harm=170.0),  # ...more harm, same band
    ]
    out = score(frame(rows), as_of=AS_OF, config=CONFIG)
    assert out.get_column("priority_score").unique().to_list() == [20]
    assert out.get_column("perpetrator_ref").to_list() == ["D", "C", "A", "B"]
    # A and B are equal on score, harm and recency: joint third, listed by reference.
    assert out.get_column("rank").to_list() == [1, 2, 3, 3]
    # Every row carries the same rank when the rows are left where they are.
    ranked = rank(frame(rows), as_of=AS_OF, config=CONFIG)
    by_ref = dict(zip(ranked.get_column("perpetrator_ref"), ranked.get_column("rank"), strict=True))
    assert by_ref == {"D": 1, "C": 2, "A": 3, "B": 3}


def test_it_rounds_the_gap_trend_half_away_from_zero():
    # Gaps 2, 0, 1, 0, 0, 0, 0 (8 incidents): slope = sum((j - 3) * g_j) / 28 = -7 / 28 = -0.25.
    start = D(2026, 1, 1)
    offsets = [0, 2, 2, 3, 3, 3, 3, 3]
    config = dataclasses.replace(CONFIG, gap_min_incidents=3, gap_slope_days=0.0)
    rows = [incident("P1", start + dt.timedelta(days=o)) for o in offsets]
    got = score(frame(rows), as_of=AS_OF, config=config).row(0, named=True)
    assert got["gap_slope"] == -0.25
    assert "(gap trend -0.3 days per incident) (+5)" in got["explanation"]


def test_it_says_when_nothing_scored():
    config = dataclasses.replace(CONFIG, recency=())
    got = score(frame([incident("P1", D(2025, 1, 1), harm=1.0)]), as_of=AS_OF, config=config).row(
        0, named=True
    )
    assert got["priority_score"] == 0
    assert got["explanation"] == "no component scored"


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (0, "last incident on the as-of date (+15)"),
        (1, "last incident 1 day ago (+15)"),
        (28, "last incident 28 days ago (+15)"),
        (29, "last incident 29 days ago (+10)"),
    ],
)
def test_it_bands_recency_inclusively(days, expected):
    got = one([incident("P1", AS_OF - dt.timedelta(days=days), harm=1.0)])
    assert got["explanation"] == expected


def test_it_needs_an_incident_in_each_year_to_call_harm_rising():
    # Two incidents in the last year and none the year before: new, not escalating.
    got = one([incident("P1", D(2025, 12, 1), harm=8.0), incident("P1", D(2026, 2, 1), harm=252.0)])
    assert not got["escalating_harm"]
    # Add a zero-harm incident in the year before: 260 > 0 and 260 >= 1.5 * 0, rising.
    got = one(
        [
            incident("P1", D(2024, 6, 1), harm=0.0),
            incident("P1", D(2025, 12, 1), harm=8.0),
            incident("P1", D(2026, 2, 1), harm=252.0),
        ]
    )
    assert got["escalating_harm"]
    assert (
        "escalating: harm 260 days in the last year against 0 the year before (+10)"
        in got["explanation"]
    )


def test_it_needs_harm_to_rise_by_the_ratio():
    # 150 against 100 is exactly 1.5 times: rising. 149 is not.
    base = [incident("P1", D(2024, 6, 1), harm=100.0)]
    assert one(base + [incident("P1", D(2025, 6, 1), harm=150.0)])["escalating_harm"]
    assert not one(base + [incident("P1", D(2025, 6, 1), harm=149.0)])["escalating_harm"]
