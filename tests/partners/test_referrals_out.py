from django.urls import reverse

from highharm.accounts.permissions import Role
from highharm.audit.models import AccessLog
from highharm.partners.models import ReferralOut
from highharm.people.models import PersonShare


def test_it_refers_out_and_shares_the_person_with_the_agency(
    client_for, perpetrator, drive, agencies
):
    response = client_for(Role.OFFENDER_MANAGER).post(
        reverse("partners:referral_out_create"),
        {
            "person_reference": "P100",
            "service": drive.pk,
            "reason": "Needs a perpetrator programme",
        },
    )
    ro = ReferralOut.objects.get()
    assert response["Location"] == reverse("partners:referral_out", args=[ro.pk])
    assert ro.status == ReferralOut.Status.SENT
    assert PersonShare.objects.filter(person=perpetrator, agency=agencies["probation"]).exists()


def test_it_says_what_is_missing_from_a_referral_out(client_for, perpetrator, drive):
    body = (
        client_for(Role.OFFENDER_MANAGER)
        .post(reverse("partners:referral_out_create"), {"person_reference": "P100"})
        .content.decode()
    )
    assert "Choose the service to refer the person to" in body
    assert "Enter why the person is referred to this service" in body
    assert not ReferralOut.objects.exists()


def test_it_refuses_referring_out_to_roles_that_may_not_share_people(
    client_for, perpetrator, drive
):
    for role in (Role.PARTNER, Role.ANALYST, Role.ADMINISTRATOR):
        response = client_for(role).post(
            reverse("partners:referral_out_create"),
            {"person_reference": "P100", "service": drive.pk, "reason": "x"},
        )
        assert response.status_code == 403
    assert not ReferralOut.objects.exists()


def test_it_lets_the_receiving_partner_record_the_outcome(client_for, perpetrator, hostel, users):
    from highharm.partners.services import referral_out_create

    ro = referral_out_create(
        person=perpetrator,
        service=hostel,
        reason="Homeless after bail",
        by=users[Role.OFFENDER_MANAGER],
    )
    client = client_for(Role.PARTNER)
    url = reverse("partners:referral_out", args=[ro.pk])
    refused = client.post(url, {"version": ro.version, "status": "rejected"})
    assert "Enter why the service rejected the referral" in refused.content.decode()
    client.post(
        url,
        {"version": ro.version, "status": "rejected", "rejection_reason": "No local connection"},
    )
    ro.refresh_from_db()
    assert ro.status == "rejected" and ro.rejection_reason == "No local connection"
    assert AccessLog.objects.filter(action="view_referral_out", object_id=str(ro.pk)).count() == 2


def test_it_hides_referrals_out_to_other_agencies_from_a_partner(
    client_for, perpetrator, drive, users
):
    from highharm.partners.services import referral_out_create

    ro = referral_out_create(
        person=perpetrator, service=drive, reason="Drive", by=users[Role.OFFENDER_MANAGER]
    )
    client = client_for(Role.PARTNER)
    assert client.get(reverse("partners:referral_out", args=[ro.pk])).status_code == 404
    assert "P100" not in client.get(reverse("partners:referrals_out")).content.decode()


def test_it_does_not_let_an_analyst_record_outcomes(client_for, perpetrator, drive, users):
    from highharm.partners.services import referral_out_create

    ro = referral_out_create(
        person=perpetrator, service=drive, reason="Drive", by=users[Role.OFFENDER_MANAGER]
    )
    client = client_for(Role.ANALYST)
    page = client.get(reverse("partners:referral_out", args=[ro.pk]))
    assert page.status_code == 200 and "Record where it has got to" not in page.content.decode()
    client.post(
        reverse("partners:referral_out", args=[ro.pk]),
        {"version": ro.version, "status": "withdrawn", "outcome": "x"},
    )
    ro.refresh_from_db()
    assert ro.status == "sent"


def test_it_requires_a_start_date_on_or_after_the_referral(client_for, perpetrator, drive, users):
    from highharm.partners.services import referral_out_create

    ro = referral_out_create(
        person=perpetrator, service=drive, reason="Drive", by=users[Role.OFFENDER_MANAGER]
    )
    url = reverse("partners:referral_out", args=[ro.pk])
    client = client_for(Role.OFFENDER_MANAGER)
    assert (
        "Enter the date the person started"
        in client.post(url, {"version": 1, "status": "started"}).content.decode()
    )
    before = ro.referred_on.replace(year=ro.referred_on.year - 1).strftime("%d/%m/%Y")
    assert (
        "must be on or after the referral date"
        in client.post(
            url, {"version": 1, "status": "started", "started_on": before}
        ).content.decode()
    )


def test_it_refuses_a_stale_outcome_update(client_for, perpetrator, hostel, users):
    from highharm.partners.services import referral_out_create

    ro = referral_out_create(
        person=perpetrator, service=hostel, reason="Housing", by=users[Role.OFFENDER_MANAGER]
    )
    url = reverse("partners:referral_out", args=[ro.pk])
    client_for(Role.PARTNER).post(url, {"version": 1, "status": "waiting"})
    body = (
        client_for(Role.OFFENDER_MANAGER)
        .post(url, {"version": 1, "status": "withdrawn", "outcome": "No longer needed"})
        .content.decode()
    )
    assert "Someone else saved a change first" in body
    ro.refresh_from_db()
    assert ro.status == "waiting"
