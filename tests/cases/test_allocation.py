"""The supervisor allocates an adopted person to a lead offender manager, opening the case."""

import datetime as dt

from highharm.accounts.permissions import Role
from highharm.cases.models import Case
from tests.panels.factories import adopt, make_person


def _post(client, decision, lead):
    return client.post(
        "/cases/allocate/",
        {
            "decision": decision.pk,
            f"d{decision.pk}-decision": decision.pk,
            f"d{decision.pk}-lead": lead.pk,
        },
    )


def test_it_lists_the_adopted_person_and_opens_their_case(client_for, users, perpetrator):
    decision = adopt(perpetrator, on=dt.date(2026, 2, 3))
    supervisor = client_for(Role.SUPERVISOR)
    page = supervisor.get("/cases/supervisor/").content.decode()
    assert "Waiting for allocation" in page and "P100" in page

    response = _post(supervisor, decision, users[Role.OFFENDER_MANAGER])

    case = Case.objects.get(person=perpetrator)
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.lead == users[Role.OFFENDER_MANAGER]
    assert case.triage_decision == decision
    assert case.status == "open"
    assert "Nobody is waiting" in supervisor.get("/cases/supervisor/").content.decode()


def test_it_opens_one_case_when_the_form_is_sent_twice(client_for, users, perpetrator):
    decision = adopt(perpetrator)
    supervisor = client_for(Role.SUPERVISOR)
    _post(supervisor, decision, users[Role.OFFENDER_MANAGER])
    second = _post(supervisor, decision, users[Role.SUPERVISOR])
    assert Case.objects.filter(person=perpetrator).count() == 1
    assert Case.objects.get(person=perpetrator).lead == users[Role.OFFENDER_MANAGER]
    assert second.status_code == 302


def test_it_refuses_a_lead_who_may_not_manage_cases(client_for, users, perpetrator):
    decision = adopt(perpetrator)
    _post(client_for(Role.SUPERVISOR), decision, users[Role.ANALYST])
    assert not Case.objects.filter(person=perpetrator).exists()


def test_it_refuses_allocation_to_an_offender_manager(client_for, users, perpetrator):
    decision = adopt(perpetrator)
    response = _post(client_for(Role.OFFENDER_MANAGER), decision, users[Role.OFFENDER_MANAGER])
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_it_does_not_list_a_person_whose_case_closed_before_a_new_adoption_as_allocated(
    users, perpetrator
):
    from highharm.cases.selectors import awaiting_allocation
    from highharm.cases.services import case_close, case_open

    om = users[Role.OFFENDER_MANAGER]
    first = adopt(perpetrator, on=dt.date(2025, 1, 6))
    case, _ = case_open(
        person=perpetrator,
        lead=om,
        opened_by=om,
        triage_decision=first,
        opened_on=dt.date(2025, 1, 10),
    )
    assert list(awaiting_allocation()) == []
    case_close(
        case_id=case.pk,
        version=case.version,
        reason="risk_reduced",
        exited_on=dt.date(2025, 9, 1),
        rationale="Objectives met",
        monitor_until=None,
        closed_by=om,
    )
    assert list(awaiting_allocation()) == []  # the old adoption is spent
    first.is_current = False
    first.save()
    again = adopt(perpetrator, on=dt.date(2026, 1, 12))  # re-referred and adopted again
    assert [d.pk for d in awaiting_allocation()] == [again.pk]


def test_it_lists_someone_else_adopted_without_a_case(users, perpetrator):
    from highharm.cases.selectors import awaiting_allocation
    from tests.panels.factories import open_case

    other = make_person("P300")
    waiting = adopt(other)
    open_case(perpetrator, users[Role.OFFENDER_MANAGER], decision=adopt(perpetrator))
    assert [d.pk for d in awaiting_allocation()] == [waiting.pk]
