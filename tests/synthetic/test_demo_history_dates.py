"""The demo's history of the unit's work is dated over the months before today, in order."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone


def _day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


@pytest.mark.django_db(transaction=True)
def test_the_demo_history_is_spread_over_past_months_in_a_consistent_order(settings, tmp_path):
    from highharm.cases.models import Case, Contact, Exit, Intervention, Order
    from highharm.panels.models import Action, AgendaItem, Minute, PanelMeeting
    from highharm.partners.models import ReferralOut
    from highharm.referrals.models import MonitoringPeriod, Referral, TriageDecision

    settings.VAR_DIR = tmp_path
    call_command("demo_setup", perpetrators=60, years=2, seed=7, stdout=io.StringIO())
    today = timezone.localdate()

    # Referrals: none arrived today; they come in over more than three months.
    received = [_day(r.referred_at) for r in Referral.objects.all()]
    assert len(received) == 25
    assert max(received) < today
    assert (today - min(received)).days > 90
    assert len({(d.year, d.month) for d in received}) >= 4
    # Each decision is recorded on its meeting's day, after the referral arrived.
    decisions = TriageDecision.objects.select_related("meeting", "referral")
    assert decisions.count() == 19
    for decision in decisions:
        assert _day(decision.decided_at) == decision.meeting.meeting_date
        assert decision.referral.referred_at < decision.decided_at
        history_days = {_day(h.history_date) for h in decision.referral.history.all()}
        assert today not in history_days
    for period in MonitoringPeriod.objects.filter(kind="triage"):
        assert period.started_at == period.decision.decided_at

    # Case records follow the case's opening and are recorded on their own day.
    cases = list(Case.objects.all())
    assert cases
    for case in cases:
        assert case.opened_on < today
        for intervention in Intervention.objects.filter(case=case):
            assert case.opened_on <= intervention.started_on < today
            assert _day(intervention.created_at) == intervention.started_on
            if intervention.ended_on:
                assert intervention.started_on <= intervention.ended_on < today
        for contact in Contact.objects.filter(case=case):
            assert case.opened_on <= contact.contacted_on < today
            assert _day(contact.created_at) == contact.contacted_on
        for order in Order.objects.filter(case=case):
            assert case.opened_on <= order.starts_on < today
            assert _day(order.created_at) == order.starts_on
            if order.intervention_id:
                assert order.intervention.started_on <= order.starts_on
    assert Order.objects.filter(ends_on__lte=today + dt.timedelta(days=14)).exists()

    # The past panel: planned beforehand, minuted and actions set on its day, due after it.
    past = PanelMeeting.objects.filter(held_on__lt=today).get()
    assert _day(past.created_at) < past.held_on
    assert all(_day(i.added_at) < past.held_on for i in AgendaItem.objects.filter(meeting=past))
    minutes = Minute.objects.filter(meeting=past)
    assert minutes.exists()
    assert all(_day(m.updated_at) == past.held_on for m in minutes)
    actions = Action.objects.filter(meeting=past)
    assert actions.exists()
    for action in actions:
        assert _day(action.created_at) == past.held_on
        assert action.due_on > past.held_on
    assert actions.filter(due_on__lt=today).exists()  # some are overdue

    # Referrals out follow the case; the closed case exits after its last intervention ended.
    for referral_out in ReferralOut.objects.all():
        opened = Case.objects.get(person=referral_out.person).opened_on
        assert opened < referral_out.referred_on == referral_out.status_changed_on < today
    closed = Case.objects.get(status="closed")
    exit_ = Exit.objects.get(case=closed)
    assert _day(exit_.created_at) == exit_.exited_on < today
    ended = Intervention.objects.filter(case=closed).exclude(ended_on=None)
    assert all(i.ended_on <= exit_.exited_on for i in ended)
