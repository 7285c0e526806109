import uuid

from django.urls import reverse

from highharm.accounts.permissions import Role
from highharm.referrals.models import Referral
from highharm.referrals.selectors import triage_queue


def test_it_links_a_second_referral_instead_of_queueing_it_twice(
    refer, perpetrator, users, meeting
):
    first = refer(perpetrator)
    second = refer(
        perpetrator, users[Role.TRIAGE_LEAD], reason="Reported by his new partner's sister"
    )
    second.refresh_from_db()
    assert first.status == Referral.Status.OPEN
    assert second.status == Referral.Status.LINKED
    assert second.linked_to == first
    queue = triage_queue(meeting=meeting, with_facts=False)
    assert [item.referral.pk for item in queue] == [first.pk]
    assert [r.pk for r in queue[0].linked] == [second.pk]


def test_it_shows_the_extra_information_on_the_open_referral(client_for, refer, perpetrator, users):
    first = refer(perpetrator)
    refer(perpetrator, users[Role.TRIAGE_LEAD], reason="Reported by his new partner's sister")
    body = (
        client_for(Role.OFFENDER_MANAGER)
        .get(reverse("referrals:detail", args=[first.pk]))
        .content.decode()
    )
    assert "More information from 1 linked referral" in body
    assert "Reported by his new partner&#x27;s sister" in body


def test_it_tells_the_referrer_their_referral_was_linked(client_for, refer, perpetrator):
    first = refer(perpetrator)
    data = {
        "submission_token": str(uuid.uuid4()),
        "person_choice": "existing",
        "person_reference": "P100",
        "source": "officer",
        "reason": "Breached his bail conditions last night",
        "concerns": "Went to the victim's address",
        "no_known_victim": "on",
        "children_in_household": "unknown",
    }
    response = client_for(Role.TRIAGE_LEAD).post(reverse("referrals:create"), data, follow=True)
    body = response.content.decode()
    assert "yours has been added to it" in body
    assert f"referral {first.pk}" in body
    assert Referral.objects.filter(status=Referral.Status.OPEN).count() == 1


def test_it_queues_a_new_referral_once_the_earlier_one_is_decided(
    refer, decide, perpetrator, meeting
):
    first = refer(perpetrator)
    decide(first, meeting, "nfa")
    second = refer(perpetrator)
    assert second.status == Referral.Status.OPEN
    assert second.linked_to is None


def test_it_refuses_two_open_referrals_for_one_person_in_the_database(refer, perpetrator, users):
    import pytest
    from django.db import IntegrityError, transaction

    refer(perpetrator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(
            person=perpetrator,
            source="officer",
            reason="x",
            concerns="y",
            children_in_household="no",
            status=Referral.Status.OPEN,
        )


def test_it_promotes_the_linked_referral_when_the_open_one_is_withdrawn(refer, perpetrator, users):
    from highharm.referrals.services import referral_withdraw

    first = refer(perpetrator)
    second = refer(perpetrator)
    third = refer(perpetrator)
    referral_withdraw(
        referral_id=first.pk,
        expected_version=first.version,
        by=users[Role.TRIAGE_LEAD],
        reason="Sent in error",
    )
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == Referral.Status.OPEN and second.linked_to is None
    assert third.linked_to == second
