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
        "successes": successes_context(result),
    }


# --- other successes -----------------------------------------------------------

SAFEGUARDING_LABELS = {
    "dvds_disclosures": "DVDS disclosures made",
    "protection_orders_obtained": "Protection orders obtained",
    "idva_referrals": "Victims referred to an IDVA",
    "isva_referrals": "Victims referred to an ISVA",
}


@lru_cache(maxsize=1)
def _choice_labels() -> dict:
    from highharm.cases.models import Intervention

    return {
        "kind": dict(Intervention.Kind.choices),
        "type": dict(Intervention.Type.choices),
        "outcome": dict(Intervention.Outcome.choices),
    }


def successes_context(result: dict) -> dict | None:
    """Other successes with readable labels; None for runs stored before they were counted."""
    data = result.get("other_successes")
    if data is None:
        return None
    if not data.get("available"):
        return {"available": False, "note": data.get("note", "")}
    labels = _choice_labels()

    def name(field, value):
        return labels[field].get(value, value)

    blocks = []
    for g in ("cohort", "comparison"):
        if g not in data:
            continue
        s = data[g]
        blocks.append(
            {
                "name": GROUP_NAMES[g],
                "summary": s,
                "by_type": [
                    r
                    | {"kind_label": name("kind", r["kind"]), "type_label": name("type", r["type"])}
                    for r in s["by_type"]
                ],
                "outcomes": [
                    r | {"outcome_label": name("outcome", r["outcome"])} for r in s["outcomes"]
                ],
                "safeguarding": [
                    {"label": label, "count": s["safeguarding"][key]}
                    for key, label in SAFEGUARDING_LABELS.items()
                ],
                "engagement": [{"kind_label": "All interventions"} | s["engagement"]["overall"]]
                + [r | {"kind_label": name("kind", r["kind"])} for r in s["engagement"]["by_kind"]],
            }
        )
    return {"available": True, "window": data.get("window", ""), "groups": blocks}


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


SUCCESS_COLUMNS = [
    "cohort",
    "section",
    "kind",
    "type",
    "outcome",
    "measure",
    "value",
]


def successes_csv(result: dict) -> str:
    """Other successes in long form: one row per (cohort, section, kind, type, outcome, measure)."""
    data = result.get("other_successes") or {}
    rows = []
    for g in ("cohort", "comparison"):
        s = data.get(g)
        if not s:
            continue
        for m in ("people", "people_with_interventions", "interventions"):
            rows.append([g, "totals", "", "", "", m, s[m]])
        for r in s["by_type"]:
            rows.append([g, "by_type", r["kind"], r["type"], "", "count", r["count"]])
            rows.append([g, "by_type", r["kind"], r["type"], "", "completed", r["completed"]])
        for r in s["by_type_outcome"]:
            rows.append(
                [g, "by_type_outcome", r["kind"], r["type"], r["outcome"], "count", r["count"]]
            )
        for key, value in s["safeguarding"].items():
            rows.append([g, "safeguarding", "", "", "", key, value])
        for r in [{"kind": ""} | s["engagement"]["overall"], *s["engagement"]["by_kind"]]:
            for m in ("interventions", "engaged", "partly", "not_engaged", "unknown", "rate"):
                rows.append([g, "engagement", r["kind"], "", "", m, r[m]])
    return _csv(SUCCESS_COLUMNS, rows)
