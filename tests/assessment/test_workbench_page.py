"""The validation workbench page: upload, report, charts, access log, limits and refusals."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from highharm.accounts.permissions import Role
from highharm.audit.models import AccessLog

URL = "/assessment/workbench/"

CSV = (
    "ref,score,reoffended,area\n"
    "P1,1,0,North\nP2,2,1,North\nP3,3,0,North\nP4,4,1,North\n"
    "P5,5,0,South\nP6,6,0,South\nP7,7,1,South\nP8,8,1,South\nP9,,1,South\n"
)


def upload(text=CSV, name="scored.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def post(client, **overrides):
    fields = {
        "data": upload(),
        "score": "score",
        "outcome": "reoffended",
        "group": "area",
        "threshold": "4",
        "bootstrap": "100",
    }
    fields.update(overrides)
    return client.post(URL, {k: v for k, v in fields.items() if v is not None})


@pytest.fixture
def analyst(client_for):
    return client_for(Role.ANALYST)


def test_it_shows_the_upload_form(analyst):
    page = analyst.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'name="score"' in html and 'name="outcome"' in html and 'name="group"' in html


def test_it_reports_figures_charts_and_groups(analyst):
    page = post(analyst)
    assert page.status_code == 200
    report = page.context["report"]
    # The same eight rows as the CLI test: AUC 11/16, at threshold 4 FPR 2/4, FNR 1/4, PPV 3/5.
    assert report["auc"] == pytest.approx(11 / 16)
    assert (report["fpr"], report["fnr"], report["ppv"]) == (0.5, 0.25, 0.6)
    html = page.content.decode()
    assert "Results for scored.csv" in html
    assert "0.688" in html
    assert html.count('src="data:image/svg+xml;base64,') == 2  # ROC and calibration
    assert "1 of 9 rows had no score and were left out (first at line 10)" in html
    # South's FPR (1.000) is the highest, North's (0.000) the lowest.
    rows = {row["label"]: row for row in page.context["group_rows"]}
    assert rows["South"]["cells"][0]["highest"] and rows["North"]["cells"][0]["lowest"]
    assert "govuk-tag--red" in html and "small group" in html
    assert "style=" not in html and "<script>" not in html


def test_it_logs_the_validation_and_keeps_nothing_else(analyst, users):
    before = AccessLog.objects.count()
    post(analyst)
    assert AccessLog.objects.count() == before + 1
    row = AccessLog.objects.order_by("-id").first()
    assert row.action == "validate" and row.object_type == "dataset"
    assert row.username == users[Role.ANALYST].username
    assert row.detail["file"] == "scored.csv"
    assert row.detail["rows"] == 9 and row.detail["n"] == 8
    assert len(row.detail["sha256"]) == 64 and row.object_id == row.detail["sha256"]


def test_it_puts_a_missing_column_next_to_its_field(analyst):
    page = post(analyst, score="risk")
    assert page.status_code == 200
    form = page.context["form"]
    assert "Score column 'risk' is not in the file" in form.errors["score"][0]
    assert "report" not in page.context
    assert "There is a problem" in page.content.decode()


def test_it_names_the_line_of_a_bad_outcome(analyst):
    page = post(analyst, data=upload("score,reoffended\n1,0\n2,yes\n"), group="")
    assert (
        "Outcome column 'reoffended' is not 0 or 1 at line 3 ('yes')"
        in (page.context["form"].errors["outcome"][0])
    )


def test_it_uses_the_median_when_no_threshold_is_given(analyst):
    page = post(analyst, threshold="")
    assert page.context["report"]["threshold"] == 4.5
    assert "default: the median score" in page.content.decode()


def test_it_refuses_a_file_over_the_limit(analyst, settings):
    settings.VALIDATE_MAX_UPLOAD_BYTES = 100
    page = post(analyst)
    assert page.status_code == 200
    assert "the largest the workbench reads is 100 bytes" in page.context["form"].errors["data"][0]


def test_it_refuses_a_huge_upload_before_reading_it(analyst, settings):
    settings.VALIDATE_MAX_UPLOAD_BYTES = 10
    big = upload("score,outcome\n" + "1,0\n" * 40_000)
    page = post(analyst, data=big)
    assert page.status_code == 413
    assert "the largest file the workbench reads is" in page.content.decode()


def test_it_refuses_other_file_types(analyst):
    page = post(analyst, data=upload(name="scores.xlsx"))
    assert "Choose a CSV file" in page.context["form"].errors["data"][0]


def test_it_still_checks_csrf(users):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(users[Role.ANALYST])
    assert post(strict).status_code == 403
    page = strict.get(URL)
    token = page.cookies["csrftoken"].value
    fields = {"data": upload(), "score": "score", "outcome": "reoffended", "bootstrap": "0",
              "csrfmiddlewaretoken": token}  # fmt: skip
    assert strict.post(URL, fields).status_code == 200


@pytest.mark.parametrize("role", [Role.OFFENDER_MANAGER, Role.PARTNER, Role.AUDITOR, None])
def test_it_is_refused_to_roles_that_may_not_validate(client_for, role):
    assert client_for(role).get(URL).status_code == 403
    assert post(client_for(role)).status_code == 403


def test_a_supervisor_may_use_it(client_for):
    assert post(client_for(Role.SUPERVISOR)).status_code == 200
