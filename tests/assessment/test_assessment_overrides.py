"""Overrides are counted and shown to supervisors: by instrument, by officer, by direction."""

import pytest

from highharm.accounts.permissions import Role
from highharm.assessment import selectors
from highharm.audit.models import AccessLog

from .conftest import all_answers

pytestmark = pytest.mark.django_db
REASON = "Known to partner agencies: escalating since release from custody."


@pytest.fixture
def history(perpetrator, complete, users):
    """Alice: HHU lowered, DASH raised, DASH accepted. Tina: HHU accepted, HHU lowered."""
    alice, tina = users[Role.OFFENDER_MANAGER], users[Role.TRIAGE_LEAD]
    complete(perpetrator, "hhu", by=alice, override_level="monitor", override_reason=REASON)
    complete(perpetrator, "dash", by=alice, override_level="high", override_reason=REASON)
    complete(perpetrator, "dash", by=alice)
    complete(perpetrator, "hhu", by=tina)
    complete(perpetrator, "hhu", by=tina, override_level="nfa", override_reason=REASON)


def test_it_counts_overrides_by_instrument_officer_and_direction(history):
    report = selectors.override_report()
    assert report["totals"] == {"assessments": 5, "overrides": 3, "up": 1, "down": 2}
    by_instrument = {r["instrument_id"]: (r["assessments"], r["overrides"], r["up"], r["down"])
                     for r in report["by_instrument"]}  # fmt: skip
    assert by_instrument == {"dash": (2, 1, 1, 0), "hhu": (3, 2, 0, 2)}
    by_officer = {
        r["completed_by_label"]: (r["assessments"], r["overrides"]) for r in report["by_officer"]
    }
    assert by_officer == {"Alice": (3, 2), "Tina": (2, 1)}
    directions = {(r["instrument_id"], r["computed_level"], r["final_level"]): r["count"]
                  for r in report["by_direction"]}  # fmt: skip
    assert directions == {("hhu", "adopt", "monitor"): 1, ("hhu", "adopt", "nfa"): 1,
                          ("dash", "standard", "high"): 1}  # fmt: skip
    assert len(report["recent"]) == 3


def test_it_shows_supervisors_the_overrides_and_their_reasons(client_for, history):
    page = client_for(Role.SUPERVISOR).get("/assessment/overrides/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "3</strong> overrides in 5 assessments (60%): 1 raised, 2 lowered" in html
    assert "Adopt to the panel → <strong>No further action</strong>" in html
    assert REASON in html
    assert AccessLog.objects.filter(action="view_override_report").exists()


@pytest.mark.parametrize(
    "role", [Role.OFFENDER_MANAGER, Role.TRIAGE_LEAD, Role.ANALYST, Role.PARTNER]
)
def test_it_refuses_the_override_report_to_other_roles(client_for, role):
    assert client_for(role).get("/assessment/overrides/").status_code == 403


def test_it_filters_the_report_by_date(client_for, history):
    page = client_for(Role.SUPERVISOR).get("/assessment/overrides/?since=1/1/2999")
    assert page.context["report"]["totals"]["assessments"] == 0


def test_it_gives_triage_the_latest_risk_tool_result(perpetrator, complete):
    assert selectors.risk_tool_result(person=perpetrator) is None
    complete(perpetrator, "dash", answers=all_answers("dash", "yes"))
    assert selectors.risk_tool_result(person=perpetrator)["level"] == "High"
    complete(perpetrator, "hhu", override_level="monitor", override_reason=REASON)
    complete(perpetrator, "dash")
    result = selectors.risk_tool_result(person=perpetrator)  # the HHU tool's, though DASH is newer
    assert result["instrument"] == "HHU decision tool"
    assert (result["level"], result["recommendation"], result["overridden"]) == (
        "Monitor", "Adopt to the panel", True,
    )  # fmt: skip
    assert REASON in result["summary"]


def test_it_names_its_hooks_in_settings(settings):
    assert settings.RISK_TOOL_RESULT == "highharm.assessment.selectors.risk_tool_result"
    assert "highharm.assessment.views.person_section" in settings.PERSON_PAGE_SECTIONS


def test_it_lists_a_persons_assessments_only_for_roles_that_may_see_them(
    perpetrator, complete, users
):
    complete(perpetrator, "dash")
    complete(perpetrator, "hhu")
    mine = selectors.assessment_list_for_person(user=users[Role.PANEL_CHAIR], person=perpetrator)
    assert [a.instrument_id for a in mine] == ["hhu", "dash"]  # newest first
    for role in (Role.ANALYST, Role.PARTNER, Role.AUDITOR):
        assert selectors.assessment_list_for_person(user=users[role], person=perpetrator) == []


def test_it_links_the_risk_tools_from_the_home_page(client_for):
    supervisor = client_for(Role.SUPERVISOR).get("/").content.decode()
    assert "/assessment/overrides/" in supervisor and "/assessment/backtest/" in supervisor
    analyst = client_for(Role.ANALYST).get("/").content.decode()
    assert "/assessment/backtest/" in analyst and "/assessment/overrides/" not in analyst
    officer = client_for(Role.OFFENDER_MANAGER).get("/").content.decode()
    assert "/assessment/overrides/" not in officer and "/assessment/backtest/" not in officer
