"""Pages of the assessment app: the validation workbench, assessments, overrides, backtesting.

The workbench reads an uploaded file once, in memory (or Django's temporary
upload file, deleted at the end of the request), and keeps nothing: only the
access log records who validated what (file name, size, SHA-256, columns).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from highharm.accounts.decorators import capability_required
from highharm.accounts.permissions import Cap, user_can
from highharm.assessment import backtest as backtesting
from highharm.assessment import instruments, selectors, services, validation
from highharm.assessment.charts import calibration_chart, roc_chart, roc_comparison_chart
from highharm.assessment.forms import (
    AGREE,
    AssessmentForm,
    BacktestForm,
    WorkbenchForm,
    item_field_name,
    max_upload_bytes,
)
from highharm.assessment.models import Assessment
from highharm.audit.services import access_log_record
from highharm.people import selectors as people_selectors
from highharm.people.models import Person
from highharm.referrals.forms import DATE_FORMATS, new_token
from highharm.referrals.locking import EditConflict

# Room for the form fields and multipart boundaries around the file itself.
FORM_OVERHEAD_BYTES = 64 * 1024


@capability_required(Cap.ASSESSMENT_VALIDATE)
@csrf_exempt  # checked by _workbench below, once the size is known to be acceptable
def workbench(request):
    """Refuse an oversize upload before reading its body, then check CSRF as usual.

    The CSRF middleware would read the whole request body to find the token;
    looking at Content-Length first means a huge upload is never read or stored.
    """
    limit = max_upload_bytes()
    if request.method == "POST" and _content_length(request) > limit + FORM_OVERHEAD_BYTES:
        form = WorkbenchForm()
        size = _content_length(request) / (1024 * 1024)
        message = (
            f"The upload is {size:.0f} MB; the largest file the workbench reads is "
            f"{limit / (1024 * 1024):.0f} MB."
        )
        return render(
            request,
            "assessment/workbench.html",
            {"form": form, "too_large": message},
            status=413,
        )
    return _workbench(request)


@csrf_protect
def _workbench(request):
    context: dict = {}
    if request.method != "POST":
        context["form"] = WorkbenchForm()
        return render(request, "assessment/workbench.html", context)

    form = WorkbenchForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, "assessment/workbench.html", context)

    options = form.cleaned_data
    upload = options["data"]
    content = b"".join(upload.chunks())
    try:
        data = validation.read_table(
            content,
            score=options["score"],
            outcome=options["outcome"],
            group=options["group"] or None,
            source_name=upload.name,
        )
        report = validation.validate(
            data,
            threshold=options["threshold"],
            bands=options["bands"],
            band_method=options["band_method"],
            bootstrap=options["bootstrap"],
            seed=options["seed"],
        )
    except validation.ValidationInputError as error:
        form.add_input_problems(error.problems)
        return render(request, "assessment/workbench.html", context)

    digest = hashlib.sha256(content).hexdigest()
    access_log_record(
        request=request,
        action="validate",
        object_type="dataset",
        object_id=digest,
        detail={
            "file": upload.name[:200],
            "bytes": len(content),
            "sha256": digest,
            "score": options["score"],
            "outcome": options["outcome"],
            "group": options["group"],
            "threshold": report["threshold"],
            "rows": report["rows_read"],
            "n": report["n"],
        },
    )
    context.update(
        {
            "report": report,
            "file_name": upload.name,
            "sha256": digest,
            "threshold_text": f"{report['threshold']:g}",
            "summary": _summary(report),
            "group_rows": _group_rows(report),
            "gaps": _gaps(report),
            "roc_chart": roc_chart(report) if report["roc"] else "",
            "calibration_chart": calibration_chart(report),
        }
    )
    return render(request, "assessment/workbench.html", context)


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


# ---- presentation: numbers as the page shows them ------------------------------------


def _fixed(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _summary(report: dict) -> list[dict]:
    """Rows of the headline summary list; an undefined figure shows why."""
    undefined = report["undefined"]

    def row(key: str, label: str, value: str, hint: str = "") -> dict:
        return {"label": label, "value": value, "hint": undefined.get(key, hint)}

    ci = report["auc_ci"]
    auc_text = _fixed(report["auc"])
    if ci:
        auc_text += f" (95% CI {_fixed(ci[0])} to {_fixed(ci[1])})"
    c = report["confusion"]
    return [
        row("n", "People (rows used)", f"{report['n']:,}"),
        row(
            "base_rate",
            "Base rate",
            f"{_percent(report['base_rate'])} ({report['positives']:,} with outcome 1)",
        ),  # fmt: skip
        row("auc", "AUC", auc_text, report["auc_ci_method"] if ci else ""),
        row(
            "threshold",
            "Threshold",
            f"score ≥ {report['threshold']:g}",
            f"{report['threshold_rule']}; {_percent(report['predicted_positive_rate'])} "
            "of people predicted positive",
        ),  # fmt: skip
        row("accuracy", "Accuracy", _fixed(report["accuracy"])),
        row(
            "fpr",
            "False positive rate",
            _fixed(report["fpr"]),
            "share of people with outcome 0 who were flagged",
        ),  # fmt: skip
        row(
            "fnr",
            "False negative rate",
            _fixed(report["fnr"]),
            "share of people with outcome 1 who were missed",
        ),  # fmt: skip
        row(
            "ppv",
            "Positive predictive value",
            _fixed(report["ppv"]),
            "share of flagged people who had outcome 1",
        ),  # fmt: skip
        row(
            "confusion",
            "Counts",
            f"TP {c['tp']:,} · FP {c['fp']:,} · TN {c['tn']:,} · FN {c['fn']:,}",
        ),  # fmt: skip
    ]


def _group_rows(report: dict) -> list[dict]:
    """One row per group, with the highest and lowest FPR, FNR and PPV marked."""
    disparities = report.get("disparities", {})
    rows = []
    for label, f in report["groups"].items():
        cells = {}
        for key in ("fpr", "fnr", "ppv"):
            d = disparities.get(key, {})
            cells[key] = {
                "text": _fixed(f[key]),
                "why": f["undefined"].get(key, ""),
                "highest": d.get("gap") and d.get("highest") == label,
                "lowest": d.get("gap") and d.get("lowest") == label,
            }
        auc_text = _fixed(f["auc"])
        if f["auc_ci"]:
            auc_text += f" ({_fixed(f['auc_ci'][0])}–{_fixed(f['auc_ci'][1])})"
        rows.append(
            {
                "label": label,
                "n": f"{f['n']:,}",
                "base_rate": _percent(f["base_rate"]),
                "auc": auc_text,
                "auc_why": f["undefined"].get("auc", ""),
                "cells": [cells["fpr"], cells["fnr"], cells["ppv"]],
                "small": f["small"],
            }
        )
    return rows


def _gaps(report: dict) -> list[dict]:
    names = {"fpr": "False positive rate", "fnr": "False negative rate",
             "ppv": "Positive predictive value", "auc": "AUC"}  # fmt: skip
    gaps = []
    for key, name in names.items():
        d = report.get("disparities", {}).get(key)
        if not d:
            continue
        if d["gap"] is None:
            gaps.append({"name": name, "text": "–", "detail": d["reason"]})
            continue
        hi = report["groups"][d["highest"]][key]
        lo = report["groups"][d["lowest"]][key]
        detail = f"{d['highest']} {_fixed(hi)} against {d['lowest']} {_fixed(lo)}"
        if d.get("ratio"):
            detail += f" ({d['ratio']:.2f} times)"
        gaps.append({"name": name, "text": _fixed(d["gap"]), "detail": detail})
    return gaps


# ======================================================================================
# Assessments: DASH, S-DASH and the HHU tool, completed in the browser
# ======================================================================================


def _person_or_404(user, reference: str) -> Person:
    try:
        return people_selectors.person_get(user=user, reference=reference)
    except Person.DoesNotExist:
        raise Http404("No such person, or not shared with you")


def _level_tag(definition, level_id: str) -> str:
    """A GOV.UK tag colour for a level: the highest red, the lowest grey."""
    try:
        rank = definition.level_rank(level_id)
    except instruments.InstrumentError:
        return "govuk-tag--grey"
    top = len(definition.levels) - 1
    if rank == top:
        return "govuk-tag--red"
    if rank == 0:
        return "govuk-tag--grey"
    return "govuk-tag--orange" if rank == top - 1 else "govuk-tag--yellow"


@capability_required(Cap.ASSESSMENT_COMPLETE)
def person_assessments(request, reference: str):
    """A person's assessments (newest first) and the instruments to start one with."""
    person = _person_or_404(request.user, reference)
    access_log_record(
        request=request, action="view_assessments", object_type="person", object_id=person.reference
    )
    definitions = selectors.instrument_definitions()
    rows = [
        {"assessment": a, "tag": _level_tag(definitions.get(a.instrument_id), a.final_level)
         if a.instrument_id in definitions else "govuk-tag--grey"}
        for a in selectors.assessment_list_for_person(user=request.user, person=person)
    ]  # fmt: skip
    return render(
        request,
        "assessment/person_assessments.html",
        {
            "person": person,
            "display_name": people_selectors.person_display_name(user=request.user, person=person),
            "rows": rows,
            "definitions": list(definitions.values()),
            "referral_id": request.GET.get("referral", ""),
        },
    )


def _referral_for(person: Person, raw) -> object | None:
    from highharm.referrals.models import Referral

    try:
        referral_id = int(raw)
    except (TypeError, ValueError):
        return None
    return Referral.objects.filter(pk=referral_id, person=person).first()


def _fact_rows(definition, facts) -> list[dict]:
    """The data items as the form shows them: value from the records and its points."""
    rows = []
    for item in definition.data_items:
        value = instruments.measure_value(item, facts.measures if facts else None)
        points, why = instruments.data_contribution(item, value)
        if value is None:
            shown = "None recorded"
        elif item.type == "flag":
            shown = "Yes" if value else "No"
        else:
            shown = f"{instruments._num(value)} {item.unit}".strip()
        rows.append({"item": item, "value": shown, "points": instruments._num(points), "why": why})
    return rows


def _hints(definition, facts) -> dict[str, str]:
    """For questions the records can inform (DASH, S-DASH): what the records show, as a hint."""
    measures = facts.measures if facts else None
    hints = {}
    for item in definition.asked_items:
        shown = []
        for m in item.hint_measures:
            value = (measures or {}).get(m)
            if value in (None, False, 0, 0.0):
                continue
            label = instruments.MEASURES[m]
            shown.append(label if value is True else f"{label}: {instruments._num(value)}")
        if shown:
            hints[item.id] = "The records show " + "; ".join(shown) + "."
    return hints


@capability_required(Cap.ASSESSMENT_COMPLETE)
def assessment_new(request, reference: str, instrument: str):
    """Complete an assessment: facts pre-filled from the records, only judgement asked.

    "Calculate" shows the result with every item's contribution; "Save" stores it, with
    an override only if the officer chose another level and wrote why.
    """
    person = _person_or_404(request.user, reference)
    try:
        definition = selectors.instrument_definition(instrument)
    except KeyError:
        raise Http404("No such instrument")
    today = timezone.localdate()
    facts = selectors.person_facts(person=person, as_of=today) if definition.data_items else None
    latest = selectors.assessment_latest(person=person, instrument_id=definition.id)
    referral = _referral_for(person, request.POST.get("referral") or request.GET.get("referral"))
    access_log_record(
        request=request,
        action="assess_person",
        object_type="person",
        object_id=person.reference,
        detail={"instrument": definition.id, "version": definition.version},
    )
    context = {
        "person": person,
        "display_name": people_selectors.person_display_name(user=request.user, person=person),
        "definition": definition,
        "facts": facts,
        "fact_rows": _fact_rows(definition, facts),
        "latest": latest,
        "referral": referral,
        "today": today,
    }
    result = None
    if request.method == "POST":
        probe = AssessmentForm(request.POST, definition=definition)
        probe.is_valid()
        answers_given = all(
            item_field_name(i.id) in probe.cleaned_data for i in definition.asked_items
        )
        computed = ""
        if answers_given:
            result = instruments.score(
                definition, probe.answers(), measures=facts.measures if facts else None
            )
            computed = result.computed_level
        post = request.POST.copy()
        post.setdefault("override_level", AGREE)  # until the officer chooses, they agree
        form = AssessmentForm(
            post,
            definition=definition,
            computed_level=computed,
            levels=_override_levels(definition, computed),
        )
        if form.is_valid() and request.POST.get("action") == "save":
            data = form.cleaned_data
            try:
                saved = services.assessment_complete(
                    person=person,
                    instrument_id=definition.id,
                    answers=form.answers(),
                    completed_by=request.user,
                    submission_token=data["submission_token"],
                    expected_previous_id=data.get("previous_id"),
                    assessed_on=today,
                    referral=referral,
                    override_level=data.get("override_level") or "",
                    override_reason=data.get("override_reason") or "",
                    notes=data.get("notes") or "",
                )
            except EditConflict as conflict:
                context.update(
                    {
                        "conflict": conflict,
                        "conflict_by": conflict.changed_by,
                        "conflict_at": conflict.changed_at,
                        "conflict_assessment": conflict.current,
                    }
                )
                form = _fresh_form(definition, computed, post, person)
            except ValidationError as error:
                form.add_service_errors(error, {"answers": None})
            else:
                if saved.created:
                    messages.success(
                        request, f"{definition.name} saved: {saved.assessment.final_label}."
                    )
                return redirect("assessment:detail", pk=saved.assessment.pk)
    else:
        initial = {
            "submission_token": new_token(),
            "previous_id": latest.pk if latest else None,
            "referral": referral.pk if referral else None,
        }
        if latest is not None:  # a review starts from the last answers
            initial.update(
                {item_field_name(k): v for k, v in latest.answers.items()
                 if item_field_name(k) in {item_field_name(i.id) for i in definition.asked_items}}
            )  # fmt: skip
        form = AssessmentForm(initial=initial, definition=definition)
    context.update(_form_context(form, definition, facts, result))
    return render(request, "assessment/assessment_form.html", context)


def _override_levels(definition, computed: str):
    """Levels an override may choose: any other level, or only higher ones where judgement
    may never lower (DASH, S-DASH)."""
    if not computed:
        return definition.levels
    rank = definition.level_rank(computed)
    return [
        lv
        for n, lv in enumerate(definition.levels)
        if (n > rank and definition.may_raise) or (n < rank and definition.may_lower)
    ]


def _fresh_form(definition, computed, post, person):
    """After a conflict: the officer's answers kept, a new token, based on the saved latest."""
    data = post.copy()
    data["submission_token"] = new_token()
    current = selectors.assessment_latest(person=person, instrument_id=definition.id)
    data["previous_id"] = str(current.pk) if current else ""
    form = AssessmentForm(
        data,
        definition=definition,
        computed_level=computed,
        levels=_override_levels(definition, computed),
    )
    form.is_valid()
    return form


def _form_context(form, definition, facts, result) -> dict:
    hints = _hints(definition, facts)
    sections: list[dict] = []
    for item in definition.asked_items:
        name = item_field_name(item.id)
        if not sections or sections[-1]["title"] != item.section:
            sections.append({"title": item.section, "rows": []})
        sections[-1]["rows"].append(
            {"item": item, "field": form[name], "radios": form.radios[name],
             "hint": hints.get(item.id, "")}
        )  # fmt: skip
    return {
        "form": form,
        "sections": sections,
        "result": result,
        "result_rows": _result_rows(result.to_dict()) if result else [],
        "result_tag": _level_tag(definition, result.computed_level) if result else "",
        "summary": result.summary() if result else "",
    }


def _result_rows(result: dict) -> list[dict]:
    """Every item with its answer and contribution, the scoring ones first."""
    rows = [
        {
            "number": r["number"],
            "text": r.get("label") or r["text"],
            "kind": r["kind"],
            "answer": r["answer_text"],
            "contribution": instruments._num(r["contribution"]),
            "scored": r["contribution"] > 0,
            "detail": r["detail"],
            "source": r["source"],
        }
        for r in result["items"]
    ]
    return sorted(rows, key=lambda r: (not r["scored"], r["number"]))


@capability_required(Cap.ASSESSMENT_COMPLETE)
def assessment_detail(request, pk: int):
    try:
        assessment = selectors.assessment_get(user=request.user, pk=pk)
    except Assessment.DoesNotExist:
        raise Http404("No such assessment")
    access_log_record(
        request=request,
        action="view_assessment",
        object_type="assessment",
        object_id=assessment.pk,
        detail={"person": assessment.person.reference, "instrument": assessment.instrument_id},
    )
    definition = instruments.parse_definition(
        assessment.definition.text,
        source=f"{assessment.instrument_id} {assessment.instrument_version}",
    )
    history = selectors.assessment_list_for_person(user=request.user, person=assessment.person)
    return render(
        request,
        "assessment/assessment_detail.html",
        {
            "assessment": assessment,
            "definition": definition,
            "display_name": people_selectors.person_display_name(
                user=request.user, person=assessment.person
            ),
            "result_rows": _result_rows(assessment.result),
            "computed_tag": _level_tag(definition, assessment.computed_level),
            "final_tag": _level_tag(definition, assessment.final_level),
            "history": [a for a in history if a.instrument_id == assessment.instrument_id],
            "facts": assessment.facts,
        },
    )


@capability_required(Cap.DASHBOARD_SUPERVISOR)
def override_report(request):
    """Overrides of the tools' results, counted by instrument, officer and direction."""
    since = None
    raw = request.GET.get("since", "").strip()
    if raw:
        for fmt in DATE_FORMATS:
            try:
                since = dt.datetime.strptime(raw, fmt).date()
                break
            except ValueError:
                continue
    report = selectors.override_report(since=since)
    definitions = selectors.instrument_definitions()

    def label(instrument_id, level):
        d = definitions.get(instrument_id)
        try:
            return d.level_label(level) if d else level
        except instruments.InstrumentError:
            return level

    for row in report["by_direction"]:
        row["from_label"] = label(row["instrument_id"], row["computed_level"])
        row["to_label"] = label(row["instrument_id"], row["final_level"])
        row["name"] = (
            definitions[row["instrument_id"]].name
            if row["instrument_id"] in definitions
            else row["instrument_id"]
        )
    access_log_record(
        request=request,
        action="view_override_report",
        object_type="assessment",
        detail={"since": raw, "overrides": report["totals"]["overrides"]},
    )
    return render(
        request,
        "assessment/overrides.html",
        {
            "report": report,
            "since_text": raw,
            "show_identity": user_can(request.user, Cap.PERSON_VIEW_IDENTITY),
        },
    )


@capability_required(Cap.ASSESSMENT_VALIDATE)
def backtest_page(request):
    """The backtest on the database's records: every score side by side."""
    context: dict = {}
    if request.GET.get("as_of"):
        form = BacktestForm(request.GET)
        if form.is_valid():
            options = form.cleaned_data
            config = _scoring_config()
            try:
                frame = selectors.backtest_incidents(
                    as_of=options["as_of"], outcome_days=options["outcome_days"], config=config
                )
                result = backtesting.backtest(
                    frame,
                    as_of=options["as_of"],
                    config=config,
                    hhu=selectors.instrument_definition("hhu"),
                    outcome_days=options["outcome_days"],
                    harm_threshold=options["harm_threshold"],
                    flag_share=options["flag_share"] / 100,
                    bootstrap=options["bootstrap"],
                    fit_model=bool(options["fit_model"]),
                )
            except (backtesting.BacktestError, validation.ValidationInputError) as error:
                form.add_error(None, str(error))
            else:
                access_log_record(
                    request=request,
                    action="backtest",
                    object_type="dataset",
                    object_id="database",
                    detail={k: str(v) for k, v in options.items()} | {"n": result["n"]},
                )
                context.update(
                    {
                        "result": result,
                        "rows": _backtest_rows(result),
                        "roc_chart": roc_comparison_chart(result["reports"]),
                        "future": result["outcome_end"] > timezone.localdate().isoformat(),
                    }
                )
    else:
        form = BacktestForm(
            initial={"as_of": (timezone.localdate() - dt.timedelta(days=365)).strftime("%d/%m/%Y")}
        )
    context["form"] = form
    return render(request, "assessment/backtest.html", context)


def _scoring_config():
    from highharm.scoring import selectors as scoring_selectors

    return scoring_selectors.scoring_config()


def _backtest_rows(result: dict) -> list[dict]:
    rows = []
    for row in backtesting.comparison_rows(result):
        ci = row["auc_ci"]
        rows.append(
            row
            | {
                "auc_text": _fixed(row["auc"]),
                "ci_text": f"{_fixed(ci[0])} to {_fixed(ci[1])}" if ci else "–",
                "fpr_text": _fixed(row["fpr"]),
                "fnr_text": _fixed(row["fnr"]),
                "ppv_text": _fixed(row["ppv"]),
                "threshold_text": f"{row['threshold']:.3g}",
            }
        )
    return rows


def person_section(*, request, person) -> dict | None:
    """The person page's "Risk assessments" section (settings.PERSON_PAGE_SECTIONS)."""
    if not user_can(request.user, Cap.ASSESSMENT_COMPLETE):
        return None
    assessments = selectors.assessment_list_for_person(user=request.user, person=person)
    latest_by_instrument: dict[str, Assessment] = {}
    for a in assessments:
        latest_by_instrument.setdefault(a.instrument_id, a)
    return {
        "title": "Risk assessments",
        "template": "assessment/_person_section.html",
        "context": {
            "person": person,
            "latest": list(latest_by_instrument.values()),
            "count": len(assessments),
            "definitions": list(selectors.instrument_definitions().values()),
        },
    }


def home_section(*, request) -> dict | None:
    """Links to the risk tools' pages on the home page (settings.HOME_SECTIONS), by role."""
    links = []
    if user_can(request.user, Cap.ASSESSMENT_VALIDATE):
        links += [
            ("assessment:backtest", "Backtest the risk scores",
             "Score everyone as of a past date and see who went on to cause harm."),
            ("assessment:workbench", "Validation workbench",
             "Test any risk score against an outcome, overall and by group."),
        ]  # fmt: skip
    if user_can(request.user, Cap.DASHBOARD_SUPERVISOR):
        links.append(
            ("assessment:overrides", "Overrides of the risk tools",
             "Every departure from a tool's result, by instrument, officer and direction.")
        )  # fmt: skip
    if not links:
        return None
    return {
        "template": "assessment/_home_section.html",
        "context": {"links": [{"url": name, "title": t, "text": x} for name, t, x in links]},
    }
