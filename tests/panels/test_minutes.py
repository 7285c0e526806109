import datetime as dt

from highharm.accounts.permissions import Role
from highharm.panels.models import AgendaItem, Minute
from tests.panels.factories import meeting


def _setup(users, perpetrator):
    m = meeting(held_on=dt.date(2026, 4, 14), chair=users[Role.PANEL_CHAIR])
    item = AgendaItem.objects.create(meeting=m, person=perpetrator, reason="due_for_review")
    return m, item


def test_it_minutes_a_person_at_a_meeting(client_for, users, perpetrator):
    m, item = _setup(users, perpetrator)
    url = f"/panels/{m.pk}/agenda/{item.pk}/minute/"
    chair = client_for(Role.PANEL_CHAIR)
    assert 'name="version" value="0"' in chair.get(url).content.decode()
    response = chair.post(
        url,
        {
            "version": 0,
            "discussion": "Probation: compliant",
            "decisions": "Continue; apply for DVPO",
        },
    )
    assert response.status_code == 302
    minute = Minute.objects.get(meeting=m, person=perpetrator)
    assert (
        minute.decisions == "Continue; apply for DVPO"
        and minute.recorded_by == users[Role.PANEL_CHAIR]
    )
    assert "Minuted" in chair.get(f"/panels/{m.pk}/").content.decode()


def test_it_stops_two_people_writing_the_first_minute_over_each_other(
    client_for, users, perpetrator
):
    m, item = _setup(users, perpetrator)
    url = f"/panels/{m.pk}/agenda/{item.pk}/minute/"
    client_for(Role.PANEL_CHAIR).post(
        url, {"version": 0, "discussion": "Chair's note", "decisions": ""}
    )
    response = client_for(Role.SUPERVISOR).post(
        url, {"version": 0, "discussion": "Supervisor's note", "decisions": ""}
    )
    page = response.content.decode()
    assert "Someone else changed this" in page
    assert "Chair&#x27;s note" in page or "Chair's note" in page
    assert Minute.objects.get().discussion == "Chair's note"
    assert Minute.objects.count() == 1


def test_it_wants_something_written(client_for, users, perpetrator):
    m, item = _setup(users, perpetrator)
    response = client_for(Role.PANEL_CHAIR).post(
        f"/panels/{m.pk}/agenda/{item.pk}/minute/",
        {"version": 0, "discussion": " ", "decisions": ""},
    )
    assert "Write the discussion or the decisions" in response.content.decode()
    assert not Minute.objects.exists()


def test_it_keeps_a_minuted_person_on_the_agenda(client_for, users, perpetrator):
    m, item = _setup(users, perpetrator)
    chair = client_for(Role.PANEL_CHAIR)
    chair.post(
        f"/panels/{m.pk}/agenda/{item.pk}/minute/",
        {"version": 0, "discussion": "x", "decisions": ""},
    )
    chair.post(f"/panels/{m.pk}/agenda/{item.pk}/remove/")
    assert AgendaItem.objects.filter(pk=item.pk).exists()


def test_it_refuses_minuting_to_an_offender_manager(client_for, users, perpetrator):
    m, item = _setup(users, perpetrator)
    response = client_for(Role.OFFENDER_MANAGER).post(
        f"/panels/{m.pk}/agenda/{item.pk}/minute/", {"version": 0, "discussion": "x"}
    )
    assert response.status_code == 403
