import datetime as dt
import uuid

import pytest
from django.utils import timezone

from highharm.accounts.permissions import Role
from highharm.cases.models import Order
from tests.panels.factories import open_case


@pytest.fixture
def case(users, perpetrator):
    return open_case(perpetrator, users[Role.OFFENDER_MANAGER], on=dt.date(2026, 1, 5))


def _form(**overrides):
    data = {
        "type": "spo",
        "reference": "WMC/2026/114",
        "starts_on": "2026-02-01",
        "ends_on": "2028-02-01",
        "conditions": "Not to contact V201 directly or indirectly; not to enter Poole",
        "revoked_on": "",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def test_it_records_an_order_with_its_conditions(client_for, case):
    client_for(Role.OFFENDER_MANAGER).post(f"/cases/{case.pk}/orders/new/", _form())
    order = Order.objects.get(case=case)
    assert (order.type, order.starts_on, order.ends_on) == (
        "spo",
        dt.date(2026, 2, 1),
        dt.date(2028, 2, 1),
    )
    assert "not to enter Poole" in order.conditions


def test_it_accepts_an_order_until_further_order(client_for, case):
    client_for(Role.OFFENDER_MANAGER).post(f"/cases/{case.pk}/orders/new/", _form(ends_on=""))
    order = Order.objects.get(case=case)
    assert order.ends_on is None and order.is_active(dt.date(2040, 1, 1))


def test_it_refuses_an_order_ending_before_it_starts(client_for, case):
    response = client_for(Role.OFFENDER_MANAGER).post(
        f"/cases/{case.pk}/orders/new/", _form(ends_on="2026-01-01")
    )
    assert "on or after the start date" in response.content.decode()
    assert not Order.objects.exists()


def test_it_warns_on_the_case_page_when_an_order_is_ending(client_for, users, case):
    from highharm.cases.services import order_create

    today = timezone.localdate()
    order_create(
        case=case,
        recorded_by=users[Role.OFFENDER_MANAGER],
        type="dvpo",
        starts_on=today - dt.timedelta(days=20),
        ends_on=today + dt.timedelta(days=8),
        conditions="Not to return to the address",
    )
    page = client_for(Role.OFFENDER_MANAGER).get(f"/cases/{case.pk}/").content.decode()
    assert "Ends in 8 days" in page


def test_it_links_an_order_only_to_an_intervention_on_the_same_case(users, case):
    from django.core.exceptions import ValidationError

    from highharm.cases.services import intervention_create, order_create
    from tests.panels.factories import make_person

    om = users[Role.OFFENDER_MANAGER]
    other = open_case(make_person("P600"), om)
    elsewhere = intervention_create(
        case=other, recorded_by=om, type="spo", started_on=dt.date(2026, 1, 6)
    )
    with pytest.raises(ValidationError):
        order_create(
            case=case,
            recorded_by=om,
            type="spo",
            starts_on=dt.date(2026, 2, 1),
            conditions="x",
            intervention=elsewhere,
        )
