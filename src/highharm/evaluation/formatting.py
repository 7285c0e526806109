"""How evaluation figures are written in the report, the PDF and the CLI's text (no Django).

One set of rules so the page, the PDF and the text output read the same:
counts with thousands separators, harm in days to one decimal place,
percentage changes signed to one decimal place, estimates signed to two,
and a true minus sign (−) rather than a hyphen.
"""

from __future__ import annotations

MINUS = "\u2212"


def _minus(text: str) -> str:
    return text.replace("-", MINUS)


def count(value) -> str:
    if value is None:
        return "–"
    return f"{int(value):,}"


def days(value) -> str:
    if value is None:
        return "–"
    return _minus(f"{float(value):,.1f}")


def pct(value) -> str:
    """A signed percentage change; None means there was nothing before to compare with."""
    if value is None:
        return "not defined"
    if value == 0:
        return "0.0%"
    return _minus(f"{float(value):+.1f}%")


def signed(value, digits: int = 2) -> str:
    if value is None:
        return "–"
    if round(float(value), digits) == 0:
        return f"{0:.{digits}f}"
    return _minus(f"{float(value):+.{digits}f}")


def interval(ci, digits: int = 2) -> str:
    if not ci or ci[0] is None:
        return "–"
    return f"{signed(ci[0], digits)} to {signed(ci[1], digits)}"


def ratio(value) -> str:
    if value is None:
        return "–"
    return f"{float(value):.2f}"


def ratio_interval(ci) -> str:
    if not ci or ci[0] is None:
        return "–"
    return f"{ratio(ci[0])} to {ratio(ci[1])}"


def pvalue(value) -> str:
    if value is None:
        return "not run"
    if value < 0.0001:
        return "< 0.0001"
    return f"{float(value):.4f}".rstrip("0").rstrip(".") if value < 1 else "1"


def p_phrase(value) -> str:
    """'p = 0.0625' or 'p < 0.0001', for sentences."""
    if value is None:
        return "no p-value (the test could not be run)"
    text = pvalue(value)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def share(value) -> str:
    if value is None:
        return "–"
    return f"{100 * float(value):.1f}%"
