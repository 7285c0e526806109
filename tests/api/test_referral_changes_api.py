"""Correcting and withdrawing a referral through the API: the same service and scoping as
the pages, and a stale version answered 409 with the referral as it now is."""

import datetime as dt
import uuid

import pytest

from highharm.accounts.permissions import Role
from highharm.audit.models import AccessLog
from highharm.people.models import Person
from highharm.referrals import services
from highharm.referrals.models import Referral


@pytest.fixture
def partner_referral(users):
    """A referral made by the housing partner, about someone new (so theirs to see)."""
    return services.referral_create(
        referred_by=users[Role.PARTNER],
        source="partner",
        new_person={"given_name": "Ned", "family_name": "New"},
        reason="Threats to a tenant next door",
        concerns="Damage to the property and threats",
        no_known_victim=True,
        children_in_household="no",
    ).referral


def _send(client, method, url, body):
    return getattr(client, method)(url, data=body, content_type="application/json")


def test_it_corrects_a_referral_and_refuses_a_stale_version(api_client_for, referral):
    om = api_client_for(Role.OFFENDER_MANAGER)
    url = f"/api/v1/referrals/{referral.pk}"
    saved = _send(om, "patch", url, {"version": 1, "concerns": "Now also stalking"})
    assert saved.status_code == 200
    assert (saved.json()["concerns"], saved.json()["version"]) == ("Now also stalking", 2)
    # Fields not sent are unchanged.
    assert saved.json()["reason"] == "Repeated assaults on two partners"
    stale = _send(om, "patch", url, {"version": 1, "concerns": "Something else"})
    assert stale.status_code == 409
    body = stale.json()
    assert body["current_version"] == 2
    assert body["current"]["concerns"] == "Now also stalking"
    assert body["attempted"]["concerns"] == "Something else"
    assert Referral.objects.get(pk=referral.pk).concerns == "Now also stalking"
    assert AccessLog.objects.filter(action="view_referral", object_id=str(referral.pk)).exists()


def test_it_says_which_field_a_correction_leaves_incomplete(api_client_for, referral):
    om = api_client_for(Role.OFFENDER_MANAGER)
    refused = _send(
        om,
        "patch",
        f"/api/v1/referrals/{referral.pk}",
        {"version": 1, "children_in_household": "yes"},
    )
    assert refused.status_code == 422
    assert "children_count" in refused.json()["errors"]
    assert Referral.objects.get(pk=referral.pk).version == 1


def test_it_refuses_to_correct_a_decided_referral(api_client_for, users, referral):
    meeting = services.meeting_create(
        meeting_date=dt.date(2026, 11, 1),
        chair=users[Role.TRIAGE_LEAD],
        created_by=users[Role.TRIAGE_LEAD],
    )
    services.triage_decide(
        referral_id=referral.pk,
        meeting=meeting,
        decided_by=users[Role.TRIAGE_LEAD],
        submission_token=uuid.uuid4(),
        expected_version=1,
        outcome="nfa",
        rationale="Below threshold for the unit",
    )
    current = Referral.objects.get(pk=referral.pk)
    om = api_client_for(Role.OFFENDER_MANAGER)
    refused = _send(
        om,
        "patch",
        f"/api/v1/referrals/{referral.pk}",
        {"version": current.version, "concerns": "x"},
    )
    assert refused.status_code == 422
    assert "decided" in refused.json()["detail"]


def test_it_withdraws_a_referral_with_a_reason(api_client_for, referral):
    om = api_client_for(Role.OFFENDER_MANAGER)
    url = f"/api/v1/referrals/{referral.pk}/withdraw"
    no_reason = _send(om, "post", url, {"version": 1, "reason": "  "})
    assert no_reason.status_code == 422
    assert "reason" in no_reason.json()["errors"]
    done = _send(om, "post", url, {"version": 1, "reason": "Made in error"})
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["version"]) == ("withdrawn", 2)
    saved = Referral.objects.get(pk=referral.pk)
    assert saved.status == "withdrawn"
    assert saved.concerns.endswith("Withdrawn: Made in error")
    again = _send(om, "post", url, {"version": 1, "reason": "Made in error"})
    assert again.status_code == 409
    assert again.json()["current"]["status"] == "withdrawn"
    current = _send(om, "post", url, {"version": 2, "reason": "Made in error"})
    assert current.status_code == 422
    assert "awaiting triage" in current.json()["detail"]
    assert Referral.objects.get(pk=referral.pk).version == 2


def test_withdrawing_the_open_referral_puts_the_linked_one_in_the_queue(
    api_client_for, users, referral, perpetrator
):
    linked = services.referral_create(
        referred_by=users[Role.SUPERVISOR],
        source="officer",
        person=perpetrator,
        reason="A further assault reported this week",
        concerns="Injuries to the victim",
        no_known_victim=True,
        children_in_household="no",
    ).referral
    assert linked.status == "linked"
    om = api_client_for(Role.OFFENDER_MANAGER)
    _send(om, "post", f"/api/v1/referrals/{referral.pk}/withdraw", {"version": 1, "reason": "Dup"})
    linked.refresh_from_db()
    assert (linked.status, linked.linked_to_id) == ("open", None)


def test_roles_that_may_not_refer_may_not_correct_or_withdraw(api_client_for, referral):
    chair = api_client_for(Role.PANEL_CHAIR)  # may see referrals, may not make them
    url = f"/api/v1/referrals/{referral.pk}"
    assert _send(chair, "patch", url, {"version": 1, "concerns": "x"}).status_code == 403
    assert _send(chair, "post", f"{url}/withdraw", {"version": 1, "reason": "x"}).status_code == 403
    assert Referral.objects.get(pk=referral.pk).version == 1


def test_a_partner_changes_only_their_agencys_referrals(api_client_for, referral, partner_referral):
    partner = api_client_for(Role.PARTNER)
    other = f"/api/v1/referrals/{referral.pk}"
    assert _send(partner, "patch", other, {"version": 1, "concerns": "x"}).status_code == 404
    withdraw = _send(partner, "post", f"{other}/withdraw", {"version": 1, "reason": "x"})
    assert withdraw.status_code == 404
    assert Referral.objects.get(pk=referral.pk).status == "open"
    own = f"/api/v1/referrals/{partner_referral.pk}"
    changed = _send(partner, "patch", own, {"version": 1, "concerns": "Threats continue"})
    assert changed.status_code == 200
    assert changed.json()["person_reference"] == partner_referral.person.reference
    assert Person.objects.get(pk=partner_referral.person_id).given_name == "Ned"
