import uuid

from highharm.accounts.permissions import Role
from highharm.cases.models import CaseVictim
from tests.panels.factories import open_case


def test_it_suggests_victims_from_the_records_and_links_them_once(client_for, users, perpetrator):
    case = open_case(perpetrator, users[Role.OFFENDER_MANAGER])
    om = client_for(Role.OFFENDER_MANAGER)
    page = om.get(f"/cases/{case.pk}/").content.decode()
    assert "V200" in page and "V201" in page  # on the records, not yet linked
    form = om.get(f"/cases/{case.pk}/victims/new/?reference=V200").content.decode()
    assert 'value="ex_partner" selected' in form  # relationship from the records
    data = {
        "reference": "V200",
        "relationship": "ex_partner",
        "safeguarding": "supported",
        "notes": "IDVA allocated",
        "submission_key": str(uuid.uuid4()),
    }
    om.post(f"/cases/{case.pk}/victims/new/", data)
    om.post(f"/cases/{case.pk}/victims/new/", {**data, "submission_key": str(uuid.uuid4())})
    links = list(CaseVictim.objects.filter(case=case))
    assert len(links) == 1 and links[0].safeguarding == "supported"


def test_it_updates_safeguarding_with_a_version(client_for, users, perpetrator):
    from highharm.cases.services import victim_add
    from highharm.people.models import Person

    case = open_case(perpetrator, users[Role.OFFENDER_MANAGER])
    link, _ = victim_add(
        case=case,
        victim=Person.objects.get(reference="V201"),
        added_by=users[Role.OFFENDER_MANAGER],
    )
    url = f"/cases/{case.pk}/victims/{link.pk}/"
    om = client_for(Role.OFFENDER_MANAGER)
    base = {"relationship": "partner", "notes": ""}
    om.post(url, {**base, "version": 1, "safeguarding": "marac"})
    stale = om.post(url, {**base, "version": 1, "safeguarding": "declined"})
    assert "Someone else changed this" in stale.content.decode()
    link.refresh_from_db()
    assert link.safeguarding == "marac"


def test_it_refuses_a_person_as_their_own_victim(client_for, users, perpetrator):
    case = open_case(perpetrator, users[Role.OFFENDER_MANAGER])
    response = client_for(Role.OFFENDER_MANAGER).post(
        f"/cases/{case.pk}/victims/new/",
        {
            "reference": "P100",
            "relationship": "other",
            "safeguarding": "not_assessed",
            "submission_key": str(uuid.uuid4()),
        },
    )
    assert "cannot be their own victim" in response.content.decode()
    assert not CaseVictim.objects.exists()
