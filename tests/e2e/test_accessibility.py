"""axe-core on each main page, with the demo's data present: no serious or critical violations.

One test signs in as each role in turn and visits its pages, so the data is made once
(demo-setup on a tiny force) and the test stays short.
"""

import io

import pytest
from django.core.management import call_command

from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _pages():
    from highharm.cases.models import Case
    from highharm.panels.models import PanelMeeting
    from highharm.referrals.models import Referral, TriageMeeting

    case = Case.objects.filter(lead__username="om", status="open").order_by("pk").first()
    person = case.person.reference
    panel = PanelMeeting.objects.filter(minutes__isnull=False).distinct().first()
    triage = TriageMeeting.objects.order_by("-meeting_date").first()
    waiting = Referral.objects.filter(status="open").order_by("pk").first()
    return {
        "om": [
            "/",
            f"/people/search/?q={person}",
            f"/people/{person}/",
            f"/cases/{case.pk}/",
            "/cases/dashboard/",
            "/referrals/new/",
            f"/cases/{case.pk}/close/",
            f"/cases/{case.pk}/interventions/new/?kind=enforcement",
        ],
        "triage": [
            "/",
            "/candidates/",
            "/referrals/",
            f"/referrals/{waiting.pk}/",
            f"/referrals/triage/{triage.pk}/",
            f"/referrals/triage/{triage.pk}/referrals/{waiting.pk}/",
        ],
        "chair": ["/", f"/panels/{panel.pk}/", f"/panels/{panel.pk}/pack/", "/panels/actions/"],
        "supervisor": ["/", "/cases/supervisor/", "/referrals/monitoring/"],
        "analyst": ["/", "/evaluation/", "/assessment/workbench/"],
        "partner": ["/", "/partners/", "/cases/"],
    }


def _known_radio_issue(page, violation) -> bool:
    """GOV.UK Frontend's conditional-reveal radios carry aria-expanded on purpose.

    axe reports it as not allowed on a radio; the GOV.UK Design System keeps it because
    screen readers announce it (alphagov/govuk-frontend issue 979, listed as a known issue
    in issue 1280). Only that case is let through: every node must be such a radio.
    """
    if violation["id"] != "aria-allowed-attr":
        return False
    return all(
        page.evaluate(
            "(s) => { const e = document.querySelector(s); return !!e && e.type === 'radio'"
            " && e.classList.contains('govuk-radios__input') && e.hasAttribute('aria-controls')"
            " && e.hasAttribute('aria-expanded'); }",
            target[-1],
        )
        for target in violation["nodes"]
    )


def test_it_has_no_serious_accessibility_violations_on_the_main_pages(page, settings, tmp_path):
    from highharm.accounts.models import User

    settings.VAR_DIR = tmp_path
    call_command("demo_setup", perpetrators=60, years=2, seed=7, stdout=io.StringIO())
    for user in User.objects.all():
        user.set_password(PASSWORD)
        user.save()
    page.set_default_timeout(60000)  # a busy CI machine
    found = {}
    for username, paths in _pages().items():
        page.context.clear_cookies()
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button:has-text('Sign in')")
        page.wait_for_url("**/")
        for path in paths:
            answer = page.goto(path)
            assert answer.status == 200, (username, path)
            violations = [v for v in axe_violations(page) if not _known_radio_issue(page, v)]
            if violations:
                found[f"{username} {path}"] = violations
    assert found == {}, __import__("pprint").pformat(found)
    assert page.csp_violations == []
