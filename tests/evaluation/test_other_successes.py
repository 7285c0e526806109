"""Other successes from hand-built cases: the JSON, the text output, the page, the PDF and the CSV."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from highharm.accounts.permissions import Role
from highharm.evaluation.models import EvaluationRun
from highharm.evaluation.reports import pdf_document
from tests.evaluation.pdftext import page_lines
from tests.evaluation.workflow import D, decide, intervention, open_case, person


@pytest.fixture
def unit(users, catalogue):
    lead = users[Role.OFFENDER_MANAGER]
    a = person("A1")
    case_a = open_case(a, lead, D(2025, 1, 15), decide(a, "adopt", D(2025, 1, 10)))
    for args, kw in [
        (("housing", D(2025, 2, 1)), {"outcome": "housing_secured", "engaged": "engaged"}),
        (
            ("perpetrator_programme", D(2025, 3, 1)),
            {"status": "in_progress", "outcome": "programme_started", "engaged": "partly"},
        ),
        (("dvpo", D(2025, 2, 10)), {"outcome": "order_obtained", "engaged": "not_applicable"}),
        (
            ("dvds_right_to_ask", D(2025, 2, 11)),
            {"outcome": "disclosure_made", "engaged": "not_applicable"},
        ),
        (
            ("idva_referral", D(2025, 2, 12)),
            {"outcome": "victim_supported", "engaged": "not_applicable"},
        ),
        (("idva_referral", D(2025, 2, 13)), {"status": "planned"}),  # not made yet
        (("housing", D(2024, 12, 1)), {"outcome": "housing_secured", "engaged": "engaged"}),
    ]:
        intervention(case_a, *args, **kw)
    b = person("B2")
    case_b = open_case(b, lead, D(2025, 3, 3))
    intervention(
        case_b,
        "substance_misuse",
        D(2025, 4, 1),
        outcome="treatment_started",
        engaged="not_engaged",
    )
    intervention(case_b, "ro", D(2025, 5, 1), outcome="order_refused", engaged="not_applicable")
    n = person("N5")
    decide(n, "nfa", D(2025, 5, 5))
    return lead


def run_command(fmt):
    out = io.StringIO()
    call_command(
        *("evaluate", "--cohort-from", "adopted", "--comparison-from", "comparison"),
        *("--format", fmt, "--bootstrap", "200", "--as-of", "2026-06-01"),
        stdout=out,
        stderr=io.StringIO(),
    )
    return out.getvalue()


def test_it_counts_interventions_safeguarding_and_engagement(unit):
    s = json.loads(run_command("json"))["other_successes"]
    c = s["cohort"]
    # 9 recorded for the cohort; the housing one of 01/12/2024 predates A1's adoption.
    assert (c["people"], c["people_with_interventions"], c["interventions"]) == (2, 2, 8)
    assert c["safeguarding"] == {
        "dvds_disclosures": 1,
        "protection_orders_obtained": 1,  # the DVPO; the restraining order was refused
        "idva_referrals": 1,  # the planned one has not been made
        "isva_referrals": 0,
    }
    by_type = {r["type"]: (r["count"], r["completed"]) for r in c["by_type"]}
    assert by_type["housing"] == (1, 1)
    assert by_type["idva_referral"] == (2, 1)
    assert by_type["perpetrator_programme"] == (1, 0)
    outcomes = {r["outcome"]: r["count"] for r in c["outcomes"]}
    assert outcomes["housing_secured"] == 1 and outcomes["treatment_started"] == 1
    assert outcomes["programme_started"] == 1 and outcomes["pending"] == 1
    overall = c["engagement"]["overall"]
    assert (overall["engaged"], overall["partly"], overall["not_engaged"]) == (1, 1, 1)
    assert overall["unknown"] == 5 and overall["rate"] == round(1 / 3, 4)
    kinds = {r["kind"]: r for r in c["engagement"]["by_kind"]}
    assert kinds["engagement"]["rate"] == round(1 / 3, 4)
    assert kinds["enforcement"]["rate"] is None and kinds["enforcement"]["interventions"] == 2
    k = s["comparison"]
    assert (k["people"], k["interventions"], k["safeguarding"]["dvds_disclosures"]) == (1, 0, 0)


def test_it_writes_other_successes_in_the_text_output(unit):
    text = run_command("text")
    assert "Other successes" in text
    assert "Managed cohort: 8 interventions for 2 of 2 people." in text
    assert "DVDS disclosures made 1; protection orders obtained 1" in text
    assert "Engagement (all): 33.3% engaged (1 engaged, 1 partly, 1 not, 5 not known)." in text


def test_it_says_a_file_only_evaluation_did_not_read_interventions(tmp_path):
    from tests.evaluation.seedlike import write_seedlike

    cohort, incidents, catalogue = write_seedlike(tmp_path)
    out = io.StringIO()
    call_command(
        *("evaluate", "--cohort", str(cohort), "--incidents", str(incidents)),
        *("--catalogue", str(catalogue), "--format", "json", "--bootstrap", "200"),
        stdout=out,
        stderr=io.StringIO(),
    )
    s = json.loads(out.getvalue())["other_successes"]
    assert s["available"] is False and "not read" in s["note"]


def test_it_shows_other_successes_on_the_page_pdf_and_csv(unit, client_for):
    client = client_for(Role.ANALYST)
    response = client.post(
        reverse("evaluation:report"),
        {
            "title": "From the records",
            "cohort_from": "adopted",
            "comparison_from": "comparison",
            "before_days": 365,
            "after_days": 365,
            "as_of": "01/06/2026",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    run = EvaluationRun.objects.get()
    assert run.cohort_source == "database (adopted)"
    assert run.comparison_source == "database (comparison)"
    page = client.get(response["Location"]).content.decode()
    assert "Other successes" in page
    assert "DVDS disclosures made" in page and "Housing secured" in page
    assert "33.3%" in page
    assert reverse("evaluation:successes_csv", args=[run.pk]) in page

    lines = page_lines(pdf_document(run.result, show_identity=False, title=run.title))
    assert "Other successes" in lines
    # Table cells are laid out line by line: the label, then its figure (cohort first).
    at = lines.index("Protection orders obtained")
    assert lines[at + 1] == "1"
    at = lines.index("Victims referred to an IDVA")
    assert lines[at + 1] == "1"

    body = client.get(reverse("evaluation:successes_csv", args=[run.pk])).content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    got = {
        (r["cohort"], r["section"], r["kind"], r["type"], r["outcome"], r["measure"]): r["value"]
        for r in rows
    }
    assert got[("cohort", "safeguarding", "", "", "", "dvds_disclosures")] == "1"
    assert got[("cohort", "by_type", "engagement", "housing", "", "count")] == "1"
    assert (
        got[("cohort", "by_type_outcome", "engagement", "housing", "housing_secured", "count")]
        == "1"
    )
    assert got[("cohort", "engagement", "", "", "", "rate")] == str(round(1 / 3, 4))
    assert got[("cohort", "engagement", "enforcement", "", "", "rate")] == ""
    assert got[("comparison", "totals", "", "", "", "interventions")] == "0"


def test_it_refuses_a_database_cohort_and_a_file_together(unit, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(Role.ANALYST)
    response = client.post(
        reverse("evaluation:report"),
        {
            "cohort_from": "adopted",
            "cohort_file": SimpleUploadedFile(
                "c.csv", b"perpetrator_ref,index_date\nA1,2025-01-01\n"
            ),
            "before_days": 365,
            "after_days": 365,
        },
    )
    assert response.status_code == 200
    assert "not both" in response.content.decode()
    assert not EvaluationRun.objects.exists()
