"""A partner-agency user reaches only the cases shared with their agency: not by link, not by API."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_cases(users, perpetrator, agencies):
    """Pete (P100) has a case not shared with anyone; Sid (P300) has one shared with housing."""
    from highharm.accounts.permissions import Role
    from highharm.cases.services import case_open
    from highharm.people.models import Person, PersonShare

    om, sup = users[Role.OFFENDER_MANAGER], users[Role.SUPERVISOR]
    sid = Person.objects.create(
        reference="P300", given_name="Sid", family_name="Shared", gender="M"
    )
    PersonShare.objects.create(person=sid, agency=agencies["housing"], shared_by=sup)
    hidden, _ = case_open(person=perpetrator, lead=om, opened_by=sup)
    shared, _ = case_open(person=sid, lead=om, opened_by=sup)
    return hidden, shared


def test_it_shows_the_partner_a_not_found_page_for_a_case_not_shared(page, login, two_cases):
    hidden, shared = two_cases
    login("pat_partner")
    answer = page.goto(f"/cases/{hidden.pk}/")
    assert answer.status == 404
    assert "Pete" not in page.locator("main").inner_text()
    answer = page.goto("/people/P100/")
    assert answer.status == 404
    # The same user does reach the case shared with their agency.
    answer = page.goto(f"/cases/{shared.pk}/")
    assert answer.status == 200
    assert "Sid Shared" in page.locator("main").inner_text()
    cases = page.goto("/cases/")
    assert "P300" in page.locator("main").inner_text()
    assert "P100" not in page.locator("main").inner_text()
    assert cases.status == 200
    assert page.csp_violations == []


def test_it_answers_the_partner_not_found_by_api(page, users, two_cases):
    from highharm.accounts.permissions import Role
    from highharm.accounts.services import api_token_create

    hidden, shared = two_cases
    _, token = api_token_create(user=users[Role.PARTNER], name="e2e")
    headers = {"Authorization": f"Bearer {token}"}
    api = page.request
    assert api.get("/api/v1/people/P100", headers=headers).status == 404
    assert api.get(f"/api/v1/cases/{hidden.pk}", headers=headers).status == 404
    assert api.get(f"/api/v1/cases/{hidden.pk}/orders", headers=headers).status == 404
    assert api.get("/api/v1/people/P300", headers=headers).status == 200
    shared_answer = api.get(f"/api/v1/cases/{shared.pk}", headers=headers)
    assert shared_answer.status == 200
    listed = api.get("/api/v1/cases/?status=all&q=", headers=headers)
    assert listed.status == 200, listed.text()
    assert [c["id"] for c in listed.json()] == [shared.pk]
