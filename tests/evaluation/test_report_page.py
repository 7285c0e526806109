"""The evaluation page: run an evaluation from an uploaded cohort, read the report, download it."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from highharm.accounts.permissions import Role
from highharm.audit.models import AccessLog
from highharm.evaluation.models import EvaluationRun
from highharm.people.selectors import pseudonym

# Pete Perp (P100, conftest): common assault 10/01/2025, ABH 01/06/2025, stalking 14/02/2026.
# Index 01/05/2025: one offence before (CA, 28 days), two after (ABH 180 + STALK 365 days).
COHORT = b"perpetrator_ref,index_date\nP100,01/05/2025\n"


def upload(client, cohort=COHORT, **fields):
    data = {
        "title": "Pete alone",
        "cohort_file": SimpleUploadedFile("adopted.csv", cohort, content_type="text/csv"),
        "before_days": 365,
        "after_days": 365,
        "as_of": "01/06/2026",
    } | fields
    return client.post(reverse("evaluation:report"), data)


@pytest.fixture
def analyst(client_for, perpetrator):
    return client_for(Role.ANALYST)


def test_it_offers_the_form_before_any_evaluation_has_been_run(analyst):
    response = analyst.get(reverse("evaluation:report"))
    assert response.status_code == 200
    assert "No evaluation has been run yet" in response.content.decode()
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_it_runs_an_evaluation_and_shows_pseudonyms_to_an_analyst(analyst):
    response = upload(analyst)
    assert response.status_code == 302
    run = EvaluationRun.objects.get()
    assert response["Location"].endswith(f"?run={run.pk}")
    person = run.result["people"][0]
    assert (person["offences_before"], person["offences_after"]) == (1, 2)
    assert (person["harm_before"], person["harm_after"]) == (28.0, 545.0)
    assert run.result["parameters"]["sources"]["incidents"] == "database"
    assert run.result["parameters"]["sources"]["catalogue"] == "database catalogue"

    page = analyst.get(response["Location"]).content.decode()
    assert "Pete alone" in page
    assert pseudonym("P100") in page
    assert "P100" not in page
    assert "Pete" not in page.replace("Pete alone", "")
    assert "1 person supports a description, not a claim" in page
    assert "Maryland Scientific Methods Scale level 1" in page
    assert ' style="' not in page and "<script>" not in page  # strict CSP
    actions = list(AccessLog.objects.values_list("action", flat=True))
    assert "evaluation_run" in actions and "view_evaluation" in actions


def test_it_shows_references_to_a_supervisor(client_for, analyst):
    upload(analyst)
    page = client_for(Role.SUPERVISOR).get(reverse("evaluation:report")).content.decode()
    assert "P100" in page


def test_it_explains_a_bad_cohort_file_by_row_and_field(analyst):
    response = upload(analyst, cohort=b"perpetrator_ref,index_date\nP100,31/02/2025\n")
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert re.search(r"row 2: field index_date is not a date", body)
    assert not EvaluationRun.objects.exists()


def test_it_downloads_the_pdf_and_csvs_with_pseudonyms(analyst):
    upload(analyst)
    run = EvaluationRun.objects.get()
    pdf = analyst.get(reverse("evaluation:report_pdf", args=[run.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    people = analyst.get(reverse("evaluation:people_csv", args=[run.pk])).content.decode()
    lines = people.strip().splitlines()
    assert lines[0].startswith("pseudonym,cohort,")
    assert lines[1].startswith(pseudonym("P100") + ",cohort,,2025-05-01,1,2,28.0,545.0")
    summary = analyst.get(reverse("evaluation:summary_csv", args=[run.pk])).content.decode()
    assert "offences_before,1" in summary and "offences_after,2" in summary
    trend = analyst.get(reverse("evaluation:trend_csv", args=[run.pk])).content.decode()
    assert trend.startswith("month,cohort_offences,cohort_person_months,cohort_rate")
    downloads = AccessLog.objects.filter(action="download_evaluation").count()
    assert downloads == 4


def test_it_refuses_roles_without_evaluation_access(client_for, analyst):
    upload(analyst)
    run = EvaluationRun.objects.get()
    manager = client_for(Role.OFFENDER_MANAGER)
    assert manager.get(reverse("evaluation:report")).status_code == 403
    assert manager.get(reverse("evaluation:people_csv", args=[run.pk])).status_code == 403


def test_it_says_no_such_run_for_a_missing_one(analyst):
    assert analyst.get(reverse("evaluation:report") + "?run=999").status_code == 404
    assert analyst.get(reverse("evaluation:report") + "?run=x").status_code == 404
