import uuid

from highharm.accounts.permissions import Role
from highharm.panels.models import PanelAttendee, PanelMeeting


def test_it_arranges_a_meeting_once_however_often_submitted(client_for, users):
    chair = client_for(Role.PANEL_CHAIR)
    data = {
        "held_on": "2026-04-14",
        "starts_at": "10:00",
        "location": "Winfrith, room 2",
        "chair": users[Role.PANEL_CHAIR].pk,
        "notes": "",
        "submission_key": str(uuid.uuid4()),
    }
    first = chair.post("/panels/new/", data)
    second = chair.post("/panels/new/", data)
    meeting = PanelMeeting.objects.get()
    assert first["Location"] == second["Location"] == f"/panels/{meeting.pk}/"
    assert meeting.chair == users[Role.PANEL_CHAIR] and str(meeting.starts_at) == "10:00:00"


def test_it_refuses_arranging_to_roles_that_may_not_manage_panels(client_for):
    data = {"held_on": "2026-04-14", "submission_key": str(uuid.uuid4())}
    for role in (Role.OFFENDER_MANAGER, Role.PARTNER, Role.TRIAGE_LEAD):
        assert client_for(role).post("/panels/new/", data).status_code == 403
    assert not PanelMeeting.objects.exists()


def test_it_lets_panel_viewers_see_the_meeting_but_not_change_it(client_for, users):
    from tests.panels.factories import meeting

    m = meeting(chair=users[Role.PANEL_CHAIR])
    for role in (Role.OFFENDER_MANAGER, Role.PARTNER):
        c = client_for(role)
        page = c.get(f"/panels/{m.pk}/").content.decode()
        assert "Agenda" in page and "Edit the meeting" not in page
        assert c.post(f"/panels/{m.pk}/agenda/build/").status_code == 403


def test_it_records_attendees_by_agency_once(client_for, users, agencies):
    from tests.panels.factories import meeting

    m = meeting(chair=users[Role.PANEL_CHAIR])
    chair = client_for(Role.PANEL_CHAIR)
    for _ in range(2):
        chair.post(
            f"/panels/{m.pk}/attendees/",
            {
                "name": "Priya Patel",
                "role_title": "Senior probation officer",
                "agency": agencies["probation"].pk,
                "attendance": "present",
            },
        )
    chair.post(
        f"/panels/{m.pk}/attendees/",
        {"name": "Dee Drive", "agency_name": "Drive project", "attendance": "apologies"},
    )
    chair.post(f"/panels/{m.pk}/attendees/", {"name": "No Agency", "attendance": "present"})
    rows = [(a.name, a.agency_label, a.attendance) for a in PanelAttendee.objects.order_by("name")]
    assert rows == [
        ("Dee Drive", "Drive project", "apologies"),
        ("Priya Patel", "Wessex Probation", "present"),
    ]


def test_it_shows_the_second_editor_of_a_meeting_what_changed(client_for, users):
    from tests.panels.factories import meeting

    m = meeting(chair=users[Role.PANEL_CHAIR])
    base = {
        "held_on": "2026-04-14",
        "starts_at": "",
        "chair": "",
        "status": "scheduled",
        "notes": "",
        "version": 1,
    }
    client_for(Role.PANEL_CHAIR).post(f"/panels/{m.pk}/edit/", {**base, "location": "Room 1"})
    response = client_for(Role.SUPERVISOR).post(
        f"/panels/{m.pk}/edit/", {**base, "location": "Room 9"}
    )
    page = response.content.decode()
    assert "Someone else changed this" in page and "Room 1" in page and "Room 9" in page
    m.refresh_from_db()
    assert m.location == "Room 1"
