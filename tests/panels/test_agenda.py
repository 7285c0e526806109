"""The agenda: newly adopted people and cases due for review, built once, shown only if shared."""

import datetime as dt

from highharm.accounts.permissions import Role
from highharm.panels.models import AgendaItem
from highharm.panels.services import agenda_build
from tests.panels.factories import adopt, make_person, meeting, open_case, share

MEETING_DAY = dt.date(2026, 4, 14)


def test_it_adds_the_newly_adopted_and_the_cases_due_for_review(users):
    om, chair = users[Role.OFFENDER_MANAGER], users[Role.PANEL_CHAIR]
    adopted = make_person("PN1")
    adopt(adopted, on=dt.date(2026, 3, 20))
    adopt(make_person("PN2"), on=dt.date(2026, 4, 20))  # after the meeting: next time
    due = make_person("PR1")
    open_case(due, om, on=dt.date(2025, 10, 1), review_due=dt.date(2026, 4, 10))
    not_due = make_person("PR2")
    open_case(not_due, om, on=dt.date(2025, 10, 1), review_due=dt.date(2026, 7, 1))
    earlier = meeting(held_on=dt.date(2025, 11, 10), chair=chair)
    AgendaItem.objects.create(meeting=earlier, person=not_due, reason="newly_adopted")
    AgendaItem.objects.create(meeting=earlier, person=due, reason="newly_adopted")
    m = meeting(held_on=MEETING_DAY, chair=chair)

    added = agenda_build(meeting=m, added_by=chair)

    assert {(i.person.reference, i.reason) for i in added} == {
        ("PN1", "newly_adopted"),
        ("PR1", "due_for_review"),
    }
    assert agenda_build(meeting=m, added_by=chair) == []  # building again adds nobody
    assert AgendaItem.objects.filter(meeting=m).count() == 2


def test_it_brings_a_new_case_never_seen_at_panel(users):
    om, chair = users[Role.OFFENDER_MANAGER], users[Role.PANEL_CHAIR]
    person = make_person("PC1")
    decision = adopt(person, on=dt.date(2026, 3, 2))
    open_case(person, om, decision=decision, on=dt.date(2026, 3, 5), review_due=dt.date(2026, 6, 5))
    m = meeting(held_on=MEETING_DAY, chair=chair)
    [item] = agenda_build(meeting=m, added_by=chair)
    assert (item.person.reference, item.reason) == ("PC1", "newly_adopted")


def test_it_does_not_bring_back_someone_adopted_and_already_discussed(users):
    chair = users[Role.PANEL_CHAIR]
    person = make_person("PD1")
    adopt(person, on=dt.date(2026, 2, 2))
    march = meeting(held_on=dt.date(2026, 3, 10), chair=chair)
    assert [i.person.reference for i in agenda_build(meeting=march, added_by=chair)] == ["PD1"]
    april = meeting(held_on=MEETING_DAY, chair=chair)
    assert agenda_build(meeting=april, added_by=chair) == []


def test_it_adds_someone_by_reference_once(client_for, users, perpetrator):
    m = meeting(held_on=MEETING_DAY, chair=users[Role.PANEL_CHAIR])
    chair = client_for(Role.PANEL_CHAIR)
    for _ in range(2):
        chair.post(
            f"/panels/{m.pk}/agenda/add/",
            {"reference": "P100", "reason": "other", "reason_detail": "New intelligence"},
        )
    [item] = AgendaItem.objects.filter(meeting=m)
    assert (item.person.reference, item.reason, item.reason_detail) == (
        "P100",
        "other",
        "New intelligence",
    )


def test_it_shows_a_partner_only_the_shared_people(client_for, users, agencies, perpetrator):
    m = meeting(held_on=MEETING_DAY, chair=users[Role.PANEL_CHAIR])
    hidden = make_person("PH1", "Harry", "Hidden")
    for person in (perpetrator, hidden):
        AgendaItem.objects.create(meeting=m, person=person, reason="other")
    share(perpetrator, agencies["housing"])
    page = client_for(Role.PARTNER).get(f"/panels/{m.pk}/").content.decode()
    assert "P100" in page and "PH1" not in page and "Harry" not in page
    assert "1 more person is on the agenda but not shared with your agency" in page
    hidden_item = AgendaItem.objects.get(person=hidden)
    # Changing the id in the address does not reach the hidden person either.
    assert (
        client_for(Role.PARTNER).get(f"/panels/{m.pk}/agenda/{hidden_item.pk}/minute/").status_code
        == 403
    )
