"""The window is as_of - window_days < occurred_on <= as_of: window_days whole days, the
as-of day included (docs/scoring.md). Escalation compares (as_of - 365, as_of] with
(as_of - 730, as_of - 365], whatever the window."""

import datetime as dt

import pytest

from highharm.scoring.config import load_config
from highharm.scoring.engine import score
from tests.scoring.helpers import frame, incident

CONFIG = load_config("src/highharm/data/scoring.toml")
AS_OF = dt.date(2026, 3, 1)


def frequency(days_before: list[int], window: int) -> int:
    rows = [incident("P1", AS_OF - dt.timedelta(days=d)) for d in days_before]
    out = score(frame(rows), as_of=AS_OF, config=CONFIG, window_days=window)
    return out.get_column("frequency").sum() if out.height else 0


@pytest.mark.parametrize(
    ("days_before", "window", "expected"),
    [
        ([0], 730, 1),  # on the as-of day: in
        ([-1], 730, 0),  # the day after: out
        ([729], 730, 1),  # the first day of the window: in
        ([730], 730, 0),  # as_of - window_days: out
        ([0], 1, 1),  # a one-day window is the as-of day only
        ([1], 1, 0),
        ([0, 729, 730, -1], 730, 2),
        ([364, 365], 365, 1),
    ],
)
def test_it_counts_whole_days_up_to_and_including_the_as_of_date(days_before, window, expected):
    assert frequency(days_before, window) == expected


def test_it_puts_day_365_in_the_year_before():
    rows = [
        incident("P1", AS_OF - dt.timedelta(days=364), harm=10.0),  # last year
        incident("P1", AS_OF - dt.timedelta(days=365), harm=20.0),  # the year before
        incident("P1", AS_OF - dt.timedelta(days=729), harm=40.0),  # the year before
        incident("P1", AS_OF - dt.timedelta(days=730), harm=80.0),  # neither
    ]
    got = score(frame(rows), as_of=AS_OF, config=CONFIG).row(0, named=True)
    assert (got["incidents_recent"], got["harm_recent"]) == (1, 10.0)
    assert (got["incidents_prior"], got["harm_prior"]) == (2, 60.0)


def test_it_compares_two_years_even_with_a_shorter_window():
    rows = [
        incident("P1", AS_OF - dt.timedelta(days=500), harm=10.0),  # outside a 365-day window
        incident("P1", AS_OF - dt.timedelta(days=10), harm=100.0),
        incident("P1", AS_OF - dt.timedelta(days=364), harm=0.0),
        incident("P2", AS_OF - dt.timedelta(days=500), harm=10.0),  # only outside: not scored
    ]
    out = score(frame(rows), as_of=AS_OF, config=CONFIG, window_days=365)
    assert out.get_column("perpetrator_ref").to_list() == ["P1"]
    got = out.row(0, named=True)
    assert got["frequency"] == 2 and got["harm_sum"] == 100.0
    assert got["incidents_prior"] == 1 and got["escalating_harm"]
    assert got["explanation"].startswith("2 incidents in 1 year (+5)")
