import datetime as dt

from django.utils import timezone

from highharm.accounts.permissions import Role
from highharm.people.models import Person
from highharm.referrals.models import TriageDecision
from highharm.referrals.selectors import (
    PersonStatus,
    adopted_awaiting_case,
    person_status,
    person_statuses,
)
from highharm.referrals.services import monitoring_start


def test_it_says_none_for_someone_unknown_to_the_unit(perpetrator):
    assert person_status(perpetrator) == "none"


def test_it_says_referred_while_a_referral_awaits_triage(refer, perpetrator):
    refer(perpetrator)
    assert person_status(perpetrator) == PersonStatus.REFERRED


def test_it_says_adopted_after_an_adopt_decision(refer, decide, perpetrator, meeting):
    decide(refer(perpetrator), meeting, "adopt")
    assert person_status(perpetrator) == "adopted"


def test_it_says_monitored_during_a_monitoring_period(refer, decide, perpetrator, meeting):
    decide(
        refer(perpetrator),
        meeting,
        "monitor",
        monitor_until=meeting.meeting_date + dt.timedelta(days=30),
    )
    assert person_status(perpetrator) == "monitored"
    assert person_status(perpetrator, today=meeting.meeting_date + dt.timedelta(days=31)) == "none"


def test_it_says_declined_recently_for_six_months_after_no_further_action(
    refer, decide, perpetrator, meeting
):
    decision = decide(refer(perpetrator), meeting, "nfa")
    decided_on = timezone.localtime(decision.decided_at).date()
    assert person_status(perpetrator) == "declined_recently"
    assert (
        person_status(perpetrator, today=decided_on + dt.timedelta(days=183)) == "declined_recently"
    )
    assert person_status(perpetrator, today=decided_on + dt.timedelta(days=184)) == "none"


def test_it_says_monitored_after_an_adopted_persons_case_closes(
    refer, decide, perpetrator, meeting, users
):
    decide(refer(perpetrator), meeting, "adopt")
    monitoring_start(
        person=perpetrator,
        reason="Case closed: engaged with Drive",
        until=timezone.localdate() + dt.timedelta(days=365),
        started_by=users[Role.OFFENDER_MANAGER],
    )
    assert person_status(perpetrator) == "monitored"


def test_it_gives_statuses_in_bulk(refer, decide, perpetrator, meeting, db):
    other = Person.objects.create(reference="P101")
    adopted = Person.objects.create(reference="P102")
    refer(other)
    decide(refer(adopted), meeting, "adopt")
    assert person_statuses(["P100", "P101", "P102", "NOBODY"]) == {
        "P100": "none",
        "P101": "referred",
        "P102": "adopted",
        "NOBODY": "none",
    }


def test_it_gives_statuses_in_bulk_in_a_fixed_number_of_queries(
    refer, perpetrator, db, django_assert_max_num_queries
):
    refs = []
    for i in range(30):
        p = Person.objects.create(reference=f"B{i}")
        refer(p)
        refs.append(p.reference)
    with django_assert_max_num_queries(5):
        statuses = person_statuses(refs)
    assert set(statuses.values()) == {"referred"}


def test_it_lists_current_adopt_decisions_awaiting_a_case(refer, decide, perpetrator, meeting, db):
    later = Person.objects.create(reference="P101")
    revised = Person.objects.create(reference="P102")
    first = decide(refer(perpetrator), meeting, "adopt")
    second = decide(refer(later), meeting, "adopt")
    r = refer(revised)
    decide(r, meeting, "adopt")
    decide(r, meeting, "nfa", revision_reason="Moved out of the force area")
    assert list(adopted_awaiting_case()) == [first, second]
    assert adopted_awaiting_case()[0].referral.person.reference == "P100"
    assert TriageDecision.objects.count() == 4


def test_it_marks_people_on_the_candidate_list(refer, decide, perpetrator, meeting, settings, db):
    from highharm.scoring.selectors import candidate_statuses

    settings.CANDIDATE_STATUS_SOURCES = ["highharm.referrals.selectors.person_status_details"]
    Person.objects.create(reference="P101")
    decide(refer(perpetrator), meeting, "adopt")
    statuses = candidate_statuses(references=["P100", "P101"])
    assert [s.code for s in statuses["P100"]] == ["adopted"]
    assert statuses["P100"][0].label == "Adopted"
    assert "P101" not in statuses  # "none" marks nobody
