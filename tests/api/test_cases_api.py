"""Cases and their records through the API: scoped per agency, logged, locked by version."""

import datetime as dt

import pytest

from highharm.accounts.permissions import Role
from highharm.audit.models import AccessLog
from highharm.cases import services
from highharm.cases.models import CaseVictim, Contact
from highharm.people.models import Person, PersonShare


@pytest.fixture
def case(users, perpetrator):
    case, _ = services.case_open(
        person=perpetrator,
        lead=users[Role.OFFENDER_MANAGER],
        opened_by=users[Role.SUPERVISOR],
        opened_on=dt.date(2026, 10, 1),
        plan="Disrupt and engage",
    )
    return case


@pytest.fixture
def other_case(users, db):
    person = Person.objects.create(reference="P900", given_name="Olly", family_name="Other")
    case, _ = services.case_open(
        person=person, lead=users[Role.OFFENDER_MANAGER], opened_by=users[Role.SUPERVISOR]
    )
    return case


def _json(client, method, url, body):
    return getattr(client, method)(url, data=body, content_type="application/json")


def test_it_updates_the_plan_and_refuses_a_stale_version(api_client_for, case):
    om = api_client_for(Role.OFFENDER_MANAGER)
    url = f"/api/v1/cases/{case.pk}"
    saved = _json(om, "patch", url, {"version": 1, "plan": "New plan", "review_due": "2027-01-05"})
    assert saved.status_code == 200
    assert (saved.json()["plan"], saved.json()["review_due"], saved.json()["version"]) == (
        "New plan",
        "2027-01-05",
        2,
    )
    stale = _json(om, "patch", url, {"version": 1, "plan": "Other plan"})
    assert stale.status_code == 409
    assert stale.json()["current"]["plan"] == "New plan"
    assert stale.json()["attempted"]["plan"] == "Other plan"


def test_it_logs_every_view_of_a_case(api_client_for, case):
    om = api_client_for(Role.OFFENDER_MANAGER)
    om.get(f"/api/v1/cases/{case.pk}")
    om.get(f"/api/v1/cases/{case.pk}/orders")
    logged = AccessLog.objects.filter(action="view_case", object_id=str(case.pk))
    assert logged.count() == 2


def test_it_records_and_changes_interventions_and_orders(api_client_for, case):
    om = api_client_for(Role.OFFENDER_MANAGER)
    base = f"/api/v1/cases/{case.pk}"
    made = _json(om, "post", f"{base}/interventions", {"type": "dvpo", "started_on": "2026-10-02"})
    assert made.status_code == 201
    assert made.json()["kind"] == "enforcement"
    unfinished = _json(
        om,
        "patch",
        f"{base}/interventions/{made.json()['id']}",
        {"version": 1, "status": "completed"},
    )
    assert unfinished.status_code == 422
    assert "ended_on" in unfinished.json()["errors"]
    order = _json(
        om,
        "post",
        f"{base}/orders",
        {
            "type": "dvpo",
            "starts_on": "2026-10-02",
            "ends_on": "2026-10-29",
            "conditions": "No contact with V200",
            "intervention_id": made.json()["id"],
        },
    )
    assert order.status_code == 201
    assert order.json()["intervention_id"] == made.json()["id"]
    listed = om.get(f"{base}/orders").json()
    assert [o["id"] for o in listed] == [order.json()["id"]]


def test_it_keeps_records_on_their_own_case(api_client_for, case, other_case):
    om = api_client_for(Role.OFFENDER_MANAGER)
    made = _json(
        om,
        "post",
        f"/api/v1/cases/{case.pk}/interventions",
        {"type": "housing", "started_on": "2026-10-02"},
    ).json()
    moved = _json(
        om,
        "patch",
        f"/api/v1/cases/{other_case.pk}/interventions/{made['id']}",
        {"version": 1, "notes": "x"},
    )
    assert moved.status_code == 404


def test_it_records_contacts_and_hides_victim_contacts_from_partners(
    api_client_for, users, case, perpetrator, agencies
):
    victim = CaseVictim.objects.create(
        case=case, victim=Person.objects.get(reference="V200"), added_by=users[Role.SUPERVISOR]
    )
    om = api_client_for(Role.OFFENDER_MANAGER)
    base = f"/api/v1/cases/{case.pk}/contacts"
    to_victim = _json(
        om,
        "post",
        base,
        {
            "with_whom": "victim",
            "victim_id": victim.pk,
            "method": "phone",
            "contacted_on": "2026-10-03",
            "notes": "Safety plan reviewed",
        },
    )
    assert to_victim.status_code == 201
    to_him = _json(
        om,
        "post",
        base,
        {
            "with_whom": "perpetrator",
            "method": "home_visit",
            "contacted_on": "2026-10-04",
            "notes": "Seen",
        },
    )
    assert to_him.status_code == 201
    future = _json(
        om,
        "post",
        base,
        {"with_whom": "perpetrator", "method": "phone", "contacted_on": "2999-01-01", "notes": "x"},
    )
    assert future.status_code == 422
    changed = _json(
        om, "patch", f"{base}/{to_him.json()['id']}", {"version": 1, "notes": "Seen at home"}
    )
    assert changed.json()["notes"] == "Seen at home"
    assert Contact.objects.get(pk=to_him.json()["id"]).version == 2
    assert len(om.get(base).json()) == 2
    PersonShare.objects.create(person=perpetrator, agency=agencies["housing"])
    seen = api_client_for(Role.PARTNER).get(base).json()
    assert [c["with_whom"] for c in seen] == ["perpetrator"]


def test_it_gives_a_partner_404_for_an_unshared_case(
    api_client_for, case, other_case, perpetrator, agencies
):
    PersonShare.objects.create(person=perpetrator, agency=agencies["housing"])
    partner = api_client_for(Role.PARTNER)
    assert [c["id"] for c in partner.get("/api/v1/cases/").json()] == [case.pk]
    assert partner.get(f"/api/v1/cases/{case.pk}").status_code == 200
    for suffix in ("", "/interventions", "/orders", "/contacts"):
        assert partner.get(f"/api/v1/cases/{other_case.pk}{suffix}").status_code == 404


def test_it_refuses_changes_to_a_closed_case(api_client_for, users, case):
    services.case_close(
        case_id=case.pk,
        version=case.version,
        reason="risk_reduced",
        exited_on=dt.date(2026, 11, 1),
        rationale="Plan completed",
        monitor_until=None,
        closed_by=users[Role.SUPERVISOR],
    )
    om = api_client_for(Role.OFFENDER_MANAGER)
    refused = _json(om, "patch", f"/api/v1/cases/{case.pk}", {"version": 2, "plan": "x"})
    assert refused.status_code == 400
    assert "closed" in refused.json()["detail"]
