"""The score-over-time chart on the person page (matplotlib SVG via highharm.charts)."""

from __future__ import annotations

import datetime as dt

import matplotlib.dates as mdates

from highharm.charts import PALETTE, figure, to_data_uri


def score_history(points: list[tuple[dt.date, int, int]], *, title: str = "") -> str:
    """points: (run as-of date, priority score, rank), oldest first. Returns a data URI."""
    fig, ax = figure(height=2.6)
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    ax.plot(xs, ys, color=PALETTE[0], linewidth=1.5, marker="o", markersize=4, zorder=3)
    for x, y, rank in points[-1:]:
        ax.annotate(
            f"{y} (rank {rank})", (x, y), textcoords="offset points", xytext=(4, 6), fontsize=8
        )
    ax.set_ylabel("Priority score")
    ax.set_ylim(bottom=0, top=max(ys) * 1.2 + 1)
    if title:
        ax.set_title(title, loc="left", fontsize=10)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %Y"))
    ax.grid(axis="y", color="#dddddd", linewidth=0.5)
    fig.autofmt_xdate()
    return to_data_uri(fig)
