"""Charts of the validation workbench: the ROC curve and the calibration plot.

Drawn with matplotlib through highharm.charts, returned as SVG data URIs so the
page keeps its strict Content Security Policy.
"""

from __future__ import annotations

from highharm.charts import PALETTE, figure, to_data_uri

MAX_GROUP_CURVES = 7
GROUP_COLOURS = [c for i, c in enumerate(PALETTE) if i != 1]  # red marks the threshold


def roc_chart(report: dict) -> str:
    """The ROC curve, overall and for each group (up to seven), with the threshold marked."""
    fig, ax = figure(width=6, height=5)
    ax.plot([0, 1], [0, 1], linestyle="--", color="#b1b4b6", linewidth=1, label="Chance (AUC 0.5)")
    groups = [(g, f) for g, f in report.get("groups", {}).items() if f.get("roc")]
    if 0 < len(groups) <= MAX_GROUP_CURVES:
        for i, (label, figures) in enumerate(groups):
            xs, ys = zip(*figures["roc"], strict=True)
            auc = figures["auc"]
            ax.plot(xs, ys, linewidth=1.2, color=GROUP_COLOURS[i % len(GROUP_COLOURS)],
                    label=f"{label} (AUC {auc:.3f})")  # fmt: skip
    if report.get("roc"):
        xs, ys = zip(*report["roc"], strict=True)
        ax.plot(xs, ys, linewidth=2.4, color="#0b0c0c", label=f"All (AUC {report['auc']:.3f})")
    if report.get("fpr") is not None and report.get("tpr") is not None:
        ax.scatter([report["fpr"]], [report["tpr"]], s=60, color=PALETTE[1], zorder=5,
                   label=f"Threshold {report['threshold']:g}")  # fmt: skip
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.01)
    ax.set_aspect("equal")
    ax.set_xlabel("False positive rate (share of outcome 0 flagged)")
    ax.set_ylabel("True positive rate (share of outcome 1 flagged)")
    ax.grid(color="#dddddd", linewidth=0.5)
    ax.legend(fontsize=7, frameon=False, loc="lower right")
    return to_data_uri(fig)


def calibration_chart(report: dict) -> str:
    """Observed rate of the outcome in each score band (95% Wilson interval) against its mean score."""
    fig, ax = figure(width=6, height=5)
    bands = report["calibration"]
    xs = [b["mean_score"] for b in bands]
    ys = [b["observed_rate"] for b in bands]
    lows = [b["observed_rate"] - b["observed_ci"][0] for b in bands]
    highs = [b["observed_ci"][1] - b["observed_rate"] for b in bands]
    if report.get("score_is_probability"):
        ax.plot([0, 1], [0, 1], linestyle="--", color="#b1b4b6", linewidth=1,
                label="Perfect calibration")  # fmt: skip
        top = min(1.0, 1.15 * max(max(xs), max(b["observed_ci"][1] for b in bands)) + 0.01)
        ax.set_xlim(0, top)
        ax.set_xlabel("Mean score in band (as a probability)")
    else:
        ax.set_xlabel("Mean score in band")
    ax.axhline(report["base_rate"], color=PALETTE[3], linewidth=1, linestyle=":",
               label=f"Base rate {100 * report['base_rate']:.1f}%")  # fmt: skip
    ax.errorbar(xs, ys, yerr=[lows, highs], fmt="o-", color=PALETTE[0], ecolor="#505a5f",
                elinewidth=1, capsize=3, markersize=5, label="Observed rate (95% CI)")  # fmt: skip
    if report.get("score_is_probability"):
        ax.set_ylim(0, top)
        ax.set_aspect("equal")
    else:
        ax.set_ylim(0, min(1.0, max(b["observed_ci"][1] for b in bands) * 1.1 + 0.02))
    ax.set_ylabel("Share with outcome 1")
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{100 * v:.0f}%")
    ax.grid(color="#dddddd", linewidth=0.5)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    return to_data_uri(fig)


def roc_comparison_chart(reports: dict) -> str:
    """The ROC curves of several scores on the same people (the backtest), one colour each."""
    fig, ax = figure(width=6, height=5)
    ax.plot([0, 1], [0, 1], linestyle="--", color="#b1b4b6", linewidth=1, label="Chance (AUC 0.5)")
    for i, report in enumerate(reports.values()):
        if not report.get("roc"):
            continue
        xs, ys = zip(*report["roc"], strict=True)
        ax.plot(xs, ys, linewidth=2, color=PALETTE[[0, 2, 4][i % 3]],
                label=f"{report['label']} (AUC {report['auc']:.3f})")  # fmt: skip
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.01)
    ax.set_aspect("equal")
    ax.set_xlabel("False positive rate")
    ax.set_ylabel("True positive rate")
    ax.grid(color="#dddddd", linewidth=0.5)
    ax.legend(fontsize=7, frameon=False, loc="lower right")
    return to_data_uri(fig)
