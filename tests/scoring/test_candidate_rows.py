"""The candidate table's rows, now written in one pass (scoring/candidate_rows.py).

Expected markup is written by hand: what the former template loop printed for each cell.
"""

import re
from types import SimpleNamespace

from highharm.scoring.candidate_rows import candidate_rows_html
from highharm.scoring.selectors import CandidateStatus


def _row(**overrides):
    values = {
        "rank": 7,
        "reference": "P100",
        "name": "Pete Perp",
        "previous_rank": None,
        "new_in_top": False,
        "joint": False,
        "priority_score": 83,
        "explanation": "Recency 30 + Frequency 20",
        "flag_labels": [],
        "statuses": [],
    }
    return SimpleNamespace(**(values | overrides))


def _cells(html: str) -> list[list[str]]:
    return [
        re.findall(r'<td class="govuk-table__cell[^"]*">(.*?)</td>', row, re.S)
        for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', html, re.S)
    ]


def test_a_plain_row_without_the_refer_column():
    html = candidate_rows_html([_row()], top_n=50, refer_url="", csrf_token="")
    [cells] = _cells(html)
    assert [c.strip() for c in cells] == [
        "7",
        '<a class="govuk-link" href="/people/P100/">P100</a><br>Pete Perp',
        "83",
        '<span class="hh-explanation">Recency 30 + Frequency 20</span>',
        '<span class="govuk-body-s">Not known</span>',
    ]
    assert "<form" not in html


def test_previous_rank_new_entrant_flags_statuses_and_refer_form():
    row = _row(
        previous_rank=12,
        new_in_top=True,
        flag_labels=["stalking", "strangulation"],
        statuses=[
            CandidateStatus(code="adopted", label="Adopted", detail="since 1 May 2026"),
            CandidateStatus(code="referred", label="Referred"),
        ],
    )
    html = candidate_rows_html([row], top_n=50, refer_url="/referrals/new/", csrf_token="TOK")
    [cells] = _cells(html)
    assert cells[0] == '7<br><span class="govuk-body-s">was 12</span>'
    assert '<br><strong class="govuk-tag govuk-tag--yellow">New in top 50</strong>' in cells[1]
    assert (
        cells[3]
        .strip()
        .endswith(
            '<br><strong class="govuk-tag govuk-tag--grey hh-flag">stalking</strong>'
            '<strong class="govuk-tag govuk-tag--grey hh-flag">strangulation</strong>'
        )
    )
    assert cells[4] == (
        '<strong class="govuk-tag govuk-tag--blue hh-flag">Adopted</strong>'
        ' <span class="govuk-body-s">since 1 May 2026</span><br>'
        '<strong class="govuk-tag govuk-tag--blue hh-flag">Referred</strong><br>'
    )
    form = cells[5]
    assert '<form method="post" action="/referrals/new/" class="hh-inline-form">' in form
    assert '<input type="hidden" name="csrfmiddlewaretoken" value="TOK">' in form
    assert '<input type="hidden" name="reference" value="P100">' in form
    assert 'Refer to triage<span class="govuk-visually-hidden"> P100</span></button>' in form


def test_every_record_value_is_escaped():
    row = _row(
        reference="P<1>",
        name='<b>"Bad"</b> & co',
        explanation="<script>x</script>",
        flag_labels=["<i>"],
        statuses=[CandidateStatus(code="x", label="<u>", detail="a&b")],
    )
    html = candidate_rows_html([row], top_n=50, refer_url="/r/?a=1&b=2", csrf_token='"')
    assert "<script>" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "&lt;b&gt;&quot;Bad&quot;&lt;/b&gt; &amp; co" in html
    assert 'href="/people/P%3C1%3E/">P&lt;1&gt;</a>' in html
    assert 'value="P&lt;1&gt;"' in html
    assert 'action="/r/?a=1&amp;b=2"' in html
    assert 'value="&quot;"' in html
    assert '&lt;u&gt;</strong> <span class="govuk-body-s">a&amp;b</span>' in html


def test_rows_keep_their_order():
    html = candidate_rows_html(
        [_row(rank=1, reference="A1"), _row(rank=2, reference="B2")],
        top_n=50,
        refer_url="",
        csrf_token="",
    )
    assert [c[0] for c in _cells(html)] == ["1", "2"]
    assert html.index("A1") < html.index("B2")


def test_a_shared_rank_says_joint():
    html = candidate_rows_html(
        [_row(joint=True, previous_rank=9)], top_n=50, refer_url="", csrf_token=""
    )
    [cells] = _cells(html)
    assert cells[0] == (
        '7<br><span class="govuk-body-s">joint</span><br><span class="govuk-body-s">was 9</span>'
    )
