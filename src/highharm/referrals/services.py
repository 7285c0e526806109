"""Every write for referrals, triage and monitoring: keyword-only, one transaction each.

Services raise django ValidationError (a dict of field -> message) for bad
input, EditConflict (referrals.locking) when someone else changed the record
first, and return a result saying whether something new was created, so a
double submit is answered with what the first submit made.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from highharm.people.models import Person, PersonShare, Relationship
from highharm.records.models import Incident
from highharm.referrals.locking import EditConflict, check_version
from highharm.referrals.models import (
    Alert,
    MonitoringPeriod,
    Referral,
    ReferralVictim,
    RiskIndicator,
    TriageAttendee,
    TriageDecision,
    TriageDeferral,
    TriageMeeting,
)

# Sources whose facts come from the force's own records rather than from a person filling in
# a form: the completeness check for a referrer's form does not apply to them.
SYSTEM_SOURCES = (Referral.Source.CANDIDATE_LIST, Referral.Source.MONITORING)


@dataclass
class ReferralResult:
    referral: Referral
    created: bool
    linked_to: Referral | None = None


@dataclass
class DecisionResult:
    decision: TriageDecision
    created: bool


@dataclass
class VictimEntry:
    """A known victim as given on a referral: an existing nominal, or a name."""

    person: Person | None = None
    name: str = ""
    relationship: str = ""
    notes: str = ""


# --- Referrals -------------------------------------------------------------------------------


def referral_missing_information(
    *,
    reason: str,
    concerns: str,
    victims: list[VictimEntry] | tuple = (),
    no_known_victim: bool = False,
    children_in_household: str = "",
    children_count: int | None = None,
) -> dict[str, str]:
    """What triage needs and the referral lacks, field by field, in plain words.

    Triage cannot weigh a referral without knowing why it is made, what the
    referrer is worried about, who is at risk (or that no victim is known),
    and whether children live in the household.
    """
    missing: dict[str, str] = {}
    if not (reason or "").strip():
        missing["reason"] = "Enter the reason for the referral"
    elif len(reason.strip()) < 10:
        missing["reason"] = (
            "Give more detail on the reason for the referral (at least 10 characters)"
        )
    if not (concerns or "").strip():
        missing["concerns"] = (
            "Describe your concerns: what has happened and what you fear may happen"
        )
    if not victims and not no_known_victim:
        missing["victims"] = (
            "Name at least one known victim, or tick ‘No victim is known’ if there is none"
        )
    if children_in_household not in Referral.Children.values:
        missing["children_in_household"] = "Say whether there are children in the household"
    elif children_in_household == Referral.Children.YES and not children_count:
        missing["children_count"] = "Enter how many children live in the household"
    return missing


def person_create_minimal(
    *, given_name: str, family_name: str, date_of_birth=None, gender: str = "U"
) -> Person:
    """A nominal the unit has not got on its records yet, with a generated REF- reference."""
    for _ in range(20):
        reference = f"REF-{timezone.localdate():%y%m}-{secrets.token_hex(3).upper()}"
        if not Person.objects.filter(reference=reference).exists():
            break
    else:  # pragma: no cover (2^24 references a month)
        raise RuntimeError("Could not generate a free person reference")
    person = Person(
        reference=reference,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        date_of_birth=date_of_birth,
        gender=gender or Person.Gender.UNKNOWN,
    )
    person.full_clean()
    person.save()
    return person


def referral_create(
    *,
    referred_by,
    source: str,
    reason: str,
    concerns: str = "",
    person: Person | None = None,
    new_person: dict | None = None,
    source_detail: str = "",
    risk_indicators: list[str] | tuple = (),
    victims: list[VictimEntry] | tuple = (),
    no_known_victim: bool = False,
    children_in_household: str = Referral.Children.UNKNOWN,
    children_count: int | None = None,
    children_ages: str = "",
    children_notes: str = "",
    previous_referral: Referral | None = None,
    incident: Incident | None = None,
    submission_token: uuid.UUID | None = None,
) -> ReferralResult:
    """Refer a person (existing, or new from `new_person`) to the unit.

    A partner-agency user's referral is marked as from their agency and the
    person is shared with that agency so they can follow it. If the person
    already has an open referral, the new one is linked to it (status
    "linked") and does not join the triage queue a second time.
    The same submission token twice returns the first referral.
    """
    if submission_token:
        existing = Referral.objects.filter(submission_token=submission_token).first()
        if existing is not None:
            return ReferralResult(existing, created=False, linked_to=existing.linked_to)
    if (person is None) == (new_person is None):
        raise ValidationError({"person": "Choose an existing person or give a new person's name"})
    is_partner = getattr(referred_by, "is_agency_scoped", False)
    if is_partner:
        source = Referral.Source.PARTNER
    if source not in Referral.Source.values:
        raise ValidationError({"source": "Choose where the referral comes from"})
    if source == Referral.Source.OTHER and not source_detail.strip():
        raise ValidationError({"source_detail": "Say where the referral comes from"})
    if source not in SYSTEM_SOURCES:
        missing = referral_missing_information(
            reason=reason,
            concerns=concerns,
            victims=victims,
            no_known_victim=no_known_victim,
            children_in_household=children_in_household,
            children_count=children_count,
        )
        if missing:
            raise ValidationError(missing)
    elif not (reason or "").strip():
        raise ValidationError({"reason": "Enter the reason for the referral"})
    unknown = set(risk_indicators) - set(RiskIndicator.values)
    if unknown:
        raise ValidationError({"risk_indicators": f"Unknown risk indicators: {sorted(unknown)}"})

    try:
        with transaction.atomic():
            if new_person is not None:
                person = person_create_minimal(**new_person)
            # Lock the person so two referrals at once cannot both become the open one.
            person = Person.objects.select_for_update().get(pk=person.pk)
            open_referral = (
                Referral.objects.select_for_update()
                .filter(person=person, status=Referral.Status.OPEN)
                .first()
            )
            referral = Referral.objects.create(
                person=person,
                source=source,
                source_detail=source_detail.strip(),
                referred_by=referred_by,
                referring_agency=getattr(referred_by, "agency", None),
                reason=reason.strip(),
                concerns=(concerns or "").strip(),
                risk_indicators=sorted(set(risk_indicators)),
                no_known_victim=bool(no_known_victim and not victims),
                children_in_household=children_in_household or Referral.Children.UNKNOWN,
                children_count=children_count
                if children_in_household == Referral.Children.YES
                else None,
                children_ages=children_ages.strip()
                if children_in_household == Referral.Children.YES
                else "",
                children_notes=(children_notes or "").strip(),
                status=Referral.Status.LINKED if open_referral else Referral.Status.OPEN,
                linked_to=open_referral,
                previous_referral=previous_referral,
                incident=incident,
                submission_token=submission_token,
            )
            for victim in victims:
                ReferralVictim.objects.create(
                    referral=referral,
                    person=victim.person,
                    name=(victim.name or "").strip(),
                    relationship=victim.relationship or "",
                    notes=(victim.notes or "").strip(),
                )
            if is_partner and referred_by.agency_id:
                PersonShare.objects.get_or_create(
                    person=person,
                    agency_id=referred_by.agency_id,
                    defaults={
                        "shared_by": referred_by,
                        "reason": f"Referred to the High Harm Unit by {referred_by.agency}"[:300],
                    },
                )
    except IntegrityError:
        if submission_token:
            existing = Referral.objects.filter(submission_token=submission_token).first()
            if existing is not None:
                return ReferralResult(existing, created=False, linked_to=existing.linked_to)
        raise
    return ReferralResult(referral, created=True, linked_to=open_referral)


def referral_from_candidate(*, person: Person, referred_by, explanation: str) -> ReferralResult:
    """A referral from the candidate list, with the score's explanation as its reason.

    Victims on the person's records are named on the referral. Pressing the
    button twice does not add a second referral: if the open referral (or one
    linked to it) already came from the candidate list, that one is returned.
    """
    with transaction.atomic():
        open_referral = Referral.objects.filter(person=person, status=Referral.Status.OPEN).first()
        if open_referral is not None:
            if open_referral.source == Referral.Source.CANDIDATE_LIST:
                return ReferralResult(open_referral, created=False)
            linked = open_referral.linked_referrals.filter(
                source=Referral.Source.CANDIDATE_LIST
            ).first()
            if linked is not None:
                return ReferralResult(linked, created=False, linked_to=open_referral)
        victims = [
            VictimEntry(person=link.victim, relationship=link.kind)
            for link in Relationship.objects.filter(perpetrator=person).select_related("victim")
        ]
        return referral_create(
            referred_by=referred_by,
            source=Referral.Source.CANDIDATE_LIST,
            person=person,
            reason=explanation or "Ranked on the candidate list",
            concerns="Identified from the force's records by the candidate list.",
            victims=victims,
            no_known_victim=not victims,
        )


REFERRAL_EDITABLE = (
    "reason",
    "concerns",
    "risk_indicators",
    "no_known_victim",
    "children_in_household",
    "children_count",
    "children_ages",
    "children_notes",
)


def referral_update(*, referral_id: int, expected_version: int, by, **changes) -> Referral:
    """Correct or add to a referral before it is decided; refuses a stale edit."""
    unknown = set(changes) - set(REFERRAL_EDITABLE)
    if unknown:
        raise TypeError(f"Unknown referral fields: {sorted(unknown)}")
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral_id)
        check_version(referral, expected_version, attempted=changes)
        if referral.status not in (Referral.Status.OPEN, Referral.Status.LINKED):
            raise ValidationError(
                "This referral has been decided; record new information as a new referral"
            )
        for name, value in changes.items():
            setattr(referral, name, value)
        if referral.source not in SYSTEM_SOURCES:
            missing = referral_missing_information(
                reason=referral.reason,
                concerns=referral.concerns,
                victims=list(referral.victims.all()),
                no_known_victim=referral.no_known_victim,
                children_in_household=referral.children_in_household,
                children_count=referral.children_count,
            )
            if missing:
                raise ValidationError(missing)
        if referral.children_in_household != Referral.Children.YES:
            referral.children_count = None
            referral.children_ages = ""
        referral.version += 1
        referral.save()
    return referral


def referral_withdraw(*, referral_id: int, expected_version: int, by, reason: str) -> Referral:
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter why the referral is withdrawn"})
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral_id)
        check_version(referral, expected_version, attempted={"status": "withdrawn"})
        if referral.status not in (Referral.Status.OPEN, Referral.Status.LINKED):
            raise ValidationError("Only a referral awaiting triage can be withdrawn")
        was_open = referral.status == Referral.Status.OPEN
        referral.status = Referral.Status.WITHDRAWN
        referral.concerns = f"{referral.concerns}\n\nWithdrawn: {reason.strip()}".strip()
        referral.version += 1
        referral.save()
        if was_open:
            # The earliest referral linked to it takes its place in the queue.
            successor = referral.linked_referrals.filter(status=Referral.Status.LINKED).first()
            if successor is not None:
                successor.status = Referral.Status.OPEN
                successor.linked_to = None
                successor.version += 1
                successor.save()
                referral.linked_referrals.filter(status=Referral.Status.LINKED).update(
                    linked_to=successor
                )
    return referral


# --- Triage meetings -------------------------------------------------------------------------


def meeting_create(
    *, meeting_date: dt.date, chair, created_by, location: str = ""
) -> TriageMeeting:
    with transaction.atomic():
        meeting = TriageMeeting.objects.create(
            meeting_date=meeting_date, chair=chair, location=location.strip(), created_by=created_by
        )
        if chair is not None:
            TriageAttendee.objects.create(
                meeting=meeting,
                user=chair,
                name=chair.display_name,
                agency=chair.agency,
                role="Chair",
            )
    return meeting


def meeting_update(
    *,
    meeting_id: int,
    expected_version: int,
    by,
    meeting_date: dt.date,
    chair,
    location: str = "",
    notes: str = "",
) -> TriageMeeting:
    changes = {"meeting_date": meeting_date, "chair": chair, "location": location, "notes": notes}
    with transaction.atomic():
        meeting = TriageMeeting.objects.select_for_update().get(pk=meeting_id)
        check_version(meeting, expected_version, attempted=changes)
        for name, value in changes.items():
            setattr(meeting, name, value)
        meeting.version += 1
        meeting.save()
    return meeting


def meeting_attendee_add(
    *, meeting: TriageMeeting, name: str, by, agency=None, role: str = "", user=None
) -> TriageAttendee:
    if not (name or "").strip():
        raise ValidationError({"name": "Enter the name of the person present"})
    if meeting.is_closed:
        raise ValidationError("This meeting is closed: attendance can no longer change")
    with transaction.atomic():
        attendee, _ = TriageAttendee.objects.get_or_create(
            meeting=meeting,
            name=name.strip(),
            agency=agency,
            defaults={"role": role.strip(), "user": user},
        )
    return attendee


def meeting_attendee_remove(*, attendee: TriageAttendee, by) -> None:
    if attendee.meeting.is_closed:
        raise ValidationError("This meeting is closed: attendance can no longer change")
    with transaction.atomic():
        attendee.delete()


def meeting_close(*, meeting_id: int, expected_version: int, by) -> TriageMeeting:
    """Close a meeting; referrals still open are carried over to the next."""
    with transaction.atomic():
        meeting = TriageMeeting.objects.select_for_update().get(pk=meeting_id)
        check_version(meeting, expected_version, attempted={"closed_at": timezone.now()})
        if meeting.is_closed:
            return meeting
        meeting.closed_at = timezone.now()
        meeting.closed_by = by
        meeting.version += 1
        meeting.save()
    return meeting


def triage_defer(*, referral: Referral, meeting: TriageMeeting, reason: str, by) -> TriageDeferral:
    """Carry a referral over to the next meeting, saying why (waiting for information...)."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter why the decision is carried over"})
    if referral.status != Referral.Status.OPEN:
        raise ValidationError("Only a referral awaiting a decision can be carried over")
    with transaction.atomic():
        deferral, created = TriageDeferral.objects.get_or_create(
            referral=referral,
            meeting=meeting,
            defaults={"reason": reason.strip(), "deferred_by": by},
        )
        if not created and deferral.reason != reason.strip():
            deferral.reason = reason.strip()
            deferral.save()
    return deferral


def decision_missing_information(
    *,
    outcome: str,
    rationale: str,
    meeting_date: dt.date,
    pathway: str = "",
    pathway_detail: str = "",
    monitor_until: dt.date | None = None,
    revising: bool = False,
    revision_reason: str = "",
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if outcome not in TriageDecision.Outcome.values:
        errors["outcome"] = "Choose a decision"
    if not (rationale or "").strip():
        errors["rationale"] = "Enter the rationale for the decision"
    if outcome == TriageDecision.Outcome.MONITOR:
        if monitor_until is None:
            errors["monitor_until"] = "Enter the date monitoring ends"
        elif monitor_until <= meeting_date:
            errors["monitor_until"] = (
                f"The date monitoring ends must be after the meeting ({meeting_date:%d/%m/%Y})"
            )
    if outcome == TriageDecision.Outcome.OTHER_PATHWAY:
        if pathway not in TriageDecision.Pathway.values:
            errors["pathway"] = "Choose the pathway the person is routed to"
        elif (
            pathway in (TriageDecision.Pathway.OTHER, TriageDecision.Pathway.OTHER_PROGRAMME)
            and not (pathway_detail or "").strip()
        ):
            errors["pathway_detail"] = "Name the pathway or programme"
    if revising and not (revision_reason or "").strip():
        errors["revision_reason"] = "Enter why the earlier decision is being revisited"
    return errors


def triage_decide(
    *,
    referral_id: int,
    meeting: TriageMeeting,
    decided_by,
    submission_token: uuid.UUID,
    expected_version: int,
    outcome: str,
    rationale: str,
    pathway: str = "",
    pathway_detail: str = "",
    monitor_until: dt.date | None = None,
    revision_reason: str = "",
    referral_out_service=None,
) -> DecisionResult:
    """Record a triage decision on a referral, or revisit the current one.

    - The same submission token twice (a double click, a resubmitted page)
      returns the first decision and creates nothing.
    - If the referral changed since the form was loaded (another decision, an
      edit), EditConflict is raised with the referral as it now is.
    - A new decision supersedes the current one, which is kept in the history.
    - "Monitor" starts a monitoring period until the given date; revising a
      monitor decision ends its period.
    - Routing to another pathway may refer the person out to a partner's service.
    """
    attempted = {
        "outcome": outcome,
        "rationale": rationale,
        "pathway": pathway,
        "monitor_until": monitor_until,
    }
    with transaction.atomic():
        referral = Referral.objects.select_for_update().select_related("person").get(pk=referral_id)
        existing = TriageDecision.objects.filter(submission_token=submission_token).first()
        if existing is not None:
            return DecisionResult(existing, created=False)
        current = referral.decisions.filter(is_current=True).first()
        if expected_version is not None and int(expected_version) != referral.version:
            raise EditConflict(
                current=current or referral,
                attempted=attempted if current else {},
                message=(
                    "Someone else recorded a decision on, or changed, this referral while you "
                    "were working on it. Your decision has not been saved."
                ),
            )
        if referral.status not in (Referral.Status.OPEN, Referral.Status.DECIDED):
            raise ValidationError(
                f"This referral is {referral.get_status_display().lower()}: it is not decided "
                "on its own"
            )
        if meeting.is_closed:
            raise ValidationError("This meeting is closed: record the decision at an open meeting")
        present = [a.as_present() for a in meeting.attendees.select_related("agency")]
        if not present:
            raise ValidationError("Record who is present at the meeting before recording decisions")
        errors = decision_missing_information(
            outcome=outcome,
            rationale=rationale,
            meeting_date=meeting.meeting_date,
            pathway=pathway,
            pathway_detail=pathway_detail,
            monitor_until=monitor_until,
            revising=current is not None,
            revision_reason=revision_reason,
        )
        if errors:
            raise ValidationError(errors)
        if outcome != TriageDecision.Outcome.OTHER_PATHWAY:
            pathway, pathway_detail, referral_out_service = "", "", None
        if outcome != TriageDecision.Outcome.MONITOR:
            monitor_until = None
        if current is not None:
            current.is_current = False
            current.save(update_fields=["is_current"])
            for period in current.monitoring_periods.filter(ended_at__isnull=True):
                period.ended_at = timezone.now()
                period.end_reason = "The triage decision to monitor was revisited"
                period.version += 1
                period.save()
        referral_out = None
        if referral_out_service is not None:
            from highharm.partners.services import referral_out_create

            referral_out = referral_out_create(
                person=referral.person,
                service=referral_out_service,
                reason=f"Routed by triage on {meeting.meeting_date:%d/%m/%Y}: {rationale.strip()}",
                by=decided_by,
            )
        decision = TriageDecision.objects.create(
            referral=referral,
            meeting=meeting,
            outcome=outcome,
            pathway=pathway,
            pathway_detail=pathway_detail.strip(),
            monitor_until=monitor_until,
            rationale=rationale.strip(),
            revision_reason=revision_reason.strip() if current else "",
            present=present,
            referral_out=referral_out,
            decided_by=decided_by,
            supersedes=current,
            submission_token=submission_token,
        )
        if outcome == TriageDecision.Outcome.MONITOR:
            monitoring_start(
                person=referral.person,
                reason=f"Triage decision of {meeting.meeting_date:%d/%m/%Y}: {rationale.strip()}",
                until=monitor_until,
                started_by=decided_by,
                kind=MonitoringPeriod.Kind.TRIAGE,
                decision=decision,
            )
        referral.status = Referral.Status.DECIDED
        referral.version += 1
        referral.save()
    return DecisionResult(decision, created=True)


# --- Monitoring ------------------------------------------------------------------------------


def monitoring_start(
    *,
    person: Person,
    reason: str,
    until: dt.date,
    started_by,
    kind: str | None = None,
    decision: TriageDecision | None = None,
    starts_on: dt.date | None = None,
) -> MonitoringPeriod:
    """Watch a person for new incidents until `until`.

    Used by triage ("monitor" decisions) and by case closure (post-exit
    monitoring; kind defaults to post_exit when no decision is given).
    Incidents dated on or after the start, or imported after it, raise alerts.
    """
    starts_on = starts_on or timezone.localdate()
    if until is None or until < starts_on:
        raise ValidationError({"until": "Monitoring must end on or after the day it starts"})
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter why the person is monitored"})
    kind = kind or (MonitoringPeriod.Kind.TRIAGE if decision else MonitoringPeriod.Kind.POST_EXIT)
    with transaction.atomic():
        baseline = Incident.objects.aggregate(m=Max("id"))["m"] or 0
        period = MonitoringPeriod.objects.create(
            person=person,
            kind=kind,
            reason=reason.strip(),
            starts_on=starts_on,
            until=until,
            started_by=started_by,
            decision=decision,
            baseline_incident_id=baseline,
        )
    return period


def monitoring_end(*, period_id: int, expected_version: int | None, by, reason: str):
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter why monitoring ends early"})
    with transaction.atomic():
        period = MonitoringPeriod.objects.select_for_update().get(pk=period_id)
        check_version(period, expected_version, attempted={"end_reason": reason})
        if period.ended_at is None:
            period.ended_at = timezone.now()
            period.end_reason = reason.strip()[:300]
            period.version += 1
            period.save()
    return period


@dataclass
class ScanResult:
    periods: int
    alerts_created: int


def monitoring_scan(
    *, since: dt.datetime | None = None, today: dt.date | None = None
) -> ScanResult:
    """Raise one alert per (monitored person, new incident). Safe to run again and again.

    A monitoring period active today watches incidents where the person is the
    perpetrator and the incident is dated on or after the start of the period,
    or was imported after it began (a late-recorded incident). `since` limits
    the scan to incidents imported or updated since then (the import passes
    the time it started).
    """
    from django.db.models import Exists, OuterRef, Q

    today = today or timezone.localdate()
    active = MonitoringPeriod.objects.filter(
        ended_at__isnull=True, starts_on__lte=today, until__gte=today
    )
    watching = active.filter(person_id=OuterRef("perpetrator_id")).filter(
        Q(starts_on__lte=OuterRef("occurred_on")) | Q(baseline_incident_id__lt=OuterRef("id"))
    )
    already = Alert.objects.filter(person_id=OuterRef("perpetrator_id"), incident_id=OuterRef("id"))
    incidents = Incident.objects.filter(Exists(watching)).filter(~Exists(already))
    if since is not None:
        incidents = incidents.filter(imported_at__gte=since)
    rows = list(incidents.values_list("id", "perpetrator_id", "occurred_on").order_by("id"))
    if not rows:
        return ScanResult(periods=active.count(), alerts_created=0)
    periods: dict[int, list[MonitoringPeriod]] = {}
    for period in active.filter(person_id__in={r[1] for r in rows}).order_by("starts_on"):
        periods.setdefault(period.person_id, []).append(period)
    now = timezone.now()
    alerts = []
    for incident_id, person_id, occurred_on in rows:
        candidates = periods.get(person_id, [])
        period = next(
            (
                p
                for p in candidates
                if p.starts_on <= occurred_on or p.baseline_incident_id < incident_id
            ),
            candidates[0] if candidates else None,
        )
        if period is None:  # pragma: no cover (the query guarantees one)
            continue
        alerts.append(
            Alert(person_id=person_id, incident_id=incident_id, period=period, raised_at=now)
        )
    with transaction.atomic():
        before = Alert.objects.count()
        Alert.objects.bulk_create(alerts, ignore_conflicts=True, batch_size=500)
        created = Alert.objects.count() - before
    return ScanResult(periods=active.count(), alerts_created=created)


def alert_rerefer(*, alert_id: int, by) -> ReferralResult:
    """Re-refer the person for triage, with the new incident as the reason. Idempotent."""
    with transaction.atomic():
        Alert.objects.select_for_update().get(pk=alert_id)  # lock the row only
        alert = Alert.objects.select_related(
            "incident", "incident__offence", "person", "period__decision"
        ).get(pk=alert_id)
        if alert.status == Alert.Status.RE_REFERRED and alert.referral_id:
            return ReferralResult(alert.referral, created=False, linked_to=alert.referral.linked_to)
        if alert.status == Alert.Status.DISMISSED:
            raise ValidationError("This alert was dismissed; it cannot be re-referred")
        incident = alert.incident
        previous = alert.period.decision.referral if alert.period.decision_id else None
        if previous is None:
            previous = (
                Referral.objects.filter(person=alert.person, status=Referral.Status.DECIDED)
                .order_by("-referred_at")
                .first()
            )
        flags = ", ".join(incident.flag_names) or "none"
        result = referral_create(
            referred_by=by,
            source=Referral.Source.MONITORING,
            person=alert.person,
            reason=(
                f"New incident while monitored ({alert.period.get_kind_display().lower()}, until "
                f"{alert.period.until:%d/%m/%Y}): {incident.crime_reference} on "
                f"{incident.occurred_on:%d/%m/%Y}, {incident.offence.name} "
                f"(harm {incident.offence.harm_days:.0f} days; flags: {flags})."
            ),
            concerns="Raised by the monitoring scan after an import of new records.",
            previous_referral=previous,
            incident=incident,
        )
        alert.status = Alert.Status.RE_REFERRED
        alert.referral = result.referral
        alert.closed_by = by
        alert.closed_at = timezone.now()
        alert.version += 1
        alert.save()
    return result


def alert_dismiss(*, alert_id: int, by, reason: str, expected_version: int | None = None) -> Alert:
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter why the alert needs no re-referral"})
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert_id)
        if alert.status == Alert.Status.DISMISSED:
            return alert
        check_version(alert, expected_version, attempted={"dismiss_reason": reason})
        if alert.status != Alert.Status.OPEN:
            raise EditConflict(
                current=alert,
                message="This alert has already been re-referred by someone else.",
            )
        alert.status = Alert.Status.DISMISSED
        alert.dismiss_reason = reason.strip()
        alert.closed_by = by
        alert.closed_at = timezone.now()
        alert.version += 1
        alert.save()
    return alert


def monitoring_after_import(*, since: dt.datetime) -> str:
    """The import's hook (settings.RECORDS_AFTER_IMPORT): alerts for the new incidents of
    people being monitored, and a line for the import's summary."""
    result = monitoring_scan(since=since)
    return (
        f"monitoring: {result.alerts_created:,} new alert(s) for people being monitored "
        f"({result.periods:,} monitoring period(s) active)"
    )
