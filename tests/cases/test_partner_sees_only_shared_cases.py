"""A partner-agency user reaches only cases of people shared with their agency, and no victims."""

import pytest

from highharm.accounts.permissions import Role
from highharm.cases.services import contact_create, victim_add
from tests.panels.factories import make_person, open_case, share

CASE_PAGES = [
    "/cases/{pk}/",
    "/cases/{pk}/plan/",
    "/cases/{pk}/close/",
    "/cases/{pk}/interventions/new/",
    "/cases/{pk}/orders/new/",
    "/cases/{pk}/contacts/new/",
    "/cases/{pk}/tracing/new/",
    "/cases/{pk}/victims/new/",
    "/cases/{pk}/actions/new/",
]


@pytest.fixture
def two_cases(users, agencies, perpetrator):
    om = users[Role.OFFENDER_MANAGER]
    shared = open_case(perpetrator, om)
    share(perpetrator, agencies["housing"])  # pat_partner works for Wessex Housing
    unshared = open_case(make_person("P999", "Una", "Shared"), om)
    return shared, unshared


def test_it_shows_the_partner_the_shared_case(client_for, two_cases):
    shared, _ = two_cases
    response = client_for(Role.PARTNER).get(f"/cases/{shared.pk}/")
    assert response.status_code == 200
    assert "Pete Perp" in response.content.decode()


def test_it_gives_404_for_an_unshared_case_id(client_for, two_cases):
    _, unshared = two_cases
    partner = client_for(Role.PARTNER)
    assert partner.get(f"/cases/{unshared.pk}/").status_code == 404
    assert partner.get(f"/cases/{unshared.pk + 1000}/").status_code == 404


def test_it_lists_only_shared_cases(client_for, two_cases):
    page = client_for(Role.PARTNER).get("/cases/").content.decode()
    assert "P100" in page and "P999" not in page


def test_it_refuses_the_partner_every_editing_page(client_for, two_cases):
    shared, unshared = two_cases
    partner = client_for(Role.PARTNER)
    for template in CASE_PAGES[1:]:
        for case in (shared, unshared):
            assert partner.get(template.format(pk=case.pk)).status_code == 403


def test_it_never_shows_the_partner_victims_or_contacts_with_them(client_for, users, two_cases):
    from highharm.people.models import Person

    shared, _ = two_cases
    om = users[Role.OFFENDER_MANAGER]
    vera = Person.objects.get(reference="V200")
    link, _ = victim_add(case=shared, victim=vera, added_by=om, safeguarding="safety_plan")
    contact_create(
        case=shared,
        recorded_by=om,
        with_whom="victim",
        victim=link,
        method="phone",
        contacted_on=shared.opened_on,
        notes="Spoke to Vera about the safety plan",
    )
    contact_create(
        case=shared,
        recorded_by=om,
        with_whom="perpetrator",
        method="home_visit",
        contacted_on=shared.opened_on,
        notes="Home visit, engaged",
    )
    partner_page = client_for(Role.PARTNER).get(f"/cases/{shared.pk}/").content.decode()
    assert "V200" not in partner_page and "Vera" not in partner_page
    assert "safety plan" not in partner_page.lower()
    assert "Home visit, engaged" in partner_page
    om_page = client_for(Role.OFFENDER_MANAGER).get(f"/cases/{shared.pk}/").content.decode()
    assert "V200" in om_page and "Spoke to Vera" in om_page


def test_it_hides_cases_from_roles_without_case_view(client_for, two_cases):
    shared, _ = two_cases
    for role in (Role.ANALYST, Role.AUDITOR, Role.ADMINISTRATOR):
        assert client_for(role).get(f"/cases/{shared.pk}/").status_code == 403
        assert client_for(role).get("/cases/").status_code == 403
