"""Referrals through the API: created with the same rules as the form, scoped per agency."""

import uuid

from highharm.accounts.permissions import Role
from highharm.audit.models import AccessLog
from highharm.referrals.models import Referral

COMPLETE = {
    "person_reference": "P100",
    "reason": "Repeated assaults on two partners this year",
    "concerns": "Escalating violence after separation",
    "victims": [{"reference": "V200", "relationship": "ex_partner"}],
    "children_in_household": "no",
}


def _post(client, body):
    return client.post("/api/v1/referrals/", data=body, content_type="application/json")


def test_it_creates_a_referral_and_returns_it(api_client_for, perpetrator):
    response = _post(api_client_for(Role.OFFENDER_MANAGER), COMPLETE)
    assert response.status_code == 201
    body = response.json()
    assert body["person_reference"] == "P100"
    assert body["status"] == "open"
    assert body["created"] is True
    referral = Referral.objects.get(pk=body["id"])
    assert referral.victims.get().person.reference == "V200"


def test_it_says_field_by_field_what_triage_still_needs(api_client_for, perpetrator):
    response = _post(
        api_client_for(Role.OFFENDER_MANAGER),
        {"person_reference": "P100", "reason": "short", "children_in_household": "yes"},
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"reason", "concerns", "victims", "children_count"}
    assert Referral.objects.count() == 0


def test_it_answers_a_repeated_submission_with_the_first_referral(api_client_for, perpetrator):
    client = api_client_for(Role.OFFENDER_MANAGER)
    body = {**COMPLETE, "submission_token": str(uuid.uuid4())}
    first = _post(client, body)
    second = _post(client, body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    assert Referral.objects.count() == 1


def test_it_links_a_second_referral_to_the_open_one(api_client_for, perpetrator):
    client = api_client_for(Role.OFFENDER_MANAGER)
    first = _post(client, COMPLETE).json()
    second = _post(client, COMPLETE).json()
    assert second["status"] == "linked"
    assert second["linked_to_id"] == first["id"]


def test_it_logs_a_view_of_a_referral(api_client_for, perpetrator):
    client = api_client_for(Role.OFFENDER_MANAGER)
    created = _post(client, COMPLETE).json()
    detail = client.get(f"/api/v1/referrals/{created['id']}").json()
    assert detail["victims"][0]["reference"] == "V200"
    assert AccessLog.objects.filter(action="view_referral", object_id=str(created["id"])).exists()


def test_it_shows_a_partner_only_their_agencys_referrals(api_client_for, perpetrator):
    officer_ref = _post(api_client_for(Role.OFFENDER_MANAGER), COMPLETE).json()["id"]
    partner = api_client_for(Role.PARTNER)
    # The partner cannot name P100 (not shared with their agency)...
    refused = _post(partner, COMPLETE)
    assert refused.status_code == 422
    assert "person_reference" in refused.json()["errors"]
    # ...but can refer someone new, and then sees that referral only.
    own = _post(
        partner,
        {
            **COMPLETE,
            "person_reference": None,
            "new_person": {"given_name": "Ned", "family_name": "New"},
            "victims": [{"name": "A neighbour", "relationship": "acquaintance"}],
        },
    )
    assert own.status_code == 201
    own_id = own.json()["id"]
    listed = partner.get("/api/v1/referrals/?status=all").json()
    assert [r["id"] for r in listed] == [own_id]
    assert partner.get(f"/api/v1/referrals/{own_id}").status_code == 200
    assert partner.get(f"/api/v1/referrals/{officer_ref}").status_code == 404
