"""Arranging a panel meeting and building its agenda through the API."""

import datetime as dt
import uuid

import pytest

from highharm.accounts.permissions import Role
from highharm.panels.models import AgendaItem, PanelMeeting
from tests.panels.factories import adopt, make_person

pytestmark = pytest.mark.django_db


def _post(client, url, headers=None, **body):
    return client.post(url, data=body, content_type="application/json", headers=headers or {})


def test_it_arranges_a_meeting_chaired_by_the_caller(api_client_for, users):
    chair = api_client_for(Role.PANEL_CHAIR)
    made = _post(chair, "/api/v1/panels/meetings", held_on="2026-12-10", location="Room 4")
    assert made.status_code == 201
    meeting = PanelMeeting.objects.get()
    assert (meeting.held_on, meeting.location, meeting.chair) == (
        dt.date(2026, 12, 10),
        "Room 4",
        users[Role.PANEL_CHAIR],
    )
    assert made.json()["id"] == meeting.pk
    assert [m["id"] for m in chair.get("/api/v1/panels/meetings").json()] == [meeting.pk]


def test_the_same_key_again_answers_200_with_the_first_meeting(api_client_for):
    chair = api_client_for(Role.PANEL_CHAIR)
    key = str(uuid.uuid4())
    first = _post(chair, "/api/v1/panels/meetings", {"Idempotency-Key": key}, held_on="2026-12-10")
    again = _post(chair, "/api/v1/panels/meetings", {"Idempotency-Key": key}, held_on="2026-12-10")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert PanelMeeting.objects.count() == 1


def test_a_chair_must_be_someone_who_may_chair(api_client_for, users):
    chair = api_client_for(Role.PANEL_CHAIR)
    refused = _post(
        chair, "/api/v1/panels/meetings", held_on="2026-12-10", chair_username="alice_om"
    )
    assert refused.status_code == 422
    assert "chair_username" in refused.json()["errors"]
    assert PanelMeeting.objects.count() == 0


def test_a_start_time_with_a_time_zone_is_refused_by_name(api_client_for):
    chair = api_client_for(Role.PANEL_CHAIR)
    refused = _post(
        chair, "/api/v1/panels/meetings", held_on="2026-12-10", starts_at="10:00:00+01:00"
    )
    assert refused.status_code == 422
    assert "starts_at" in refused.json()["errors"]
    made = _post(chair, "/api/v1/panels/meetings", held_on="2026-12-10", starts_at="10:00")
    assert made.status_code == 201
    assert PanelMeeting.objects.get().starts_at == dt.time(10, 0)


@pytest.mark.parametrize("role", [Role.OFFENDER_MANAGER, Role.PARTNER, Role.ANALYST])
def test_roles_that_may_not_manage_the_panel_are_refused(api_client_for, role):
    client = api_client_for(role)
    assert _post(client, "/api/v1/panels/meetings", held_on="2026-12-10").status_code == 403
    assert PanelMeeting.objects.count() == 0


def test_it_builds_the_agenda_from_the_newly_adopted_once(api_client_for, users):
    chair = api_client_for(Role.PANEL_CHAIR)
    adopt(make_person("PN1"), on=dt.date(2026, 11, 20))
    meeting_id = _post(chair, "/api/v1/panels/meetings", held_on="2026-12-10").json()["id"]
    built = _post(chair, f"/api/v1/panels/meetings/{meeting_id}/agenda")
    assert built.status_code == 200
    assert [(i["person_reference"], i["reason"]) for i in built.json()["agenda"]] == [
        ("PN1", "newly_adopted")
    ]
    again = _post(chair, f"/api/v1/panels/meetings/{meeting_id}/agenda")
    assert len(again.json()["agenda"]) == 1
    assert AgendaItem.objects.filter(meeting_id=meeting_id).count() == 1
    om = api_client_for(Role.OFFENDER_MANAGER)
    assert _post(om, f"/api/v1/panels/meetings/{meeting_id}/agenda").status_code == 403
    assert _post(chair, "/api/v1/panels/meetings/999999/agenda").status_code == 404
