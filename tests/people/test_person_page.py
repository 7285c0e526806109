import pytest
from django.urls import reverse

from highharm.accounts.permissions import Role
from highharm.audit.models import AccessLog
from highharm.people.models import PersonShare


def test_it_shows_the_chronology_with_harm(client_for, perpetrator):
    response = client_for(Role.OFFENDER_MANAGER).get(reverse("people:detail", args=["P100"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Pete Perp" in body
    for ref in ("CR1", "CR2", "CR3"):
        assert ref in body
    assert "573 days" in body  # 28 + 180 + 365, counted by hand
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="hh-chart__svg"' in body


def test_it_logs_every_view_of_a_person(client_for, perpetrator):
    client = client_for(Role.OFFENDER_MANAGER)
    client.get(reverse("people:detail", args=["P100"]))
    client.get(reverse("people:detail", args=["P100"]))
    rows = AccessLog.objects.filter(action="view_person", object_id="P100")
    assert rows.count() == 2
    assert rows.first().username == "alice_om"


def test_it_shows_victims_only_to_roles_that_may_see_them(client_for, perpetrator):
    om = (
        client_for(Role.OFFENDER_MANAGER)
        .get(reverse("people:detail", args=["P100"]))
        .content.decode()
    )
    analyst = client_for(Role.ANALYST).get(reverse("people:detail", args=["P100"])).content.decode()
    assert "Vera Victim" in om
    assert "Linked victims" in om
    assert "Vera" not in analyst
    assert "Linked victims" not in analyst


def test_it_hides_names_from_analysts(client_for, perpetrator):
    body = client_for(Role.ANALYST).get(reverse("people:detail", args=["P100"])).content.decode()
    assert "Pete" not in body
    assert "P100" in body


def test_it_hides_an_unshared_person_from_a_partner(client_for, perpetrator):
    response = client_for(Role.PARTNER).get(reverse("people:detail", args=["P100"]))
    assert response.status_code == 404
    assert not AccessLog.objects.filter(action="view_person").exists()


def test_it_shows_a_shared_person_to_that_partner_only(client_for, perpetrator, agencies):
    PersonShare.objects.create(person=perpetrator, agency=agencies["housing"])
    assert client_for(Role.PARTNER).get(reverse("people:detail", args=["P100"])).status_code == 200


def test_it_does_not_show_a_person_shared_with_another_agency(client_for, perpetrator, agencies):
    PersonShare.objects.create(person=perpetrator, agency=agencies["probation"])
    assert client_for(Role.PARTNER).get(reverse("people:detail", args=["P100"])).status_code == 404


@pytest.mark.parametrize("query", ["perp", "Pete Perp", "P100"])
def test_it_finds_a_person_by_name_or_reference(client_for, perpetrator, query):
    body = (
        client_for(Role.OFFENDER_MANAGER)
        .get(reverse("people:search"), {"q": query})
        .content.decode()
    )
    assert "P100" in body


def test_it_logs_every_search(client_for, perpetrator):
    client_for(Role.OFFENDER_MANAGER).get(reverse("people:search"), {"q": "perp"})
    row = AccessLog.objects.get(action="search")
    assert row.detail == {"query": "perp", "results": 1}


def test_it_does_not_let_analysts_search_by_name(client_for, perpetrator):
    body = client_for(Role.ANALYST).get(reverse("people:search"), {"q": "Perp"}).content.decode()
    assert "P100" not in body


def test_it_does_not_let_partners_find_unshared_people(client_for, perpetrator):
    body = client_for(Role.PARTNER).get(reverse("people:search"), {"q": "P100"}).content.decode()
    assert "0 results" in body
