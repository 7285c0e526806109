"""The panel pack: per case the summary, score and explanation, chronology, chart, open
actions and interventions; HTML on screen and PDF from the same template."""

import datetime as dt

import pytest

from highharm.accounts.permissions import Role
from highharm.audit.models import AccessLog
from highharm.cases.services import intervention_create, victim_add
from highharm.panels.models import AgendaItem, Minute
from highharm.panels.services import action_create
from highharm.people.models import Person
from tests.panels.factories import make_person, meeting, open_case, share

HELD_ON = dt.date(2026, 4, 14)


@pytest.fixture
def pack_meeting(users, perpetrator):
    om, chair = users[Role.OFFENDER_MANAGER], users[Role.PANEL_CHAIR]
    case = open_case(perpetrator, om, on=dt.date(2026, 1, 5))
    intervention_create(
        case=case,
        recorded_by=om,
        type="perpetrator_programme",
        provider="Drive",
        started_on=dt.date(2026, 2, 1),
        status="in_progress",
    )
    victim_add(
        case=case,
        victim=Person.objects.get(reference="V200"),
        added_by=om,
        safeguarding="supported",
    )
    march = meeting(held_on=dt.date(2026, 3, 10), chair=chair)
    AgendaItem.objects.create(meeting=march, person=perpetrator, reason="newly_adopted")
    Minute.objects.create(
        meeting=march,
        person=perpetrator,
        discussion="x",
        decisions="Adopted; apply for a Stalking Protection Order",
    )
    action_create(
        meeting=march,
        person=perpetrator,
        description="Apply for an SPO",
        due_on=dt.date(2026, 4, 1),
        owner=om,
        raised_by=chair,
    )
    april = meeting(held_on=HELD_ON, chair=chair)
    AgendaItem.objects.create(meeting=april, person=perpetrator, reason="due_for_review")
    hidden = make_person("PH1", "Harry", "Hidden")
    AgendaItem.objects.create(meeting=april, person=hidden, reason="newly_adopted")
    return april


def test_it_puts_everything_the_panel_needs_in_the_pack(client_for, pack_meeting):
    page = client_for(Role.PANEL_CHAIR).get(f"/panels/{pack_meeting.pk}/pack/").content.decode()
    pete = page.split('id="case-1"')[1].split('id="case-2"')[0]
    # Summary, written from the three incidents (CR1-CR3) against two victims.
    assert "3 incidents against 2 known victims between January 2025 and February 2026" in pete
    assert "2 in the 12 months before the meeting" in pete  # 1 June 2025 and 14 Feb 2026
    assert (
        'Harm recorded</dt><dd class="govuk-summary-list__value">573 days in all; 545 in the last 12 months'
        in pete
    )
    # Chronology, newest first.
    assert pete.index("CR3") < pete.index("CR2") < pete.index("CR1")
    assert '<img src="data:image/svg+xml;base64,' in pete
    # The case, its interventions, last decision and open actions.
    assert "Alice" in pete and "Perpetrator programme" in pete and "Drive" in pete
    assert "Adopted; apply for a Stalking Protection Order" in pete
    assert "Apply for an SPO" in pete and "Overdue" in pete
    assert "Vera Victim" in pete  # a chair may see victims


def test_it_shows_the_score_and_its_explanation(client_for, pack_meeting, monkeypatch):
    from highharm.referrals import selectors as referral_selectors

    monkeypatch.setattr(
        referral_selectors,
        "person_score",
        lambda *, person: {
            "score": 87,
            "rank": 4,
            "explanation": "3 incidents in 2 years (+15), stalking (+10); note: harm unknown for 1 incident",
            "as_of": dt.date(2026, 4, 1),
        },
    )
    page = client_for(Role.PANEL_CHAIR).get(f"/panels/{pack_meeting.pk}/pack/").content.decode()
    assert '<span class="hh-score">87</span> · ranked 4' in page
    assert "<li>3 incidents in 2 years (+15)</li>" in page
    assert "<li>stalking (+10)</li>" in page
    assert "Scored as of 1 April 2026" in page


def test_it_says_when_there_is_no_score(client_for, pack_meeting):
    page = client_for(Role.PANEL_CHAIR).get(f"/panels/{pack_meeting.pk}/pack/").content.decode()
    assert "No score has been calculated for this person yet" in page


def test_it_renders_the_same_pack_as_a_pdf(client_for, pack_meeting):
    from highharm.panels.pdf import render_pdf_with_pages

    response = client_for(Role.PANEL_CHAIR).get(f"/panels/{pack_meeting.pk}/pack.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="panel-pack-2026-04-14.pdf"'
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF")
    # A cover, then each of the two people from a new page.
    _, pages = render_pdf_with_pages(
        '<html><body><section class="hh-pack-cover">c</section>'
        '<section class="hh-pack-case">1</section><section class="hh-pack-case">2</section></body></html>'
    )
    assert pages == 3


def test_it_gives_a_partner_only_shared_people_and_no_victims(
    client_for, agencies, perpetrator, pack_meeting
):
    share(perpetrator, agencies["housing"])
    page = client_for(Role.PARTNER).get(f"/panels/{pack_meeting.pk}/pack/").content.decode()
    assert "P100" in page and "PH1" not in page and "Harry" not in page
    assert "1 further person is on the agenda but not shared with your agency" in page
    assert "V200" not in page and "Vera" not in page and "Known victims" not in page
    assert client_for(Role.PARTNER).get(f"/panels/{pack_meeting.pk}/pack.pdf").status_code == 200


def test_it_logs_each_person_in_the_pack(client_for, pack_meeting):
    client_for(Role.PANEL_CHAIR).get(f"/panels/{pack_meeting.pk}/pack.pdf")
    rows = AccessLog.objects.filter(action="view_panel_pack").order_by("object_id")
    assert [(r.object_type, r.object_id, r.detail["format"]) for r in rows] == [
        ("person", "P100", "pdf"),
        ("person", "PH1", "pdf"),
    ]


def test_it_refuses_the_pack_to_roles_without_panel_view(client_for, pack_meeting):
    for role in (Role.ANALYST, Role.AUDITOR, Role.ADMINISTRATOR):
        assert client_for(role).get(f"/panels/{pack_meeting.pk}/pack.pdf").status_code == 403
