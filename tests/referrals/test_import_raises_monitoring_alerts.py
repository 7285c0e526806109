import datetime as dt

import pytest
from django.core.management import call_command

from highharm.referrals.models import Alert
from highharm.referrals.services import monitoring_start


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_it_raises_an_alert_when_an_import_brings_a_new_incident_for_a_monitored_person(
    perpetrator, users, tmp_path, capsys
):
    today = dt.date.today()
    monitoring_start(
        person=perpetrator,
        reason="decided monitor at triage",
        until=today + dt.timedelta(days=180),
        started_by=users[None],
    )
    incidents = _write(
        tmp_path / "incidents.csv",
        "crime_reference,occurred_on,offence_code,perpetrator_ref,victim_ref,relationship,"
        "domestic,stalking,sexual,strangulation,weapon,breach,outcome\n"
        f"CR9,{today.isoformat()},ABH,P100,V200,ex_partner,Y,N,N,N,N,N,under_investigation\n",
    )
    call_command("import_records", incidents=incidents, no_progress=True)
    alerts = Alert.objects.filter(person=perpetrator)
    assert [a.incident.crime_reference for a in alerts] == ["CR9"]
    assert "1 new alert(s)" in capsys.readouterr().out

    call_command("import_records", incidents=incidents, no_progress=True)
    assert Alert.objects.filter(person=perpetrator).count() == 1  # re-import: no second alert
