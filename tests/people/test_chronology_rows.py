"""The person page's chronology rows, now written in one pass (people/chronology.py).

Expected cells are written by hand from the fixtures; they are what the former template
loop printed (date d/m/Y, harm with thousands separators, outcome label, victim link).
"""

import datetime as dt
import re

import pytest
from django.urls import reverse

from highharm.accounts.permissions import Role
from highharm.people.chronology import day_month_year, harm_text
from highharm.people.models import Person
from highharm.records.models import Incident, Offence


def _rows(body: str) -> list[list[str]]:
    """The chronology table's body rows, each as its cells' inner HTML."""
    table = body.split('<h2 class="govuk-heading-m">Chronology</h2>', 1)[1]
    tbody = table.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    return [
        re.findall(r'<td class="govuk-table__cell[^"]*">(.*?)</td>', row, re.S)
        for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', tbody, re.S)
    ]


def test_the_rows_newest_first_with_victims_flags_outcome_and_harm(client_for, perpetrator):
    Incident.objects.filter(crime_reference="CR2").update(domestic=True, weapon=True)
    Incident.objects.filter(crime_reference="CR3").update(outcome="charged")
    body = (
        client_for(Role.OFFENDER_MANAGER)
        .get(reverse("people:detail", args=["P100"]))
        .content.decode()
    )
    tag = '<strong class="govuk-tag govuk-tag--grey hh-flag">{}</strong>'
    v200 = '<a class="govuk-link" href="/people/V200/">V200</a>'
    v201 = '<a class="govuk-link" href="/people/V201/">V201</a>'
    assert _rows(body) == [
        ["14/02/2026", "CR3", "Stalking involving fear of violence", v201, "",
         "Charged or summonsed", "365"],
        ["01/06/2025", "CR2", "Assault occasioning actual bodily harm", v200,
         tag.format("domestic") + tag.format("weapon"), "Under investigation", "180"],
        ["10/01/2025", "CR1", "Common assault", v200, "", "Under investigation", "28"],
    ]  # fmt: skip


def test_no_victim_column_for_a_role_that_may_not_see_victims(client_for, perpetrator):
    body = client_for(Role.ANALYST).get(reverse("people:detail", args=["P100"])).content.decode()
    rows = _rows(body)
    assert [len(r) for r in rows] == [6, 6, 6]
    assert rows[2] == ["10/01/2025", "CR1", "Common assault", "", "Under investigation", "28"]
    assert "/people/V200/" not in body


def test_record_values_are_escaped_and_a_missing_victim_is_named(client_for, perpetrator):
    offence = Offence.objects.create(
        code="X<1",
        name='Odd <b>"name"</b> & co',
        category="criminal_damage",
        harm_days=1234.5,
        source="test",
    )
    Incident.objects.create(
        crime_reference="<script>alert(1)</script>",
        occurred_on=dt.date(2026, 3, 1),
        offence=offence,
        perpetrator=perpetrator,
        victim=None,
        content_hash="x",
    )
    body = (
        client_for(Role.OFFENDER_MANAGER)
        .get(reverse("people:detail", args=["P100"]))
        .content.decode()
    )
    assert "<script>alert(1)</script>" not in body
    assert _rows(body)[0] == [
        "01/03/2026",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "Odd &lt;b&gt;&quot;name&quot;&lt;/b&gt; &amp; co",
        "None recorded",
        "",
        "Under investigation",
        "1,235",  # 1234.5 rounds half up, then grouped
    ]


def test_incidents_as_a_victim_are_listed_and_escaped(client_for, perpetrator, catalogue):
    vera = Person.objects.get(reference="V200")
    Incident.objects.create(
        crime_reference="CR<9>",
        occurred_on=dt.date(2024, 12, 5),
        offence=catalogue["CD"],
        perpetrator=Person.objects.get(reference="V201"),
        victim=vera,
        content_hash="y",
    )
    body = (
        client_for(Role.OFFENDER_MANAGER)
        .get(reverse("people:detail", args=["V200"]))
        .content.decode()
    )
    # Newest first.
    assert (
        '<ul class="govuk-list"><li>01/06/2025: Assault occasioning actual bodily harm (CR2)</li>'
        "<li>10/01/2025: Common assault (CR1)</li>"
        "<li>05/12/2024: Criminal damage under £5,000 (CR&lt;9&gt;)</li></ul>"
    ) in body


@pytest.mark.parametrize(
    ("days", "text"),
    [(0.0, "0"), (28.0, "28"), (364.6, "365"), (1000.0, "1,000"), (1234.5, "1,235"),
     (12345678.0, "12,345,678")],
)  # fmt: skip
def test_harm_text_is_whole_days_grouped_in_thousands(days, text):
    assert harm_text(days) == text


def test_dates_are_day_month_four_digit_year():
    assert day_month_year(dt.date(2026, 2, 3)) == "03/02/2026"
    assert day_month_year(dt.date(999, 12, 31)) == "31/12/0999"
