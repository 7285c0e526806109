"""Risk assessments through the API: definitions, calculating, completing, overriding, lists.

Expected figures are worked by hand from the fixtures (tests/conftest.py) and the
definition files; see each test's comment.
"""

import datetime as dt
import uuid

import pytest

from highharm.accounts.permissions import Role
from highharm.api.routers import assessments as router_module
from highharm.assessment import selectors
from highharm.assessment.models import Assessment
from highharm.audit.models import AccessLog
from highharm.cases import services as case_services
from highharm.people.models import PersonShare
from highharm.referrals import services as referral_services

pytestmark = pytest.mark.django_db

URL = "/api/v1/assessments"


@pytest.fixture(autouse=True)
def first_of_march(monkeypatch):
    """Assess as of 1 March 2026, so the facts from Pete's records are the hand-worked ones."""
    monkeypatch.setattr(router_module, "today", lambda: dt.date(2026, 3, 1))


def answers(instrument_id, value="no", **overrides):
    definition = selectors.instrument_definition(instrument_id)
    return {i.id: overrides.get(i.id, value) for i in definition.asked_items}


def post(client, url, body):
    return client.post(url, data=body, content_type="application/json")


def hhu_body(**extra):
    return {
        "person_reference": "P100",
        "instrument": "hhu",
        "answers": answers("hhu", threats_to_kill="yes"),
        **extra,
    }


def test_it_lists_the_instruments_and_gives_a_whole_definition(api_client_for):
    om = api_client_for(Role.OFFENDER_MANAGER)
    listed = {i["id"]: i for i in om.get(f"{URL}/instruments").json()}
    assert set(listed) == {"dash", "sdash", "hhu"}
    # DASH: 27 questions, none from the records; HHU: 13 facts from the records, 11 asked.
    assert (listed["dash"]["asked_items"], listed["dash"]["data_items"]) == (27, 0)
    assert (listed["hhu"]["asked_items"], listed["hhu"]["data_items"]) == (11, 13)
    dash = om.get(f"{URL}/instruments/dash").json()
    assert dash["version"] == selectors.instrument_definition("dash").version
    assert [b["min_total"] for b in dash["bands"] if b["level"] == "high"] == [14]
    assert dash["judgement"]["may_raise"] is True
    assert dash["judgement"]["may_lower"] is False
    assert [i["number"] for i in dash["items"]] == list(range(1, 28))
    hhu = om.get(f"{URL}/instruments/hhu").json()
    threats = next(i for i in hhu["items"] if i["id"] == "threats_to_kill")
    assert (threats["asked"], threats["points"]) == (True, 4)
    recency = next(i for i in hhu["items"] if i["id"] == "data_recency")
    assert recency["asked"] is False and recency["measures"] == ["recency_days"]
    assert om.get(f"{URL}/instruments/nope").status_code == 404


def test_it_calculates_without_saving(api_client_for, perpetrator):
    om = api_client_for(Role.OFFENDER_MANAGER)
    # 14 "yes" of 27 is DASH's high threshold; 13 is medium (10-13).
    yes14 = {k: ("yes" if n < 14 else "no") for n, k in enumerate(answers("dash"))}
    yes13 = {k: ("yes" if n < 13 else "no") for n, k in enumerate(answers("dash"))}
    high = post(om, f"{URL}/calculate", {"person_reference": "P100", "instrument": "dash",
                                         "answers": yes14})  # fmt: skip
    assert high.status_code == 200
    assert (high.json()["total"], high.json()["recommendation"]) == (14, "high")
    medium = post(om, f"{URL}/calculate", {"person_reference": "P100", "instrument": "dash",
                                           "answers": yes13})  # fmt: skip
    assert medium.json()["recommendation"] == "medium"
    assert Assessment.objects.count() == 0
    assert AccessLog.objects.filter(action="assess_person", object_id="P100").count() == 2


def test_it_completes_an_hhu_assessment_with_every_items_contribution(
    api_client_for, users, perpetrator
):
    # Pete as of 1/3/2026 (tests/assessment/test_assessment_service.py): recency 15 days -> 4,
    # 3 incidents -> 2, harm 573 -> 4, worst 365 -> 3, 2 victims -> 2, serial -> 3,
    # escalation -> 3, stalking -> 3: 24 from the records; threats to kill "yes" adds 4: 28,
    # adopt (24 or more).
    om = api_client_for(Role.OFFENDER_MANAGER)
    made = post(om, f"{URL}/", hhu_body(submission_token=str(uuid.uuid4())))
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["total"], body["recommendation"], body["decision"]) == (28, "adopt", "adopt")
    assert body["created"] is True and body["overridden"] is False
    assert body["assessed_on"] == "2026-03-01"
    added = {i["id"]: i["contribution"] for i in body["items"]}
    assert len(added) == 24
    assert added["data_recency"] == 4 and added["data_escalation"] == 3
    assert added["threats_to_kill"] == 4 and added["victim_fear"] == 0
    assert added["data_strangulation"] == 0
    assert body["facts"]["measures"]["recency_days"] == 15
    assert AccessLog.objects.filter(action="assess_person", object_id="P100").exists()
    stored = Assessment.objects.get(pk=body["id"])
    assert stored.completed_by == users[Role.OFFENDER_MANAGER]


def test_the_same_submission_token_saves_once(api_client_for, perpetrator):
    om = api_client_for(Role.OFFENDER_MANAGER)
    token = str(uuid.uuid4())
    first = post(om, f"{URL}/", hhu_body(submission_token=token))
    again = post(om, f"{URL}/", hhu_body(submission_token=token))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and again.json()["created"] is False
    assert Assessment.objects.count() == 1


def test_a_stale_previous_id_is_a_conflict_and_saves_nothing(api_client_for, perpetrator):
    om = api_client_for(Role.OFFENDER_MANAGER)
    first = post(om, f"{URL}/", hhu_body()).json()
    # A second officer, who loaded the form before the first saved, sends no previous_id.
    stale = post(api_client_for(Role.TRIAGE_LEAD), f"{URL}/", hhu_body())
    assert stale.status_code == 409
    assert stale.json()["current"]["id"] == first["id"]
    review = post(om, f"{URL}/", hhu_body(previous_id=first["id"]))
    assert review.status_code == 201 and review.json()["previous_id"] == first["id"]
    assert Assessment.objects.count() == 2


def test_bad_answers_are_refused_naming_what_is_wrong(api_client_for, perpetrator):
    om = api_client_for(Role.OFFENDER_MANAGER)
    partial = answers("hhu")
    del partial["victim_fear"]
    missing = post(om, f"{URL}/", hhu_body(answers=partial))
    assert missing.status_code == 422
    assert "victim_fear" in missing.json()["errors"]["answers"][0]
    wrong = post(om, f"{URL}/", hhu_body(answers=answers("hhu", victim_fear="maybe")))
    assert wrong.status_code == 422
    nobody = post(om, f"{URL}/", hhu_body(person_reference="P999"))
    assert nobody.status_code == 422
    assert "P999" in nobody.json()["errors"]["person_reference"][0]
    no_such = post(om, f"{URL}/", hhu_body(instrument="oasys"))
    assert "oasys" in no_such.json()["errors"]["instrument"][0]
    bad_level = post(om, f"{URL}/", hhu_body(override_level="urgent", override_reason="x" * 20))
    assert "urgent" in bad_level.json()["errors"]["override_level"][0]
    assert Assessment.objects.count() == 0


def test_an_override_needs_a_written_reason_and_is_a_new_assessment(api_client_for, perpetrator):
    om = api_client_for(Role.OFFENDER_MANAGER)
    base = post(om, f"{URL}/", hhu_body()).json()  # adopt, as above
    url = f"{URL}/{base['id']}/override"
    short = post(om, url, {"level": "monitor", "reason": "no"})
    assert short.status_code == 422 and "reason" in short.json()["errors"]
    same = post(om, url, {"level": "adopt", "reason": "I agree with the tool entirely"})
    assert same.status_code == 422 and "level" in same.json()["errors"]
    assert Assessment.objects.count() == 1
    reason = "He has been in custody since February; review on release"
    done = post(om, url, {"level": "monitor", "reason": reason})
    assert done.status_code == 201, done.json()
    body = done.json()
    assert (body["recommendation"], body["decision"]) == ("adopt", "monitor")
    assert (body["override_direction"], body["override_reason"]) == ("down", reason)
    assert body["previous_id"] == base["id"] and body["answers"] == base["answers"]
    # Only the latest may be overridden: the first is now reviewed by the override.
    again = post(om, url, {"level": "nfa", "reason": reason})
    assert again.status_code == 409


def test_dash_judgement_may_raise_the_level_but_never_lower_it(api_client_for, perpetrator):
    om = api_client_for(Role.OFFENDER_MANAGER)
    # 10 "yes" of 27: medium (10-13).
    yes10 = {k: ("yes" if n < 10 else "no") for n, k in enumerate(answers("dash"))}
    dash = {"person_reference": "P100", "instrument": "dash", "answers": yes10}
    base = post(om, f"{URL}/", dash).json()
    assert (base["total"], base["decision"]) == (10, "medium")
    raised = post(om, f"{URL}/{base['id']}/override",
                  {"level": "high", "reason": "Threats to kill made in front of me"})  # fmt: skip
    assert raised.status_code == 201
    assert (raised.json()["decision"], raised.json()["override_direction"]) == ("high", "up")
    lowered = post(om, f"{URL}/{raised.json()['id']}/override",
                   {"level": "standard", "reason": "She says it was a one-off"})  # fmt: skip
    assert lowered.status_code == 422
    assert "never lower" in lowered.json()["errors"]["level"][0]
    assert Assessment.objects.count() == 2


def test_it_lists_assessments_by_person_referral_and_case(api_client_for, users, perpetrator):
    om = api_client_for(Role.OFFENDER_MANAGER)
    referral = referral_services.referral_create(
        referred_by=users[Role.OFFENDER_MANAGER], source="officer", person=perpetrator,
        reason="Repeated assaults on two partners", concerns="Escalation", no_known_victim=True,
        children_in_household="no",
    ).referral  # fmt: skip
    case, _ = case_services.case_open(
        person=perpetrator, lead=users[Role.OFFENDER_MANAGER], opened_by=users[Role.SUPERVISOR]
    )
    dash = {"person_reference": "P100", "instrument": "dash", "answers": answers("dash")}
    plain = post(om, f"{URL}/", dash).json()
    for_referral = post(om, f"{URL}/", hhu_body(referral_id=referral.pk)).json()
    assert for_referral["referral_id"] == referral.pk
    people = om.get(f"{URL}/people/P100").json()
    assert [a["id"] for a in people] == [for_referral["id"], plain["id"]]  # newest first
    assert [a["id"] for a in om.get(f"{URL}/people/P100?instrument=dash").json()] == [plain["id"]]
    assert [a["id"] for a in om.get(f"{URL}/referrals/{referral.pk}").json()] == [
        for_referral["id"]
    ]
    assert len(om.get(f"{URL}/cases/{case.pk}").json()) == 2
    detail = om.get(f"{URL}/{plain['id']}").json()
    assert detail["instrument_id"] == "dash" and len(detail["items"]) == 27
    assert AccessLog.objects.filter(action="view_assessments", object_id="P100").count() == 4
    assert AccessLog.objects.filter(action="view_assessment", object_id=str(plain["id"])).exists()
    assert om.get(f"{URL}/people/P999").status_code == 404
    assert om.get(f"{URL}/referrals/999999").status_code == 404


def test_roles_without_the_capability_are_refused(api_client_for, perpetrator, agencies):
    # Partner agencies never see or make assessments, even for a person shared with them.
    PersonShare.objects.create(person=perpetrator, agency=agencies["housing"])
    om = api_client_for(Role.OFFENDER_MANAGER)
    made = post(om, f"{URL}/", hhu_body()).json()
    for role in (Role.PARTNER, Role.ANALYST, Role.AUDITOR, Role.ADMINISTRATOR):
        client = api_client_for(role)
        assert client.get(f"{URL}/people/P100").status_code == 403, role
        assert client.get(f"{URL}/{made['id']}").status_code == 403, role
        assert post(client, f"{URL}/", hhu_body()).status_code == 403, role
        refused = post(client, f"{URL}/{made['id']}/override", {"level": "nfa", "reason": "x" * 20})
        assert refused.status_code == 403, role
    assert Assessment.objects.count() == 1
    assert not AccessLog.objects.filter(action__in=["view_assessments", "view_assessment"]).exists()
