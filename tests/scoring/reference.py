"""A plain-Python reference implementation of docs/scoring.md, written independently of the
engine: dicts and loops, one person at a time, gaps found by sorting the dates, the gap
trend by the textbook least-squares formula in exact fractions, points by walking the
bands. The engine must agree with it exactly."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from fractions import Fraction

FLAGS = ["stalking", "sexual", "strangulation", "weapon", "breach", "coercive_control", "domestic"]
LABELS = {
    "stalking": "stalking",
    "sexual": "sexual offence",
    "strangulation": "strangulation",
    "weapon": "weapon",
    "breach": "breach of an order",
    "coercive_control": "coercive control",
    "domestic": "domestic abuse",
}


def first_band(value, bands, *, at_most=False):
    for band in bands:
        if (value <= band.threshold) if at_most else (value >= band.threshold):
            return band.points
    return 0


def hundredths(harm):
    return 0 if harm is None else round(harm * 100)


def days_text(h):
    return str(h // 100) if h % 100 == 0 else repr(h / 100)


def plural(n, one, many):
    return f"{n} {one if n == 1 else many}"


def span_text(days):
    if days % 365 == 0:
        return "1 year" if days == 365 else f"{days // 365} years"
    return f"{days} days"


def one_decimal(value: Fraction) -> str:
    """To one decimal place, halves away from zero."""
    tenths = abs(value) * 10
    whole = int(tenths)
    if tenths - whole >= Fraction(1, 2):
        whole += 1
    sign = "-" if value < 0 and whole > 0 else ""
    return f"{sign}{whole // 10}.{whole % 10}"


def ols_slope(gaps):
    """Least-squares slope of gap against its position 0..k-1, exactly."""
    k = len(gaps)
    mean_j = Fraction(k - 1, 2)
    mean_g = Fraction(sum(gaps), k)
    top = sum((j - mean_j) * (g - mean_g) for j, g in enumerate(gaps))
    bottom = sum((j - mean_j) ** 2 for j in range(k))
    return top / bottom


def reference_scores(rows: list[dict], *, as_of: dt.date, config, window_days: int) -> list[dict]:
    period = config.period_days
    people = defaultdict(list)
    for row in rows:
        age = (as_of - row["occurred_on"]).days
        if age < 0:
            continue  # after the as-of date
        people[row["perpetrator_ref"]].append((age, row))
    out = []
    for ref, items in people.items():
        window = [r for age, r in items if age < window_days]
        if not window:
            continue
        dates = sorted(r["occurred_on"] for r in window)
        harms = [hundredths(r["harm_days"]) for r in window]
        recent = [r for age, r in items if age < period]
        prior = [r for age, r in items if period <= age < 2 * period]
        harm_recent = sum(hundredths(r["harm_days"]) for r in recent)
        harm_prior = sum(hundredths(r["harm_days"]) for r in prior)
        victims = {r["victim_ref"] for r in window if r["victim_ref"] is not None}
        partner_victims = {
            r["victim_ref"]
            for r in window
            if r["victim_ref"] is not None and r["relationship"] in config.serial_relationships
        }
        flags = {}
        for name in FLAGS:
            if name == "coercive_control":
                flags[name] = any(r["category"] == "coercive_control" for r in window)
            else:
                flags[name] = any(r[name] for r in window)
        gaps = [(dates[i + 1] - dates[i]).days for i in range(len(dates) - 1)]
        exact_slope = ols_slope(gaps) if len(gaps) >= 2 else None
        slope = float(exact_slope) if exact_slope is not None else None
        m = {
            "perpetrator_ref": ref,
            "frequency": len(window),
            "recency_days": (as_of - dates[-1]).days,
            "last_incident_on": dates[-1],
            "first_incident_on": dates[0],
            "harm_sum_h": sum(harms),
            "harm_max_h": max(harms),
            "harm_unknown": sum(1 for r in window if r["harm_days"] is None),
            "victims": len(victims),
            "partner_victims": len(partner_victims),
            "harm_recent_h": harm_recent,
            "harm_prior_h": harm_prior,
            "incidents_recent": len(recent),
            "incidents_prior": len(prior),
            "gap_slope": slope,
            "gap_slope_text": one_decimal(exact_slope) if exact_slope is not None else None,
            **{f"flag_{n}": v for n, v in flags.items()},
        }
        m["escalating_harm"] = (
            len(recent) >= 1
            and len(prior) >= 1
            and harm_recent > harm_prior
            and float(harm_recent) >= config.harm_ratio * float(harm_prior)
        )
        m["gaps_shortening"] = (
            len(window) >= config.gap_min_incidents
            and slope is not None
            and slope <= config.gap_slope_days
        )
        m["serial"] = len(partner_victims) >= config.serial_min_victims
        m["flags"] = "|".join(n for n in FLAGS if m[f"flag_{n}"])
        m["escalation"] = "; ".join(
            text
            for text, on in (
                ("harm rising", m["escalating_harm"]),
                ("gaps shortening", m["gaps_shortening"]),
            )
            if on
        )
        pts = {
            "recency": first_band(m["recency_days"], config.recency, at_most=True),
            "frequency": first_band(m["frequency"], config.frequency),
            "harm": first_band(m["harm_sum_h"] / 100, config.harm),
            "harm_max": first_band(m["harm_max_h"] / 100, config.harm_max),
            "victims": first_band(m["victims"], config.victims),
            "serial": config.serial_points if m["serial"] else 0,
            "escalation": config.harm_points if m["escalating_harm"] else 0,
            "gaps": config.gap_points if m["gaps_shortening"] else 0,
            **{n: config.flags[n] if flags[n] else 0 for n in FLAGS},
        }
        m["points"] = pts
        m["priority_score"] = sum(pts.values())
        m["explanation"] = explain(m, pts, config=config, window_days=window_days)
        out.append(m)
    out.sort(
        key=lambda m: (
            -m["priority_score"],
            -m["harm_sum_h"],
            m["recency_days"],
            m["perpetrator_ref"],
        )
    )
    # Competition ranking: one more than the number of people strictly ahead on
    # (score, harm, recency); people equal on all three share it.
    for m in out:
        key = (-m["priority_score"], -m["harm_sum_h"], m["recency_days"])
        m["rank"] = 1 + sum(
            1 for o in out if (-o["priority_score"], -o["harm_sum_h"], o["recency_days"]) < key
        )
    return out


def explain(m, pts, *, config, window_days) -> str:
    span = span_text(window_days)
    parts = []
    if pts["frequency"]:
        parts.append(
            f"{plural(m['frequency'], 'incident', 'incidents')} in {span} (+{pts['frequency']})"
        )
    if pts["victims"]:
        parts.append(f"{plural(m['victims'], 'victim', 'victims')} in {span} (+{pts['victims']})")
    if pts["recency"]:
        if m["recency_days"] == 0:
            parts.append(f"last incident on the as-of date (+{pts['recency']})")
        else:
            parts.append(
                f"last incident {plural(m['recency_days'], 'day', 'days')} ago (+{pts['recency']})"
            )
    if pts["harm"]:
        parts.append(f"harm {days_text(m['harm_sum_h'])} days (+{pts['harm']})")
    if pts["harm_max"]:
        parts.append(
            f"most harmful incident {days_text(m['harm_max_h'])} days (+{pts['harm_max']})"
        )
    if pts["serial"]:
        parts.append(
            f"serial perpetrator: {m['partner_victims']} victims in separate relationships (+{pts['serial']})"
        )
    if pts["escalation"]:
        if config.period_days == 365:
            now, before = "last year", "the year before"
        else:
            now, before = f"last {config.period_days} days", f"the {config.period_days} days before"
        parts.append(
            f"escalating: harm {days_text(m['harm_recent_h'])} days in the {now} against "
            f"{days_text(m['harm_prior_h'])} {before} (+{pts['escalation']})"
        )
    if pts["gaps"]:
        parts.append(
            f"incidents coming closer together (gap trend {m['gap_slope_text']} days per incident) (+{pts['gaps']})"
        )
    for name in FLAGS:
        if pts[name]:
            parts.append(f"{LABELS[name]} (+{pts[name]})")
    text = ", ".join(parts) or "no component scored"
    if m["harm_unknown"]:
        text += f"; note: harm unknown for {plural(m['harm_unknown'], 'incident', 'incidents')} (counted as 0)"
    return text
