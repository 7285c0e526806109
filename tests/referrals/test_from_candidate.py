from django.urls import reverse

from highharm.accounts.permissions import Role
from highharm.referrals.models import Referral


def test_it_refers_from_the_candidate_list(client_for, perpetrator):
    response = client_for(Role.TRIAGE_LEAD).post(
        reverse("referrals:from_candidate"), {"reference": "P100"}
    )
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert referral.source == Referral.Source.CANDIDATE_LIST
    assert referral.status == Referral.Status.OPEN
    # Victims on record are named on the referral.
    assert sorted(v.person.reference for v in referral.victims.all()) == ["V200", "V201"]


def test_it_uses_the_score_explanation_as_the_reason(client_for, perpetrator, monkeypatch):
    from highharm.referrals import selectors

    monkeypatch.setattr(
        selectors,
        "person_score",
        lambda *, person: {
            "score": 87.5,
            "rank": 3,
            "explanation": "3 incidents; harm 573 days; 2 victims",
        },
    )
    client_for(Role.TRIAGE_LEAD).post(reverse("referrals:from_candidate"), {"reference": "P100"})
    assert (
        Referral.objects.get().reason
        == "Candidate list score 87.5 (rank 3): 3 incidents; harm 573 days; 2 victims"
    )


def test_it_links_a_candidate_referral_to_an_open_one(client_for, refer, perpetrator):
    first = refer(perpetrator)
    client_for(Role.TRIAGE_LEAD).post(reverse("referrals:from_candidate"), {"reference": "P100"})
    linked = Referral.objects.get(source=Referral.Source.CANDIDATE_LIST)
    assert linked.linked_to == first


def test_it_refuses_get_and_a_missing_reference(client_for, perpetrator):
    client = client_for(Role.TRIAGE_LEAD)
    assert client.get(reverse("referrals:from_candidate")).status_code == 405
    assert client.post(reverse("referrals:from_candidate"), {}).status_code == 400
    assert (
        client.post(reverse("referrals:from_candidate"), {"reference": "NOPE"}).status_code == 404
    )


def test_it_refuses_roles_that_may_not_refer_or_see_candidates(client_for, perpetrator):
    assert (
        client_for(Role.ANALYST)
        .post(reverse("referrals:from_candidate"), {"reference": "P100"})
        .status_code
        == 403
    )
    assert (
        client_for(Role.PARTNER)
        .post(reverse("referrals:from_candidate"), {"reference": "P100"})
        .status_code
        == 404
    )
    assert not Referral.objects.exists()
