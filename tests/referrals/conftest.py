"""Fixtures for referrals, triage and monitoring tests.

`meeting` is an open triage meeting chaired by tina_triage with two people
present; `refer(person, user)` makes a complete referral through the service.
"""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from highharm.accounts.permissions import Role


@pytest.fixture
def meeting(users, agencies):
    from highharm.referrals.services import meeting_attendee_add, meeting_create

    m = meeting_create(
        meeting_date=timezone.localdate(),
        chair=users[Role.TRIAGE_LEAD],
        created_by=users[Role.TRIAGE_LEAD],
    )
    meeting_attendee_add(
        meeting=m, name="Paula Probation", agency=agencies["probation"], by=users[Role.TRIAGE_LEAD]
    )
    return m


@pytest.fixture
def refer(users):
    from highharm.referrals.models import Referral
    from highharm.referrals.services import VictimEntry, referral_create

    def make(person, user=None, *, reason="Three assaults on his ex-partner this year", **extra):
        kwargs = dict(
            referred_by=user or users[Role.OFFENDER_MANAGER],
            source=Referral.Source.OFFICER,
            person=person,
            reason=reason,
            concerns="Escalating violence after separation",
            victims=[VictimEntry(name="Vera", relationship="ex_partner")],
            children_in_household=Referral.Children.NO,
        )
        kwargs.update(extra)
        return referral_create(**kwargs).referral

    return make


@pytest.fixture
def decide(users):
    """decide(referral, meeting, outcome, **extra) through the service, as the triage lead."""
    from highharm.referrals.services import triage_decide

    def make(referral, meeting, outcome="adopt", **extra):
        referral.refresh_from_db()
        kwargs = dict(
            referral_id=referral.pk,
            meeting=meeting,
            decided_by=users[Role.TRIAGE_LEAD],
            submission_token=uuid.uuid4(),
            expected_version=referral.version,
            outcome=outcome,
            rationale="Serious, escalating harm to two victims",
        )
        kwargs.update(extra)
        return triage_decide(**kwargs).decision

    return make


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)
