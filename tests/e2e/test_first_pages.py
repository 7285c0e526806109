import pytest

from tests.e2e.conftest import axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_it_signs_in_searches_and_opens_a_person(page, login, users, perpetrator):
    login("alice_om")
    assert page.locator("h1").inner_text() == "Offender manager"
    page.click("text=Find a person")
    page.fill("#q", "Perp")
    page.click("button:has-text('Search')")
    page.click("a:has-text('P100')")
    assert page.locator("h1").inner_text() == "Pete Perp"
    assert page.locator("table >> text=CR2").count() == 1
    chart = page.locator("svg.hh-chart__svg[role='img']")  # drawn inline, server-side
    assert chart.count() == 1
    assert chart.locator("title").first.text_content().startswith("Harm of each incident")
    assert chart.locator(".hh-chart__mark").count() >= 1
    assert page.csp_violations == []


def test_it_styles_pages_with_govuk_frontend_served_locally(page, login, users):
    login("alice_om")
    header_colour = page.evaluate(
        "getComputedStyle(document.querySelector('.govuk-header')).backgroundColor"
    )
    assert header_colour == "rgb(11, 12, 12)"  # GOV.UK header black: the stylesheet loaded
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")


@pytest.mark.parametrize("path", ["/accounts/login/"])
def test_it_has_no_serious_accessibility_violations_signed_out(page, path):
    page.goto(path)
    assert axe_violations(page) == []


@pytest.mark.parametrize("path", ["/", "/people/search/?q=Perp", "/people/P100/"])
def test_it_has_no_serious_accessibility_violations_signed_in(
    page, login, users, perpetrator, path
):
    login("alice_om")
    page.goto(path)
    assert axe_violations(page) == []
