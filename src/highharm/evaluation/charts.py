"""Charts of an evaluation result (matplotlib SVG as data: URIs; no Django).

Every chart is drawn from the result dict that `engine.evaluate` returns, so
the page, the PDF and the JSON always show the same figures. Each function
returns {"title", "uri", "alt"}; `label` turns a perpetrator reference into
what the reader may see (a pseudonym for roles without identity access).
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.ticker import FuncFormatter, MaxNLocator

from highharm.charts import PALETTE, figure, to_data_uri

COLOURS = {"cohort": PALETTE[0], "comparison": PALETTE[1]}
COLOUR_MAPS = {"cohort": "Blues", "comparison": "Reds"}
NAMES = {"cohort": "Managed cohort", "comparison": "Comparison group"}
DUMBBELL_MAX = 40


def _identity(ref: str) -> str:
    return ref


def before_after(result: dict, label=_identity) -> dict:
    people = [p for p in result["people"] if p["cohort"] == "cohort"]
    title = "Offences before and after the index date, per person"
    if len(people) <= DUMBBELL_MAX:
        people = sorted(people, key=lambda p: (p["offences_before"], p["offences_after"]))
        fig, ax = figure(8, max(2.0, 0.32 * len(people) + 1.0))
        ys = np.arange(len(people))
        for y, p in zip(ys, people, strict=True):
            complete = p["follow_up_complete"]
            ax.plot(
                [p["offences_before"], p["offences_after"]],
                [y, y],
                color="#b1b4b6",
                linewidth=2,
                zorder=1,
            )
            ax.scatter(p["offences_before"], y, color="#505a5f", s=36, zorder=2)
            ax.scatter(
                p["offences_after"],
                y,
                s=36,
                zorder=3,
                color=PALETTE[0] if complete else "white",
                edgecolors=PALETTE[0],
            )
        ax.set_yticks(ys)
        ax.set_yticklabels(
            [
                label(p["perpetrator_ref"]) + ("" if p["follow_up_complete"] else " (incomplete)")
                for p in people
            ],
            fontsize=7,
        )
        ax.set_xlabel("Offences (grey: before; blue: after; hollow: follow-up incomplete)")
        ax.set_xlim(left=-0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        alt = (
            f"For each of {len(people)} managed people, a grey dot at the offences before the "
            "index date joined to a blue dot at the offences after it. Figures are in the table "
            "of people."
        )
    else:
        fig, _ = figure(8, 3.2)
        fig.clear()
        groups = [g for g in ("cohort", "comparison") if g in result]
        axes = fig.subplots(1, len(groups), sharex=True, sharey=True, squeeze=False)[0]
        done = [p for p in result["people"] if p["follow_up_complete"]]
        counts = np.array([[p["offences_before"], p["offences_after"]] for p in done] or [[0, 0]])
        cap = int(min(20, max(5, np.percentile(counts, 99))))
        image = None
        for ax, group in zip(axes, groups, strict=True):
            pairs = np.array(
                [[p["offences_before"], p["offences_after"]] for p in done if p["cohort"] == group]
                or np.zeros((0, 2)),
                dtype=int,
            )
            grid = np.zeros((cap + 1, cap + 1))
            if pairs.size:
                clipped = np.minimum(pairs, cap)
                np.add.at(grid, (clipped[:, 1], clipped[:, 0]), 1)
            image = ax.imshow(
                np.ma.masked_equal(grid, 0),
                origin="lower",
                cmap=COLOUR_MAPS[group],
                norm=LogNorm(vmin=1, vmax=max(1.0, grid.max())),
                extent=(-0.5, cap + 0.5, -0.5, cap + 0.5),
                aspect="auto",
                interpolation="nearest",
            )
            ax.plot(
                [-0.5, cap + 0.5], [-0.5, cap + 0.5], color="#505a5f", linewidth=0.8, linestyle="--"
            )
            ax.set_title(NAMES[group], loc="left", fontsize=9)
            ax.set_xlabel(f"Offences before ({cap} = {cap} or more)")
            bar = fig.colorbar(image, ax=ax, label="People", shrink=0.9)
            bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        axes[0].set_ylabel("Offences after")
        for ax in axes:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        alt = (
            "Heat maps of offences after against offences before for the people with full "
            "follow-up in each group, darker for more people; squares below the dashed line "
            "reduced their offending."
        )
    return {"title": title, "uri": to_data_uri(fig), "alt": alt}


def trend(result: dict) -> dict:
    fig, ax = figure(8, 3)
    months = [row["month"] for row in result["trend"]]
    for group in ("cohort", "comparison"):
        key = f"{group}_rate"
        if result["trend"] and key in result["trend"][0]:
            values = [np.nan if row[key] is None else row[key] for row in result["trend"]]
            ax.plot(
                months, values, marker="o", markersize=3, color=COLOURS[group], label=NAMES[group]
            )
    ax.axvline(-0.5, color="#505a5f", linewidth=1, linestyle=":")
    ax.set_xlabel("Months from the index date (0 = the month starting on it)")
    ax.set_ylabel("Offences per person per month")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=7, frameon=False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.5)
    return {
        "title": "Offences per person per month, before and after the index date",
        "uri": to_data_uri(fig),
        "alt": "Line chart of offences per person per month by month from the index date; "
        "the figures are in the monthly table (CSV download).",
    }


def kaplan_meier(result: dict) -> dict:
    fig, ax = figure(8, 3)
    km = result["statistics"]["kaplan_meier"]
    for group in sorted(km["curves"], key=lambda g: g != "cohort"):
        curve = km["curves"][group]
        times = [0.0] + curve["times"]
        surv = [1.0] + curve["survival"]
        ax.step(
            times,
            surv,
            where="post",
            color=COLOURS.get(group, PALETTE[2]),
            label=NAMES.get(group, group),
        )
    ax.set_ylim(0, 1.02)
    ax.set_xlim(0, km["horizon_days"])
    ax.set_xlabel("Days after the index date")
    ax.set_ylabel("Share with no further offence")
    ax.legend(fontsize=7, frameon=False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.5)
    return {
        "title": "Time to first further offence (Kaplan–Meier)",
        "uri": to_data_uri(fig),
        "alt": "Kaplan–Meier curves of the share of each group with no further offence by days "
        "after the index date; the share at the end of follow-up is in the statistics table.",
    }


def harm_distribution(result: dict) -> dict:
    fig, ax = figure(8, 3)
    people = [p for p in result["people"] if p["cohort"] == "cohort" and p["follow_up_complete"]]
    before = np.array([p["harm_before"] for p in people], dtype=float)
    after = np.array([p["harm_after"] for p in people], dtype=float)
    top = max(
        1.0, float(before.max()) if before.size else 1.0, float(after.max()) if after.size else 1.0
    )
    bins = np.linspace(0, top, 21)
    ax.hist(before, bins=bins, histtype="step", linewidth=1.5, color="#505a5f", label="Before")
    ax.hist(after, bins=bins, histtype="step", linewidth=1.5, color=PALETTE[0], label="After")
    ax.set_xlabel("Harm per person (days)")
    ax.set_ylabel("People")
    ax.legend(fontsize=7, frameon=False)
    return {
        "title": "Distribution of harm per person in the managed cohort",
        "uri": to_data_uri(fig),
        "alt": f"Histograms of the harm, in days, caused by each of {len(people)} managed people "
        "with full follow-up before and after the index date.",
    }


def all_charts(result: dict, label=_identity) -> list[dict]:
    return [
        before_after(result, label),
        trend(result),
        kaplan_meier(result),
        harm_distribution(result),
    ]
