import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from highharm.accounts.permissions import Role
from highharm.records.models import Incident
from highharm.referrals.models import Alert, MonitoringPeriod, Referral
from highharm.referrals.services import (
    alert_dismiss,
    alert_rerefer,
    monitoring_end,
    monitoring_scan,
    monitoring_start,
)


def incident(person, catalogue, ref, occurred_on, code="ABH"):
    return Incident.objects.create(
        crime_reference=ref,
        occurred_on=occurred_on,
        offence=catalogue[code],
        perpetrator=person,
        relationship="ex_partner",
        content_hash=ref,
    )


@pytest.fixture
def monitored(refer, decide, perpetrator, meeting):
    """Pete decided 'monitor' for 90 days at today's meeting."""
    decide(
        refer(perpetrator),
        meeting,
        "monitor",
        monitor_until=meeting.meeting_date + dt.timedelta(days=90),
    )
    return MonitoringPeriod.objects.get()


def test_it_raises_one_alert_per_new_incident_however_often_it_runs(
    monitored, perpetrator, catalogue
):
    today = timezone.localdate()
    new = incident(perpetrator, catalogue, "CR9", today)
    assert monitoring_scan().alerts_created == 1
    assert monitoring_scan().alerts_created == 0
    assert monitoring_scan().alerts_created == 0
    alert = Alert.objects.get()
    assert (alert.person, alert.incident, alert.period) == (perpetrator, new, monitored)


def test_it_ignores_incidents_known_before_monitoring_began(monitored, perpetrator):
    # CR1-CR3 (2025-2026) were on record when monitoring started.
    assert monitoring_scan().alerts_created == 0


def test_it_alerts_on_an_older_incident_imported_after_monitoring_began(
    monitored, perpetrator, catalogue
):
    incident(perpetrator, catalogue, "CR-LATE", timezone.localdate() - dt.timedelta(days=40))
    assert monitoring_scan().alerts_created == 1


def test_it_does_not_alert_for_people_not_monitored(monitored, catalogue, db):
    from highharm.people.models import Person

    other = Person.objects.create(reference="P300")
    incident(other, catalogue, "CR-OTHER", timezone.localdate())
    assert monitoring_scan().alerts_created == 0


def test_it_stops_watching_when_the_period_ends(monitored, perpetrator, catalogue, users):
    incident(perpetrator, catalogue, "CR9", timezone.localdate())
    assert monitoring_scan(today=monitored.until + dt.timedelta(days=1)).alerts_created == 0
    monitoring_end(
        period_id=monitored.pk,
        expected_version=monitored.version,
        by=users[Role.TRIAGE_LEAD],
        reason="Moved abroad",
    )
    assert monitoring_scan().alerts_created == 0


def test_it_scans_only_recent_imports_when_asked(monitored, perpetrator, catalogue):
    incident(perpetrator, catalogue, "CR9", timezone.localdate())
    assert monitoring_scan(since=timezone.now() + dt.timedelta(minutes=5)).alerts_created == 0
    assert monitoring_scan(since=timezone.now() - dt.timedelta(minutes=5)).alerts_created == 1


def test_it_watches_people_after_their_case_closes(perpetrator, catalogue, users):
    period = monitoring_start(
        person=perpetrator,
        reason="Case closed",
        until=timezone.localdate() + dt.timedelta(days=365),
        started_by=users[Role.OFFENDER_MANAGER],
    )
    assert period.kind == MonitoringPeriod.Kind.POST_EXIT
    incident(perpetrator, catalogue, "CR9", timezone.localdate())
    assert monitoring_scan().alerts_created == 1


def test_it_refuses_a_period_that_ends_before_it_starts(perpetrator, users):
    with pytest.raises(ValidationError):
        monitoring_start(
            person=perpetrator,
            reason="x",
            until=timezone.localdate() - dt.timedelta(days=1),
            started_by=users[Role.OFFENDER_MANAGER],
        )


def test_it_re_refers_with_the_incident_as_the_reason(monitored, perpetrator, catalogue, users):
    new = incident(perpetrator, catalogue, "CR9", timezone.localdate())
    monitoring_scan()
    alert = Alert.objects.get()
    result = alert_rerefer(alert_id=alert.pk, by=users[Role.TRIAGE_LEAD])
    referral = result.referral
    assert referral.source == Referral.Source.MONITORING
    assert referral.status == Referral.Status.OPEN
    assert referral.incident == new
    assert "CR9" in referral.reason and "Assault occasioning actual bodily harm" in referral.reason
    assert referral.previous_referral == monitored.decision.referral
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RE_REFERRED and alert.referral == referral
    # Pressing the button again does not make a second referral.
    again = alert_rerefer(alert_id=alert.pk, by=users[Role.TRIAGE_LEAD])
    assert not again.created and again.referral == referral


def test_it_requires_a_reason_to_dismiss(monitored, perpetrator, catalogue, users):
    incident(perpetrator, catalogue, "CR9", timezone.localdate())
    monitoring_scan()
    alert = Alert.objects.get()
    with pytest.raises(ValidationError):
        alert_dismiss(alert_id=alert.pk, by=users[Role.TRIAGE_LEAD], reason=" ")
    alert_dismiss(
        alert_id=alert.pk,
        by=users[Role.TRIAGE_LEAD],
        reason="Victim withdrew; already managed by MARAC",
    )
    alert.refresh_from_db()
    assert alert.status == Alert.Status.DISMISSED
    assert alert.dismiss_reason == "Victim withdrew; already managed by MARAC"


def test_it_shows_open_alerts_with_the_incident_and_actions(
    client_for, monitored, perpetrator, catalogue
):
    incident(perpetrator, catalogue, "CR9", timezone.localdate())
    monitoring_scan()
    alert = Alert.objects.get()
    body = client_for(Role.OFFENDER_MANAGER).get(reverse("referrals:monitoring")).content.decode()
    assert "1 open alert" in body
    assert "CR9" in body
    assert reverse("referrals:alert_rerefer", args=[alert.pk]) in body
    assert reverse("referrals:alert_dismiss", args=[alert.pk]) in body


def test_it_re_refers_and_dismisses_from_the_page(client_for, monitored, perpetrator, catalogue):
    incident(perpetrator, catalogue, "CR9", timezone.localdate())
    incident(perpetrator, catalogue, "CR10", timezone.localdate(), code="CA")
    monitoring_scan()
    first, second = Alert.objects.order_by("incident__crime_reference")
    client = client_for(Role.TRIAGE_LEAD)
    response = client.post(reverse("referrals:alert_rerefer", args=[first.pk]))
    referral = Referral.objects.get(source=Referral.Source.MONITORING)
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])
    refused = client.post(
        reverse("referrals:alert_dismiss", args=[second.pk]),
        {"version": second.version, "reason": ""},
    )
    assert "Enter why the alert needs no re-referral" in refused.content.decode()
    client.post(
        reverse("referrals:alert_dismiss", args=[second.pk]),
        {"version": second.version, "reason": "Duplicate record of CR9"},
    )
    assert Alert.objects.filter(status=Alert.Status.OPEN).count() == 0
    closed = client.get(reverse("referrals:monitoring"), {"show": "closed"}).content.decode()
    assert "Dismissed: Duplicate record of CR9" in closed
    assert f"referral {referral.pk}</a>" in closed


@pytest.mark.parametrize("role", [Role.PARTNER, Role.ANALYST, Role.PANEL_CHAIR, Role.AUDITOR])
def test_it_refuses_monitoring_to_roles_that_do_not_act_on_alerts(
    client_for, monitored, perpetrator, catalogue, role
):
    incident(perpetrator, catalogue, "CR9", timezone.localdate())
    monitoring_scan()
    alert = Alert.objects.get()
    client = client_for(role)
    assert client.get(reverse("referrals:monitoring")).status_code == 403
    assert client.post(reverse("referrals:alert_rerefer", args=[alert.pk])).status_code == 403
    assert Alert.objects.get().status == Alert.Status.OPEN


def test_it_runs_the_scan_from_the_command_line(monitored, perpetrator, catalogue, capsys):
    incident(perpetrator, catalogue, "CR9", timezone.localdate())
    call_command("monitor")
    assert "1 new alert for 1 active monitoring period" in capsys.readouterr().out
    call_command("monitor")
    assert "0 new alerts" in capsys.readouterr().out


def test_it_refuses_a_bad_since_on_the_command_line(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="ISO date"):
        call_command("monitor", "--since", "yesterday")


def test_it_gives_dashboards_alert_rows_with_names_the_user_may_see(
    monitored, perpetrator, catalogue, users
):
    from highharm.referrals.selectors import alert_open_count, alert_rows

    incident(perpetrator, catalogue, "CR9", timezone.localdate())
    monitoring_scan()
    rows = alert_rows(user=users[Role.OFFENDER_MANAGER])
    assert [(r["alert"].incident.crime_reference, r["name"]) for r in rows] == [
        ("CR9", "Pete Perp")
    ]
    assert alert_open_count(user=users[Role.OFFENDER_MANAGER]) == 1
    assert alert_open_count(user=users[Role.PARTNER]) == 0
