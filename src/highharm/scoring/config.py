"""The scoring configuration: points per component and band, from a versioned TOML file.

Pure Python (no Django): the engine, the CLI and the benchmark load it the
same way. A malformed file fails loudly, naming the key and the reason, so a
force that replaces the file learns of a typo before any score is produced.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

FLAG_NAMES = ("stalking", "sexual", "strangulation", "weapon", "breach", "coercive_control")
"""Flags that can score. coercive_control comes from the offence category."""

SCORABLE_FLAGS = (*FLAG_NAMES, "domestic")
MAX_TOTAL_POINTS = 8191  # the engine ranks on a 13-bit score
RELATIONSHIPS = ("partner", "ex_partner", "family", "acquaintance", "stranger", "other", "unknown")


class ScoringConfigError(ValueError):
    """The scoring configuration file is malformed; the message says where and why."""


@dataclass(frozen=True)
class Band:
    threshold: float
    points: int


@dataclass(frozen=True)
class ScoringConfig:
    version: str
    window_days: int
    recency: tuple[Band, ...]  # recency_days <= threshold
    frequency: tuple[Band, ...]  # frequency >= threshold
    harm: tuple[Band, ...]  # harm_sum >= threshold
    harm_max: tuple[Band, ...]  # harm_max >= threshold
    victims: tuple[Band, ...]  # victims >= threshold
    serial_relationships: tuple[str, ...]
    serial_min_victims: int
    serial_points: int
    period_days: int
    harm_ratio: float
    harm_points: int
    gap_min_incidents: int
    gap_slope_days: float
    gap_points: int
    flags: dict[str, int] = field(default_factory=dict)
    source: str = ""
    text: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    @property
    def max_score(self) -> int:
        def top(bands):
            return max((b.points for b in bands), default=0)

        return (
            top(self.recency)
            + top(self.frequency)
            + top(self.harm)
            + top(self.harm_max)
            + top(self.victims)
            + self.serial_points
            + self.harm_points
            + self.gap_points
            + sum(self.flags.values())
        )


_TOP_KEYS = {
    "version",
    "window_days",
    "recency",
    "frequency",
    "harm",
    "harm_max",
    "victims",
    "serial",
    "escalation",
    "flags",
}


def load_config(path: str | Path) -> ScoringConfig:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScoringConfigError(f"cannot read the scoring configuration {path}: {exc}")
    return parse_config(text, source=str(path))


def parse_config(text: str, *, source: str = "<text>") -> ScoringConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScoringConfigError(f"{source}: not valid TOML: {exc}")

    def fail(key: str, reason: str):
        raise ScoringConfigError(f"{source}: {key}: {reason}")

    unknown = set(data) - _TOP_KEYS
    if unknown:
        fail(
            ", ".join(sorted(unknown)),
            "unknown key (expected one of " + ", ".join(sorted(_TOP_KEYS)) + ")",
        )

    def table(name: str, keys: set[str]) -> dict:
        value = data.get(name)
        if not isinstance(value, dict):
            fail(name, "missing table")
        extra = set(value) - keys
        if extra:
            fail(f"{name}.{sorted(extra)[0]}", "unknown key")
        missing = keys - set(value)
        if missing:
            fail(f"{name}.{sorted(missing)[0]}", "missing")
        return value

    def whole(key: str, value, *, minimum: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            fail(key, f"must be a whole number >= {minimum}, not {value!r}")
        return value

    def number(key: str, value) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            fail(key, f"must be a number, not {value!r}")
        return float(value)

    def bands(name: str, threshold_key: str, *, ascending: bool) -> tuple[Band, ...]:
        raw = table(name, {"bands"})["bands"]
        if not isinstance(raw, list):
            fail(f"{name}.bands", "must be a list of { " + threshold_key + " = …, points = … }")
        out = []
        for i, band in enumerate(raw):
            key = f"{name}.bands[{i}]"
            if not isinstance(band, dict) or set(band) != {threshold_key, "points"}:
                fail(key, f"must have exactly the keys {threshold_key} and points")
            threshold = number(f"{key}.{threshold_key}", band[threshold_key])
            if threshold < 0:
                fail(f"{key}.{threshold_key}", "must not be negative")
            out.append(Band(threshold=threshold, points=whole(f"{key}.points", band["points"])))
        for i in range(1, len(out)):
            before, here = out[i - 1].threshold, out[i].threshold
            if (ascending and not here > before) or (not ascending and not here < before):
                order = "increasing" if ascending else "decreasing"
                fail(f"{name}.bands[{i}]", f"{threshold_key} must be strictly {order}")
        return tuple(out)

    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        fail("version", 'must be a non-empty string, e.g. version = "force-2026.1"')
    window_days = whole("window_days", data.get("window_days"), minimum=1)

    serial = table("serial", {"relationships", "min_victims", "points"})
    relationships = serial["relationships"]
    if not isinstance(relationships, list) or not relationships:
        fail("serial.relationships", "must be a non-empty list")
    for rel in relationships:
        if rel not in RELATIONSHIPS:
            fail("serial.relationships", f"{rel!r} is not one of " + ", ".join(RELATIONSHIPS))

    escalation = table(
        "escalation",
        {
            "period_days",
            "harm_ratio",
            "harm_points",
            "min_incidents",
            "gap_slope_days",
            "gap_points",
        },
    )
    harm_ratio = number("escalation.harm_ratio", escalation["harm_ratio"])
    if harm_ratio < 1:
        fail("escalation.harm_ratio", "must be at least 1 (rising means more than before)")

    flags_table = data.get("flags")
    if not isinstance(flags_table, dict):
        fail("flags", "missing table")
    for name in flags_table:
        if name not in SCORABLE_FLAGS:
            fail(
                f"flags.{name}", "unknown flag (expected one of " + ", ".join(SCORABLE_FLAGS) + ")"
            )
    flags = {name: whole(f"flags.{name}", flags_table.get(name, 0)) for name in SCORABLE_FLAGS}

    config = ScoringConfig(
        version=version.strip(),
        window_days=window_days,
        # Recency is read from the most recent band outwards: max_days increases.
        recency=bands("recency", "max_days", ascending=True),
        frequency=bands("frequency", "min", ascending=False),
        harm=bands("harm", "min", ascending=False),
        harm_max=bands("harm_max", "min", ascending=False),
        victims=bands("victims", "min", ascending=False),
        serial_relationships=tuple(relationships),
        serial_min_victims=whole("serial.min_victims", serial["min_victims"], minimum=1),
        serial_points=whole("serial.points", serial["points"]),
        period_days=whole("escalation.period_days", escalation["period_days"], minimum=1),
        harm_ratio=harm_ratio,
        harm_points=whole("escalation.harm_points", escalation["harm_points"]),
        gap_min_incidents=whole("escalation.min_incidents", escalation["min_incidents"], minimum=3),
        gap_slope_days=number("escalation.gap_slope_days", escalation["gap_slope_days"]),
        gap_points=whole("escalation.gap_points", escalation["gap_points"]),
        flags=flags,
        source=source,
        text=text,
    )
    if config.max_score > MAX_TOTAL_POINTS:
        fail(
            "points",
            f"the highest possible score is {config.max_score}; keep it under {MAX_TOTAL_POINTS + 1}",
        )
    return config
