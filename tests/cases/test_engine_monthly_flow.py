"""The demand-and-capacity engine against a plain Python reference."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from highharm.cases.engine import month_starts, monthly_flow, months_until_full

TODAY = dt.date(2026, 3, 17)
FIRST = dt.date(2025, 4, 1)  # twelve months back, March 2026 included


def reference(today, months, referral_dates, adopt_dates, spans):
    """Count month by month in plain Python."""
    starts = []
    year, month = today.year, today.month
    for _ in range(months):
        starts.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    starts.reverse()
    rows = []
    for start in starts:
        nxt = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        end = min(nxt - dt.timedelta(days=1), today)

        def in_month(d, start=start, nxt=nxt):
            return d is not None and start <= d < nxt

        rows.append(
            (
                start,
                sum(map(in_month, referral_dates)),
                sum(map(in_month, adopt_dates)),
                sum(in_month(o) for o, _ in spans),
                sum(in_month(c) for _, c in spans),
                sum(1 for o, c in spans if o <= end and (c is None or c > end)),
            )
        )
    return rows


days = st.dates(min_value=dt.date(2024, 1, 1), max_value=TODAY)


@st.composite
def span(draw):
    opened = draw(days)
    closed = draw(st.one_of(st.none(), st.dates(min_value=opened, max_value=TODAY)))
    return opened, closed


@settings(max_examples=60, deadline=None)
@given(
    referral_dates=st.lists(st.dates(min_value=FIRST, max_value=TODAY), max_size=30),
    adopt_dates=st.lists(st.dates(min_value=FIRST, max_value=TODAY), max_size=20),
    spans=st.lists(span(), max_size=25),
)
def test_it_matches_a_plain_count(referral_dates, adopt_dates, spans):
    got = monthly_flow(
        today=TODAY,
        months=12,
        referral_dates=referral_dates,
        adopt_dates=adopt_dates,
        case_spans=spans,
    )
    # Cases opened or closed before the window are not counted in "opened"/"closed".
    expected = reference(TODAY, 12, referral_dates, adopt_dates, spans)
    assert [(r.month, r.referrals, r.adopted, r.opened, r.closed, r.open_at_end) for r in got] == (
        expected
    )


def test_it_counts_a_small_example_by_hand():
    spans = [
        (dt.date(2026, 1, 10), None),  # open at the end of January, February and March
        (dt.date(2026, 1, 20), dt.date(2026, 2, 28)),  # open end of January only
        (dt.date(2026, 2, 1), dt.date(2026, 3, 1)),  # open end of February only
    ]
    rows = monthly_flow(
        today=TODAY,
        months=3,
        referral_dates=[dt.date(2026, 1, 2), dt.date(2026, 1, 30), dt.date(2026, 3, 17)],
        adopt_dates=[dt.date(2026, 1, 5)],
        case_spans=spans,
    )
    assert [r.month for r in rows] == [
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
        dt.date(2026, 3, 1),
    ]
    assert [r.referrals for r in rows] == [2, 0, 1]
    assert [r.adopted for r in rows] == [1, 0, 0]
    assert [r.opened for r in rows] == [2, 1, 0]
    assert [r.closed for r in rows] == [0, 1, 1]
    assert [r.open_at_end for r in rows] == [2, 2, 1]


def test_it_lists_months_across_a_new_year():
    assert month_starts(dt.date(2026, 2, 3), 4) == [
        dt.date(2025, 11, 1),
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
    ]


def test_it_projects_when_capacity_runs_out():
    # 10 spare places, 5 adopted and 3 closed a month: 2 more a month, full in 5 months.
    assert months_until_full(spare=10, intake_per_month=5, exits_per_month=3) == 5
    assert months_until_full(spare=-4, intake_per_month=5, exits_per_month=3) == 0
    assert months_until_full(spare=10, intake_per_month=3, exits_per_month=3) is None
