import datetime as dt
import uuid

import pytest
from django.utils import timezone

from highharm.accounts.permissions import Role
from highharm.cases.models import Contact
from highharm.cases.services import victim_add
from highharm.people.models import Person
from tests.panels.factories import open_case


@pytest.fixture
def case(users, perpetrator):
    return open_case(perpetrator, users[Role.OFFENDER_MANAGER], on=dt.date(2026, 1, 5))


def _form(**overrides):
    data = {
        "with_whom": "perpetrator",
        "method": "home_visit",
        "contacted_on": "2026-02-02",
        "notes": "Seen at home; agreed to attend Drive assessment",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def test_it_records_a_contact_with_the_perpetrator(client_for, case):
    response = client_for(Role.OFFENDER_MANAGER).post(f"/cases/{case.pk}/contacts/new/", _form())
    assert response.status_code == 302
    contact = Contact.objects.get(case=case)
    assert (contact.with_whom, contact.method, contact.contacted_on) == (
        "perpetrator",
        "home_visit",
        dt.date(2026, 2, 2),
    )


def test_it_needs_the_victim_for_a_contact_with_a_victim(client_for, users, case):
    om = client_for(Role.OFFENDER_MANAGER)
    response = om.post(f"/cases/{case.pk}/contacts/new/", _form(with_whom="victim"))
    assert "Choose which victim" in response.content.decode()
    link, _ = victim_add(
        case=case,
        victim=Person.objects.get(reference="V200"),
        added_by=users[Role.OFFENDER_MANAGER],
    )
    om.post(f"/cases/{case.pk}/contacts/new/", _form(with_whom="victim", victim=link.pk))
    assert Contact.objects.get(case=case).victim == link


def test_it_refuses_a_victim_linked_to_another_case(client_for, users, case):
    from tests.panels.factories import make_person

    other_case = open_case(make_person("P500"), users[Role.OFFENDER_MANAGER])
    foreign, _ = victim_add(
        case=other_case,
        victim=Person.objects.get(reference="V201"),
        added_by=users[Role.OFFENDER_MANAGER],
    )
    response = client_for(Role.OFFENDER_MANAGER).post(
        f"/cases/{case.pk}/contacts/new/", _form(with_whom="victim", victim=foreign.pk)
    )
    assert response.status_code == 200
    assert not Contact.objects.filter(case=case).exists()


def test_it_needs_the_agency_for_a_contact_with_an_agency(client_for, agencies, case):
    om = client_for(Role.OFFENDER_MANAGER)
    response = om.post(f"/cases/{case.pk}/contacts/new/", _form(with_whom="agency"))
    assert "Choose the agency, or type its name" in response.content.decode()
    om.post(
        f"/cases/{case.pk}/contacts/new/",
        _form(with_whom="agency", agency=agencies["probation"].pk, method="meeting"),
    )
    assert Contact.objects.get(case=case).agency_label == "Wessex Probation"


def test_it_refuses_a_contact_in_the_future(client_for, case):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client_for(Role.OFFENDER_MANAGER).post(
        f"/cases/{case.pk}/contacts/new/", _form(contacted_on=tomorrow.isoformat())
    )
    assert "cannot be in the future" in response.content.decode()
    assert not Contact.objects.exists()
