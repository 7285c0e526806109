import uuid

from django.urls import reverse

from highharm.accounts.permissions import Role
from highharm.referrals.models import Referral, TriageDecision


def test_it_tells_the_second_decider_and_shows_the_first_decision(
    client_for, refer, perpetrator, meeting
):
    referral = refer(perpetrator)
    url = reverse("referrals:decide", args=[meeting.pk, referral.pk])
    tina = client_for(Role.TRIAGE_LEAD)
    sue = client_for(Role.SUPERVISOR)
    # Both load the form at the same version...
    loaded_version = referral.version
    tina.post(
        url,
        {
            "submission_token": str(uuid.uuid4()),
            "version": loaded_version,
            "outcome": "adopt",
            "rationale": "Serious harm to two victims",
        },
    )
    # ...the second to send is told, and shown what was saved.
    response = sue.post(
        url,
        {
            "submission_token": str(uuid.uuid4()),
            "version": loaded_version,
            "outcome": "nfa",
            "rationale": "Not enough harm",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved a change first" in body
    assert "Tina" in body  # who made the change
    assert "Adopt to the panel" in body  # what is saved now
    assert "No further action" in body  # what they tried
    assert TriageDecision.objects.count() == 1
    assert TriageDecision.objects.get().outcome == "adopt"


def test_it_refuses_a_stale_edit_of_a_referral_and_shows_both_versions(
    client_for, refer, perpetrator
):
    referral = refer(perpetrator)
    url = reverse("referrals:edit", args=[referral.pk])
    base = {
        "version": referral.version,
        "concerns": "Escalating violence after separation",
        "no_known_victim": "",
        "children_in_household": "no",
    }
    client_for(Role.OFFENDER_MANAGER).post(
        url, {**base, "reason": "First editor's reason, saved first"}
    )
    response = client_for(Role.TRIAGE_LEAD).post(
        url, {**base, "reason": "Second editor's reason, too late"}
    )
    body = response.content.decode()
    assert "Someone else saved a change first" in body
    assert "First editor&#x27;s reason, saved first" in body
    assert "Second editor&#x27;s reason, too late" in body
    referral.refresh_from_db()
    assert referral.reason == "First editor's reason, saved first"
    assert referral.version == 2
    # The form now carries the saved version, so sending it again (after review) works.
    assert 'name="version" value="2"' in body


def test_it_refuses_a_stale_meeting_edit(client_for, meeting, users):
    url = reverse("referrals:meeting_edit", args=[meeting.pk])
    data = {
        "version": meeting.version,
        "meeting_date": meeting.meeting_date.strftime("%d/%m/%Y"),
        "chair": users[Role.TRIAGE_LEAD].pk,
    }
    client_for(Role.TRIAGE_LEAD).post(url, {**data, "location": "Room 1"})
    body = client_for(Role.SUPERVISOR).post(url, {**data, "location": "Room 2"}).content.decode()
    assert "Someone else saved a change first" in body
    meeting.refresh_from_db()
    assert meeting.location == "Room 1"


def test_it_raises_edit_conflict_in_the_service(refer, perpetrator, users):
    import pytest

    from highharm.referrals.locking import EditConflict
    from highharm.referrals.services import referral_update

    referral = refer(perpetrator)
    referral_update(
        referral_id=referral.pk,
        expected_version=1,
        by=users[Role.OFFENDER_MANAGER],
        reason="A fuller reason for the referral",
    )
    with pytest.raises(EditConflict) as raised:
        referral_update(
            referral_id=referral.pk,
            expected_version=1,
            by=users[Role.TRIAGE_LEAD],
            reason="Another reason altogether",
        )
    assert [d.field for d in raised.value.differences()] == ["reason"]
    assert Referral.objects.get().reason == "A fuller reason for the referral"
