from highharm.accounts.permissions import Role
from tests.panels.factories import open_case


def test_it_lets_the_supervisor_change_the_lead(client_for, users, perpetrator):
    case = open_case(perpetrator, users[Role.OFFENDER_MANAGER])
    response = client_for(Role.SUPERVISOR).post(
        f"/cases/{case.pk}/lead/", {"version": 1, "lead": users[Role.SUPERVISOR].pk}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.lead == users[Role.SUPERVISOR]


def test_it_refuses_the_offender_manager(client_for, users, perpetrator):
    case = open_case(perpetrator, users[Role.OFFENDER_MANAGER])
    response = client_for(Role.OFFENDER_MANAGER).post(
        f"/cases/{case.pk}/lead/", {"version": 1, "lead": users[Role.SUPERVISOR].pk}
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.lead == users[Role.OFFENDER_MANAGER]
