"""The candidate list's table rows, written as HTML in one pass.

A page holds up to 50 rows; the template loop with a ``{% url %}``, a ``{% csrf_token %}``
and nested loops in each row was about half the page's CPU. Every value taken from the
records is HTML-escaped; the markup is the same as the template's loop wrote.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def candidate_rows_html(rows, *, top_n: int, refer_url: str, csrf_token: str) -> SafeString:
    """The ``<tr>`` rows of the candidate table; ``rows`` are ``CandidateRow`` with ``name``
    and ``flag_labels`` set by the view. ``refer_url`` empty: no "Refer to triage" column."""
    new_tag = f'<br><strong class="govuk-tag govuk-tag--yellow">New in top {top_n}</strong>'
    if refer_url:
        csrf_input = (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'
        )
        refer_action = escape(refer_url)
    parts = []
    for row in rows:
        reference = escape(row.reference)
        joint = '<br><span class="govuk-body-s">joint</span>' if row.joint else ""
        was = (
            f'<br><span class="govuk-body-s">was {row.previous_rank}</span>'
            if row.previous_rank
            else ""
        )
        flags = (
            "<br>"
            + "".join(
                f'<strong class="govuk-tag govuk-tag--grey hh-flag">{escape(label)}</strong>'
                for label in row.flag_labels
            )
            if row.flag_labels
            else ""
        )
        statuses = (
            "".join(
                f'<strong class="govuk-tag govuk-tag--blue hh-flag">{escape(s.label)}</strong>'
                + (f' <span class="govuk-body-s">{escape(s.detail)}</span>' if s.detail else "")
                + "<br>"
                for s in row.statuses
            )
            or '<span class="govuk-body-s">Not known</span>'
        )
        refer = (
            '\n    <td class="govuk-table__cell">'
            f'\n      <form method="post" action="{refer_action}" class="hh-inline-form">'
            f"{csrf_input}"
            f'\n        <input type="hidden" name="reference" value="{reference}">'
            '\n        <button class="govuk-button govuk-button--secondary'
            ' govuk-!-margin-bottom-0" data-module="govuk-button">Refer to triage'
            f'<span class="govuk-visually-hidden"> {reference}</span></button>'
            "\n      </form>"
            "\n    </td>"
            if refer_url
            else ""
        )
        href = escape(reverse("people:detail", args=[row.reference]))
        parts.append(
            '\n  <tr class="govuk-table__row">'
            '\n    <td class="govuk-table__cell govuk-table__cell--numeric">'
            f"{row.rank}{joint}{was}</td>"
            '\n    <td class="govuk-table__cell">'
            f'\n      <a class="govuk-link" href="{href}">{reference}</a><br>{escape(row.name)}'
            f"\n      {new_tag if row.new_in_top else ''}"
            "\n    </td>"
            '\n    <td class="govuk-table__cell govuk-table__cell--numeric hh-score">'
            f"{row.priority_score}</td>"
            '\n    <td class="govuk-table__cell">'
            f'\n      <span class="hh-explanation">{escape(row.explanation)}</span>'
            f"\n      {flags}"
            "\n    </td>"
            f'\n    <td class="govuk-table__cell">{statuses}</td>'
            f"{refer}"
            "\n  </tr>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every record value above is escaped
