"""Triage meetings through the API: made once per idempotency key, closed with the
version read, and decisions keyed by header or body."""

import datetime as dt
import uuid

from highharm.accounts.permissions import Role
from highharm.referrals import services
from highharm.referrals.models import TriageDecision, TriageMeeting

URL = "/api/v1/triage/meetings"


def _post(client, url, body, **headers):
    return client.post(url, data=body, content_type="application/json", headers=headers)


def test_it_creates_a_meeting_once_per_key(api_client_for, users):
    lead = api_client_for(Role.TRIAGE_LEAD)
    key = str(uuid.uuid4())
    body = {"meeting_date": "2026-12-03", "location": "Room 4"}
    first = _post(lead, URL, body, **{"Idempotency-Key": key})
    assert first.status_code == 201
    made = first.json()
    assert (made["meeting_date"], made["location"], made["closed"]) == (
        "2026-12-03",
        "Room 4",
        False,
    )
    assert made["chair"] == users[Role.TRIAGE_LEAD].display_name
    again = _post(lead, URL, body, **{"Idempotency-Key": key})
    assert (again.status_code, again.json()["id"]) == (200, made["id"])
    in_body = _post(lead, URL, {**body, "submission_key": key})
    assert (in_body.status_code, in_body.json()["id"]) == (200, made["id"])
    assert TriageMeeting.objects.count() == 1
    # Without a key, each request is a new meeting.
    assert _post(lead, URL, body).status_code == 201
    assert TriageMeeting.objects.count() == 2


def test_the_same_key_from_another_user_is_another_request(api_client_for):
    key = str(uuid.uuid4())
    body = {"meeting_date": "2026-12-03"}
    a = _post(api_client_for(Role.TRIAGE_LEAD), URL, body, **{"Idempotency-Key": key})
    b = _post(api_client_for(Role.SUPERVISOR), URL, body, **{"Idempotency-Key": key})
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["id"] != b.json()["id"]


def test_header_and_body_keys_must_agree(api_client_for):
    refused = _post(
        api_client_for(Role.TRIAGE_LEAD),
        URL,
        {"meeting_date": "2026-12-03", "submission_key": str(uuid.uuid4())},
        **{"Idempotency-Key": str(uuid.uuid4())},
    )
    assert refused.status_code == 422
    assert "submission_key" in refused.json()["errors"]
    assert TriageMeeting.objects.count() == 0


def test_the_chair_must_be_someone_who_may_run_triage(api_client_for, users):
    lead = api_client_for(Role.TRIAGE_LEAD)
    refused = _post(lead, URL, {"meeting_date": "2026-12-03", "chair_username": "alice_om"})
    assert refused.status_code == 422
    assert "chair_username" in refused.json()["errors"]
    chosen = _post(lead, URL, {"meeting_date": "2026-12-03", "chair_username": "sue_supervisor"})
    assert chosen.json()["chair"] == users[Role.SUPERVISOR].display_name


def test_roles_without_triage_may_not_create_or_close(api_client_for, users):
    meeting = services.meeting_create(
        meeting_date=dt.date(2026, 12, 3), chair=None, created_by=users[Role.TRIAGE_LEAD]
    )
    om = api_client_for(Role.OFFENDER_MANAGER)
    assert _post(om, URL, {"meeting_date": "2026-12-03"}).status_code == 403
    assert _post(om, f"{URL}/{meeting.pk}/close", {"version": 1}).status_code == 403
    assert TriageMeeting.objects.get().closed_at is None


def test_it_closes_a_meeting_with_the_version_read(api_client_for, users, referral):
    meeting = services.meeting_create(
        meeting_date=dt.date(2026, 12, 3), chair=None, created_by=users[Role.TRIAGE_LEAD]
    )
    lead = api_client_for(Role.TRIAGE_LEAD)
    stale = _post(lead, f"{URL}/{meeting.pk}/close", {"version": 0})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 1
    closed = _post(lead, f"{URL}/{meeting.pk}/close", {"version": 1})
    assert closed.status_code == 200
    assert (closed.json()["closed"], closed.json()["version"]) == (True, 2)
    # Closing again changes nothing.
    again = _post(lead, f"{URL}/{meeting.pk}/close", {"version": 1})
    assert (again.status_code, again.json()["version"]) == (200, 2)
    # The referral still open is carried over: it is in the next meeting's queue.
    following = services.meeting_create(
        meeting_date=dt.date(2026, 12, 10), chair=None, created_by=users[Role.TRIAGE_LEAD]
    )
    assert lead.get(f"{URL}/{following.pk}").json()["queue"] == [referral.pk]
    assert _post(lead, f"{URL}/999999/close", {"version": 1}).status_code == 404


def test_a_decision_takes_its_key_from_the_header(api_client_for, users, referral):
    meeting = services.meeting_create(
        meeting_date=dt.date(2026, 12, 3),
        chair=users[Role.TRIAGE_LEAD],
        created_by=users[Role.TRIAGE_LEAD],
    )
    lead = api_client_for(Role.TRIAGE_LEAD)
    body = {
        "referral_id": referral.pk,
        "version": 1,
        "outcome": "nfa",
        "rationale": "Below the threshold for the unit",
    }
    url = f"{URL}/{meeting.pk}/decisions"
    unkeyed = _post(lead, url, body)
    assert unkeyed.status_code == 422
    assert "submission_token" in unkeyed.json()["errors"]
    key = str(uuid.uuid4())
    first = _post(lead, url, body, **{"Idempotency-Key": key})
    second = _post(lead, url, body, **{"Idempotency-Key": key})
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    assert TriageDecision.objects.count() == 1
