"""Completing an assessment in the browser: facts shown, judgement asked, result explained,
override only with a reason, saved once, every view logged."""

import pytest

from highharm.accounts.permissions import Role
from highharm.assessment import selectors
from highharm.assessment.models import Assessment
from highharm.audit.models import AccessLog

from .conftest import all_answers

pytestmark = pytest.mark.django_db
NEW = "/assessment/people/P100/new/hhu/"


@pytest.fixture
def officer(client_for):
    return client_for(Role.OFFENDER_MANAGER)


def form_data(page, **changes):
    """The form as the page rendered it (hidden fields included), with answers and changes."""
    form = page.context["form"]
    data = {
        "submission_token": form["submission_token"].value(),
        "previous_id": form["previous_id"].value() or "",
        "referral": form["referral"].value() or "",
    }
    data.update({f"item_{k}": v for k, v in all_answers("hhu").items()})
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_it_shows_the_records_filled_in_and_asks_only_judgement(officer, perpetrator):
    page = officer.get(NEW)
    assert page.status_code == 200
    html = page.content.decode()
    assert "From the records, as of" in html
    assert "Incidents in the last two years" in html  # a data item, shown, not asked
    assert 'name="item_data_frequency"' not in html
    for item in selectors.instrument_definition("hhu").asked_items:
        assert f'name="item_{item.id}"' in html
    assert html.count('type="radio"') == 3 * 11
    assert AccessLog.objects.filter(action="assess_person", object_id="P100").count() == 1


def test_it_explains_the_recommendation_item_by_item_before_saving(officer, perpetrator):
    page = officer.get(NEW)
    preview = officer.post(NEW, form_data(page, item_threats_to_kill="yes", action="preview"))
    assert preview.status_code == 200
    result = preview.context["result"]
    html = preview.content.decode()
    assert f"Recommendation: {result.computed_label}" in html
    assert "What every item added" in html
    assert "Threats to kill" in html and "+4" in html
    assert "Save the assessment" in html
    agree = preview.context["form"].radios["override_level"][0]
    assert agree["checked"] and agree["label"] == f"Agree: {result.computed_label}"
    assert not Assessment.objects.exists()


def test_it_refuses_an_override_without_a_reason_and_saves_one_with(officer, perpetrator):
    page = officer.get(NEW)
    preview = officer.post(NEW, form_data(page, action="preview"))
    computed = preview.context["result"].computed_level
    other = "nfa" if computed != "nfa" else "adopt"
    refused = officer.post(NEW, form_data(page, action="save", override_level=other))
    assert refused.status_code == 200
    assert "an override needs a written reason" in refused.content.decode()
    assert not Assessment.objects.exists()
    saved = officer.post(
        NEW,
        form_data(page, action="save", override_level=other,
                  override_reason="Perpetrator in prison until 2028; victim rehoused."),
    )  # fmt: skip
    assessment = Assessment.objects.get()
    assert saved.status_code == 302 and saved["Location"] == f"/assessment/{assessment.pk}/"
    assert (assessment.computed_level, assessment.final_level) == (computed, other)
    assert assessment.override_reason == "Perpetrator in prison until 2028; victim rehoused."
    assert assessment.completed_by.username == "alice_om"


def test_it_saves_the_result_as_it_is_when_the_officer_agrees(officer, perpetrator):
    page = officer.get(NEW)
    officer.post(NEW, form_data(page, action="save", override_level="agree"))
    assessment = Assessment.objects.get()
    assert assessment.final_level == assessment.computed_level and not assessment.overridden


def test_it_has_no_inline_script_or_style(officer, perpetrator):
    page = officer.get(NEW)
    html = officer.post(NEW, form_data(page, action="preview")).content.decode()
    assert " style=" not in html
    assert "<script>" not in html and '<script type="text/javascript">' not in html


def test_it_saves_once_when_the_save_button_is_pressed_twice(officer, perpetrator):
    page = officer.get(NEW)
    data = form_data(page, action="save")
    first = officer.post(NEW, data)
    second = officer.post(NEW, data)
    assert first["Location"] == second["Location"]
    assert Assessment.objects.count() == 1


def test_it_tells_the_second_officer_when_someone_else_saved_first(client_for, perpetrator):
    alice, tina = client_for(Role.OFFENDER_MANAGER), client_for(Role.TRIAGE_LEAD)
    page_a, page_t = alice.get(NEW), tina.get(NEW)
    tina.post(NEW, form_data(page_t, action="save"))
    clash = alice.post(NEW, form_data(page_a, action="save", item_victim_fear="yes"))
    assert clash.status_code == 200
    html = clash.content.decode()
    assert "Someone else completed a HHU decision tool" in html
    assert Assessment.objects.count() == 1
    # Her answers are kept, and sending again now saves a review of Tina's assessment.
    retry = alice.post(NEW, form_data(clash, action="save", item_victim_fear="yes"))
    assert retry.status_code == 302
    assert (
        Assessment.objects.order_by("-id").first().previous.completed_by.username == "tina_triage"
    )


def test_it_starts_a_review_from_the_last_answers(officer, perpetrator, complete):
    complete(perpetrator, "hhu", answers=all_answers("hhu", separation="yes"))
    page = officer.get(NEW)
    assert page.context["form"]["item_separation"].value() == "yes"
    assert "This reviews the assessment of" in page.content.decode()


def test_it_asks_every_question_and_names_the_missing_one(officer, perpetrator):
    page = officer.get("/assessment/people/P100/new/dash/")
    data = {k: v for k, v in form_data(page).items() if not k.startswith("item_")}
    data.update({f"item_{k}": v for k, v in all_answers("dash").items() if k != "strangulation"})
    response = officer.post("/assessment/people/P100/new/dash/", data | {"action": "save"})
    assert "Answer question 18: yes, no or not known" in response.content.decode()
    assert not Assessment.objects.exists()


def test_it_shows_a_saved_assessment_and_logs_the_view(officer, perpetrator, complete):
    assessment = complete(perpetrator, "hhu")
    page = officer.get(f"/assessment/{assessment.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Adopt to the panel" in html and "What every item added" in html
    assert AccessLog.objects.filter(
        action="view_assessment", object_type="assessment", object_id=str(assessment.pk)
    ).exists()
    listing = officer.get("/assessment/people/P100/")
    assert listing.status_code == 200 and "HHU decision tool" in listing.content.decode()
    assert AccessLog.objects.filter(action="view_assessments", object_id="P100").exists()


def test_it_shows_the_latest_assessment_on_the_person_page(officer, perpetrator, complete):
    complete(perpetrator, "hhu")
    html = officer.get("/people/P100/").content.decode()
    assert "Risk assessments" in html and "Adopt to the panel" in html


@pytest.mark.parametrize(
    "role", [Role.ANALYST, Role.PARTNER, Role.AUDITOR, Role.ADMINISTRATOR, None]
)
def test_it_refuses_roles_that_may_not_assess(client_for, perpetrator, complete, role):
    assessment = complete(perpetrator, "dash")
    client = client_for(role)
    for url in (NEW, "/assessment/people/P100/", f"/assessment/{assessment.pk}/"):
        assert client.get(url).status_code == 403, url
    assert client.post(NEW, {}).status_code == 403


def test_it_gives_404_for_an_unknown_person_or_instrument(officer, perpetrator):
    assert officer.get("/assessment/people/NOPE/new/hhu/").status_code == 404
    assert officer.get("/assessment/people/P100/new/oasys/").status_code == 404
    assert officer.get("/assessment/999/").status_code == 404
