"""Triage through the API: decide, revisit with a reason, and a stale version refused (409)."""

import datetime as dt
import uuid

import pytest

from highharm.accounts.permissions import Role
from highharm.referrals import services
from highharm.referrals.models import Referral, TriageDecision


@pytest.fixture
def meeting(users):
    return services.meeting_create(
        meeting_date=dt.date(2026, 11, 1),
        chair=users[Role.TRIAGE_LEAD],
        created_by=users[Role.TRIAGE_LEAD],
    )


def _decide(client, meeting, body):
    return client.post(
        f"/api/v1/triage/meetings/{meeting.pk}/decisions",
        data=body,
        content_type="application/json",
    )


def _adopt(referral, version=None):
    return {
        "referral_id": referral.pk,
        "version": referral.version if version is None else version,
        "submission_token": str(uuid.uuid4()),
        "outcome": "adopt",
        "rationale": "Serial perpetrator with escalating harm",
    }


def test_it_lists_the_meeting_with_its_queue(api_client_for, referral, meeting):
    data = api_client_for(Role.TRIAGE_LEAD).get(f"/api/v1/triage/meetings/{meeting.pk}").json()
    assert data["queue"] == [referral.pk]
    assert data["attendees"][0]["role"] == "Chair"
    listed = api_client_for(Role.TRIAGE_LEAD).get("/api/v1/triage/meetings").json()
    assert [m["id"] for m in listed] == [meeting.pk]


def test_it_records_a_decision_and_lists_it_for_the_meeting(api_client_for, referral, meeting):
    client = api_client_for(Role.TRIAGE_LEAD)
    response = _decide(client, meeting, _adopt(referral))
    assert response.status_code == 201
    assert response.json()["outcome"] == "adopt"
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DECIDED
    listed = client.get(f"/api/v1/triage/meetings/{meeting.pk}/decisions").json()
    assert [d["id"] for d in listed] == [response.json()["id"]]


def test_it_refuses_a_decision_on_a_stale_version(api_client_for, referral, meeting):
    client = api_client_for(Role.TRIAGE_LEAD)
    stale = referral.version
    assert _decide(client, meeting, _adopt(referral)).status_code == 201
    conflict = _decide(client, meeting, _adopt(referral, version=stale))
    assert conflict.status_code == 409
    body = conflict.json()
    assert body["current"]["outcome"] == "adopt"
    assert TriageDecision.objects.count() == 1


def test_it_revisits_a_decision_keeping_the_history(api_client_for, referral, meeting):
    client = api_client_for(Role.TRIAGE_LEAD)
    first = _decide(client, meeting, _adopt(referral)).json()
    referral.refresh_from_db()
    body = {
        "meeting_id": meeting.pk,
        "version": referral.version,
        "submission_token": str(uuid.uuid4()),
        "outcome": "nfa",
        "rationale": "Now in prison for ten years",
        "revision_reason": "Sentenced since the meeting",
    }
    url = f"/api/v1/triage/referrals/{referral.pk}/revisions"
    missing = client.post(
        url, data={**body, "revision_reason": " "}, content_type="application/json"
    )
    assert missing.status_code == 422
    assert "revision_reason" in missing.json()["errors"]
    revised = client.post(url, data=body, content_type="application/json")
    assert revised.status_code == 201
    assert revised.json()["supersedes_id"] == first["id"]
    history = client.get(f"/api/v1/referrals/{referral.pk}").json()["decisions"]
    assert [(d["outcome"], d["is_current"]) for d in history] == [("nfa", True), ("adopt", False)]


def test_it_answers_a_repeated_decision_with_the_first(api_client_for, referral, meeting):
    client = api_client_for(Role.TRIAGE_LEAD)
    body = _adopt(referral)
    first = _decide(client, meeting, body)
    again = _decide(client, meeting, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
