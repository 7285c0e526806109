"""A case's tracing, victims and closure through the API, and creation made idempotent
the way the pages are."""

import datetime as dt
import uuid

import pytest

from highharm.accounts.permissions import Role
from highharm.audit.models import AccessLog
from highharm.cases import services
from highharm.cases.models import Case, CaseVictim, Contact, Exit, Intervention, TracingRecord
from highharm.panels.models import Action
from highharm.people.models import Person, PersonShare
from highharm.referrals.models import MonitoringPeriod


@pytest.fixture
def case(users, perpetrator):
    case, _ = services.case_open(
        person=perpetrator,
        lead=users[Role.OFFENDER_MANAGER],
        opened_by=users[Role.SUPERVISOR],
        opened_on=dt.date(2026, 10, 1),
    )
    return case


@pytest.fixture
def other_case(users, db):
    person = Person.objects.create(reference="P900", given_name="Olly", family_name="Other")
    case, _ = services.case_open(
        person=person,
        lead=users[Role.OFFENDER_MANAGER],
        opened_by=users[Role.SUPERVISOR],
        opened_on=dt.date(2026, 10, 1),
    )
    return case


def _send(client, method, url, body, **headers):
    return getattr(client, method)(url, data=body, content_type="application/json", headers=headers)


TRACE = {"recorded_on": "2026-10-05", "status": "wanted", "attempt": "Visited home address"}


# --- tracing ---------------------------------------------------------------------------------


def test_it_records_lists_and_corrects_tracing(api_client_for, case):
    om = api_client_for(Role.OFFENDER_MANAGER)
    base = f"/api/v1/cases/{case.pk}/tracing"
    made = _send(om, "post", base, TRACE)
    assert made.status_code == 201
    assert (made.json()["status"], made.json()["version"]) == ("wanted", 1)
    later = _send(om, "post", base, {"recorded_on": "2026-10-09", "status": "in_custody"})
    assert [t["status"] for t in om.get(base).json()] == ["in_custody", "wanted"]
    item = f"{base}/{made.json()['id']}"
    fixed = _send(om, "patch", item, {"version": 1, "whereabouts": "Believed at his mother's"})
    assert fixed.status_code == 200
    assert (fixed.json()["whereabouts"], fixed.json()["version"]) == ("Believed at his mother's", 2)
    assert fixed.json()["attempt"] == "Visited home address"
    stale = _send(om, "patch", item, {"version": 1, "status": "located"})
    assert stale.status_code == 409
    assert stale.json()["current"]["whereabouts"] == "Believed at his mother's"
    assert TracingRecord.objects.get(pk=made.json()["id"]).status == "wanted"
    assert later.status_code == 201


def test_tracing_is_answered_once_per_key(api_client_for, case):
    om = api_client_for(Role.OFFENDER_MANAGER)
    base = f"/api/v1/cases/{case.pk}/tracing"
    key = str(uuid.uuid4())
    first = _send(om, "post", base, {**TRACE, "submission_key": key})
    second = _send(om, "post", base, TRACE, **{"Idempotency-Key": key})
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    assert TracingRecord.objects.count() == 1


def test_tracing_is_refused_to_roles_and_agencies_it_is_not_for(
    api_client_for, case, other_case, perpetrator, agencies
):
    base = f"/api/v1/cases/{case.pk}/tracing"
    assert _send(api_client_for(Role.TRIAGE_LEAD), "post", base, TRACE).status_code == 403
    PersonShare.objects.create(person=perpetrator, agency=agencies["housing"])
    partner = api_client_for(Role.PARTNER)
    assert partner.get(base).status_code == 200
    assert _send(partner, "post", base, TRACE).status_code == 403
    assert partner.get(f"/api/v1/cases/{other_case.pk}/tracing").status_code == 404
    om = api_client_for(Role.OFFENDER_MANAGER)
    made = _send(om, "post", base, TRACE).json()
    moved = _send(
        om, "patch", f"/api/v1/cases/{other_case.pk}/tracing/{made['id']}", {"version": 1}
    )
    assert moved.status_code == 404


# --- victims ---------------------------------------------------------------------------------


def test_it_links_a_victim_once_and_changes_their_safeguarding(api_client_for, case):
    om = api_client_for(Role.OFFENDER_MANAGER)
    base = f"/api/v1/cases/{case.pk}/victims"
    linked = _send(om, "post", base, {"reference": "V200", "relationship": "ex_partner"})
    assert linked.status_code == 201
    assert (linked.json()["reference"], linked.json()["name"]) == ("V200", "Vera Victim")
    assert linked.json()["safeguarding"] == "not_assessed"
    again = _send(om, "post", base, {"reference": "V200"})
    assert (again.status_code, again.json()["id"]) == (200, linked.json()["id"])
    assert CaseVictim.objects.count() == 1
    item = f"{base}/{linked.json()['id']}"
    saved = _send(om, "patch", item, {"version": 1, "safeguarding": "safety_plan"})
    assert (saved.status_code, saved.json()["version"]) == (200, 2)
    assert saved.json()["relationship"] == "ex_partner"
    stale = _send(om, "patch", item, {"version": 1, "safeguarding": "declined"})
    assert stale.status_code == 409
    assert stale.json()["current"]["safeguarding"] == "safety_plan"
    assert [v["reference"] for v in om.get(base).json()] == ["V200"]
    assert AccessLog.objects.filter(action="view_person", object_id="V200").count() >= 3


def test_it_names_the_reference_it_cannot_find(api_client_for, case):
    om = api_client_for(Role.OFFENDER_MANAGER)
    refused = _send(om, "post", f"/api/v1/cases/{case.pk}/victims", {"reference": "V999"})
    assert refused.status_code == 422
    assert "V999" in refused.json()["errors"]["reference"][0]
    himself = _send(om, "post", f"/api/v1/cases/{case.pk}/victims", {"reference": "P100"})
    assert himself.status_code == 422
    assert CaseVictim.objects.count() == 0


def test_victims_are_refused_to_roles_that_may_not_see_them(
    api_client_for, users, case, perpetrator, agencies
):
    link = CaseVictim.objects.create(
        case=case, victim=Person.objects.get(reference="V200"), added_by=users[Role.SUPERVISOR]
    )
    PersonShare.objects.create(person=perpetrator, agency=agencies["housing"])
    partner = api_client_for(Role.PARTNER)  # may see the shared case, never its victims
    base = f"/api/v1/cases/{case.pk}/victims"
    assert partner.get(f"/api/v1/cases/{case.pk}").status_code == 200
    assert partner.get(base).status_code == 403
    assert _send(partner, "post", base, {"reference": "V201"}).status_code == 403
    assert _send(partner, "patch", f"{base}/{link.pk}", {"version": 1}).status_code == 403
    # A triage lead may see victims but not manage cases.
    lead = api_client_for(Role.TRIAGE_LEAD)
    assert lead.get(base).status_code == 200
    assert _send(lead, "post", base, {"reference": "V201"}).status_code == 403
    assert CaseVictim.objects.count() == 1
    assert not AccessLog.objects.filter(username="pat_partner", action="view_person").exists()


def test_a_victim_of_another_case_is_not_found_here(
    api_client_for, users, case, other_case, perpetrator
):
    link = CaseVictim.objects.create(
        case=other_case,
        victim=Person.objects.get(reference="V200"),
        added_by=users[Role.SUPERVISOR],
    )
    om = api_client_for(Role.OFFENDER_MANAGER)
    moved = _send(om, "patch", f"/api/v1/cases/{case.pk}/victims/{link.pk}", {"version": 1})
    assert moved.status_code == 404


# --- closure ---------------------------------------------------------------------------------


def _close_body(case, **more):
    return {
        "version": case.version,
        "reason": "risk_reduced",
        "exited_on": "2026-11-02",
        "rationale": "Objectives met; no incidents for six months",
        **more,
    }


def test_it_closes_a_case_and_starts_post_exit_monitoring(api_client_for, case):
    om = api_client_for(Role.OFFENDER_MANAGER)
    url = f"/api/v1/cases/{case.pk}/close"
    assert om.get(f"/api/v1/cases/{case.pk}/exit").status_code == 404
    closed = _send(om, "post", url, _close_body(case, monitor_until="2027-11-02"))
    assert closed.status_code == 201
    body = closed.json()
    assert (body["case_status"], body["exited_on"], body["monitor_until"]) == (
        "closed",
        "2026-11-02",
        "2027-11-02",
    )
    saved = Case.objects.get(pk=case.pk)
    assert (saved.status, saved.closed_on) == ("closed", dt.date(2026, 11, 2))
    period = MonitoringPeriod.objects.get(person=case.person)
    assert (period.kind, period.starts_on, period.until) == (
        "post_exit",
        dt.date(2026, 11, 2),
        dt.date(2027, 11, 2),
    )
    assert om.get(f"/api/v1/cases/{case.pk}/exit").json()["id"] == body["id"]
    # Closed already: a repeat without the key is refused, nothing changes.
    again = _send(om, "post", url, _close_body(case, version=saved.version))
    assert again.status_code == 400
    assert "already closed" in again.json()["detail"]
    assert Exit.objects.count() == 1


def test_a_repeated_closure_with_its_key_answers_with_the_exit(api_client_for, case, other_case):
    om = api_client_for(Role.OFFENDER_MANAGER)
    key = str(uuid.uuid4())
    url = f"/api/v1/cases/{case.pk}/close"
    first = _send(om, "post", url, _close_body(case), **{"Idempotency-Key": key})
    second = _send(om, "post", url, _close_body(case), **{"Idempotency-Key": key})
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    # The same key on another case is another request: refused, not answered with this exit.
    reused = _send(
        om,
        "post",
        f"/api/v1/cases/{other_case.pk}/close",
        _close_body(other_case),
        **{"Idempotency-Key": key},
    )
    assert reused.status_code == 422
    assert Case.objects.get(pk=other_case.pk).status == "open"
    assert not MonitoringPeriod.objects.exists()


def test_closure_checks_the_version_and_the_dates(api_client_for, case):
    om = api_client_for(Role.OFFENDER_MANAGER)
    url = f"/api/v1/cases/{case.pk}/close"
    stale = _send(om, "post", url, _close_body(case, version=case.version + 5))
    assert stale.status_code == 409
    assert stale.json()["current"]["status"] == "open"
    early = _send(om, "post", url, _close_body(case, monitor_until="2026-10-01"))
    assert early.status_code == 422
    assert "monitor_until" in early.json()["errors"]
    future = _send(om, "post", url, _close_body(case, exited_on="2999-01-01"))
    assert future.status_code == 422
    assert "exited_on" in future.json()["errors"]
    assert Case.objects.get(pk=case.pk).status == "open"
    assert Exit.objects.count() == 0


def test_closure_is_refused_to_other_roles_and_unshared_cases(
    api_client_for, case, other_case, perpetrator, agencies
):
    assert (
        _send(
            api_client_for(Role.TRIAGE_LEAD),
            "post",
            f"/api/v1/cases/{case.pk}/close",
            _close_body(case),
        ).status_code
        == 403
    )
    PersonShare.objects.create(person=perpetrator, agency=agencies["housing"])
    partner = api_client_for(Role.PARTNER)
    assert (
        _send(partner, "post", f"/api/v1/cases/{case.pk}/close", _close_body(case)).status_code
        == 403
    )
    assert partner.get(f"/api/v1/cases/{other_case.pk}/exit").status_code == 404
    assert Case.objects.get(pk=case.pk).status == "open"


# --- idempotent creation of the other case records and panel actions --------------------------


def test_case_records_are_created_once_per_key(api_client_for, case, other_case):
    om = api_client_for(Role.OFFENDER_MANAGER)
    base = f"/api/v1/cases/{case.pk}"
    key = str(uuid.uuid4())
    body = {"type": "housing", "started_on": "2026-10-02", "submission_key": key}
    first = _send(om, "post", f"{base}/interventions", body)
    second = _send(om, "post", f"{base}/interventions", body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    assert Intervention.objects.count() == 1
    # The key on another case is refused rather than answered with this case's record.
    elsewhere = _send(om, "post", f"/api/v1/cases/{other_case.pk}/interventions", body)
    assert elsewhere.status_code == 422
    assert Intervention.objects.count() == 1
    contact = {
        "with_whom": "perpetrator",
        "method": "phone",
        "contacted_on": "2026-10-04",
        "notes": "Called",
    }
    ckey = str(uuid.uuid4())
    c1 = _send(om, "post", f"{base}/contacts", contact, **{"Idempotency-Key": ckey})
    c2 = _send(om, "post", f"{base}/contacts", contact, **{"Idempotency-Key": ckey})
    assert (c1.status_code, c2.status_code, c2.json()["id"]) == (201, 200, c1.json()["id"])
    assert Contact.objects.count() == 1
    order = {"type": "dvpo", "starts_on": "2026-10-02", "conditions": "No contact with V200"}
    okey = str(uuid.uuid4())
    o1 = _send(om, "post", f"{base}/orders", order, **{"Idempotency-Key": okey})
    o2 = _send(om, "post", f"{base}/orders", {**order, "submission_key": okey})
    assert (o1.status_code, o2.status_code, o2.json()["id"]) == (201, 200, o1.json()["id"])


def test_a_repeated_panel_action_answers_200_with_the_first(api_client_for, perpetrator):
    chair = api_client_for(Role.PANEL_CHAIR)
    body = {
        "description": "Apply for a DVPO",
        "due_on": "2026-12-01",
        "owner_name": "Housing officer",
        "submission_key": str(uuid.uuid4()),
    }
    first = _send(chair, "post", "/api/v1/panels/actions", body)
    second = _send(chair, "post", "/api/v1/panels/actions", body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    assert Action.objects.count() == 1
    # Another user sending the same key is refused, not shown the first user's action.
    other = _send(api_client_for(Role.SUPERVISOR), "post", "/api/v1/panels/actions", body)
    assert other.status_code == 422
    assert Action.objects.count() == 1
