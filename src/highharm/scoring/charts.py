"""The score-over-time chart on the person page: hand-written SVG (highharm.charts), as a
data URI for an <img>, drawn on every view of the page, so not with matplotlib."""

from __future__ import annotations

import datetime as dt

from highharm.charts import score_history_svg, svg_data_uri


def score_history(points: list[tuple[dt.date, int, int]], *, title: str = "") -> str:
    """points: (run as-of date, priority score, rank), oldest first. Returns a data URI."""
    return svg_data_uri(
        score_history_svg(points, title=title or "Priority score in each stored run")
    )
