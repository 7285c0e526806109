"""The offender manager's dashboard on their home page: caseload, overdue actions,
orders ending within 14 days, reviews due and monitoring alerts."""

import datetime as dt

import pytest
from django.utils import timezone

from highharm.accounts.permissions import Role
from highharm.cases.services import order_create
from highharm.panels.services import action_create
from tests.panels.factories import make_person, open_case


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def my_case(users, perpetrator, today):
    return open_case(
        perpetrator,
        users[Role.OFFENDER_MANAGER],
        on=today - dt.timedelta(days=100),
        review_due=today + dt.timedelta(days=3),
    )


def _order(case, user, ends_on, **extra):
    return order_create(
        case=case,
        recorded_by=user,
        type="dvpo",
        starts_on=ends_on - dt.timedelta(days=28),
        ends_on=ends_on,
        conditions="Not to enter Acacia Avenue",
        **extra,
    )


def test_it_shows_the_caseload_on_the_home_page(client_for, my_case):
    page = client_for(Role.OFFENDER_MANAGER).get("/").content.decode()
    assert "Your caseload" in page
    assert f"/cases/{my_case.pk}/" in page
    assert "of a capacity of 15" in page


def test_it_is_not_on_other_roles_home_pages(client_for, my_case):
    for role in (Role.SUPERVISOR, Role.PANEL_CHAIR, Role.PARTNER):
        assert "Your caseload" not in client_for(role).get("/").content.decode()


def test_it_lists_orders_ending_within_fourteen_days_only(users, my_case, today):
    from highharm.cases.selectors import offender_manager_dashboard

    om = users[Role.OFFENDER_MANAGER]
    ends_today = _order(my_case, om, today)
    ends_in_14 = _order(my_case, om, today + dt.timedelta(days=14))
    _order(my_case, om, today + dt.timedelta(days=15))  # too far off
    _order(my_case, om, today - dt.timedelta(days=1))  # already ended
    _order(my_case, om, today + dt.timedelta(days=5), revoked_on=today - dt.timedelta(days=1))
    board = offender_manager_dashboard(user=om, today=today)
    assert [o.pk for o in board.orders_expiring] == [ends_today.pk, ends_in_14.pk]


def test_it_lists_overdue_actions_owned_or_on_my_cases(users, my_case, today):
    from highharm.cases.selectors import offender_manager_dashboard

    om = users[Role.OFFENDER_MANAGER]
    chair = users[Role.PANEL_CHAIR]
    yesterday = today - dt.timedelta(days=1)
    mine = action_create(description="Visit", due_on=yesterday, raised_by=chair, owner=om)
    on_my_case = action_create(
        description="Housing to confirm tenancy",
        due_on=yesterday - dt.timedelta(days=1),
        raised_by=chair,
        person=my_case.person,
        owner_name="Housing officer",
    )
    action_create(description="Not yet due", due_on=today, raised_by=chair, owner=om)
    action_create(description="Someone else's", due_on=yesterday, raised_by=chair, owner=chair)
    board = offender_manager_dashboard(user=om, today=today)
    assert [a.pk for a in board.overdue_actions] == [on_my_case.pk, mine.pk]


def test_it_lists_reviews_due_in_two_weeks_or_overdue(users, my_case, today):
    from highharm.cases.selectors import offender_manager_dashboard

    om = users[Role.OFFENDER_MANAGER]
    overdue = open_case(make_person("P301"), om, review_due=today - dt.timedelta(days=2))
    open_case(make_person("P302"), om, review_due=today + dt.timedelta(days=15))
    board = offender_manager_dashboard(user=om, today=today)
    assert [r.case.pk for r in board.reviews_due] == [overdue.pk, my_case.pk]
    assert [r.review_overdue for r in board.reviews_due] == [True, False]


def test_it_shows_monitoring_alerts_with_former_cases_first(client_for, users, catalogue, today):
    from highharm.records.models import Incident
    from highharm.referrals.models import Alert, MonitoringPeriod

    om = users[Role.OFFENDER_MANAGER]
    former = make_person("P401", "Fred", "Former")
    stranger = make_person("P402", "Stan", "Stranger")
    case = open_case(former, om, on=today - dt.timedelta(days=300))
    from highharm.cases.services import case_close

    case_close(
        case_id=case.pk,
        version=case.version,
        reason="risk_reduced",
        exited_on=today - dt.timedelta(days=30),
        rationale="Objectives met",
        monitor_until=today + dt.timedelta(days=300),
        closed_by=om,
    )
    period = MonitoringPeriod.objects.get(person=former)
    other_period = MonitoringPeriod.objects.create(
        person=stranger, kind="triage", reason="x", starts_on=today, until=today
    )
    for n, (person, p) in enumerate([(stranger, other_period), (former, period)]):
        incident = Incident.objects.create(
            crime_reference=f"CRA{n}",
            occurred_on=today,
            offence=catalogue["CA"],
            perpetrator=person,
            content_hash=str(n),
        )
        Alert.objects.create(person=person, incident=incident, period=p)
    page = client_for(Role.OFFENDER_MANAGER).get("/").content.decode()
    alerts = page.split("Monitoring alerts")[1].split("Overdue actions")[0]
    assert alerts.index("P401") < alerts.index("P402")
    assert "Your former case" in alerts
