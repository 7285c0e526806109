"""Every write of the assessment app: completing an assessment, in one transaction.

An assessment is never edited: a review is a new one. Two safeguards:

- the same submission token twice (a double click, a resubmitted page) returns the
  first assessment and creates nothing;
- the form says which assessment of this person and instrument was the latest when it
  was loaded (``expected_previous_id``); if another officer completed one since, the
  second gets EditConflict (referrals.locking) with the saved one, and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from highharm.assessment import instruments, selectors
from highharm.assessment.models import Assessment, InstrumentVersion
from highharm.people.models import Person
from highharm.referrals.locking import EditConflict

REASON_MIN_CHARS = 10


@dataclass
class AssessmentResult:
    assessment: Assessment
    created: bool


def instrument_version_record(definition: instruments.Definition) -> InstrumentVersion:
    """The stored copy of this exact definition text, created on first use."""
    record = InstrumentVersion.objects.filter(sha256=definition.sha256).first()
    if record is not None:
        return record
    try:
        with transaction.atomic():
            return InstrumentVersion.objects.create(
                instrument_id=definition.id,
                version=definition.version,
                sha256=definition.sha256,
                name=definition.name,
                text=definition.text,
            )
    except IntegrityError:  # created by a concurrent request
        return InstrumentVersion.objects.get(sha256=definition.sha256)


def assessment_complete(
    *,
    person: Person,
    instrument_id: str,
    answers: dict[str, str],
    completed_by,
    submission_token: uuid.UUID,
    expected_previous_id: int | None,
    assessed_on: dt.date | None = None,
    referral=None,
    override_level: str = "",
    override_reason: str = "",
    notes: str = "",
) -> AssessmentResult:
    """Score and store an assessment.

    The facts are taken from the records as of ``assessed_on`` (default today) here,
    not from the form, so what is stored is what the records said. ``override_level``
    (a level id, or "" to accept the result) needs ``override_reason``; the instrument's
    rule decides whether it may lower the result (never for DASH).
    Raises ValidationError (keyed by field) or EditConflict.
    """
    override_level = (override_level or "").strip()
    override_reason = (override_reason or "").strip()
    try:
        definition = selectors.instrument_definition(instrument_id)
    except KeyError:
        raise ValidationError({"instrument": f"There is no instrument {instrument_id!r}"})
    if referral is not None and referral.person_id != person.pk:
        raise ValidationError({"referral": "The referral is about someone else"})
    assessed_on = assessed_on or timezone.localdate()

    with transaction.atomic():
        # Lock the person: assessments of one person are completed one at a time.
        Person.objects.select_for_update().filter(pk=person.pk).first()
        existing = Assessment.objects.filter(submission_token=submission_token).first()
        if existing is not None:
            return AssessmentResult(existing, created=False)
        latest = selectors.assessment_latest(person=person, instrument_id=instrument_id)
        latest_id = latest.pk if latest is not None else None
        if (expected_previous_id or None) != latest_id:
            if latest is None:
                raise ValidationError(
                    {"instrument": "The assessment this one reviews no longer exists: start again"}
                )
            raise EditConflict(
                current=latest,
                message=(
                    f"Someone else completed a {definition.name} for this person while you were "
                    "working on yours. Yours has not been saved."
                ),
            )
        facts = (
            selectors.person_facts(person=person, as_of=assessed_on)
            if definition.data_items
            else None
        )
        try:
            result = instruments.score(
                definition,
                answers,
                measures=facts.measures if facts else None,
                judgement=override_level or None,
            )
        except instruments.InstrumentError as error:
            key = "override_level" if override_level and "judgement" in str(error) else "answers"
            raise ValidationError({key: str(error).split(": ", 1)[-1]})
        direction = result.judgement_direction
        if direction and definition.reason_required and len(override_reason) < REASON_MIN_CHARS:
            raise ValidationError(
                {
                    "override_reason": "Write why you depart from the "
                    + ("recommendation" if definition.kind == "decision" else "level")
                    + f" (at least {REASON_MIN_CHARS} characters)"
                }
            )
        if not direction:
            override_reason = ""
        stored = result.to_dict() | {"summary": result.summary()}
        assessment = Assessment.objects.create(
            person=person,
            referral=referral,
            definition=instrument_version_record(definition),
            instrument_id=definition.id,
            instrument_version=definition.version,
            assessed_on=assessed_on,
            facts=facts.as_json() if facts else {},
            answers=dict(answers),
            result=stored,
            total=result.total,
            computed_level=result.computed_level,
            final_level=result.final_level,
            override_direction=direction,
            override_reason=override_reason,
            notes=(notes or "").strip(),
            completed_by=completed_by,
            completed_by_label=_label(completed_by),
            previous=latest,
            submission_token=submission_token,
        )
    return AssessmentResult(assessment, created=True)


def _label(user) -> str:
    if user is None:
        return ""
    return (getattr(user, "display_name", "") or user.get_username())[:150]
