"""Small builders for panel and case tests (shared by tests/panels and tests/cases)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone


def adopt(person, *, by=None, on: dt.date | None = None):
    """A current triage decision to adopt `person`, made on `on` (default today)."""
    from highharm.referrals.models import Referral, TriageDecision, TriageMeeting

    on = on or timezone.localdate()
    at = timezone.make_aware(dt.datetime.combine(on, dt.time(10, 0)))
    referral = Referral.objects.create(
        person=person,
        source=Referral.Source.OFFICER,
        referred_by=by,
        referred_at=at - dt.timedelta(days=7),
        reason="Repeat domestic abuse against two partners",
        concerns="Escalating; strangulation reported",
        children_in_household=Referral.Children.NO,
        status=Referral.Status.DECIDED,
    )
    meeting = TriageMeeting.objects.create(meeting_date=on, chair=by, created_by=by)
    return TriageDecision.objects.create(
        referral=referral,
        meeting=meeting,
        outcome=TriageDecision.Outcome.ADOPT,
        rationale="High harm and escalating: adopt to the panel",
        decided_by=by,
        decided_at=at,
        submission_token=uuid.uuid4(),
    )


def make_person(reference: str, given: str = "Sam", family: str = "Sample"):
    from highharm.people.models import Person

    return Person.objects.create(reference=reference, given_name=given, family_name=family)


def open_case(person, lead, *, on: dt.date | None = None, decision=None, review_due=None):
    from highharm.cases.services import case_open

    case, _ = case_open(
        person=person,
        lead=lead,
        opened_by=lead,
        triage_decision=decision,
        opened_on=on,
        review_due=review_due,
    )
    return case


def meeting(*, held_on: dt.date | None = None, chair=None, by=None):
    from highharm.panels.services import meeting_create

    return meeting_create(
        held_on=held_on or timezone.localdate(), chair=chair, created_by=by or chair
    )


def share(person, agency):
    from highharm.people.models import PersonShare

    return PersonShare.objects.create(person=person, agency=agency, reason="test")
