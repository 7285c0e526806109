"""The evaluation report: one template for the page and the PDF, plus CSV downloads.

Everything is drawn from a stored result dict (the JSON of `highharm
evaluate`), so the page, the PDF, the CSVs and the JSON agree. References are
shown as they are only to roles that may see identities; everyone else sees
stable pseudonyms (`highharm.people.selectors.pseudonym`).
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from pathlib import Path

from django.template.loader import render_to_string

from highharm.evaluation import charts
from highharm.people.selectors import pseudonym

PEOPLE_SHOWN = 100
PRINT_CSS = Path(__file__).resolve().parent / "static" / "evaluation" / "report-print.css"
GROUP_NAMES = {"cohort": "Managed cohort", "comparison": "Comparison group"}


def label_for(show_identity: bool):
    return (lambda ref: ref) if show_identity else pseudonym


def _people_rows(result: dict, label) -> list[dict]:
    order = {"cohort": 0, "comparison": 1}
    rows = sorted(
        result["people"],
        key=lambda p: (order.get(p["cohort"], 2), -p["offences_before"], p["perpetrator_ref"]),
    )
    return [p | {"display_ref": label(p["perpetrator_ref"])} for p in rows]


def report_context(
    result: dict, *, show_identity: bool, title: str = "Evaluation", run=None, pdf: bool = False
) -> dict:
    label = label_for(show_identity)
    people = _people_rows(result, label)
    groups = [g for g in ("cohort", "comparison") if g in result]
    stats = result["statistics"]
    return {
        "title": title,
        "run": run,
        "result": result,
        "pdf": pdf,
        "show_identity": show_identity,
        "groups": [{"key": g, "name": GROUP_NAMES[g], "summary": result[g]} for g in groups],
        "has_comparison": "comparison" in result,
        "charts": charts.all_charts(result, label),
        "people": people[:PEOPLE_SHOWN],
        "people_total": len(people),
        "people_shown": min(PEOPLE_SHOWN, len(people)),
        "sign_tests": [
            {"name": GROUP_NAMES[g], "test": stats["sign_test"][g]}
            for g in groups
            if g in stats["sign_test"]
        ],
        "wilcoxons": [
            {"name": GROUP_NAMES[g], "test": stats["wilcoxon"][g]}
            for g in groups
            if g in stats["wilcoxon"]
        ],
        "km_curves": [
            {"name": GROUP_NAMES[g], "curve": stats["kaplan_meier"]["curves"][g]}
            for g in groups
            if g in stats["kaplan_meier"]["curves"]
        ],
        "nb": stats["negative_binomial"],
        "subgroups": [
            {"cohort": GROUP_NAMES[g], **s} for g in groups for s in result[g].get("groups", [])
        ],
    }


def render_report_html(context: dict) -> str:
    template = "evaluation/report_pdf.html" if context["pdf"] else "evaluation/report.html"
    return render_to_string(template, context)


@lru_cache(maxsize=1)
def _stylesheet():
    from weasyprint import CSS

    return CSS(filename=str(PRINT_CSS))


def _data_only_fetcher():
    """A fetcher that loads data: URIs (the charts) and nothing else."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"})


def pdf_document(result: dict, *, show_identity: bool, title: str = "Evaluation", run=None):
    """The laid-out WeasyPrint document (tests read its text); `.write_pdf()` gives bytes."""
    from weasyprint import HTML

    html = render_report_html(
        report_context(result, show_identity=show_identity, title=title, run=run, pdf=True)
    )
    return HTML(string=html, url_fetcher=_data_only_fetcher(), base_url="about:blank").render(
        stylesheets=[_stylesheet()]
    )


def render_pdf(result: dict, *, show_identity: bool, title: str = "Evaluation", run=None) -> bytes:
    return pdf_document(result, show_identity=show_identity, title=title, run=run).write_pdf()


# --- CSV downloads -----------------------------------------------------------


def _safe(value):
    """Keep spreadsheet programs from running a cell as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def _csv(header: list[str], rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe(v) for v in row])
    return buffer.getvalue()


PEOPLE_COLUMNS = [
    "cohort",
    "group",
    "index_date",
    "offences_before",
    "offences_after",
    "harm_before",
    "harm_after",
    "follow_up_days",
    "follow_up_complete",
    "reduced",
    "no_further_offending",
    "days_to_first_offence",
]


def people_csv(result: dict, *, show_identity: bool) -> str:
    label = label_for(show_identity)
    first = "perpetrator_ref" if show_identity else "pseudonym"
    return _csv(
        [first, *PEOPLE_COLUMNS],
        (
            [label(p["perpetrator_ref"])] + [p[c] for c in PEOPLE_COLUMNS]
            for p in _people_rows(result, lambda r: r)
        ),
    )


SUMMARY_MEASURES = [
    "n",
    "n_analysed",
    "incomplete_follow_up",
    "offences_before",
    "offences_after",
    "offences_change_pct",
    "harm_before",
    "harm_after",
    "harm_change_pct",
    "reduced",
    "no_further_offending",
    "increased",
    "unchanged",
]


def summary_csv(result: dict) -> str:
    groups = [g for g in ("cohort", "comparison") if g in result]
    rows = [[m] + [result[g][m] for g in groups] for m in SUMMARY_MEASURES]
    did, naive = result["did"], result["naive"]
    ci = did["ci"] or [None, None]
    rows += [
        ["did_offences_estimate", did["estimate"]],
        ["did_offences_ci_low", ci[0]],
        ["did_offences_ci_high", ci[1]],
        ["did_harm_estimate", did["harm"]["estimate"]],
        ["naive_offences_estimate", naive["estimate"]],
        ["sms_level", result["sms_level"]],
    ]
    return _csv(["measure", *groups], rows)


def trend_csv(result: dict) -> str:
    """Month from the index date, then offences, person-months and rate for each group.

    Columns are named explicitly: a stored result's key order is not kept by
    every database (PostgreSQL's jsonb sorts keys).
    """
    groups = [g for g in ("cohort", "comparison") if g in result]
    header = ["month"] + [f"{g}_{m}" for g in groups for m in ("offences", "person_months", "rate")]
    return _csv(header, ([row.get(h) for h in header] for row in result["trend"]))
