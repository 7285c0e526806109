"""Cohorts read from the referral, triage and case records."""

import pytest
from django.core.management.base import CommandError

from highharm.accounts.permissions import Role
from highharm.evaluation.selectors import CohortNotAvailable, cohort_from_database
from tests.evaluation.workflow import D, decide, exit_case, monitor, open_case, person


@pytest.fixture
def unit(users):
    lead = users[Role.OFFENDER_MANAGER]
    a = person("A1")  # adopted at a meeting on 10/01/2025, case opened 15/01/2025, exited
    case_a = open_case(a, lead, D(2025, 1, 15), decide(a, "adopt", D(2025, 1, 10)), D(2025, 9, 1))
    exit_case(case_a, D(2025, 9, 1))
    monitor(a, D(2025, 9, 1), kind="post_exit")
    b = person("B2")  # a case opened without a triage decision
    open_case(b, lead, D(2025, 3, 3))
    c = person("C3")  # adopt decision, no case yet
    decide(c, "adopt", D(2025, 4, 4))
    m = person("M4")  # monitored, then NFA later: earliest decision counts
    decide(m, "monitor", D(2025, 2, 2))
    monitor(m, D(2025, 2, 2))
    decide(m, "nfa", D(2025, 6, 6))
    n = person("N5")
    decide(n, "nfa", D(2025, 5, 5))
    o = person("O6")
    decide(o, "other_pathway", D(2025, 7, 7))
    x = person("X7")  # NFA first, then adopted: not comparison
    decide(x, "nfa", D(2025, 1, 1))
    decide(x, "adopt", D(2025, 8, 8))
    s = person("S8")  # NFA superseded by monitor: only the current decision counts
    decide(s, "nfa", D(2025, 1, 2), current=False)
    decide(s, "monitor", D(2025, 2, 20))
    return {"lead": lead}


def rows(kind):
    frame = cohort_from_database(kind)
    assert frame.columns == ["perpetrator_ref", "index_date", "group"]
    return {r["perpetrator_ref"]: (r["index_date"], r["group"]) for r in frame.to_dicts()}


def test_it_reads_the_adopted_on_their_adoption_meeting_or_case_opening(unit):
    assert rows("adopted") == {
        "A1": (D(2025, 1, 10), "adopted"),
        "B2": (D(2025, 3, 3), "adopted"),
        "C3": (D(2025, 4, 4), "adopted"),
        "X7": (D(2025, 8, 8), "adopted"),
    }


def test_it_reads_the_comparison_as_referred_and_never_adopted(unit):
    assert rows("comparison") == {
        "M4": (D(2025, 2, 2), "monitor"),
        "N5": (D(2025, 5, 5), "nfa"),
        "O6": (D(2025, 7, 7), "other_pathway"),
        "S8": (D(2025, 2, 20), "monitor"),
    }


def test_it_reads_the_monitored_without_post_exit_periods(unit):
    assert rows("monitored") == {"M4": (D(2025, 2, 2), "triage")}


def test_it_reads_the_exited_on_their_exit_date(unit):
    assert rows("exited") == {"A1": (D(2025, 9, 1), "risk_reduced")}


def test_it_says_an_empty_cohort_is_empty_and_refuses_unknown_kinds(db):
    with pytest.raises(CohortNotAvailable, match="exited cohort .* is empty"):
        cohort_from_database("exited")
    with pytest.raises(CohortNotAvailable, match="unknown cohort"):
        cohort_from_database("everyone")


def test_it_evaluates_database_cohorts_from_the_command(unit, catalogue):
    import io
    import json

    from django.core.management import call_command

    from highharm.people.models import Person
    from highharm.records.models import Incident, Offence

    abh = Offence.objects.get(code="ABH")
    a = Person.objects.get(reference="A1")
    n = Person.objects.get(reference="N5")
    for who, day, ref in [(a, D(2024, 12, 1), "CR1"), (n, D(2025, 6, 1), "CR2")]:
        Incident.objects.create(crime_reference=ref, occurred_on=day, offence=abh, perpetrator=who)
    out = io.StringIO()
    call_command(
        *("evaluate", "--cohort-from", "adopted", "--comparison-from", "comparison"),
        *("--format", "json", "--bootstrap", "200", "--as-of", "2026-12-31"),
        stdout=out,
        stderr=io.StringIO(),
    )
    result = json.loads(out.getvalue())
    people = {(p["cohort"], p["perpetrator_ref"]): p for p in result["people"]}
    assert result["cohort"]["n"] == 4 and result["comparison"]["n"] == 4
    assert people[("cohort", "A1")]["offences_before"] == 1
    assert people[("cohort", "A1")]["index_date"] == "2025-01-10"
    assert people[("comparison", "N5")]["offences_after"] == 1
    assert result["parameters"]["sources"]["cohort"] == "database (adopted)"
    assert result["sms_level"] == 3


def test_it_refuses_an_empty_database_cohort_in_the_command(db):
    from django.core.management import call_command

    with pytest.raises(CommandError, match="monitored cohort .* is empty"):
        call_command("evaluate", "--cohort-from", "monitored")
