"""The backtest page: the database's records scored as of a past date, side by side."""

import datetime as dt

import pytest

from highharm.accounts.permissions import Role
from highharm.audit.models import AccessLog
from highharm.people.models import Person
from highharm.records.models import Incident

pytestmark = pytest.mark.django_db
URL = "/assessment/backtest/"


@pytest.fixture
def force(catalogue):
    """Thirty perpetrators with one to four incidents before 30/6/2024; a third harm again."""
    people = Person.objects.bulk_create([Person(reference=f"Q{n:03}") for n in range(30)])
    rows = []
    for n, person in enumerate(people):
        for k in range(1 + n % 4):
            rows.append(Incident(crime_reference=f"B{n}-{k}", occurred_on=dt.date(2024, 1, 5) + dt.timedelta(days=30 * k),
                                 offence=catalogue["ABH" if n % 4 == 3 else "CA"], perpetrator=person,
                                 relationship="partner", content_hash=f"B{n}-{k}"))  # fmt: skip
        if n % 3 == 0 or n % 4 == 3:
            rows.append(Incident(crime_reference=f"A{n}", occurred_on=dt.date(2024, 10, 1), offence=catalogue["NFS"],
                                 perpetrator=person, relationship="partner", content_hash=f"A{n}"))  # fmt: skip
    Incident.objects.bulk_create(rows)


def test_it_shows_the_form_to_analysts(client_for):
    page = client_for(Role.ANALYST).get(URL)
    assert page.status_code == 200
    assert 'name="as_of"' in page.content.decode()


def test_it_runs_the_backtest_on_the_database(client_for, force):
    page = client_for(Role.ANALYST).get(
        URL,
        {
            "as_of": "30/06/2024",
            "outcome_days": 365,
            "harm_threshold": 180,
            "flag_share": 10,
            "bootstrap": 50,
            "fit_model": "on",
        },  # fmt: skip
    )
    assert page.status_code == 200
    result = page.context["result"]
    assert result["n"] == 30
    # NFS (540 days) after the date when n % 3 == 0 (10 people) or n % 4 == 3 (7), both for 3, 15, 27
    assert result["positives"] == 10 + 7 - 3
    html = page.content.decode()
    assert "RFGV priority score" in html and "HHU tool, data part" in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert AccessLog.objects.filter(action="backtest").exists()


def test_it_names_a_bad_date(client_for):
    page = client_for(Role.ANALYST).get(URL, {"as_of": "soon"})
    assert "Enter the date as day/month/year" in page.content.decode()


@pytest.mark.parametrize(
    "role", [Role.OFFENDER_MANAGER, Role.TRIAGE_LEAD, Role.PARTNER, Role.AUDITOR]
)
def test_it_refuses_roles_without_the_validation_capability(client_for, role):
    assert client_for(role).get(URL).status_code == 403
