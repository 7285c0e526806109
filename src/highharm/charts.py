"""Charts drawn on the server with matplotlib, as SVG.

Pages embed them as <img src="data:image/svg+xml;base64,..."> so the strict
Content Security Policy (no inline style) holds, and WeasyPrint puts the same
image into PDFs.
"""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

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
