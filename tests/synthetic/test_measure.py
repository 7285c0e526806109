"""measure(): the shape figures of a force, checked on a force small enough to count by hand."""

import datetime as dt

import polars as pl
import pytest

from highharm.synthetic.measure import measure

WEIGHTS = {"CA": 1.0, "ABH": 10.0, "STALK": 5.0, "DOMNC": 0.0, "BRRO": 2.0}


def _incident(ref, day, code, perp, victim, rel, stalking="N"):
    return {
        "crime_reference": ref,
        "occurred_on": dt.date.fromisoformat(day),
        "offence_code": code,
        "perpetrator_ref": perp,
        "victim_ref": victim,
        "relationship": rel,
        "domestic": "N",
        "stalking": stalking,
        "sexual": "N",
        "strangulation": "N",
        "weapon": "N",
        "breach": "N",
        "outcome": "other",
    }


@pytest.fixture
def figures():
    incidents = pl.DataFrame(
        [
            # P1 escalates against V1: harm 1, 1, 10, 10; gaps 60, 31, 9 days
            _incident("1", "2024-01-01", "CA", "P1", "V1", "partner"),
            _incident("2", "2024-03-01", "CA", "P1", "V1", "partner"),
            _incident("3", "2024-04-01", "ABH", "P1", "V1", "partner"),
            _incident("4", "2024-04-10", "ABH", "P1", "V1", "partner"),
            # P2 has two partners, one incident each (serial)
            _incident("5", "2024-02-01", "DOMNC", "P2", "V2", "partner"),
            _incident("6", "2024-05-01", "CA", "P2", "V3", "ex_partner"),
            # P3 stalks V1; a breach with no victim recorded
            _incident("7", "2024-02-01", "STALK", "P3", "V1", "acquaintance"),
            _incident("8", "2024-06-01", "BRRO", "P3", None, "unknown", stalking="Y"),
            # P4 assaults P1, who is a perpetrator too
            _incident("9", "2024-12-31", "CA", "P4", "P1", "family"),
        ]
    )
    persons = pl.DataFrame(
        {
            "reference": ["P1", "P2", "P3", "P4", "V1", "V2", "V3"],
            "gender": ["M", "M", "F", "M", "F", "F", "F"],
            "date_of_birth": [dt.date(1990, 1, 1)] * 4 + [None] * 3,
            "ethnicity": ["White", None, "Asian", None, None, None, "Black"],
        }
    )
    return measure(persons, incidents, WEIGHTS)


def test_it_counts_pairs_with_a_single_incident(figures):
    # pairs: P1-V1 x4, P2-V2, P2-V3, P3-V1, P4-P1 -> 4 of 5 single
    assert figures["pairs"] == 5
    assert figures["single_incident_pair_share"] == 0.8


def test_it_measures_harm_concentration(figures):
    # harm: P1 22, P2 1, P3 7, P4 1 (total 31); the top 3% of 4 is one perpetrator
    assert figures["top_3pc_perpetrators_harm_share"] == round(22 / 31, 4)
    # victims: V1 22 + 5 = 27, V2 0, V3 1, P1 1 (total 29)
    assert figures["top_4pc_victims_harm_share"] == round(27 / 29, 4)


def test_it_finds_escalating_stalking_and_serial_perpetrators(figures):
    assert figures["escalating_share"] == 0.25  # P1
    assert figures["stalking_share"] == 0.25  # P3
    assert figures["serial_share"] == 0.25  # P2


def test_it_counts_incidents_and_people(figures):
    assert figures["incidents"] == 9
    assert figures["perpetrators"] == 4
    assert figures["domnc_incident_share"] == round(1 / 9, 4)
    assert figures["no_victim_incident_share"] == round(1 / 9, 4)
    assert figures["victims_also_perpetrators"] == 1
    assert figures["perpetrators_male_share"] == 0.75
    assert figures["ethnicity_recorded_share"] == round(3 / 7, 4)
