"""Risk assessments through the API: the instruments, a person's (referral's, case's)
assessments, calculating a result, completing an assessment, and overriding one.

The same selectors, service and capability as the pages (`assessment.complete`:
offender managers, triage leads, panel chairs, supervisors; never a partner
agency). An assessment is never edited: completing one stores it with its facts
from the records as of today, and an override is a new assessment that reviews
the latest one, with the level the officer chose and their written reason.
Every read of a person's assessments, and every calculation, writes the access log.
"""

import datetime as dt
import uuid
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema, Status

from highharm.accounts.permissions import Cap
from highharm.api.auth import requires
from highharm.api.routers.common import LIST, READ, WRITE, BodyId, Id, Text
from highharm.assessment import instruments, selectors, services
from highharm.assessment.models import Assessment
from highharm.audit.services import access_log_record
from highharm.people import selectors as people_selectors
from highharm.people.models import Person

router = Router(tags=["assessments"])

Answer = Literal["yes", "no", "unknown"]


def today() -> dt.date:
    """The assessment date: facts are taken from the records as of today (as on the pages)."""
    return timezone.localdate()


# --- Schemas ---------------------------------------------------------------------------------


class LevelOut(Schema):
    id: str
    label: str
    description: str


class BandOut(Schema):
    min_total: float
    level: str


class ItemBandOut(Schema):
    op: Literal["at_least", "at_most"]
    bound: float
    points: float


class ItemOut(Schema):
    id: str
    number: int
    text: str
    kind: Literal["question", "judgement", "data"]
    type: str
    asked: bool
    section: str
    points: float
    max_points: float
    bands: list[ItemBandOut]
    measures: list[str]
    unit: str
    source: str
    rationale: str
    verified: bool | None = None


class RuleOut(Schema):
    id: str
    text: str
    all_of: list[list[str]]
    at_least: str
    source: str


class JudgementOut(Schema):
    may_raise: bool
    may_lower: bool
    reason_required: bool
    reason_min_chars: int
    source: str


class InstrumentSummaryOut(Schema):
    id: str
    version: str
    name: str
    kind: Literal["checklist", "decision"]
    asked_items: int
    data_items: int


class InstrumentOut(InstrumentSummaryOut):
    description: str
    source: str
    wording_note: str
    sha256: str
    rule: Literal["count_yes", "points"]
    max_total: float
    levels: list[LevelOut]
    bands: list[BandOut]
    bands_source: str
    judgement: JudgementOut
    rules: list[RuleOut]
    items: list[ItemOut]


class ContributionOut(Schema):
    """One item of a result: the answer (or the value from the records) and what it added."""

    id: str
    number: int
    text: str
    kind: str
    answer: str
    answer_text: str
    contribution: float
    detail: str
    source: str


class ResultOut(Schema):
    instrument_id: str
    instrument_version: str
    total: float
    max_total: float
    band_level: str
    recommendation: str
    recommendation_label: str
    rule_hits: list[str]
    counts: dict[str, int]
    summary: str
    facts: dict[str, Any] | None = None
    items: list[ContributionOut]


class AssessmentOut(Schema):
    id: int
    person_reference: str
    instrument_id: str
    instrument_version: str
    instrument_name: str
    referral_id: int | None = None
    previous_id: int | None = None
    assessed_on: dt.date
    completed_at: dt.datetime
    completed_by: str
    total: float
    recommendation: str
    recommendation_label: str
    decision: str
    decision_label: str
    overridden: bool
    override_direction: Literal["", "up", "down"]
    override_reason: str
    summary: str


class AssessmentDetailOut(AssessmentOut):
    max_total: float
    band_level: str
    rule_hits: list[str]
    counts: dict[str, int]
    answers: dict[str, str]
    facts: dict[str, Any]
    notes: str
    items: list[ContributionOut]


class AssessmentCreated(AssessmentDetailOut):
    created: bool


class CalculateIn(Schema):
    person_reference: Text(40)
    instrument: Text(40)
    answers: dict[Text(60), Answer]


class AssessmentIn(CalculateIn):
    """`previous_id`: the latest assessment of this person with this instrument that you have
    seen (null when there is none). If someone else completed one since, 409 and nothing is saved.
    `override_level`: a level id other than the result, with `override_reason` (at least 10
    characters); DASH and S-DASH levels may only be raised."""

    referral_id: BodyId | None = None
    previous_id: BodyId | None = None
    override_level: Text(30) = ""
    override_reason: Text(5000) = ""
    notes: Text(5000) = ""
    submission_token: uuid.UUID | None = None


class OverrideIn(Schema):
    level: Text(30)
    reason: Text(5000)
    submission_token: uuid.UUID | None = None


# --- Conversions -----------------------------------------------------------------------------


def instrument_summary(d: instruments.Definition) -> dict:
    return {
        "id": d.id,
        "version": d.version,
        "name": d.name,
        "kind": d.kind,
        "asked_items": len(d.asked_items),
        "data_items": len(d.data_items),
    }


def instrument_out(d: instruments.Definition) -> dict:
    return {
        **instrument_summary(d),
        "description": d.description.strip(),
        "source": d.source.strip(),
        "wording_note": d.wording_note.strip(),
        "sha256": d.sha256,
        "rule": d.rule,
        "max_total": d.max_total,
        "levels": [{"id": lv.id, "label": lv.label, "description": lv.description}
                   for lv in d.levels],
        "bands": [{"min_total": m, "level": level} for m, level in d.bands],
        "bands_source": d.bands_source.strip(),
        "judgement": {
            "may_raise": d.may_raise,
            "may_lower": d.may_lower,
            "reason_required": d.reason_required,
            "reason_min_chars": services.REASON_MIN_CHARS,
            "source": d.judgement_source.strip(),
        },
        "rules": [
            {"id": r.id, "text": r.text, "all_of": [list(g) for g in r.all_of],
             "at_least": r.at_least, "source": r.source}
            for r in d.rules
        ],
        "items": [
            {
                "id": i.id, "number": i.number, "text": i.text, "kind": i.kind, "type": i.type,
                "asked": i.kind != "data", "section": i.section,
                "points": (1.0 if d.rule == "count_yes" else i.points) if i.kind != "data" else 0,
                "max_points": 1.0 if d.rule == "count_yes" and i.kind != "data" else i.max_points,
                "bands": [{"op": b.op, "bound": b.bound, "points": b.points} for b in i.bands],
                "measures": list(i.measures), "unit": i.unit, "source": i.source,
                "rationale": i.rationale, "verified": i.verified,
            }
            for i in d.items
        ],
    }  # fmt: skip


def contributions(result: dict) -> list[dict]:
    keys = ContributionOut.model_fields
    return [{k: item.get(k, "") for k in keys} for item in result.get("items", [])]


def assessment_out(a: Assessment) -> dict:
    return {
        "id": a.pk,
        "person_reference": a.person.reference,
        "instrument_id": a.instrument_id,
        "instrument_version": a.instrument_version,
        "instrument_name": a.definition.name,
        "referral_id": a.referral_id,
        "previous_id": a.previous_id,
        "assessed_on": a.assessed_on,
        "completed_at": a.completed_at,
        "completed_by": a.completed_by_label,
        "total": a.total,
        "recommendation": a.computed_level,
        "recommendation_label": a.computed_label,
        "decision": a.final_level,
        "decision_label": a.final_label,
        "overridden": a.overridden,
        "override_direction": a.override_direction,
        "override_reason": a.override_reason,
        "summary": a.result.get("summary", ""),
    }


def assessment_detail_out(a: Assessment) -> dict:
    return {
        **assessment_out(a),
        "max_total": a.result.get("max_total", 0),
        "band_level": a.result.get("band_level", ""),
        "rule_hits": a.result.get("rule_hits", []),
        "counts": a.result.get("counts", {}),
        "answers": a.answers,
        "facts": a.facts,
        "notes": a.notes,
        "items": contributions(a.result),
    }


# --- Look-ups --------------------------------------------------------------------------------


def definition_or_404(instrument_id: str) -> instruments.Definition:
    try:
        return selectors.instrument_definition(instrument_id)
    except KeyError:
        raise Http404("No such instrument")


def person_or_404(user, reference: str) -> Person:
    try:
        return people_selectors.person_get(user=user, reference=reference)
    except Person.DoesNotExist:
        raise Http404("No such person, or not yours to see")


def person_for_body(user, reference: str) -> Person:
    try:
        return people_selectors.person_get(user=user, reference=reference.strip())
    except Person.DoesNotExist:
        raise ValidationError(
            {"person_reference": f"No one with the reference {reference.strip()} is on the "
             "records you may see"}
        )  # fmt: skip


def definition_for_body(instrument_id: str) -> instruments.Definition:
    try:
        return selectors.instrument_definition(instrument_id.strip())
    except KeyError:
        names = ", ".join(sorted(selectors.instrument_definitions()))
        raise ValidationError(
            {"instrument": f"There is no instrument {instrument_id.strip()!r} (there are: {names})"}
        )


def log_assessments_view(request, person: Person, **detail) -> None:
    access_log_record(
        request=request,
        action="view_assessments",
        object_type="person",
        object_id=person.reference,
        detail={"api": True, **detail},
    )


def rows_for(request, *, person: Person, referral_id: int | None = None, instrument: str = ""):
    rows = selectors.assessment_list_for_person(user=request.user, person=person)
    if referral_id is not None:
        rows = [a for a in rows if a.referral_id == referral_id]
    if instrument:
        rows = [a for a in rows if a.instrument_id == instrument]
    return [assessment_out(a) for a in rows]


# --- Operations ------------------------------------------------------------------------------


@router.get("/instruments", response={200: list[InstrumentSummaryOut], **LIST})
@requires(Cap.ASSESSMENT_COMPLETE)
def instrument_list(request):
    """The instruments in use, with their versions."""
    return [instrument_summary(d) for d in selectors.instrument_definitions().values()]


@router.get("/instruments/{instrument_id}", response={200: InstrumentOut, **READ})
@requires(Cap.ASSESSMENT_COMPLETE)
def instrument_detail(request, instrument_id: Text(40)):
    """An instrument's whole definition: items (asked, or filled from the records) with their
    points, bands and sources, the levels, the bands, the rules and the judgement rule."""
    return instrument_out(definition_or_404(instrument_id))


@router.get("/people/{reference}", response={200: list[AssessmentOut], **READ})
@requires(Cap.ASSESSMENT_COMPLETE)
def person_assessments(request, reference: Text(40), instrument: Text(40) = ""):
    """A person's assessments, newest first (optionally of one instrument). Logged."""
    person = person_or_404(request.user, reference)
    log_assessments_view(request, person, instrument=instrument)
    return rows_for(request, person=person, instrument=instrument)


@router.get("/referrals/{referral_id}", response={200: list[AssessmentOut], **READ})
@requires(Cap.ASSESSMENT_COMPLETE)
def referral_assessments(request, referral_id: Id):
    """The assessments made for a referral, newest first. Logged."""
    from highharm.referrals import selectors as referral_selectors
    from highharm.referrals.models import Referral

    try:
        referral = referral_selectors.referral_get(user=request.user, referral_id=referral_id)
    except Referral.DoesNotExist:
        raise Http404("No such referral, or not yours to see")
    log_assessments_view(request, referral.person, referral=referral.pk)
    return rows_for(request, person=referral.person, referral_id=referral.pk)


@router.get("/cases/{case_id}", response={200: list[AssessmentOut], **READ})
@requires(Cap.ASSESSMENT_COMPLETE)
def case_assessments(request, case_id: Id):
    """The assessments of a case's person, newest first (a case is one person). Logged."""
    from highharm.cases import selectors as case_selectors
    from highharm.cases.models import Case

    try:
        case = case_selectors.case_get(user=request.user, pk=case_id)
    except Case.DoesNotExist:
        raise Http404("No such case, or not yours to see")
    log_assessments_view(request, case.person, case=case.pk)
    return rows_for(request, person=case.person)


@router.get("/{int:assessment_id}", response={200: AssessmentDetailOut, **READ})
@requires(Cap.ASSESSMENT_COMPLETE)
def assessment_detail(request, assessment_id: Id):
    """One assessment: answers, facts, every item's contribution, any override. Logged."""
    try:
        assessment = selectors.assessment_get(user=request.user, pk=assessment_id)
    except Assessment.DoesNotExist:
        raise Http404("No such assessment, or not yours to see")
    access_log_record(
        request=request,
        action="view_assessment",
        object_type="assessment",
        object_id=assessment.pk,
        detail={"person": assessment.person.reference, "instrument": assessment.instrument_id,
                "api": True},
    )  # fmt: skip
    return assessment_detail_out(assessment)


@router.post("/calculate", response={200: ResultOut, **WRITE})
@requires(Cap.ASSESSMENT_COMPLETE)
def assessment_calculate(request, payload: CalculateIn):
    """The result these answers would give today, with every item's contribution; nothing is
    saved. Logged (it reads the person's records)."""
    person = person_for_body(request.user, payload.person_reference)
    definition = definition_for_body(payload.instrument)
    on = today()
    facts = selectors.person_facts(person=person, as_of=on) if definition.data_items else None
    access_log_record(
        request=request,
        action="assess_person",
        object_type="person",
        object_id=person.reference,
        detail={"instrument": definition.id, "version": definition.version, "api": True,
                "calculate": True},
    )  # fmt: skip
    try:
        result = instruments.score(
            definition, dict(payload.answers), measures=facts.measures if facts else None
        )
    except instruments.InstrumentError as error:
        raise ValidationError({"answers": str(error).split(": ", 1)[-1]})
    data = result.to_dict()
    return {
        "instrument_id": definition.id,
        "instrument_version": definition.version,
        "total": result.total,
        "max_total": result.max_total,
        "band_level": result.band_level,
        "recommendation": result.computed_level,
        "recommendation_label": result.computed_label,
        "rule_hits": result.rule_hits,
        "counts": result.counts,
        "summary": result.summary(),
        "facts": facts.as_json() if facts else None,
        "items": contributions(data),
    }


def _check_level(definition: instruments.Definition, level: str, field: str) -> None:
    ids = [lv.id for lv in definition.levels]
    if level and level not in ids:
        raise ValidationError(
            {field: f"{level!r} is not a level of {definition.name} ({', '.join(ids)})"}
        )


@router.post("/", response={200: AssessmentCreated, 201: AssessmentCreated, **WRITE})
@requires(Cap.ASSESSMENT_COMPLETE)
def assessment_create(request, payload: AssessmentIn):
    """Complete an assessment: the answers in; the facts from the records as of today; the
    score, band, recommendation and every item's contribution out. 201 when stored; 200 with
    the first one when the same `submission_token` is sent again; 409 when someone else
    completed one for this person and instrument after `previous_id`. Logged."""
    user = request.user
    person = person_for_body(user, payload.person_reference)
    definition = definition_for_body(payload.instrument)
    _check_level(definition, payload.override_level.strip(), "override_level")
    referral = None
    if payload.referral_id is not None:
        from highharm.referrals import selectors as referral_selectors
        from highharm.referrals.models import Referral

        try:
            referral = referral_selectors.referral_get(user=user, referral_id=payload.referral_id)
        except Referral.DoesNotExist:
            raise ValidationError({"referral_id": "No such referral, or not yours to see"})
    access_log_record(
        request=request,
        action="assess_person",
        object_type="person",
        object_id=person.reference,
        detail={"instrument": definition.id, "version": definition.version, "api": True},
    )
    try:
        saved = services.assessment_complete(
            person=person,
            instrument_id=definition.id,
            answers=dict(payload.answers),
            completed_by=user,
            submission_token=payload.submission_token or uuid.uuid4(),
            expected_previous_id=payload.previous_id,
            assessed_on=today(),
            referral=referral,
            override_level=payload.override_level,
            override_reason=payload.override_reason,
            notes=payload.notes,
        )
    except ValidationError as error:
        if hasattr(error, "error_dict") and "referral" in error.error_dict:
            raise ValidationError({"referral_id": error.message_dict["referral"]})
        raise
    if saved.assessment.person_id != person.pk:  # a token reused for someone else
        raise ValidationError({"submission_token": "This token was used for another assessment"})
    body = {**assessment_detail_out(saved.assessment), "created": saved.created}
    return Status(201 if saved.created else 200, body)


@router.post(
    "/{int:assessment_id}/override",
    response={200: AssessmentCreated, 201: AssessmentCreated, **WRITE},
)
@requires(Cap.ASSESSMENT_COMPLETE)
def assessment_override(request, assessment_id: Id, payload: OverrideIn):
    """Depart from an assessment's result, with a written reason: a new assessment that
    reviews this one, with the same answers, the facts as of today, and the level you chose.
    Only the latest assessment of its person and instrument may be overridden (409 otherwise).
    The level must differ from the result (422); DASH and S-DASH levels may only be raised."""
    user = request.user
    try:
        base = selectors.assessment_get(user=user, pk=assessment_id)
    except Assessment.DoesNotExist:
        raise Http404("No such assessment, or not yours to see")
    definition = definition_for_body(base.instrument_id)
    level = payload.level.strip()
    _check_level(definition, level, "level")
    on = today()
    facts = selectors.person_facts(person=base.person, as_of=on) if definition.data_items else None
    try:
        result = instruments.score(
            definition, base.answers, measures=facts.measures if facts else None
        )
    except instruments.InstrumentError as error:  # the answers no longer fit the definition
        raise ValidationError({"__all__": str(error)})
    if level == result.computed_level:
        raise ValidationError(
            {"level": f"{definition.level_label(level)} is the tool's own result: choose another "
             "level to override it"}
        )  # fmt: skip
    access_log_record(
        request=request,
        action="assess_person",
        object_type="person",
        object_id=base.person.reference,
        detail={"instrument": definition.id, "version": definition.version, "api": True,
                "override_of": base.pk},
    )  # fmt: skip
    try:
        saved = services.assessment_complete(
            person=base.person,
            instrument_id=definition.id,
            answers=dict(base.answers),
            completed_by=user,
            submission_token=payload.submission_token or uuid.uuid4(),
            expected_previous_id=base.pk,
            assessed_on=on,
            referral=base.referral,
            override_level=level,
            override_reason=payload.reason,
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            renamed = {"override_level": "level", "override_reason": "reason"}
            raise ValidationError({renamed.get(k, k): v for k, v in error.message_dict.items()})
        raise
    body = {**assessment_detail_out(saved.assessment), "created": saved.created}
    return Status(201 if saved.created else 200, body)
