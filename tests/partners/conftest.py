"""Fixtures for the partner directory: Wessex Probation runs Drive, Wessex Housing a hostel."""

import pytest

from highharm.accounts.permissions import Role


@pytest.fixture
def drive(agencies, users):
    from highharm.partners.services import service_create

    return service_create(
        agency=agencies["probation"],
        name="Drive",
        service_type="perpetrator_programme",
        places_total=10,
        places_available=0,
        waiting_days=45,
        by=users[Role.SUPERVISOR],
    )


@pytest.fixture
def hostel(agencies, users):
    from highharm.partners.services import service_create

    return service_create(
        agency=agencies["housing"],
        name="Move-on hostel",
        service_type="housing",
        places_total=20,
        places_available=5,
        waiting_days=7,
        by=users[Role.SUPERVISOR],
    )
