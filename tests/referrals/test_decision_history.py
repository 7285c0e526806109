import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from highharm.accounts.permissions import Role
from highharm.referrals.models import MonitoringPeriod, TriageDecision


def test_it_keeps_the_superseded_decision_when_revisited(refer, decide, perpetrator, meeting):
    referral = refer(perpetrator)
    first = decide(referral, meeting, "nfa", rationale="Low harm so far")
    second = decide(
        referral,
        meeting,
        "adopt",
        rationale="New intelligence",
        revision_reason="New incident reported",
    )
    first.refresh_from_db()
    assert not first.is_current
    assert second.is_current
    assert second.supersedes == first
    assert TriageDecision.objects.count() == 2
    assert list(referral.decisions.filter(is_current=True)) == [second]


def test_it_requires_a_reason_to_revisit(refer, decide, perpetrator, meeting):
    referral = refer(perpetrator)
    decide(referral, meeting, "nfa")
    with pytest.raises(ValidationError) as raised:
        decide(referral, meeting, "adopt")
    assert raised.value.message_dict == {
        "revision_reason": ["Enter why the earlier decision is being revisited"]
    }


def test_it_ends_monitoring_when_a_monitor_decision_is_revisited(
    refer, decide, perpetrator, meeting
):
    referral = refer(perpetrator)
    decide(referral, meeting, "monitor", monitor_until=meeting.meeting_date + dt.timedelta(days=90))
    decide(referral, meeting, "adopt", revision_reason="Re-assessed as high risk")
    period = MonitoringPeriod.objects.get()
    assert period.ended_at is not None
    assert "revisited" in period.end_reason


def test_it_shows_the_history_on_the_referral_page(client_for, refer, decide, perpetrator, meeting):
    referral = refer(perpetrator)
    decide(referral, meeting, "nfa", rationale="Low harm so far")
    decide(
        referral,
        meeting,
        "adopt",
        rationale="New intelligence",
        revision_reason="New incident reported",
    )
    body = (
        client_for(Role.TRIAGE_LEAD)
        .get(reverse("referrals:detail", args=[referral.pk]))
        .content.decode()
    )
    assert body.count("Superseded") == 1
    assert body.index("Adopt to the panel") < body.index("No further action")
    assert "New incident reported" in body
    assert "Low harm so far" in body


def test_it_keeps_change_history_on_the_decision(refer, decide, perpetrator, meeting):
    referral = refer(perpetrator)
    first = decide(referral, meeting, "nfa")
    decide(referral, meeting, "adopt", revision_reason="Changed")
    # Created, then marked no longer current: two historical rows.
    assert first.history.count() == 2
