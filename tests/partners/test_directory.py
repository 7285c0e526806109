import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from highharm.accounts.permissions import Role
from highharm.partners.models import ReferralOut
from highharm.partners.selectors import capacity_summary


def referral_out(person, service, days_ago, status="sent", **extra):
    return ReferralOut.objects.create(
        person=person,
        service=service,
        reason="test",
        referred_on=timezone.localdate() - dt.timedelta(days=days_ago),
        status=status,
        **extra,
    )


def test_it_lists_agencies_with_their_services_and_capacity(client_for, drive, hostel):
    body = client_for(Role.ANALYST).get(reverse("partners:list")).content.decode()
    assert "Wessex Probation" in body and "Drive" in body
    assert "0 of 10" in body  # Drive: no free places of ten
    assert "5 of 20" in body


def test_it_finds_where_capacity_runs_short(drive, hostel, perpetrator):
    # Hostel: one referral out waiting 40 days (over the 28-day threshold), one rejected.
    referral_out(perpetrator, hostel, 40)
    referral_out(perpetrator, hostel, 10, status="rejected", rejection_reason="No local connection")
    referral_out(perpetrator, hostel, 5)
    summary = capacity_summary(threshold=28)
    rows = {row.service.name: row for row in summary["services"]}
    assert rows["Drive"].issues == [
        "Waiting time 45 days, over the 28-day threshold",
        "No free places",
    ]
    assert rows["Move-on hostel"].pending == 2
    assert rows["Move-on hostel"].issues == [
        "1 referral out waiting more than 28 days",
        "1 referral out rejected in the last 12 months",
    ]
    # Listed by agency: Wessex Housing before Wessex Probation.
    assert [r.service.name for r in summary["short"]] == ["Move-on hostel", "Drive"]


def test_it_uses_the_threshold_asked_for(drive, hostel):
    rows = {r.service.name: r for r in capacity_summary(threshold=60)["services"]}
    assert rows["Drive"].issues == ["No free places"]
    assert rows["Move-on hostel"].issues == []


def test_it_flags_capacity_not_updated_for_a_month(drive):
    from highharm.partners.models import AgencyService

    AgencyService.objects.filter(pk=drive.pk).update(
        capacity_updated_at=timezone.now() - dt.timedelta(days=31)
    )
    rows = capacity_summary(threshold=60)["services"]
    assert rows[0].issues == ["No free places", "Capacity not updated in the last 30 days"]


def test_it_totals_capacity_by_type_of_service(drive, hostel, agencies, users):
    from highharm.partners.services import service_create

    service_create(
        agency=agencies["police"],
        name="Police-run course",
        service_type="perpetrator_programme",
        places_total=6,
        places_available=2,
        waiting_days=14,
        by=users[Role.SUPERVISOR],
    )
    by_type = {t["service_type"]: t for t in capacity_summary()["by_type"]}
    programme = by_type["perpetrator_programme"]
    assert (programme["services"], programme["places_available"], programme["places_total"]) == (
        2,
        2,
        16,
    )
    assert programme["shortest_wait"] == 14


def test_it_computes_the_mean_days_to_start(drive, perpetrator):
    today = timezone.localdate()
    referral_out(
        perpetrator, drive, 30, status="started", started_on=today - dt.timedelta(days=10)
    )  # 20 days
    referral_out(
        perpetrator, drive, 50, status="started", started_on=today - dt.timedelta(days=10)
    )  # 40 days
    row = capacity_summary()["services"][0]
    assert row.mean_days_to_start == 30
    assert row.started_recently == 2


@pytest.mark.parametrize("role", [Role.AUDITOR, None])
def test_it_refuses_the_directory_to_roles_without_partner_view(client_for, drive, role):
    assert client_for(role).get(reverse("partners:list")).status_code == 403


@pytest.mark.parametrize(
    "role", [Role.OFFENDER_MANAGER, Role.TRIAGE_LEAD, Role.PARTNER, Role.ANALYST]
)
def test_it_refuses_adding_services_without_partner_manage(client_for, agencies, role):
    url = reverse("partners:service_create", args=[agencies["probation"].pk])
    client = client_for(role)
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "Sneaky", "service_type": "other"}).status_code == 403


def test_it_adds_a_service(client_for, agencies):
    url = reverse("partners:service_create", args=[agencies["probation"].pk])
    response = client_for(Role.SUPERVISOR).post(
        url,
        {
            "name": "Drive",
            "service_type": "perpetrator_programme",
            "accepts_referrals": "on",
            "places_total": "10",
            "places_available": "3",
            "waiting_days": "21",
        },
    )
    assert response.status_code == 302
    service = agencies["probation"].services.get()
    assert (service.places_total, service.places_available, service.waiting_days) == (10, 3, 21)


def test_it_refuses_more_free_places_than_places(client_for, agencies):
    url = reverse("partners:service_create", args=[agencies["probation"].pk])
    body = (
        client_for(Role.ADMINISTRATOR)
        .post(
            url,
            {
                "name": "Drive",
                "service_type": "perpetrator_programme",
                "places_total": "2",
                "places_available": "5",
            },
        )
        .content.decode()
    )
    assert "Free places (5) cannot be more than the places the service has in all (2)" in body
