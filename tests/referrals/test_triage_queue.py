import datetime as dt

from django.urls import reverse
from django.utils import timezone

from highharm.accounts.permissions import Role
from highharm.people.models import Person
from highharm.referrals.selectors import triage_queue
from highharm.referrals.services import meeting_create, triage_defer


def person(ref):
    return Person.objects.create(reference=ref, given_name="Q", family_name=ref)


def test_it_queues_open_referrals_oldest_first(refer, db, meeting):
    now = timezone.now()
    newer = refer(person("Q1"))
    older = refer(person("Q2"))
    older.referred_at = now - dt.timedelta(days=20)
    older.save()
    newer.referred_at = now - dt.timedelta(days=2)
    newer.save()
    assert [i.referral.pk for i in triage_queue(meeting=meeting, with_facts=False)] == [
        older.pk,
        newer.pk,
    ]


def test_it_puts_carried_over_referrals_first(refer, users, db):
    lead = users[Role.TRIAGE_LEAD]
    today = timezone.localdate()
    last_month = meeting_create(
        meeting_date=today - dt.timedelta(days=28), chair=lead, created_by=lead
    )
    this_month = meeting_create(meeting_date=today, chair=lead, created_by=lead)
    fresh = refer(person("Q1"))
    fresh.referred_at = timezone.now() - dt.timedelta(days=40)
    fresh.save()  # older, but never considered
    deferred = refer(person("Q2"))
    deferred.referred_at = timezone.now() - dt.timedelta(days=10)
    deferred.save()
    triage_defer(referral=deferred, meeting=last_month, reason="Awaiting DASH", by=lead)
    queue = triage_queue(meeting=this_month, with_facts=False)
    # Both were waiting at last month's meeting or deferred by it: both carried over, oldest first.
    assert [(i.referral.pk, i.carried_over) for i in queue] == [
        (fresh.pk, True),
        (deferred.pk, True),
    ]
    just_in = refer(person("Q3"))
    queue = triage_queue(meeting=this_month, with_facts=False)
    assert [(i.referral.pk, i.carried_over) for i in queue][-1] == (just_in.pk, False)


def test_it_leaves_decided_and_linked_referrals_out_of_the_queue(
    refer, decide, perpetrator, meeting
):
    decided = refer(person("Q1"))
    decide(decided, meeting, "nfa")
    open_one = refer(perpetrator)
    refer(perpetrator)  # linked to open_one
    assert [i.referral.pk for i in triage_queue(meeting=meeting, with_facts=False)] == [open_one.pk]


def test_it_shows_the_facts_for_each_referral_on_the_meeting_page(
    client_for, refer, perpetrator, meeting
):
    refer(perpetrator, risk_indicators=["strangulation"])
    body = (
        client_for(Role.TRIAGE_LEAD)
        .get(reverse("referrals:meeting", args=[meeting.pk]))
        .content.decode()
    )
    assert "Queue: 1 referral awaiting a decision" in body
    assert "573 days over 3 incidents" in body
    assert "2 on record; 1 named on the referral" in body
    assert "Strangulation, choking or suffocation" in body
    assert "domestic × 2" in body
    assert "No assessment recorded" in body


def test_it_logs_the_people_shown_on_the_meeting_page(client_for, refer, perpetrator, meeting):
    from highharm.audit.models import AccessLog

    refer(perpetrator)
    client_for(Role.TRIAGE_LEAD).get(reverse("referrals:meeting", args=[meeting.pk]))
    row = AccessLog.objects.get(action="view_triage_meeting")
    assert row.detail == {"people": ["P100"]}
