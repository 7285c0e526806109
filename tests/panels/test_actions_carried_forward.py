"""Actions set at one meeting stay on the next meeting's page until they are closed."""

import datetime as dt
import uuid

from highharm.accounts.permissions import Role
from highharm.panels.models import Action
from highharm.panels.services import action_create, action_update
from tests.panels.factories import meeting


def _meetings(users):
    chair = users[Role.PANEL_CHAIR]
    return (
        meeting(held_on=dt.date(2026, 2, 10), chair=chair),
        meeting(held_on=dt.date(2026, 3, 10), chair=chair),
        meeting(held_on=dt.date(2026, 4, 14), chair=chair),
    )


def test_it_sets_an_action_once_with_owner_agency_and_due_date(
    client_for, users, agencies, perpetrator
):
    from highharm.panels.models import AgendaItem

    feb, _, _ = _meetings(users)
    AgendaItem.objects.create(meeting=feb, person=perpetrator, reason="due_for_review")
    data = {
        "person": perpetrator.pk,
        "description": "Confirm tenancy status with the landlord",
        "owner": "",
        "owner_name": "Hana Housing, tenancy officer",
        "agency": agencies["housing"].pk,
        "due_on": "2026-03-01",
        "submission_key": str(uuid.uuid4()),
    }
    chair = client_for(Role.PANEL_CHAIR)
    chair.post(f"/panels/{feb.pk}/actions/new/", data)
    chair.post(f"/panels/{feb.pk}/actions/new/", data)
    action = Action.objects.get()
    assert (action.owner_label, action.agency_label, action.due_on, action.status) == (
        "Hana Housing, tenancy officer",
        "Wessex Housing",
        dt.date(2026, 3, 1),
        "open",
    )
    assert action.meeting == feb and action.person == perpetrator


def test_it_needs_an_owner(client_for, users):
    feb, _, _ = _meetings(users)
    response = client_for(Role.PANEL_CHAIR).post(
        f"/panels/{feb.pk}/actions/new/",
        {
            "person": "",
            "description": "Something",
            "due_on": "2026-03-01",
            "submission_key": str(uuid.uuid4()),
        },
    )
    assert "Choose the owner" in response.content.decode()
    assert not Action.objects.exists()


def test_it_carries_open_actions_until_closed(client_for, users, perpetrator):
    from highharm.panels.selectors import actions_carried_forward

    feb, march, april = _meetings(users)
    chair, om = users[Role.PANEL_CHAIR], users[Role.OFFENDER_MANAGER]
    still_open = action_create(
        meeting=feb,
        person=perpetrator,
        description="Apply for DVPO",
        due_on=dt.date(2026, 3, 1),
        owner=om,
        raised_by=chair,
    )
    done_in_march = action_create(
        meeting=feb,
        description="Refer to Drive",
        due_on=dt.date(2026, 3, 1),
        owner=om,
        raised_by=chair,
    )
    done_before = action_create(
        meeting=feb, description="Check PNC", due_on=dt.date(2026, 2, 20), owner=om, raised_by=chair
    )
    action_update(
        action_id=done_before.pk,
        version=1,
        changes={"status": "done", "closed_on": dt.date(2026, 3, 1), "update_note": "No trace"},
    )
    action_update(
        action_id=done_in_march.pk,
        version=1,
        changes={"status": "done", "closed_on": dt.date(2026, 3, 20), "update_note": "Accepted"},
    )
    set_in_april = action_create(
        meeting=april, description="New", due_on=dt.date(2026, 5, 1), owner=om, raised_by=chair
    )

    carried = actions_carried_forward(user=chair, meeting=april)
    assert [a.pk for a in carried.open] == [still_open.pk]
    # Closed since the March meeting: the Drive referral; the PNC check closed before it.
    assert [a.pk for a in carried.closed_since_last] == [done_in_march.pk]
    assert set_in_april.pk not in [a.pk for a in carried.open]

    page = client_for(Role.OFFENDER_MANAGER).get(f"/panels/{april.pk}/").content.decode()
    carried_html = page.split('id="carried"')[1].split('id="attendees"')[0]
    assert "Apply for DVPO" in carried_html and "Overdue" in carried_html


def test_it_closes_and_reopens_an_action(client_for, users):
    feb, _, _ = _meetings(users)
    om = users[Role.OFFENDER_MANAGER]
    action = action_create(
        meeting=feb,
        description="Visit",
        due_on=dt.date(2026, 3, 1),
        owner=om,
        raised_by=users[Role.PANEL_CHAIR],
    )
    chair = client_for(Role.PANEL_CHAIR)
    form = {
        "version": 1,
        "status": "done",
        "update_note": "",
        "due_on": "2026-03-01",
        "owner": om.pk,
    }
    response = chair.post(f"/panels/actions/{action.pk}/", form)
    assert "Say what was done" in response.content.decode()
    chair.post(f"/panels/actions/{action.pk}/", {**form, "update_note": "Visited 28/02"})
    action.refresh_from_db()
    assert action.status == "done" and action.closed_on is not None
    chair.post(f"/panels/actions/{action.pk}/", {**form, "version": 2, "status": "open"})
    action.refresh_from_db()
    assert action.status == "open" and action.closed_on is None and action.version == 3


def test_it_lets_the_offender_manager_update_an_action_on_their_case(
    client_for, users, perpetrator
):
    om = users[Role.OFFENDER_MANAGER]
    action = action_create(
        person=perpetrator,
        description="Visit",
        due_on=dt.date(2026, 3, 1),
        owner=om,
        raised_by=users[Role.PANEL_CHAIR],
    )
    form = {
        "version": 1,
        "status": "done",
        "update_note": "Done",
        "due_on": "2026-03-01",
        "owner": om.pk,
    }
    c = client_for(Role.OFFENDER_MANAGER)
    assert c.post(f"/panels/actions/{action.pk}/", form).status_code == 403  # the panel's page
    assert c.post(f"/cases/actions/{action.pk}/", form).status_code == 302  # the case's page
    action.refresh_from_db()
    assert action.status == "done"
    assert client_for(Role.PARTNER).post(f"/cases/actions/{action.pk}/", form).status_code == 403


def test_it_needs_an_update_to_close_an_action_through_the_service(users):
    import pytest
    from django.core.exceptions import ValidationError

    feb, _, _ = _meetings(users)
    action = action_create(
        meeting=feb,
        description="Visit",
        due_on=dt.date(2026, 3, 1),
        owner=users[Role.OFFENDER_MANAGER],
        raised_by=users[Role.PANEL_CHAIR],
    )
    with pytest.raises(ValidationError):
        action_update(action_id=action.pk, version=1, changes={"status": "cancelled"})
    action.refresh_from_db()
    assert action.status == "open" and action.version == 1
