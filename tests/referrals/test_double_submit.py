import uuid

from django.urls import reverse

from highharm.accounts.permissions import Role
from highharm.referrals.models import Referral, TriageDecision


def test_it_records_one_decision_when_the_form_is_sent_twice(
    client_for, refer, perpetrator, meeting
):
    referral = refer(perpetrator)
    data = {
        "submission_token": str(uuid.uuid4()),
        "version": referral.version,
        "outcome": "adopt",
        "rationale": "Serious harm",
    }
    client = client_for(Role.TRIAGE_LEAD)
    url = reverse("referrals:decide", args=[meeting.pk, referral.pk])
    first = client.post(url, data)
    second = client.post(url, data, follow=True)
    assert first.status_code == 302
    assert TriageDecision.objects.count() == 1
    assert "already been recorded" in second.content.decode()


def test_it_records_one_referral_when_the_form_is_sent_twice(client_for, perpetrator):
    data = {
        "submission_token": str(uuid.uuid4()),
        "person_choice": "existing",
        "person_reference": "P100",
        "source": "officer",
        "reason": "Three assaults this year",
        "concerns": "Getting worse",
        "no_known_victim": "on",
        "children_in_household": "no",
    }
    client = client_for(Role.OFFENDER_MANAGER)
    client.post(reverse("referrals:create"), data)
    second = client.post(reverse("referrals:create"), data, follow=True)
    assert Referral.objects.count() == 1
    assert "already been received" in second.content.decode()


def test_it_does_not_duplicate_a_referral_from_the_candidate_list(client_for, perpetrator):
    client = client_for(Role.TRIAGE_LEAD)
    client.post(reverse("referrals:from_candidate"), {"reference": "P100"})
    client.post(reverse("referrals:from_candidate"), {"reference": "P100"})
    assert Referral.objects.count() == 1


def test_it_returns_the_first_decision_for_a_repeated_token_in_the_service(
    refer, perpetrator, meeting, users
):
    from highharm.referrals.services import triage_decide

    referral = refer(perpetrator)
    token = uuid.uuid4()
    kwargs = dict(
        referral_id=referral.pk,
        meeting=meeting,
        decided_by=users[Role.TRIAGE_LEAD],
        submission_token=token,
        expected_version=referral.version,
        outcome="nfa",
        rationale="Low harm",
    )
    first = triage_decide(**kwargs)
    again = triage_decide(**kwargs)
    assert first.created and not again.created
    assert again.decision.pk == first.decision.pk


def test_it_refuses_two_current_decisions_in_the_database(
    refer, decide, perpetrator, meeting, users
):
    import pytest
    from django.db import IntegrityError, transaction

    referral = refer(perpetrator)
    decide(referral, meeting, "adopt")
    with pytest.raises(IntegrityError), transaction.atomic():
        TriageDecision.objects.create(
            referral=referral,
            meeting=meeting,
            outcome="nfa",
            rationale="Second at once",
            decided_by=users[Role.TRIAGE_LEAD],
            submission_token=uuid.uuid4(),
        )
