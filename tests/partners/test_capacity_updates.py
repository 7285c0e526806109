from django.urls import reverse

from highharm.accounts.permissions import Role


def capacity(service, **overrides):
    data = {
        "version": service.version,
        "name": service.name,
        "service_type": service.service_type,
        "accepts_referrals": "on",
        "places_total": "20",
        "places_available": "5",
        "waiting_days": "7",
    }
    data.update(overrides)
    return data


def test_it_lets_a_partner_update_their_own_agencys_capacity(client_for, hostel):
    url = reverse("partners:service_edit", args=[hostel.pk])
    response = client_for(Role.PARTNER).post(
        url, capacity(hostel, places_available="0", waiting_days="60", name="Renamed")
    )
    assert response.status_code == 302
    hostel.refresh_from_db()
    assert (hostel.places_available, hostel.waiting_days) == (0, 60)
    assert hostel.name == "Move-on hostel"  # a partner changes capacity, not the directory entry
    assert hostel.capacity_updated_by.username == "pat_partner"


def test_it_does_not_let_a_partner_reach_another_agencys_service(client_for, drive):
    url = reverse("partners:service_edit", args=[drive.pk])
    client = client_for(Role.PARTNER)
    assert client.get(url).status_code == 404
    assert client.post(url, capacity(drive, places_available="9")).status_code == 404
    drive.refresh_from_db()
    assert drive.places_available == 0


def test_it_does_not_let_an_offender_manager_change_a_service(client_for, drive):
    assert (
        client_for(Role.OFFENDER_MANAGER)
        .get(reverse("partners:service_edit", args=[drive.pk]))
        .status_code
        == 404
    )


def test_it_tells_the_second_editor_and_shows_the_change(client_for, hostel):
    url = reverse("partners:service_edit", args=[hostel.pk])
    loaded = capacity(hostel)
    client_for(Role.PARTNER).post(url, {**loaded, "waiting_days": "30"})
    response = client_for(Role.SUPERVISOR).post(url, {**loaded, "waiting_days": "10"})
    body = response.content.decode()
    assert "Someone else saved a change first" in body
    assert "pat_partner" in body or "Pat" in body
    assert '<td class="govuk-table__cell">30</td><td class="govuk-table__cell">10</td>' in body
    hostel.refresh_from_db()
    assert hostel.waiting_days == 30
