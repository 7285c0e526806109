"""Hand-built workflow records (referrals, triage decisions, cases, interventions) for tests."""

import datetime as dt
import uuid

D = dt.date


def person(ref):
    from highharm.people.models import Person

    return Person.objects.create(reference=ref, gender="M")


def decide(p, outcome, meeting_day, *, current=True, monitor_until=None):
    from highharm.referrals.models import Referral, TriageDecision, TriageMeeting

    referral = Referral.objects.create(
        person=p,
        source="officer",
        reason="r",
        concerns="c",
        children_in_household="unknown",
        status="decided",
    )
    meeting = TriageMeeting.objects.create(meeting_date=meeting_day)
    return TriageDecision.objects.create(
        referral=referral,
        meeting=meeting,
        outcome=outcome,
        pathway="marac" if outcome == "other_pathway" else "",
        monitor_until=monitor_until or (meeting_day + dt.timedelta(days=180)),
        rationale="because",
        is_current=current,
        submission_token=uuid.uuid4(),
    )


def open_case(p, lead, opened_on, decision=None, closed_on=None):
    from highharm.cases.models import Case

    return Case.objects.create(
        person=p,
        lead=lead,
        triage_decision=decision,
        opened_on=opened_on,
        status="closed" if closed_on else "open",
        closed_on=closed_on,
    )


def exit_case(case, day, reason="risk_reduced"):
    from highharm.cases.models import Exit

    return Exit.objects.create(case=case, reason=reason, exited_on=day, rationale="done")


def monitor(p, starts_on, kind="triage"):
    from highharm.referrals.models import MonitoringPeriod

    return MonitoringPeriod.objects.create(
        person=p,
        kind=kind,
        reason="watch",
        starts_on=starts_on,
        until=starts_on + dt.timedelta(days=180),
    )


def intervention(
    case, type_, started_on, *, status="completed", outcome="pending", engaged="not_known"
):
    from highharm.cases.models import Intervention

    return Intervention.objects.create(
        case=case,
        type=type_,
        started_on=started_on,
        status=status,
        outcome=outcome,
        engaged=engaged,
    )
