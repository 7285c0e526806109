"""A small, plausible history of the unit's own work for the demonstration.

Made once, through the real services (referrals, triage, panels, cases,
partners), on top of the synthetic force and its stored candidate list:
referrals from the candidate list, from officers and from the partner agency;
two past triage meetings with each kind of decision; adopted cases led by the
demo offender manager (and one by a colleague); a past panel with minutes and
actions, some overdue; interventions of each kind, orders (one about to
expire), contacts; one closed case in post-exit monitoring that has already
raised an alert. Synthetic data only.

The history is dated over the months before today, in the order the work
happens: referrals arrive in the weeks before the triage meeting that decides
them (the oldest about five months ago), decisions are recorded on the
meeting's day, cases open on it, interventions, contacts and orders follow the
opening, minutes and actions are written on the panel's day. The services
stamp what they record "now"; `_dated` moves each record's own timestamps and
its history rows to the day the story gives it. Only the closing step is of
today: the import of a new incident and the monitoring alert it raises.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from pathlib import Path

from django.utils import timezone

PARTNER_AGENCY = "Wessex Council Housing"

RATIONALES = {
    "adopt": (
        "Escalating pattern against more than one partner, with strangulation or stalking on "
        "record and children in the household. Meets the High Harm criteria: adopt to the panel."
    ),
    "monitor": (
        "Serious history but no incident for several months and engaging with probation. "
        "Monitor for six months; any new incident comes back to triage."
    ),
    "other_pathway": (
        "Already a MAPPA nominal with an active plan; duplicating management would not add "
        "protection. Route to MAPPA and share the chronology."
    ),
    "nfa": (
        "Single incident, victim supported and relationship ended; no aggravating factors. "
        "No further action by the unit."
    ),
}


FIRST_TRIAGE_DAYS_AGO = 56
SECOND_TRIAGE_DAYS_AGO = 21
DECIDED = 19  # the first 19 referrals are decided (see `_triage`); the rest wait


def _at(day: dt.date, hour: int, minutes: int = 0) -> dt.datetime:
    """`minutes` past `hour` o'clock on `day`, local time."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
    return start + dt.timedelta(minutes=minutes)


def _dated(record, when: dt.datetime, **fields) -> None:
    """Date a record just made at `when`: set its own date `fields` (auto_now_add ones too,
    which only a queryset update can set) and move its history rows made since `when`."""
    if fields:
        type(record).objects.filter(pk=record.pk).update(**fields)
    history = getattr(record, "history", None)
    if history is not None:
        history.filter(history_date__gt=when).update(history_date=when)


def _received_on(i: int, today: dt.date) -> dt.date:
    """When referral i arrived: before the meeting that decides it, or lately if it waits."""
    if i >= DECIDED:
        return today - dt.timedelta(days=1 + (i * 5) % 18)
    if i % 2 == 0:  # the first meeting: a backlog of up to three months before it
        return today - dt.timedelta(days=FIRST_TRIAGE_DAYS_AGO + 3 + (i * 11) % 90)
    # the second meeting: what came in since the first
    return today - dt.timedelta(days=SECOND_TRIAGE_DAYS_AGO + 3 + (i * 7) % 31)


def unit_work_create(*, users: dict, agencies: dict, today: dt.date | None = None) -> dict:
    """Create the demo history once. Returns counts; does nothing when referrals exist."""
    from highharm.accounts.models import User
    from highharm.accounts.permissions import Role
    from highharm.people.models import Person
    from highharm.referrals.models import Referral
    from highharm.scoring.selectors import candidate_list

    if Referral.objects.exists():
        return {}
    today = today or timezone.localdate()
    om, triage, chair, supervisor, partner = (
        users[Role.OFFENDER_MANAGER],
        users[Role.TRIAGE_LEAD],
        users[Role.PANEL_CHAIR],
        users[Role.SUPERVISOR],
        users[Role.PARTNER],
    )
    colleague, made = User.objects.get_or_create(
        username="om2",
        defaults={
            "first_name": "Dev",
            "last_name": "Fenwick",
            "role": Role.OFFENDER_MANAGER.value,
            "agency": agencies["Wessex Police"],
        },
    )
    if made:
        colleague.set_unusable_password()
        colleague.save()

    rows = candidate_list(per_page=40, top_n=200).rows
    people = [r.person for r in rows if r.person is not None][:25]
    if len(people) < 25:  # a tiny force: fill up with other perpetrators on record
        seen = {p.pk for p in people}
        extra = Person.objects.filter(incidents_as_perpetrator__isnull=False).exclude(pk__in=seen)
        people += list(extra.distinct()[: 25 - len(people)])
    if len(people) < 8:
        return {}
    referrals = _referrals(people, rows, om=om, triage=triage, partner=partner, today=today)
    decisions = _triage(referrals, triage=triage, chair=chair, agencies=agencies, today=today)
    cases = _cases(decisions, om=om, colleague=colleague, supervisor=supervisor, today=today)
    _panel(cases, chair=chair, om=om, agencies=agencies, today=today)
    _case_records(cases, om=om, agencies=agencies, today=today)
    alerts = _closure_and_alert(cases, om=om, today=today)
    return {
        "referrals": len(referrals),
        "decisions": len(decisions),
        "cases": len(cases),
        "alerts": alerts,
    }


def _referrals(people, rows, *, om, triage, partner, today):
    from highharm.referrals import services
    from highharm.referrals.models import Referral

    explanations = {r.reference: r.explanation for r in rows}
    made = []
    for i, person in enumerate(people):
        if i < 12:  # from the candidate list, by the triage lead
            result = services.referral_from_candidate(
                person=person,
                referred_by=triage,
                explanation=explanations.get(person.reference)
                or "High on the candidate list: repeated harm against partners.",
            )
            referral = result.referral
        else:
            by_partner = i % 4 == 0
            result = services.referral_create(
                referred_by=partner if by_partner else om,
                source=Referral.Source.PARTNER if by_partner else Referral.Source.OFFICER,
                person=person,
                reason=(
                    "Tenancy officer reports repeated disturbances and a victim afraid to return."
                    if by_partner
                    else "Attended three domestic incidents this year; the victim fears him."
                ),
                concerns=(
                    "Threats to kill made in front of the children; the victim has moved out "
                    "twice and returned. Previous partner also reported controlling behaviour."
                ),
                no_known_victim=True,
                children_in_household=(
                    Referral.Children.YES if i % 3 == 0 else Referral.Children.NO
                ),
                children_count=2 if i % 3 == 0 else None,
                submission_token=uuid.uuid4(),
            )
            referral = result.referral
        received = _at(_received_on(i, today), 9 + i % 8, (i * 7) % 60)
        _dated(referral, received, referred_at=received)
        made.append(referral)
    return made


def _triage(referrals, *, triage, chair, agencies, today):
    from highharm.referrals import services
    from highharm.referrals.models import MonitoringPeriod, Referral, TriageMeeting

    first, second = (
        services.meeting_create(
            meeting_date=today - dt.timedelta(days=days_ago),
            chair=triage,
            created_by=triage,
            location="High Harm Unit, Central",
        )
        for days_ago in (FIRST_TRIAGE_DAYS_AGO, SECOND_TRIAGE_DAYS_AGO)
    )
    for meeting in (first, second):
        _dated(meeting, _at(meeting.meeting_date - dt.timedelta(days=28), 11))
        for name, agency, role in [
            (triage.display_name, "Wessex Police", "Triage lead"),
            ("Rhona Blake", "Wessex Probation Service", "Senior probation officer"),
            ("Kemi Ade", "Wessex IDVA Service", "IDVA manager"),
        ]:
            attendee = services.meeting_attendee_add(
                meeting=meeting, name=name, agency=agencies[agency], role=role, by=triage
            )
            _dated(attendee, _at(meeting.meeting_date, 9, 30))
        _dated(meeting, _at(meeting.meeting_date, 9, 30))
    # The last few referrals wait for the next meeting.
    plan = ["adopt"] * 11 + ["monitor"] * 3 + ["other_pathway"] * 2 + ["nfa"] * 3
    decisions = []
    for i, (referral, outcome) in enumerate(zip(referrals, plan, strict=False)):
        meeting = first if i % 2 == 0 else second
        referral = Referral.objects.get(pk=referral.pk)
        result = services.triage_decide(
            referral_id=referral.pk,
            meeting=meeting,
            decided_by=triage,
            submission_token=uuid.uuid4(),
            expected_version=referral.version,
            outcome=outcome,
            rationale=RATIONALES[outcome],
            pathway="mappa" if outcome == "other_pathway" else "",
            monitor_until=(
                meeting.meeting_date + dt.timedelta(days=182) if outcome == "monitor" else None
            ),
        )
        decided = _at(meeting.meeting_date, 10, 5 * i)
        _dated(result.decision, decided, decided_at=decided)
        _dated(referral, decided)
        for period in MonitoringPeriod.objects.filter(decision=result.decision):
            _dated(period, decided, started_at=decided)
        decisions.append(result.decision)
    for meeting in (first,):
        meeting = TriageMeeting.objects.get(pk=meeting.pk)
        services.meeting_close(meeting_id=meeting.pk, expected_version=meeting.version, by=triage)
        closed = _at(meeting.meeting_date, 12, 30)
        _dated(meeting, closed, closed_at=closed)
    return decisions


def _cases(decisions, *, om, colleague, supervisor, today):
    from highharm.cases.services import case_open

    adopted = [d for d in decisions if d.outcome == "adopt"]
    cases = []
    # All but the last adopted person get a case; the last waits for allocation.
    for i, decision in enumerate(adopted[:-1]):
        lead = colleague if i == len(adopted) - 2 else om
        opened = decision.meeting.meeting_date
        case, _ = case_open(
            person=decision.referral.person,
            lead=lead,
            opened_by=supervisor,
            triage_decision=decision,
            opened_on=opened,
            plan=(
                "Disrupt contact with the victim through civil orders; engage with the "
                "perpetrator programme; monthly joint visit with probation."
            ),
            review_due=today + dt.timedelta(days=(i * 9) % 60 - 10),
        )
        _dated(case, _at(opened, 15, i))
        cases.append(case)
    return cases


def _panel(cases, *, chair, om, agencies, today):
    from highharm.panels import services

    held = today - dt.timedelta(days=14)
    past = services.meeting_create(
        held_on=held,
        location="Central police station, room 4",
        chair=chair,
        created_by=chair,
    )
    planned = _at(held - dt.timedelta(days=10), 10)
    _dated(past, planned, created_at=planned)
    for name, agency in [
        (chair.display_name, "Wessex Police"),
        ("Rhona Blake", "Wessex Probation Service"),
        ("Jo Patel", "Wessex Council Housing"),
        ("Kemi Ade", "Wessex IDVA Service"),
    ]:
        attendee = services.attendee_add(meeting=past, name=name, agency=agencies[agency])
        _dated(attendee, _at(held, 9, 30))
    for i, case in enumerate(cases[:6]):
        item, _ = services.agenda_item_add(
            meeting=past, person=case.person, reason="newly_adopted", added_by=chair
        )
        _dated(item, planned, added_at=planned)
        minute = services.minute_save(
            meeting=past,
            person=case.person,
            discussion=(
                "Probation: reporting as required. Housing: new tenancy near the victim's "
                "address raised as a concern. IDVA: victim engaged, safety plan reviewed."
            ),
            decisions="Adopted. Seek a protective order; refer to the perpetrator programme.",
            version=0,
            recorded_by=chair,
        )
        discussed = _at(held, 10, 15 * i)
        _dated(minute, discussed, updated_at=discussed)
        action = services.action_create(
            meeting=past,
            person=case.person,
            description=[
                "Apply for a Stalking Protection Order",
                "Check tenancy conditions with Housing",
                "Refer to the Drive programme",
            ][i % 3],
            due_on=today + dt.timedelta(days=[-5, 7, -2, 12, 20, -9][i]),
            raised_by=chair,
            owner=om if i % 2 == 0 else None,
            owner_name="" if i % 2 == 0 else "Jo Patel, tenancy officer",
            agency=None if i % 2 == 0 else agencies["Wessex Council Housing"],
        )
        _dated(action, discussed, created_at=discussed)
    _dated(past, _at(held, 12))
    upcoming = services.meeting_create(
        held_on=today + dt.timedelta(days=14),
        location="Central police station, room 4",
        chair=chair,
        created_by=chair,
    )
    planned = _at(today - dt.timedelta(days=3), 10)
    _dated(upcoming, planned, created_at=planned)
    for item in services.agenda_build(meeting=upcoming, added_by=chair):
        _dated(item, planned, added_at=planned)


def _case_records(cases, *, om, agencies, today):
    from highharm.cases import services
    from highharm.cases.models import Contact, Intervention
    from highharm.partners.models import AgencyService
    from highharm.partners.services import referral_out_create, service_create

    kinds = [
        (
            "perpetrator_programme",
            "Wessex Perpetrator Programme",
            "in_progress",
            "programme_started",
            "engaged",
        ),
        ("housing", "Wessex Council Housing", "completed", "housing_secured", "engaged"),
        (
            "substance_misuse",
            "Wessex Drug and Alcohol Service",
            "in_progress",
            "treatment_started",
            "partly",
        ),
        ("arrest", "Wessex Police", "completed", "arrested", "not_applicable"),
        ("spo", "Wessex Police", "completed", "order_obtained", "not_applicable"),
        ("dvds_right_to_know", "Wessex Police", "completed", "disclosure_made", "not_applicable"),
        (
            "idva_referral",
            "Wessex IDVA Service",
            "in_progress",
            "victim_supported",
            "not_applicable",
        ),
        (
            "safety_plan",
            "Wessex IDVA Service",
            "completed",
            "safety_plan_in_place",
            "not_applicable",
        ),
    ]
    for i, case in enumerate(cases):
        lead = case.lead
        days_open = (today - case.opened_on).days
        for j in range(3):
            kind, provider, status, outcome, engaged = kinds[(i + j * 3) % len(kinds)]
            # spread over the time the case has been open, the last well before today
            started = case.opened_on + dt.timedelta(days=days_open * (j + 1) // 4)
            ended = started + dt.timedelta(days=(today - started).days // 2)
            intervention = services.intervention_create(
                case=case,
                recorded_by=lead,
                type=kind,
                provider=provider,
                started_on=started,
                ended_on=ended if status == "completed" else None,
                status=status,
                outcome=outcome,
                engaged=engaged,
                notes="",
            )
            recorded = _at(started, 14, i)
            _dated(intervention, recorded, created_at=recorded)
        contact = services.contact_create(
            case=case,
            recorded_by=lead,
            with_whom=Contact.With.PERPETRATOR,
            method=Contact.Method.HOME_VISIT if i % 2 else Contact.Method.PHONE,
            contacted_on=today - dt.timedelta(days=3 + i),
            notes="Reminded of the order's conditions; says he is staying with his mother.",
        )
        recorded = _at(contact.contacted_on, 17, i)
        _dated(contact, recorded, created_at=recorded)
        contact = services.contact_create(
            case=case,
            recorded_by=lead,
            with_whom=Contact.With.AGENCY,
            agency_name="Wessex Probation Service",
            method=Contact.Method.MEETING,
            contacted_on=today - dt.timedelta(days=10 + i),
            notes="Joint review with probation; licence conditions unchanged.",
        )
        recorded = _at(contact.contacted_on, 16, i)
        _dated(contact, recorded, created_at=recorded)
    # Orders: one ends within the next fortnight (the dashboard reminder), others later.
    for i, case in enumerate(cases[:5]):
        spo = Intervention.objects.filter(case=case, kind="enforcement").first()
        # made by the enforcement intervention when there is one, else a week after opening
        starts = (spo.ended_on or spo.started_on) if spo else None
        starts = starts or case.opened_on + dt.timedelta(days=7)
        order = services.order_create(
            case=case,
            recorded_by=case.lead,
            type=["spo_interim", "ro", "dvpo", "nmo", "spo"][i],
            reference=f"WX/{starts.year}/{1040 + i}",
            starts_on=starts,
            ends_on=today + dt.timedelta(days=[9, 120, 20, 365, 200][i]),
            conditions="Not to contact the victim directly or indirectly, nor enter her street.",
            intervention=spo,
        )
        recorded = _at(starts, 15, i)
        _dated(order, recorded, created_at=recorded)
    # A partner service, and two people referred out to it (shared with the agency).
    housing = agencies[PARTNER_AGENCY]
    service = AgencyService.objects.filter(agency=housing).first() or service_create(
        agency=housing,
        name="Tenancy sustainment",
        service_type="housing",
        by=om,
        places_total=20,
        places_available=3,
        waiting_days=21,
    )
    for case in cases[1:3]:
        referred = case.opened_on + dt.timedelta(days=10)
        referral_out = referral_out_create(
            person=case.person,
            service=service,
            reason="Needs settled housing away from the victim's area.",
            by=om,
            referred_on=referred,
        )
        _dated(referral_out, _at(referred, 11), status_changed_on=referred)


def _closure_and_alert(cases, *, om, today) -> int:
    from highharm.cases.models import Case
    from highharm.cases.services import case_close
    from highharm.records.models import Incident
    from highharm.records.services import records_import
    from highharm.referrals.models import MonitoringPeriod
    from highharm.referrals.services import monitoring_scan

    case = Case.objects.get(pk=cases[-2].pk if len(cases) > 2 else cases[-1].pk)
    exited_on = today - dt.timedelta(days=4)  # after its last intervention ended
    exit_ = case_close(
        case_id=case.pk,
        version=case.version,
        reason="risk_reduced",
        exited_on=exited_on,
        rationale="Order in place and complied with; completed the programme; no incident in "
        "six months. Monitored for a year after exit.",
        monitor_until=exited_on + dt.timedelta(days=365),
        closed_by=case.lead,
    )
    closed = _at(exited_on, 16)
    _dated(case, closed)
    _dated(exit_, closed, created_at=closed)
    for period in MonitoringPeriod.objects.filter(person=case.person, kind="post_exit"):
        _dated(period, closed, started_at=closed)
    victim = (
        Incident.objects.filter(perpetrator=case.person, victim__isnull=False)
        .values_list("victim__reference", flat=True)
        .first()
        or ""
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "incidents.csv"
        path.write_text(
            "crime_reference,occurred_on,offence_code,perpetrator_ref,victim_ref,relationship,"
            "domestic,stalking,sexual,strangulation,weapon,breach,outcome\n"
            f"DEMO-{case.person.reference}-1,{(today - dt.timedelta(days=2)).isoformat()},"
            f"HARASS,{case.person.reference},{victim},ex_partner,Y,Y,N,N,N,N,"
            "under_investigation\n"
        )
        records_import(incidents_path=path, run_by="demo-setup")
    return monitoring_scan().alerts_created
