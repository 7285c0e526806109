"""Charts drawn on the server with matplotlib, as SVG.

Pages embed them as <img src="data:image/svg+xml;base64,..."> so the strict
Content Security Policy (no inline style) holds, and WeasyPrint puts the same
image into PDFs.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from django.utils.safestring import mark_safe  # noqa: E402

PALETTE = ["#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92", "#b58840", "#f499be", "#505a5f"]


def figure(width: float = 11, height: float = 3.2):
    fig, ax = plt.subplots(figsize=(width, height), dpi=100)
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    return fig, ax


def to_svg(fig) -> str:
    buffer = io.StringIO()
    fig.tight_layout()
    fig.savefig(buffer, format="svg")
    plt.close(fig)
    return buffer.getvalue()


def to_data_uri(fig) -> str:
    svg = to_svg(fig)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def to_png_data_uri(fig, *, dpi: int = 150) -> str:
    """A PNG data URI: for PDFs, where WeasyPrint lays out a PNG far faster than an SVG."""
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def harm_timeline(points: list[tuple], *, title: str = "", raster: bool = False) -> str:
    """points: (date, harm_days, category_label). Returns a data URI (SVG, or PNG if raster)."""
    fig, ax = figure()
    categories = sorted({p[2] for p in points})
    for i, category in enumerate(categories):
        xs = [p[0] for p in points if p[2] == category]
        ys = [p[1] for p in points if p[2] == category]
        ax.scatter(xs, ys, s=28, color=PALETTE[i % len(PALETTE)], label=category, zorder=3)
        ax.vlines(xs, 0, ys, color=PALETTE[i % len(PALETTE)], linewidth=1, alpha=0.6)
    ax.set_ylabel("Harm (days)")
    if title:
        ax.set_title(title, loc="left", fontsize=10)
    if points:
        ax.legend(fontsize=7, frameon=False, loc="upper left", ncols=min(4, len(categories)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", color="#dddddd", linewidth=0.5)
    return to_png_data_uri(fig) if raster else to_data_uri(fig)


# --- Hand-written SVG -------------------------------------------------------------------
# Pages that are drawn on every view (the person page) cannot afford matplotlib: a figure
# costs 100-160 ms of CPU even for a handful of points. These functions write the SVG
# markup directly (about 1 ms for 400 points). They use presentation attributes (fill=,
# stroke=) and no style attribute or script, so the strict Content Security Policy holds
# when the SVG is put inline in a page; inline, its <title> and <desc> are read by screen
# readers.

SVG_NS = "http://www.w3.org/2000/svg"
AXIS_COLOUR = "#505a5f"
GRID_COLOUR = "#dddddd"
TEXT_COLOUR = "#0b0c0c"
_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _esc(text) -> str:
    return (
        str(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


def _num(value: float) -> str:
    """A coordinate with at most one decimal, without a trailing '.0'."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _day(value) -> int:
    """A date or datetime as a day number."""
    if hasattr(value, "date") and callable(value.date):
        value = value.date()
    return value.toordinal()


def _day_label(day: int) -> str:
    """A day number as '1 June 2025' (full month names read better aloud)."""
    d = dt.date.fromordinal(day)
    return f"{d.day} {_MONTH_NAMES[d.month - 1]} {d.year}"


def nice_ticks(top: float, *, most: int = 5) -> list[float]:
    """Round tick values 0, step, 2*step... covering 0..top with at most `most` + 1 ticks.

    The step is 1, 2, 2.5 or 5 times a power of ten."""
    if top <= 0:
        return [0, 1]
    raw = top / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    count = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(count + 1)]


def month_ticks(first: int, last: int, *, most: int = 8) -> list[tuple[int, str]]:
    """(day number, label) at the first of a month, every 1, 2, 3, 6, 12, 24, 60... months,
    the smallest step that gives at most `most` ticks between day numbers first and last."""
    start = dt.date.fromordinal(first)
    end = dt.date.fromordinal(last)
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    step = next(
        (s for s in (1, 2, 3, 6, 12, 24, 60, 120) if months / s <= most),
        12 * math.ceil(months / (12 * most)),
    )
    index = start.year * 12 + start.month - 1
    index += -index % step  # the first month on the step at or after the start
    ticks = []
    while True:
        tick = dt.date(index // 12, index % 12 + 1, 1)
        if tick > end:
            break
        if tick >= start:
            label = str(tick.year) if step % 12 == 0 else f"{_MONTHS[tick.month - 1]} {tick.year}"
            ticks.append((tick.toordinal(), label))
        index += step
    return ticks


class _Frame:
    """Scales from (day, value) to SVG coordinates, and the axes, grid and ticks."""

    def __init__(self, days, top, *, width, height, left=56, right=16, top_margin=36, bottom=30):
        first, last = (min(days), max(days)) if days else (dt.date.today().toordinal(),) * 2
        pad = max(45, (last - first) // 50)  # marks clear of the axes; one day gets 3 months
        self.first, self.last = first - pad, last + pad
        self.ticks_y = nice_ticks(top)
        self.top_value = self.ticks_y[-1]
        self.width, self.height = width, height
        self.x0, self.x1 = left, width - right
        self.y0, self.y1 = height - bottom, top_margin

    def x(self, day: int) -> float:
        return self.x0 + (day - self.first) * (self.x1 - self.x0) / (self.last - self.first)

    def y(self, value: float) -> float:
        return self.y0 - value * (self.y0 - self.y1) / self.top_value

    def axes(self, y_label: str) -> list[str]:
        out = ['<g class="hh-chart__axes" font-size="11" fill="' + TEXT_COLOUR + '">']
        for value in self.ticks_y:
            y = _num(self.y(value))
            if value:
                out.append(
                    f'<line x1="{self.x0}" x2="{self.x1}" y1="{y}" y2="{y}" '
                    f'stroke="{GRID_COLOUR}" stroke-width="0.5"/>'
                )
            label = f"{value:,.0f}" if value == int(value) else f"{value:,g}"
            out.append(
                f'<text x="{self.x0 - 6}" y="{y}" text-anchor="end" dy="0.32em">{label}</text>'
            )
        for day, label in month_ticks(self.first, self.last):
            x = _num(self.x(day))
            out.append(
                f'<line x1="{x}" x2="{x}" y1="{self.y0}" y2="{self.y0 + 4}" stroke="{AXIS_COLOUR}"/>'
            )
            out.append(
                f'<text x="{x}" y="{self.y0 + 16}" text-anchor="middle">{_esc(label)}</text>'
            )
        out.append(
            f'<path d="M{self.x0} {self.y1}V{self.y0}H{self.x1}" fill="none" '
            f'stroke="{AXIS_COLOUR}"/>'
        )
        middle = _num((self.y0 + self.y1) / 2)
        out.append(
            f'<text x="12" y="{middle}" text-anchor="middle" '
            f'transform="rotate(-90 12 {middle})">{_esc(y_label)}</text>'
        )
        out.append("</g>")
        return out


def _svg_open(frame: _Frame, *, chart_id: str, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="{SVG_NS}" class="hh-chart__svg" viewBox="0 0 {frame.width} {frame.height}" '
        f'width="{frame.width}" height="{frame.height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="Arial, sans-serif">',
        f'<title id="{chart_id}-title">{_esc(title)}</title>',
        f'<desc id="{chart_id}-desc">{_esc(desc)}</desc>',
    ]


def harm_timeline_svg(
    points: list[tuple],
    *,
    title: str = "Harm of each incident over time",
    chart_id: str = "harm-chart",
    width: int = 880,
    height: int = 260,
) -> str:
    """points: (date, harm_days, category_label). Returns SVG markup to put inline in a page:
    one marker on a stem per point (class "hh-chart__mark", with its own <title>), coloured
    by category with a legend, a time axis and a harm axis from 0. Points on the same day
    share an x position."""
    rows = sorted(((_day(p[0]), float(p[1] or 0), str(p[2])) for p in points), key=lambda r: r[0])
    frame = _Frame(
        [r[0] for r in rows], max((r[1] for r in rows), default=0), width=width, height=height
    )
    categories = sorted({r[2] for r in rows})
    colour = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(categories)}
    if rows:
        desc = (
            f"{len(rows)} incident{'s' if len(rows) != 1 else ''} from {_day_label(rows[0][0])} "
            f"to {_day_label(rows[-1][0])}, harm from {min(r[1] for r in rows):,.0f} to "
            f"{max(r[1] for r in rows):,.0f} days, in {len(categories)} "
            f"categor{'ies' if len(categories) != 1 else 'y'}: {', '.join(categories)}."
        )
    else:
        desc = "No incidents to chart."
    out = _svg_open(frame, chart_id=chart_id, title=title, desc=desc)
    out += frame.axes("Harm (days)")
    x = frame.x0
    out.append('<g class="hh-chart__legend" font-size="11" fill="' + TEXT_COLOUR + '">')
    for category in categories:
        out.append(f'<circle cx="{x + 5}" cy="14" r="4" fill="{colour[category]}"/>')
        out.append(f'<text x="{x + 13}" y="14" dy="0.32em">{_esc(category)}</text>')
        x += 28 + 6.5 * len(category)
    out.append("</g>")
    if not rows:
        out.append(
            f'<text x="{_num((frame.x0 + frame.x1) / 2)}" y="{_num((frame.y0 + frame.y1) / 2)}" '
            f'text-anchor="middle" font-size="13" fill="{AXIS_COLOUR}">No incidents to chart</text>'
        )
    out.append('<g class="hh-chart__marks">')
    for day, harm, category in rows:
        x, y = _num(frame.x(day)), _num(frame.y(harm))
        out.append(
            f'<g class="hh-chart__mark"><title>{_day_label(day)}: {_esc(category)}, '
            f"{harm:,.0f} days</title>"
            f'<line x1="{x}" x2="{x}" y1="{frame.y0}" y2="{y}" stroke="{colour[category]}" '
            f'stroke-opacity="0.6"/>'
            f'<circle cx="{x}" cy="{y}" r="3.5" fill="{colour[category]}"/></g>'
        )
    out.append("</g></svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text in it went through _esc


def score_history_svg(
    points: list[tuple],
    *,
    title: str = "Priority score in each stored run",
    chart_id: str = "score-chart",
    width: int = 880,
    height: int = 220,
) -> str:
    """points: (date, score, rank), oldest first. A line with a marker per run (class
    "hh-chart__mark") and the latest score and rank written beside the last marker."""
    rows = sorted(((_day(p[0]), float(p[1] or 0), p[2]) for p in points), key=lambda r: r[0])
    top = max((r[1] for r in rows), default=0) * 1.15
    frame = _Frame([r[0] for r in rows], top, width=width, height=height, top_margin=16)
    if rows:
        last = rows[-1]
        desc = (
            f"{len(rows)} run{'s' if len(rows) != 1 else ''} from {_day_label(rows[0][0])} to "
            f"{_day_label(last[0])}; the latest score {last[1]:,.0f}, rank {last[2]}."
        )
    else:
        desc = "No stored runs to chart."
    out = _svg_open(frame, chart_id=chart_id, title=title, desc=desc)
    out += frame.axes("Priority score")
    colour = PALETTE[0]
    if rows:
        path = "M" + "L".join(f"{_num(frame.x(d))} {_num(frame.y(v))}" for d, v, _ in rows)
        out.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
    out.append('<g class="hh-chart__marks">')
    for day, score, rank in rows:
        x, y = _num(frame.x(day)), _num(frame.y(score))
        out.append(
            f'<g class="hh-chart__mark"><title>{_day_label(day)}: score {score:,.0f}, rank '
            f'{_esc(rank)}</title><circle cx="{x}" cy="{y}" r="3.5" fill="{colour}"/></g>'
        )
    out.append("</g>")
    if rows:
        day, score, rank = rows[-1]
        x = frame.x(day)
        anchor = "end" if x > frame.x1 - 120 else "start"
        out.append(
            f'<text x="{_num(x + (-6 if anchor == "end" else 6))}" y="{_num(frame.y(score) - 8)}" '
            f'text-anchor="{anchor}" font-size="11" fill="{TEXT_COLOUR}">'
            f"{score:,.0f} (rank {_esc(rank)})</text>"
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text in it went through _esc


def svg_data_uri(svg: str) -> str:
    """SVG markup as a data URI, for an <img> (or WeasyPrint)."""
    return "data:image/svg+xml;base64," + base64.b64encode(str(svg).encode()).decode()
