import datetime as dt
import uuid

from highharm.accounts.permissions import Role
from highharm.cases.models import TracingRecord
from tests.panels.factories import open_case


def _trace(client, case, day, status, where=""):
    return client.post(
        f"/cases/{case.pk}/tracing/new/",
        {
            "recorded_on": day,
            "status": status,
            "last_known_address": "12 Acacia Avenue, Weymouth",
            "whereabouts": where,
            "attempt": "Visited address, no reply; neighbours not seen him for a week",
            "submission_key": str(uuid.uuid4()),
        },
    )


def test_it_shows_the_latest_whereabouts_on_the_case_and_the_caseload(
    client_for, users, perpetrator
):
    case = open_case(perpetrator, users[Role.OFFENDER_MANAGER], on=dt.date(2026, 1, 5))
    om = client_for(Role.OFFENDER_MANAGER)
    _trace(om, case, "2026-01-10", "not_located")
    _trace(om, case, "2026-01-20", "wanted", "Believed staying with brother in Poole")
    _trace(om, case, "2026-01-15", "located", "At home address")  # entered late, older date
    assert TracingRecord.objects.filter(case=case).count() == 3
    page = om.get(f"/cases/{case.pk}/").content.decode()
    summary = page.split("Whereabouts</dt>")[1].split("</dd>")[0]
    assert "Wanted" in summary and "Believed staying with brother in Poole" in summary
    listing = om.get("/cases/").content.decode()
    assert "Wanted" in listing


def test_it_refuses_tracing_to_a_partner(client_for, users, perpetrator):
    case = open_case(perpetrator, users[Role.OFFENDER_MANAGER])
    response = _trace(client_for(Role.PARTNER), case, "2026-01-10", "located")
    assert response.status_code == 403
    assert not TracingRecord.objects.exists()
