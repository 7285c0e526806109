from highharm.accounts.permissions import Role
from highharm.audit.models import AccessLog
from highharm.people.models import PersonShare


def test_it_returns_a_person_with_the_chronology(api_client_for, perpetrator):
    data = api_client_for(Role.OFFENDER_MANAGER).get("/api/v1/people/P100").json()
    assert data["name"] == "Pete Perp"
    assert [i["crime_reference"] for i in data["incidents"]] == ["CR3", "CR2", "CR1"]
    assert data["incidents"][0]["victim_reference"] == "V201"
    assert AccessLog.objects.filter(action="view_person", object_id="P100").count() == 1


def test_it_hides_names_and_victims_from_analysts(api_client_for, perpetrator):
    data = api_client_for(Role.ANALYST).get("/api/v1/people/P100").json()
    assert data["name"].startswith("P-")
    assert data["date_of_birth"] is None
    assert all(i["victim_reference"] is None for i in data["incidents"])


def test_it_gives_a_partner_404_for_an_unshared_person(api_client_for, perpetrator):
    assert api_client_for(Role.PARTNER).get("/api/v1/people/P100").status_code == 404


def test_it_gives_a_partner_a_shared_person(api_client_for, perpetrator, agencies):
    PersonShare.objects.create(person=perpetrator, agency=agencies["housing"])
    assert api_client_for(Role.PARTNER).get("/api/v1/people/P100").status_code == 200
