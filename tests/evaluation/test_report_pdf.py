"""The PDF report renders, and every figure laid out in it matches the JSON result."""

import io
import json

import pytest
from django.core.management import call_command

from highharm.evaluation.engine import EvaluationParams, evaluate
from highharm.evaluation.reports import pdf_document
from highharm.evaluation.simulate import simulate_unit
from highharm.people.selectors import pseudonym
from tests.evaluation.pdftext import keyed_cells, page_lines
from tests.evaluation.seedlike import write_seedlike


def signed(x, digits=2):
    """Written independently of the code: sign, fixed decimals, a true minus sign."""
    return f"{x:+.{digits}f}".replace("-", "\u2212")


@pytest.fixture
def seed_result(tmp_path):
    cohort, incidents, catalogue = write_seedlike(tmp_path)
    out = io.StringIO()
    call_command(
        "evaluate",
        *("--cohort", str(cohort), "--incidents", str(incidents), "--catalogue", str(catalogue)),
        *("--format", "json", "--bootstrap", "500"),
        stdout=out,
        stderr=io.StringIO(),
    )
    return json.loads(out.getvalue())


def test_it_writes_a_pdf_with_the_cli(tmp_path):
    cohort, incidents, catalogue = write_seedlike(tmp_path)
    out = tmp_path / "report.pdf"
    call_command(
        "evaluate",
        *("--cohort", str(cohort), "--incidents", str(incidents), "--catalogue", str(catalogue)),
        *("--format", "pdf", "--out", str(out), "--bootstrap", "200"),
        stderr=io.StringIO(),
    )
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 10_000


def test_every_figure_in_the_seed_shaped_pdf_matches_the_json(seed_result):
    document = pdf_document(seed_result, show_identity=True, title="Seed-shaped cohort")
    assert len(document.pages) >= 2
    cells = keyed_cells(document)
    # By hand: 20 ABH (180 days) before, 9 common assaults (28 days) after.
    assert cells["cohort.n"] == "8"
    assert cells["cohort.offences_before"] == "20"
    assert cells["cohort.offences_after"] == "9"
    assert cells["cohort.offences_change_pct"] == "\u221255.0%"
    assert cells["cohort.reduced"] == "6"
    assert cells["cohort.no_further_offending"] == "3"
    assert cells["cohort.incomplete_follow_up"] == "0"
    assert cells["cohort.harm_before"] == "3,600.0"
    assert cells["cohort.harm_after"] == "252.0"
    assert cells["cohort.harm_change_pct"] == "\u221293.0%"
    # And each of those is the JSON's figure.
    summary = seed_result["cohort"]
    assert (summary["offences_before"], summary["offences_after"]) == (20, 9)
    assert (summary["harm_before"], summary["harm_after"]) == (3600.0, 252.0)
    assert cells["naive.estimate"] == signed(seed_result["naive"]["estimate"])
    lo, hi = seed_result["naive"]["ci"]
    assert cells["naive.ci"] == f"{signed(lo)} to {signed(hi)}"
    assert "did.estimate" not in cells  # no comparison group, so no DiD row

    text = "\n".join(page_lines(document))
    assert "Maryland Scientific Methods Scale level 1" in text
    assert "8 people support a description, not a claim" in " ".join(text.split())
    for person in seed_result["people"]:
        assert person["perpetrator_ref"] in text


def test_every_difference_in_differences_figure_matches_the_json():
    unit = simulate_unit(seed=2, population=2_000)
    result = evaluate(
        cohort=unit.cohort,
        comparison=unit.comparison,
        incidents=unit.incidents,
        catalogue=unit.catalogue,
        params=EvaluationParams(as_of=unit.as_of, bootstrap=300),
    )
    cells = keyed_cells(pdf_document(result, show_identity=False))
    did = result["did"]
    assert cells["did.estimate"] == signed(did["estimate"])
    assert cells["did.ci"] == f"{signed(did['ci'][0])} to {signed(did['ci'][1])}"
    assert cells["did.harm.estimate"] == signed(did["harm"]["estimate"], 1)
    for group in ("cohort", "comparison"):
        assert cells[f"{group}.n"] == f"{result[group]['n']:,}"
        assert cells[f"{group}.offences_before"] == f"{result[group]['offences_before']:,}"
        assert cells[f"{group}.offences_after"] == f"{result[group]['offences_after']:,}"
        assert cells[f"{group}.reduced"] == f"{result[group]['reduced']:,}"
    nb = result["statistics"]["negative_binomial"]
    assert cells["statistics.negative_binomial.rate_ratio"] == f"{nb['rate_ratio']:.2f}"


def test_it_shows_pseudonyms_to_roles_that_may_not_see_identities(seed_result):
    document = pdf_document(seed_result, show_identity=False)
    lines = "\n".join(page_lines(document))
    assert "HH000" not in lines
    assert pseudonym("HH000") in lines
    assert document.write_pdf().startswith(b"%PDF-")


def _last_block_on_each_page(document):
    """For each page but the last, the element tag of the last laid-out box that holds text."""
    from tests.evaluation.pdftext import _walk

    tags = []
    for page in document.pages[:-1]:
        last = None
        for box in _walk(page._page_box):
            element = getattr(box, "element", None)
            if type(box).__name__ == "LineBox" and element is not None:
                last = box
        tags.append(last.element.tag if last is not None else None)
    return tags


def test_no_page_of_the_report_ends_on_a_heading(seed_result):
    """A heading stranded at the foot of a page, its content on the next, reads badly."""
    document = pdf_document(seed_result, show_identity=True, title="Seed-shaped cohort")
    assert len(document.pages) >= 2
    for page_number, tag in enumerate(_last_block_on_each_page(document), start=1):
        assert tag not in {"h1", "h2", "h3"}, f"page {page_number} ends on an {tag}"


def test_the_stranded_heading_check_sees_a_heading_at_the_foot_of_a_page():
    """The check above is itself checked: a page forced to end on a heading is caught."""
    from weasyprint import HTML

    html = (
        "<html><body><p>Text.</p><h2 style='break-after: page'>Charts</h2>"
        "<p>On the next page.</p></body></html>"
    )
    document = HTML(string=html).render()
    assert _last_block_on_each_page(document) == ["h2"]
