"""Incidents fall within the window: `years` years back to the end date (default today)."""

import datetime as dt

from highharm.synthetic.generator import generate_frames, window

from .conftest import END


def test_it_puts_every_incident_in_the_window(force):
    first = dt.date(2022, 7, 1)  # three years back from 30 June 2025, inclusive
    days = [dt.date.fromisoformat(row["occurred_on"]) for row in force["incidents"]]
    assert min(days) >= first
    assert max(days) <= END


def test_it_spreads_incidents_over_the_whole_window(force):
    days = [dt.date.fromisoformat(row["occurred_on"]) for row in force["incidents"]]
    assert min(days) <= dt.date(2022, 7, 31)
    assert max(days) >= dt.date(2025, 6, 1)
    # a flat rate: the two full calendar years are within 10% of each other
    y2023 = sum(d.year == 2023 for d in days)
    y2024 = sum(d.year == 2024 for d in days)
    assert abs(y2023 - y2024) / y2023 < 0.1


def test_it_handles_a_leap_day_end_date():
    assert window(dt.date(2024, 2, 29), 1) == (dt.date(2023, 3, 1), dt.date(2024, 2, 29))
    assert window(dt.date(2025, 6, 30), 3) == (dt.date(2022, 7, 1), dt.date(2025, 6, 30))


def test_it_ends_today_by_default():
    _, incidents, _ = generate_frames(300, 1, 3)
    assert incidents["occurred_on"].max() <= dt.date.today()
    assert incidents["occurred_on"].min() > dt.date.today() - dt.timedelta(days=366)


def test_it_gives_everyone_a_birth_date_before_their_first_incident(force):
    first = {}
    for row in force["incidents"]:
        for ref in (row["perpetrator_ref"], row["victim_ref"]):
            if ref:
                first[ref] = min(first.get(ref, row["occurred_on"]), row["occurred_on"])
    for person in force["persons"]:
        if person["date_of_birth"]:
            assert person["date_of_birth"] < first[person["reference"]], person
