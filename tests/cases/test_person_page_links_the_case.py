from highharm.accounts.permissions import Role
from tests.panels.factories import open_case, share


def test_it_links_the_case_from_the_person_page(client_for, users, perpetrator):
    case = open_case(perpetrator, users[Role.OFFENDER_MANAGER])
    page = client_for(Role.TRIAGE_LEAD).get("/people/P100/").content.decode()
    assert f'href="/cases/{case.pk}/"' in page and "led by Alice" in page


def test_it_shows_a_partner_the_case_only_once_shared(client_for, users, agencies, perpetrator):
    case = open_case(perpetrator, users[Role.OFFENDER_MANAGER])
    partner = client_for(Role.PARTNER)
    assert partner.get("/people/P100/").status_code == 404
    share(perpetrator, agencies["housing"])
    assert f'href="/cases/{case.pk}/"' in partner.get("/people/P100/").content.decode()


def test_it_says_nothing_of_cases_to_roles_without_case_view(client_for, users, perpetrator):
    open_case(perpetrator, users[Role.OFFENDER_MANAGER])
    page = client_for(Role.ANALYST).get("/people/P100/").content.decode()
    assert "/cases/" not in page
