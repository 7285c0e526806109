"""The hand-written SVG charts (highharm.charts.harm_timeline_svg, score_history_svg): valid
XML, one mark per point, in date order, safe under the strict CSP, for 0, 1 and many points."""

import datetime as dt
import re
from xml.etree import ElementTree as ET

from highharm.charts import harm_timeline_svg, month_ticks, nice_ticks, score_history_svg

NS = {"svg": "http://www.w3.org/2000/svg"}
D = dt.date


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(str(svg))  # noqa: S314 - our own output, in a test
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def marks(root: ET.Element) -> list[dict]:
    """Each mark's circle centre and its <title> text, in document order."""
    out = []
    for g in root.iterfind(".//svg:g[@class='hh-chart__mark']", NS):
        circle = g.find("svg:circle", NS)
        out.append(
            {
                "x": float(circle.get("cx")),
                "y": float(circle.get("cy")),
                "title": g.find("svg:title", NS).text,
            }
        )
    return out


def plot_area(root: ET.Element) -> tuple[float, float, float, float]:
    """(left, right, top, bottom) of the axes path "M{left} {top}V{bottom}H{right}"."""
    d = root.find(".//svg:g[@class='hh-chart__axes']/svg:path", NS).get("d")
    left, rest = d[1:].split(" ", 1)
    top, rest = rest.split("V")
    bottom, right = rest.split("H")
    return float(left), float(right), float(top), float(bottom)


def test_no_points_gives_empty_axes_and_says_so():
    root = parse(harm_timeline_svg([]))
    assert marks(root) == []
    assert root.find("svg:desc", NS).text == "No incidents to chart."
    assert "No incidents to chart" in ET.tostring(root, encoding="unicode")


def test_one_point_is_one_mark_inside_the_plot():
    root = parse(harm_timeline_svg([(D(2025, 6, 1), 180, "Violence")]))
    [mark] = marks(root)
    left, right, top, bottom = plot_area(root)
    assert left < mark["x"] < right
    assert top <= mark["y"] < bottom
    assert mark["title"] == "1 June 2025: Violence, 180 days"
    assert root.find("svg:desc", NS).text == (
        "1 incident from 1 June 2025 to 1 June 2025, harm from 180 to 180 days, "
        "in 1 category: Violence."
    )


def test_many_points_one_mark_each_in_date_order_and_height_by_harm():
    # Given newest first, as the chronology is; the chart orders them by date.
    points = [
        (D(2026, 2, 14), 365, "Stalking"),
        (D(2025, 6, 1), 180, "Violence"),
        (D(2025, 1, 10), 28, "Violence"),
        (D(2024, 3, 5), 0, "Public order"),
        (D(2020, 7, 7), 1825, "Sexual"),
    ]
    root = parse(harm_timeline_svg(points))
    found = marks(root)
    assert len(found) == 5
    assert [m["title"].split(":")[0] for m in found] == [
        "7 July 2020",
        "5 March 2024",
        "10 January 2025",
        "1 June 2025",
        "14 February 2026",
    ]
    xs = [m["x"] for m in found]
    assert xs == sorted(xs) and len(set(xs)) == 5  # strictly increasing with the date
    by_title = {m["title"].split(":")[0]: m["y"] for m in found}
    # SVG y grows downwards: more harm, higher up (smaller y); no harm sits on the axis.
    assert (
        by_title["7 July 2020"]
        < by_title["14 February 2026"]
        < by_title["1 June 2025"]
        < by_title["10 January 2025"]
        < by_title["5 March 2024"]
    )
    _, _, top, bottom = plot_area(root)
    assert by_title["5 March 2024"] == bottom
    # The harm axis runs 0 to 2,000 in steps of 500 (1,825 rounded up), so 1,825 is at 91.25%.
    assert abs((bottom - by_title["7 July 2020"]) / (bottom - top) - 0.9125) < 0.01
    legend = [t.text for t in root.iterfind(".//svg:g[@class='hh-chart__legend']/svg:text", NS)]
    assert legend == ["Public order", "Sexual", "Stalking", "Violence"]


def test_same_day_points_are_separate_marks_at_the_same_date():
    points = [
        (D(2025, 6, 1), 180, "Violence"),
        (D(2025, 6, 1), 28, "Violence"),
        (D(2025, 6, 2), 28, "Violence"),
    ]
    found = marks(parse(harm_timeline_svg(points)))
    assert len(found) == 3
    assert found[0]["x"] == found[1]["x"] < found[2]["x"]
    assert found[0]["y"] != found[1]["y"]


def test_four_hundred_points_four_hundred_marks():
    start = D(2018, 1, 1)
    points = [
        (start + dt.timedelta(days=(i * 7) % 2900), 28 + i % 5, "Violence") for i in range(400)
    ]
    found = marks(parse(harm_timeline_svg(points)))
    assert len(found) == 400
    xs = [m["x"] for m in found]
    assert xs == sorted(xs)


def test_text_is_escaped_and_nothing_the_csp_forbids():
    svg = str(harm_timeline_svg([(D(2025, 1, 1), 10, 'A<b> & "c"')], title="<script>x</script>"))
    root = parse(svg)
    assert root.find("svg:title", NS).text == "<script>x</script>"
    assert "<script" not in svg
    assert not re.search(r"\sstyle=|\son[a-z]+=", svg)  # no inline style or event handler
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "harm-chart-title harm-chart-desc"


def test_nice_ticks_by_hand():
    assert nice_ticks(1825) == [0, 500, 1000, 1500, 2000]
    assert nice_ticks(10) == [0, 2, 4, 6, 8, 10]
    assert nice_ticks(0) == [0, 1]
    assert nice_ticks(180) == [0, 50, 100, 150, 200]


def test_month_ticks_by_hand():
    # Seven years: one tick a year, labelled with the year.
    ticks = month_ticks(D(2019, 1, 1).toordinal(), D(2025, 12, 31).toordinal())
    assert [label for _, label in ticks] == [str(y) for y in range(2019, 2026)]
    assert ticks[0][0] == D(2019, 1, 1).toordinal()
    # Three months: the first of each month inside the range.
    ticks = month_ticks(D(2024, 1, 15).toordinal(), D(2024, 4, 20).toordinal())
    assert [label for _, label in ticks] == ["Feb 2024", "Mar 2024", "Apr 2024"]


def test_score_history_one_mark_per_run_and_the_latest_labelled():
    points = [(D(2025, 7, 1), 95, 1), (D(2026, 3, 1), 60, 4), (D(2025, 12, 1), 80, 2)]
    root = parse(score_history_svg(points))
    found = marks(root)
    assert [m["title"] for m in found] == [
        "1 July 2025: score 95, rank 1",
        "1 December 2025: score 80, rank 2",
        "1 March 2026: score 60, rank 4",
    ]
    assert found[0]["x"] < found[1]["x"] < found[2]["x"]
    assert found[0]["y"] < found[1]["y"] < found[2]["y"]
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "60 (rank 4)" in texts
    assert marks(parse(score_history_svg([]))) == []
