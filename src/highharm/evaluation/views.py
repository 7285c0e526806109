"""Evaluation pages: the report (with the form to run one), its PDF and CSV downloads."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from highharm.accounts.decorators import capability_required
from highharm.accounts.permissions import Cap, user_can
from highharm.audit.services import access_log_record
from highharm.evaluation import reports, selectors, services
from highharm.evaluation.forms import EvaluationForm
from highharm.evaluation.models import EvaluationRun
from highharm.evaluation.readers import EvaluationInputError


def _run_or_404(request, pk) -> EvaluationRun:
    try:
        return selectors.evaluation_run_get(user=request.user, pk=int(pk))
    except (EvaluationRun.DoesNotExist, ValueError, TypeError):
        raise Http404("No such evaluation")


def _show_identity(request) -> bool:
    return user_can(request.user, Cap.PERSON_VIEW_IDENTITY)


@capability_required(Cap.EVALUATION_VIEW)
def report(request):
    """The latest (or chosen) evaluation report, and the form to run a new one."""
    form = EvaluationForm()
    if request.method == "POST":
        form = EvaluationForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                run = services.evaluation_run_create(
                    user=request.user,
                    request=request,
                    title=data["title"],
                    cohort=form.cohort,
                    cohort_source=form.cohort_source,
                    comparison=form.comparison,
                    comparison_source=form.comparison_source,
                    before_days=data["before_days"],
                    after_days=data["after_days"],
                    as_of=data["as_of"],
                )
            except EvaluationInputError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect(reverse("evaluation:report") + f"?run={run.pk}")
    run = None
    if request.GET.get("run"):
        run = _run_or_404(request, request.GET["run"])
    elif request.method != "POST":
        run = selectors.evaluation_run_latest(user=request.user)
    context = {"form": form, "run": run, "runs": selectors.evaluation_run_list(user=request.user)}
    if run is not None:
        access_log_record(
            request=request,
            action="view_evaluation",
            object_type="evaluation",
            object_id=str(run.pk),
            detail={"people": len(run.result["people"])},
        )
        context |= reports.report_context(
            run.result, show_identity=_show_identity(request), title=run.title, run=run
        )
    return render(request, "evaluation/report.html", context)


def _download(request, pk, kind: str):
    run = _run_or_404(request, pk)
    access_log_record(
        request=request,
        action="download_evaluation",
        object_type="evaluation",
        object_id=str(run.pk),
        detail={"format": kind, "people": len(run.result["people"])},
    )
    return run


@capability_required(Cap.EVALUATION_VIEW)
def report_pdf(request, pk: int):
    run = _download(request, pk, "pdf")
    pdf = reports.render_pdf(
        run.result, show_identity=_show_identity(request), title=run.title, run=run
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="evaluation-{run.pk}.pdf"'
    return response


def _csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@capability_required(Cap.EVALUATION_VIEW)
def people_csv(request, pk: int):
    run = _download(request, pk, "people.csv")
    text = reports.people_csv(run.result, show_identity=_show_identity(request))
    return _csv_response(text, f"evaluation-{run.pk}-people.csv")


@capability_required(Cap.EVALUATION_VIEW)
def summary_csv(request, pk: int):
    run = _download(request, pk, "summary.csv")
    return _csv_response(reports.summary_csv(run.result), f"evaluation-{run.pk}-summary.csv")


@capability_required(Cap.EVALUATION_VIEW)
def trend_csv(request, pk: int):
    run = _download(request, pk, "trend.csv")
    return _csv_response(reports.trend_csv(run.result), f"evaluation-{run.pk}-trend.csv")


@capability_required(Cap.EVALUATION_VIEW)
def successes_csv(request, pk: int):
    run = _download(request, pk, "successes.csv")
    return _csv_response(reports.successes_csv(run.result), f"evaluation-{run.pk}-successes.csv")
