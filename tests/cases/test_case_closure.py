"""Closing a case records the exit and starts post-exit monitoring, once."""

import datetime as dt

import pytest
from django.utils import timezone

from highharm.accounts.permissions import Role
from highharm.cases.models import Case, Exit
from highharm.referrals.models import MonitoringPeriod
from tests.panels.factories import open_case


@pytest.fixture
def case(users, perpetrator):
    return open_case(
        perpetrator, users[Role.OFFENDER_MANAGER], on=timezone.localdate() - dt.timedelta(days=200)
    )


def _exit_form(case, **overrides):
    today = timezone.localdate()
    data = {
        "version": case.version,
        "reason": "risk_reduced",
        "exited_on": today.isoformat(),
        "rationale": "No incidents for six months; engaged with Drive",
        "monitor": "on",
        "monitor_until": (today + dt.timedelta(days=365)).isoformat(),
    }
    data.update(overrides)
    return data


def test_it_closes_the_case_and_starts_monitoring(client_for, case):
    today = timezone.localdate()
    response = client_for(Role.OFFENDER_MANAGER).post(f"/cases/{case.pk}/close/", _exit_form(case))
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closed_on) == ("closed", today)
    exit_ = Exit.objects.get(case=case)
    assert exit_.reason == "risk_reduced" and exit_.monitor_until == today + dt.timedelta(days=365)
    period = MonitoringPeriod.objects.get(person=case.person)
    assert (period.kind, period.starts_on, period.until) == (
        "post_exit",
        today,
        today + dt.timedelta(days=365),
    )


def test_it_closes_once_when_submitted_twice(client_for, case):
    om = client_for(Role.OFFENDER_MANAGER)
    data = _exit_form(case)
    om.post(f"/cases/{case.pk}/close/", data)
    second = om.post(f"/cases/{case.pk}/close/", data)
    assert second.status_code == 302
    assert Exit.objects.count() == 1
    assert MonitoringPeriod.objects.count() == 1


def test_it_closes_without_monitoring_when_unticked(client_for, case):
    client_for(Role.OFFENDER_MANAGER).post(
        f"/cases/{case.pk}/close/",
        _exit_form(case, reason="deceased", monitor="", monitor_until=""),
    )
    case.refresh_from_db()
    assert case.status == "closed"
    assert not MonitoringPeriod.objects.exists()


def test_it_needs_a_rationale_and_a_monitoring_end(client_for, case):
    response = client_for(Role.OFFENDER_MANAGER).post(
        f"/cases/{case.pk}/close/", _exit_form(case, rationale="", monitor_until="")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Give the date monitoring ends" in page
    assert Case.objects.get(pk=case.pk).status == "open"


def test_it_refuses_changes_to_a_closed_case(client_for, users, case):
    from highharm.cases.services import CaseError, case_update, intervention_create

    om = client_for(Role.OFFENDER_MANAGER)
    om.post(f"/cases/{case.pk}/close/", _exit_form(case))
    case.refresh_from_db()
    with pytest.raises(CaseError):
        case_update(case_id=case.pk, version=case.version, plan="x", review_due=None)
    with pytest.raises(CaseError):
        intervention_create(
            case=case,
            recorded_by=users[Role.OFFENDER_MANAGER],
            type="housing",
            started_on=timezone.localdate(),
        )
    response = om.get(f"/cases/{case.pk}/interventions/new/")
    assert response.status_code == 302
    page = om.get(f"/cases/{case.pk}/").content.decode()
    assert "Close the case</a>" not in page and "Post-exit monitoring" in page


def test_it_lets_a_closed_persons_new_case_open(users, case):
    from highharm.cases.services import case_close, case_open

    om = users[Role.OFFENDER_MANAGER]
    case_close(
        case_id=case.pk,
        version=case.version,
        reason="other",
        exited_on=timezone.localdate(),
        rationale="Moved on",
        monitor_until=None,
        closed_by=om,
    )
    again, created = case_open(person=case.person, lead=om, opened_by=om)
    assert created and again.pk != case.pk


def test_it_refuses_closure_to_the_panel_chair(client_for, case):
    assert (
        client_for(Role.PANEL_CHAIR).post(f"/cases/{case.pk}/close/", _exit_form(case)).status_code
        == 403
    )
    case.refresh_from_db()
    assert case.status == "open"
