"""The person page draws its harm chart inline as hand-written SVG: one mark per incident,
no matplotlib, nothing the strict Content Security Policy forbids."""

import re
from xml.etree import ElementTree as ET

from django.urls import reverse

from highharm.accounts.permissions import Role

SVG = "{http://www.w3.org/2000/svg}"


def chart_of(body: str) -> ET.Element:
    start = body.index('<svg xmlns="http://www.w3.org/2000/svg" class="hh-chart__svg"')
    end = body.index("</svg>", start) + len("</svg>")
    return ET.fromstring(body[start:end])  # noqa: S314 - our own output, in a test


def test_the_chart_is_inline_svg_with_one_mark_per_incident(client_for, perpetrator, monkeypatch):
    import highharm.charts

    def no_matplotlib(*args, **kwargs):
        raise AssertionError("the person page must not draw with matplotlib")

    monkeypatch.setattr(highharm.charts, "figure", no_matplotlib)
    body = client_for(Role.OFFENDER_MANAGER).get(reverse("people:detail", args=["P100"]))
    body = body.content.decode()
    root = chart_of(body)
    titles = [
        g.find(f"{SVG}title").text
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "hh-chart__mark"
    ]
    # The perpetrator fixture: CA 10/01/2025 (28 days), ABH 01/06/2025 (180), stalking 14/02/2026 (365).
    assert [t.split(",")[-1] for t in titles] == [" 28 days", " 180 days", " 365 days"]
    assert [t.split(":")[0] for t in titles] == [
        "10 January 2025",
        "1 June 2025",
        "14 February 2026",
    ]
    assert root.find(f"{SVG}title").text == "Harm of each incident as perpetrator"
    assert "data:image/svg+xml" not in body  # no image of the harm chart
    chart = body[body.index("<svg") : body.index("</svg>")]
    assert not re.search(r"\sstyle=|<script|\son[a-z]+=", chart)


def test_no_chart_for_a_person_without_incidents(client_for, perpetrator):
    body = client_for(Role.OFFENDER_MANAGER).get(reverse("people:detail", args=["V200"]))
    body = body.content.decode()
    assert "Harm over time" not in body
    assert "hh-chart__svg" not in body
