"""The supervisor's dashboard: caseload per offender manager, allocation queue, capacity."""

import datetime as dt

from django.test import override_settings
from django.utils import timezone

from highharm.accounts.models import User
from highharm.accounts.permissions import Role
from tests.panels.factories import adopt, make_person, open_case


def test_it_counts_open_cases_per_offender_manager_against_capacity(users):
    from highharm.cases.selectors import supervisor_dashboard
    from highharm.cases.services import case_close

    alice = users[Role.OFFENDER_MANAGER]
    User.objects.create(username="bob_om", first_name="Bob", role="offender_manager")
    for n in range(3):
        open_case(make_person(f"PA{n}"), alice)
    closed = open_case(make_person("PA9"), alice)
    case_close(
        case_id=closed.pk,
        version=1,
        reason="other",
        exited_on=timezone.localdate(),
        rationale="x",
        monitor_until=None,
        closed_by=alice,
    )
    adopt(make_person("PW1"))
    with override_settings(CASELOAD_CAPACITY=2):
        board = supervisor_dashboard(user=users[Role.SUPERVISOR])
    loads = {
        load.user.username: (load.open_cases, load.capacity, load.over) for load in board.loads
    }
    assert loads == {"alice_om": (3, 2, True), "bob_om": (0, 2, False)}
    assert board.open_cases == 3
    assert board.capacity_total == 4
    assert board.awaiting_count == 1
    assert board.spare == 4 - 3 - 1


def test_it_counts_this_months_demand(users):
    from highharm.cases.selectors import supervisor_dashboard

    today = timezone.localdate()
    person = make_person("PD1")
    decision = adopt(person, on=today)
    open_case(person, users[Role.OFFENDER_MANAGER], decision=decision, on=today)
    board = supervisor_dashboard(user=users[Role.SUPERVISOR], today=today)
    this_month = board.months[-1]
    assert this_month.month == today.replace(day=1)
    # The adopt() helper made one referral a week before the decision.
    referred_this_month = (today - dt.timedelta(days=7)).month == today.month
    assert this_month.referrals == (1 if referred_this_month else 0)
    assert (this_month.adopted, this_month.opened, this_month.closed, this_month.open_at_end) == (
        1,
        1,
        0,
        1,
    )
    assert board.chart.startswith("data:image/svg+xml;base64,")


def test_it_renders_for_the_supervisor_and_refuses_others(client_for, users, perpetrator):
    adopt(perpetrator)
    page = client_for(Role.SUPERVISOR).get("/cases/supervisor/").content.decode()
    assert "Caseload per offender manager" in page
    assert "Capacity against demand" in page
    assert "Allocate" in page
    for role in (Role.OFFENDER_MANAGER, Role.PANEL_CHAIR, Role.PARTNER):
        assert client_for(role).get("/cases/supervisor/").status_code == 403
