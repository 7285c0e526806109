"""Two people editing the same plan: the second is told, shown the change, and nothing is lost."""

from highharm.accounts.permissions import Role
from tests.panels.factories import open_case


def test_it_keeps_the_first_save_and_shows_it_to_the_second_editor(client_for, users, perpetrator):
    case = open_case(perpetrator, users[Role.OFFENDER_MANAGER])
    url = f"/cases/{case.pk}/plan/"
    alice, sue = client_for(Role.OFFENDER_MANAGER), client_for(Role.SUPERVISOR)
    assert alice.get(url).status_code == 200 and sue.get(url).status_code == 200
    alice.post(url, {"version": 1, "plan": "Trace via probation; DVPO", "review_due": "2026-06-01"})
    response = sue.post(url, {"version": 1, "plan": "Refer to Drive", "review_due": "2026-06-01"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Alice saved a change" in page
    assert "Trace via probation; DVPO" in page  # theirs, shown
    assert "Refer to Drive" in page  # hers, kept in the form
    case.refresh_from_db()
    assert case.plan == "Trace via probation; DVPO"
    assert 'name="version" value="2"' in page


def test_it_saves_when_nobody_else_changed_it(client_for, users, perpetrator):
    case = open_case(perpetrator, users[Role.OFFENDER_MANAGER])
    response = client_for(Role.OFFENDER_MANAGER).post(
        f"/cases/{case.pk}/plan/", {"version": 1, "plan": "Weekly visits", "review_due": ""}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.plan, case.review_due, case.version) == ("Weekly visits", None, 2)


def test_it_treats_the_same_edit_sent_twice_as_done(client_for, users, perpetrator):
    case = open_case(perpetrator, users[Role.OFFENDER_MANAGER])
    alice = client_for(Role.OFFENDER_MANAGER)
    data = {"version": 1, "plan": "Weekly visits", "review_due": ""}
    assert alice.post(f"/cases/{case.pk}/plan/", data).status_code == 302
    assert alice.post(f"/cases/{case.pk}/plan/", data).status_code == 302  # double click
    case.refresh_from_db()
    assert (case.plan, case.version) == ("Weekly visits", 2)
