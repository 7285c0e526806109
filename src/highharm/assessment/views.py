"""Pages of the assessment app: the validation workbench.

The workbench reads an uploaded file once, in memory (or Django's temporary
upload file, deleted at the end of the request), and keeps nothing: only the
access log records who validated what (file name, size, SHA-256, columns).
"""

from __future__ import annotations

import hashlib

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from highharm.accounts.decorators import capability_required
from highharm.accounts.permissions import Cap
from highharm.assessment import validation
from highharm.assessment.charts import calibration_chart, roc_chart
from highharm.assessment.forms import WorkbenchForm, max_upload_bytes
from highharm.audit.services import access_log_record

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
