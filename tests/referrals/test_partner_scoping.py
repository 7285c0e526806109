import pytest
from django.urls import reverse

from highharm.accounts.models import User
from highharm.accounts.permissions import Role
from highharm.people.models import PersonShare


@pytest.fixture
def probation_user(agencies):
    user = User.objects.create(
        username="pete_probation", role=Role.PARTNER, agency=agencies["probation"]
    )
    return user


def test_it_shows_a_partner_only_their_own_agencys_referrals(
    client_for, refer, perpetrator, users, probation_user
):
    own = refer(perpetrator, users[Role.PARTNER])
    theirs = refer(perpetrator, probation_user)
    police = refer(perpetrator, users[Role.OFFENDER_MANAGER])
    client = client_for(Role.PARTNER)
    assert client.get(reverse("referrals:detail", args=[own.pk])).status_code == 200
    # Changing the id in the address does not reach another agency's referral, nor the unit's.
    assert client.get(reverse("referrals:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("referrals:detail", args=[police.pk])).status_code == 404
    listing = client.get(reverse("referrals:list"), {"status": "all"}).content.decode()
    assert f'href="/referrals/{own.pk}/"' in listing
    assert f'href="/referrals/{theirs.pk}/"' not in listing
    assert f'href="/referrals/{police.pk}/"' not in listing


def test_it_does_not_let_a_partner_edit_another_agencys_referral(
    client_for, refer, perpetrator, probation_user
):
    theirs = refer(perpetrator, probation_user)
    client = client_for(Role.PARTNER)
    assert client.get(reverse("referrals:edit", args=[theirs.pk])).status_code == 404
    assert (
        client.post(
            reverse("referrals:withdraw", args=[theirs.pk]), {"version": 1, "reason": "x"}
        ).status_code
        == 404
    )


def test_it_hides_the_triage_rationale_from_partners(
    client_for, refer, decide, perpetrator, users, meeting
):
    own = refer(perpetrator, users[Role.PARTNER])
    decide(own, meeting, "adopt", rationale="Intelligence says he carries a knife")
    partner = (
        client_for(Role.PARTNER).get(reverse("referrals:detail", args=[own.pk])).content.decode()
    )
    staff = (
        client_for(Role.TRIAGE_LEAD)
        .get(reverse("referrals:detail", args=[own.pk]))
        .content.decode()
    )
    assert "Adopt to the panel" in partner
    assert "carries a knife" not in partner
    assert "carries a knife" in staff


def test_it_shows_unit_staff_every_referral(client_for, refer, perpetrator, users, probation_user):
    theirs = refer(perpetrator, probation_user)
    assert (
        client_for(Role.PANEL_CHAIR).get(reverse("referrals:detail", args=[theirs.pk])).status_code
        == 200
    )


def test_it_shares_the_person_with_the_partner_who_referred(refer, perpetrator, users, agencies):
    refer(perpetrator, users[Role.PARTNER])
    assert PersonShare.objects.filter(person=perpetrator, agency=agencies["housing"]).count() == 1


@pytest.mark.parametrize("role", [Role.ANALYST, Role.AUDITOR, Role.ADMINISTRATOR, None])
def test_it_refuses_referral_pages_to_roles_without_referral_view(
    client_for, refer, perpetrator, role
):
    referral = refer(perpetrator)
    client = client_for(role)
    assert client.get(reverse("referrals:detail", args=[referral.pk])).status_code == 403
    assert client.get(reverse("referrals:list")).status_code == 403
