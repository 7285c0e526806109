"""Panel meetings and actions through the API, with optimistic locking on actions."""

import datetime as dt

import pytest

from highharm.accounts.permissions import Role
from highharm.panels import services
from highharm.panels.models import Action, AgendaItem
from highharm.people.models import PersonShare


@pytest.fixture
def meeting(users):
    return services.meeting_create(
        held_on=dt.date(2026, 11, 20),
        chair=users[Role.PANEL_CHAIR],
        created_by=users[Role.PANEL_CHAIR],
    )


def _create(client, **body):
    return client.post("/api/v1/panels/actions", data=body, content_type="application/json")


def test_it_creates_an_action_and_lists_it_as_open(api_client_for, meeting, perpetrator):
    chair = api_client_for(Role.PANEL_CHAIR)
    made = _create(
        chair,
        description="Apply for a DVPO",
        due_on="2026-12-01",
        meeting_id=meeting.pk,
        person_reference="P100",
        owner_username="alice_om",
    )
    assert made.status_code == 201
    assert made.json()["owner"] == Action.objects.get().owner.display_name
    opened = chair.get("/api/v1/panels/actions").json()
    assert [a["id"] for a in opened] == [made.json()["id"]]
    detail = chair.get(f"/api/v1/panels/meetings/{meeting.pk}").json()
    assert [a["id"] for a in detail["actions"]] == [made.json()["id"]]


def test_it_closes_an_action_and_refuses_a_stale_version(api_client_for, meeting, perpetrator):
    chair = api_client_for(Role.PANEL_CHAIR)
    action = _create(chair, description="Visit", due_on="2026-12-01", owner_name="IDVA").json()
    url = f"/api/v1/panels/actions/{action['id']}"
    no_note = chair.patch(
        url, data={"version": 1, "status": "done"}, content_type="application/json"
    )
    assert no_note.status_code == 422
    assert "update_note" in no_note.json()["errors"]
    done = chair.patch(
        url,
        data={"version": 1, "status": "done", "update_note": "Visited"},
        content_type="application/json",
    )
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["version"]) == ("done", 2)
    stale = chair.patch(
        url, data={"version": 1, "due_on": "2027-01-01"}, content_type="application/json"
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert chair.get("/api/v1/panels/actions").json() == []
    assert [a["id"] for a in chair.get("/api/v1/panels/actions?show=closed").json()] == [
        action["id"]
    ]


def test_it_shows_a_partner_only_shared_people_on_the_agenda(
    api_client_for, users, meeting, perpetrator, agencies
):
    AgendaItem.objects.create(
        meeting=meeting, person=perpetrator, reason="newly_adopted", position=1
    )
    partner = api_client_for(Role.PARTNER)
    assert partner.get(f"/api/v1/panels/meetings/{meeting.pk}").json()["agenda"] == []
    PersonShare.objects.create(person=perpetrator, agency=agencies["housing"])
    agenda = partner.get(f"/api/v1/panels/meetings/{meeting.pk}").json()["agenda"]
    assert [i["person_reference"] for i in agenda] == ["P100"]
    assert [m["id"] for m in partner.get("/api/v1/panels/meetings").json()] == [meeting.pk]
