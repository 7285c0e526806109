"""Risk instruments as versioned data: load a definition, score a set of answers.

Pure Python (no Django). An instrument (DASH, S-DASH, the HHU tool, or one a
force adds) is a TOML file in ``src/highharm/data/instruments/``: its items,
answer options, scoring rule, bands, the rule for professional judgement and,
for a decision instrument, the rules that raise a recommendation. Changing a
number means changing the file's ``version``; every stored assessment names
the id, version and SHA-256 of the definition it used (docs/risk-tool.md).

Three kinds of item:

* ``question`` — asked of the victim or the officer (DASH, S-DASH): yes, no or
  not known;
* ``judgement`` — a structured professional-judgement item the officer answers
  (the HHU tool): yes, no or not known;
* ``data`` — filled from the identification engine's measures for the person
  as of the assessment date, never typed in: a number scored by bands
  (``type = "number"``) or a flag (``type = "flag"``).

Scoring rules: ``count_yes`` (each "yes" counts 1; DASH and S-DASH) or
``points`` (each item adds its points; the HHU tool). The total falls in a
band, which gives the level (or the recommendation, for a decision
instrument); ``rules`` may then raise it (for example the "cluster" of
separation, control and violence); professional judgement may then raise it,
and lower it only where the definition allows (never for DASH), always with a
written reason (checked by the service, which holds the reason).

``data_points_frame`` computes the data items for a whole force at once, in
Polars column expressions (the backtest); ``score`` scores one assessment.
"""

from __future__ import annotations

import functools
import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import polars as pl

INSTRUMENTS_DIR = Path(__file__).resolve().parent.parent / "data" / "instruments"

ANSWERS = ("yes", "no", "unknown")
ANSWER_LABELS = {"yes": "Yes", "no": "No", "unknown": "Not known"}
KINDS = ("question", "judgement", "data")
TYPES = ("yes_no_unknown", "number", "flag")
RULES = ("count_yes", "points")

MEASURES: dict[str, str] = {
    # numbers
    "recency_days": "days from the last incident in the window to the assessment date",
    "frequency": "incidents in the window",
    "harm_sum": "total harm of the incidents in the window, in days",
    "harm_max": "harm of the most harmful incident in the window, in days",
    "victims": "distinct recorded victims in the window",
    "partner_victims": "distinct victims recorded as partners or ex-partners in the window",
    "incidents_recent": "incidents in the last year",
    "harm_recent": "harm in the last year, in days",
    "harm_prior": "harm in the year before the last, in days",
    # flags
    "serial": "victims in two or more separate intimate relationships",
    "escalating_harm": "harm in the last year at least 1.5 times the year before",
    "gaps_shortening": "incidents coming closer together",
    "flag_stalking": "a stalking or harassment incident in the window",
    "flag_strangulation": "a strangulation-flagged incident in the window",
    "flag_breach": "a breach of an order in the window",
    "flag_sexual": "a sexual offence in the window",
    "flag_weapon": "a weapon-flagged incident in the window",
    "flag_coercive_control": "a coercive-control offence in the window",
    "flag_domestic": "a domestic-abuse incident in the window",
}
"""The identification engine's measures an instrument may use: behaviour in the records,
nothing about who the person is. Every name is an output column of
``highharm.scoring.engine.score``; a test checks that, and that none is a protected
characteristic or a proxy for one (no age, gender, ethnicity, address, postcode, …)."""

FLAG_MEASURES = frozenset(
    {"serial", "escalating_harm", "gaps_shortening"}
    | {m for m in MEASURES if m.startswith("flag_")}
)


class InstrumentError(ValueError):
    """A definition is malformed, or answers cannot be scored; the message says why."""


@dataclass(frozen=True)
class Band:
    """Points when the value is at least (or at most) the bound; the first match scores."""

    op: str  # "at_least" | "at_most"
    bound: float
    points: float

    def matches(self, value: float) -> bool:
        return value >= self.bound if self.op == "at_least" else value <= self.bound

    def describe(self, unit: str) -> str:
        word = "at least" if self.op == "at_least" else "at most"
        return f"{word} {_num(self.bound)}{(' ' + unit) if unit else ''}"


@dataclass(frozen=True)
class Item:
    id: str
    number: int
    text: str
    kind: str
    type: str
    points: float = 1.0
    bands: tuple[Band, ...] = ()
    measures: tuple[str, ...] = ()
    unit: str = ""
    section: str = ""
    source: str = ""
    rationale: str = ""
    verified: bool | None = None
    hint_measures: tuple[str, ...] = ()
    help: str = ""
    label: str = ""

    @property
    def short(self) -> str:
        """A short name for summaries: the label, else the text."""
        return self.label or self.text.rstrip(".?")

    @property
    def max_points(self) -> float:
        if self.type == "number":
            return max((b.points for b in self.bands), default=0.0)
        return self.points


@dataclass(frozen=True)
class Level:
    id: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Rule:
    """Raise the level to at least ``at_least`` when, in every group, some item scored."""

    id: str
    text: str
    all_of: tuple[tuple[str, ...], ...]
    at_least: str
    source: str = ""


@dataclass(frozen=True)
class Definition:
    id: str
    version: str
    name: str
    kind: str  # "checklist" | "decision"
    description: str
    source: str
    rule: str
    levels: tuple[Level, ...]  # lowest first
    bands: tuple[tuple[float, str], ...]  # (minimum total, level), highest minimum first
    bands_source: str
    may_raise: bool
    may_lower: bool
    reason_required: bool
    judgement_source: str
    rules: tuple[Rule, ...]
    items: tuple[Item, ...]
    wording_note: str = ""
    text: str = field(default="", repr=False)
    path: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    @property
    def label(self) -> str:
        return f"{self.name} ({self.version})"

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    @property
    def asked_items(self) -> tuple[Item, ...]:
        """Items a person answers (questions and judgement items), in order."""
        return tuple(i for i in self.items if i.kind != "data")

    @property
    def data_items(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.kind == "data")

    @property
    def measures(self) -> set[str]:
        return {m for i in self.data_items for m in i.measures}

    @property
    def max_total(self) -> float:
        if self.rule == "count_yes":
            return float(len(self.asked_items))
        return float(sum(i.max_points for i in self.items))

    def level_rank(self, level_id: str) -> int:
        for rank, level in enumerate(self.levels):
            if level.id == level_id:
                return rank
        raise InstrumentError(
            f"{self.id}: no level {level_id!r} (levels: {', '.join(lv.id for lv in self.levels)})"
        )

    def level_label(self, level_id: str) -> str:
        return self.levels[self.level_rank(level_id)].label

    def band_level(self, total: float) -> str:
        for minimum, level in self.bands:
            if total >= minimum:
                return level
        return self.levels[0].id


# ------------------------------------------------------------------------------------------
# Loading
# ------------------------------------------------------------------------------------------


def load_definition(path: str | Path) -> Definition:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InstrumentError(f"cannot read the instrument definition {path}: {exc}")
    return _parse_file_text(text, str(path))


@functools.lru_cache(maxsize=64)
def _parse_file_text(text: str, source: str) -> Definition:
    """parse_definition, remembered by the file's text: the files are still read on every
    call (a new version is picked up at once), but parsing them (5 ms for the three built-in
    ones, on every view of a person page) happens once per process. Definitions are frozen."""
    return parse_definition(text, source=source)


def builtin_definitions(directory: str | Path | None = None) -> dict[str, Definition]:
    """Every definition in the directory (default: the shipped ones), keyed by id."""
    directory = Path(directory) if directory else INSTRUMENTS_DIR
    found: dict[str, Definition] = {}
    for path in sorted(directory.glob("*.toml")):
        definition = load_definition(path)
        if definition.id in found:
            raise InstrumentError(f"{path}: instrument id {definition.id!r} is defined twice")
        found[definition.id] = definition
    return found


_TOP = {
    "id",
    "version",
    "name",
    "kind",
    "description",
    "source",
    "wording_note",
    "scoring",
    "judgement",
    "rules",
    "items",
}
_ITEM_KEYS = {
    "id",
    "number",
    "text",
    "kind",
    "type",
    "points",
    "bands",
    "measure",
    "measures_any",
    "unit",
    "section",
    "source",
    "rationale",
    "verified",
    "hint_measures",
    "help",
    "label",
}


def parse_definition(text: str, *, source: str = "<text>") -> Definition:
    """Parse and check a definition; every problem names the key and the reason."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InstrumentError(f"{source}: not valid TOML: {exc}")

    def fail(key: str, reason: str):
        raise InstrumentError(f"{source}: {key}: {reason}")

    unknown = set(data) - _TOP
    if unknown:
        fail(", ".join(sorted(unknown)), "unknown key")
    for key in ("id", "version", "name", "kind", "source"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            fail(key, "required text")
    if data["kind"] not in ("checklist", "decision"):
        fail("kind", "must be 'checklist' or 'decision'")
    if not data["id"].replace("_", "").replace("-", "").isalnum():
        fail("id", "letters, digits, - and _ only")

    scoring = data.get("scoring")
    if not isinstance(scoring, dict):
        fail("scoring", "missing table")
    rule = scoring.get("rule")
    if rule not in RULES:
        fail("scoring.rule", f"must be one of {', '.join(RULES)}")
    raw_levels = scoring.get("levels")
    if not isinstance(raw_levels, list) or len(raw_levels) < 2:
        fail("scoring.levels", "a list of at least two levels, lowest first")
    levels = []
    for n, raw in enumerate(raw_levels):
        if not isinstance(raw, dict) or not raw.get("id") or not raw.get("label"):
            fail(f"scoring.levels[{n}]", "needs id and label")
        levels.append(Level(str(raw["id"]), str(raw["label"]), str(raw.get("description", ""))))
    level_ids = [lv.id for lv in levels]
    if len(set(level_ids)) != len(level_ids):
        fail("scoring.levels", "level ids repeat")
    raw_bands = scoring.get("bands")
    if not isinstance(raw_bands, list) or not raw_bands:
        fail("scoring.bands", "a list of {min, level}")
    bands = []
    for n, raw in enumerate(raw_bands):
        if not isinstance(raw, dict) or set(raw) != {"min", "level"}:
            fail(f"scoring.bands[{n}]", "needs exactly min and level")
        if raw["level"] not in level_ids:
            fail(f"scoring.bands[{n}].level", f"{raw['level']!r} is not a level")
        if not isinstance(raw["min"], int | float) or isinstance(raw["min"], bool):
            fail(f"scoring.bands[{n}].min", "must be a number")
        bands.append((float(raw["min"]), raw["level"]))
    bands.sort(key=lambda b: -b[0])
    ranks = [level_ids.index(level) for _, level in bands]
    if ranks != sorted(ranks, reverse=True):
        fail("scoring.bands", "a higher total must never give a lower level")

    judgement = data.get("judgement")
    if not isinstance(judgement, dict):
        fail("judgement", "missing table")
    for key in ("may_raise", "may_lower", "reason_required"):
        if not isinstance(judgement.get(key), bool):
            fail(f"judgement.{key}", "true or false")

    items: list[Item] = []
    seen: set[str] = set()
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        fail("items", "at least one item")
    for n, raw in enumerate(raw_items):
        where = f"items[{n}]" + (f" ({raw.get('id')})" if isinstance(raw, dict) else "")
        if not isinstance(raw, dict):
            fail(where, "must be a table")
        extra = set(raw) - _ITEM_KEYS
        if extra:
            fail(where, "unknown key " + ", ".join(sorted(extra)))
        item_id = raw.get("id")
        if not isinstance(item_id, str) or not item_id.isidentifier():
            fail(where, "id must be a name (letters, digits, _)")
        if item_id in seen:
            fail(where, "id repeats")
        seen.add(item_id)
        for key in ("text", "source"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                fail(f"{where}.{key}", "required text (every item cites its source)")
        kind = raw.get("kind", "question")
        if kind not in KINDS:
            fail(f"{where}.kind", f"one of {', '.join(KINDS)}")
        item_type = raw.get("type", "yes_no_unknown")
        if item_type not in TYPES:
            fail(f"{where}.type", f"one of {', '.join(TYPES)}")
        if (kind == "data") != (item_type in ("number", "flag")):
            fail(
                where,
                "data items are numbers or flags; questions and judgement are yes/no/not known",
            )
        if kind == "data" and rule == "count_yes":
            fail(where, "a count_yes instrument has no data items")
        points = raw.get("points", 1)
        if not isinstance(points, int | float) or isinstance(points, bool) or points < 0:
            fail(f"{where}.points", "a number, 0 or more")
        if rule == "count_yes" and points != 1:
            fail(f"{where}.points", "every item of a count_yes instrument counts 1")
        measures: tuple[str, ...] = ()
        item_bands: tuple[Band, ...] = ()
        if kind == "data":
            if "measure" in raw and "measures_any" in raw:
                fail(where, "give measure or measures_any, not both")
            if "measure" in raw:
                measures = (raw["measure"],)
            elif isinstance(raw.get("measures_any"), list) and raw["measures_any"]:
                measures = tuple(raw["measures_any"])
            else:
                fail(where, "a data item names its measure")
            for m in measures:
                if m not in MEASURES:
                    fail(
                        f"{where}.measure",
                        f"{m!r} is not a measure of the identification engine "
                        f"(one of {', '.join(MEASURES)})",
                    )
            if item_type == "flag":
                if any(m not in FLAG_MEASURES for m in measures):
                    fail(where, "a flag item uses yes/no measures only")
                if "bands" in raw:
                    fail(where, "a flag item scores its points, not bands")
            else:
                if len(measures) != 1 or measures[0] in FLAG_MEASURES:
                    fail(where, "a number item uses one numeric measure")
                item_bands = _parse_bands(raw.get("bands"), f"{where}.bands", fail)
        elif "bands" in raw or "measure" in raw or "measures_any" in raw:
            fail(where, "only data items have measures and bands")
        hints = tuple(raw.get("hint_measures", ()))
        for m in hints:
            if m not in MEASURES:
                fail(f"{where}.hint_measures", f"{m!r} is not a measure")
        verified = raw.get("verified")
        if verified is not None and not isinstance(verified, bool):
            fail(f"{where}.verified", "true or false")
        items.append(
            Item(
                id=item_id,
                number=int(raw.get("number", n + 1)),
                text=raw["text"].strip(),
                kind=kind,
                type=item_type,
                points=float(points),
                bands=item_bands,
                measures=measures,
                unit=str(raw.get("unit", "")),
                section=str(raw.get("section", "")),
                source=raw["source"].strip(),
                rationale=str(raw.get("rationale", "")).strip(),
                verified=verified,
                hint_measures=hints,
                help=str(raw.get("help", "")).strip(),
                label=str(raw.get("label", "")).strip(),
            )
        )

    rules: list[Rule] = []
    for n, raw in enumerate(data.get("rules", []) or []):
        where = f"rules[{n}]"
        if not isinstance(raw, dict) or set(raw) - {"id", "text", "all_of", "at_least", "source"}:
            fail(where, "needs id, text, all_of, at_least, source")
        for key in ("id", "text", "source"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                fail(f"{where}.{key}", "required text")
        if raw.get("at_least") not in level_ids:
            fail(f"{where}.at_least", "must be a level")
        groups = raw.get("all_of")
        if not isinstance(groups, list) or not groups:
            fail(f"{where}.all_of", "a list of groups of item ids")
        parsed_groups = []
        for group in groups:
            if not isinstance(group, list) or not group:
                fail(f"{where}.all_of", "each group is a non-empty list of item ids")
            for item_id in group:
                if item_id not in seen:
                    fail(f"{where}.all_of", f"{item_id!r} is not an item")
            parsed_groups.append(tuple(group))
        rules.append(
            Rule(
                raw["id"], raw["text"].strip(), tuple(parsed_groups), raw["at_least"], raw["source"]
            )
        )

    return Definition(
        id=data["id"],
        version=data["version"],
        name=data["name"],
        kind=data["kind"],
        description=str(data.get("description", "")).strip(),
        source=data["source"].strip(),
        wording_note=str(data.get("wording_note", "")).strip(),
        rule=rule,
        levels=tuple(levels),
        bands=tuple(bands),
        bands_source=str(scoring.get("bands_source", "")).strip(),
        may_raise=judgement["may_raise"],
        may_lower=judgement["may_lower"],
        reason_required=judgement["reason_required"],
        judgement_source=str(judgement.get("source", "")).strip(),
        rules=tuple(rules),
        items=tuple(items),
        text=text,
        path=source,
    )


def _parse_bands(raw, where: str, fail) -> tuple[Band, ...]:
    if not isinstance(raw, list) or not raw:
        fail(where, "a number item needs bands")
    bands = []
    for n, band in enumerate(raw):
        if not isinstance(band, dict):
            fail(f"{where}[{n}]", "a table")
        ops = [k for k in ("at_least", "at_most") if k in band]
        if len(ops) != 1 or set(band) != {ops[0], "points"}:
            fail(f"{where}[{n}]", "exactly one of at_least / at_most, and points")
        value, points = band[ops[0]], band["points"]
        for v in (value, points):
            if not isinstance(v, int | float) or isinstance(v, bool):
                fail(f"{where}[{n}]", "bounds and points are numbers")
        if points < 0:
            fail(f"{where}[{n}].points", "0 or more")
        bands.append(Band(ops[0], float(value), float(points)))
    return tuple(bands)


# ------------------------------------------------------------------------------------------
# Scoring one assessment
# ------------------------------------------------------------------------------------------


@dataclass
class ItemResult:
    id: str
    number: int
    text: str
    kind: str
    answer: str  # yes / no / unknown, or the measure's value as text, or "none recorded"
    answer_text: str
    contribution: float
    detail: str
    source: str
    section: str = ""
    label: str = ""


@dataclass
class Result:
    instrument_id: str
    instrument_version: str
    instrument_sha256: str
    rule: str
    items: list[ItemResult]
    total: float
    max_total: float
    band_level: str
    computed_level: str
    computed_label: str
    rule_hits: list[str]
    final_level: str
    final_label: str
    judgement_direction: str  # "", "up" or "down"
    counts: dict[str, int]  # answers given: yes / no / unknown

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def contributing(self) -> list[ItemResult]:
        return [i for i in self.items if i.contribution > 0]

    def summary(self) -> str:
        """One sentence: the total, what scored, the rules that applied, the outcome."""
        if self.rule == "count_yes":
            numbers = [str(i.number) for i in self.contributing]
            scored = ("questions " + ", ".join(numbers)) if numbers else ""
        else:
            scored = ", ".join(
                f"{i.label or i.text} (+{_num(i.contribution)})"
                for i in sorted(self.contributing, key=lambda r: -r.contribution)
            )
        text = (
            f"{_num(self.total)} of {_num(self.max_total)}"
            + (" 'yes' answers" if self.rule == "count_yes" else " points")
            + (f": {scored}" if scored else ": nothing scored")
        )
        if self.rule_hits:
            text += "; " + "; ".join(self.rule_hits)
        text += f". Result: {self.computed_label}"
        if self.judgement_direction:
            text += f"; professional judgement: {self.final_label}"
        return text + "."


def measure_value(item: Item, measures: Mapping | None):
    """The item's value from the measures: a number, a bool, or None when not recorded."""
    if not measures:
        return None
    if item.type == "flag":
        values = [measures.get(m) for m in item.measures]
        if all(v is None for v in values):
            return None
        return any(bool(v) for v in values if v is not None)
    value = measures.get(item.measures[0])
    return None if value is None else float(value)


def data_contribution(item: Item, value) -> tuple[float, str]:
    """(points, why) for a data item's value."""
    if value is None:
        return 0.0, "no incident in the window"
    if item.type == "flag":
        return (item.points, "in the records") if value else (0.0, "not in the records")
    for band in item.bands:
        if band.matches(value):
            return band.points, band.describe(item.unit)
    return 0.0, "below every band"


def score(
    definition: Definition,
    answers: Mapping[str, str],
    *,
    measures: Mapping | None = None,
    judgement: str | None = None,
) -> Result:
    """Score one assessment.

    answers: {item id: "yes" | "no" | "unknown"} for every question and judgement item.
    measures: the identification engine's measures for the person as of the assessment
        date (see MEASURES); None or missing keys when the person has no incident in
        the window (the data items then score 0).
    judgement: a level chosen by professional judgement, or None. It may raise the
        level where the definition allows it and lower it only where the definition
        allows that too; otherwise InstrumentError.
    """
    asked = {i.id for i in definition.asked_items}
    unknown_ids = sorted(set(answers) - asked)
    if unknown_ids:
        raise InstrumentError(
            f"{definition.id}: not items of this instrument: {', '.join(unknown_ids)}"
        )
    missing = [i.id for i in definition.asked_items if i.id not in answers]
    if missing:
        raise InstrumentError(f"{definition.id}: no answer for {', '.join(missing)}")
    bad = sorted(k for k, v in answers.items() if v not in ANSWERS)
    if bad:
        raise InstrumentError(
            f"{definition.id}: answers must be yes, no or unknown ({', '.join(bad)})"
        )

    results: list[ItemResult] = []
    counts = dict.fromkeys(ANSWERS, 0)
    for item in definition.items:
        if item.kind == "data":
            value = measure_value(item, measures)
            points, why = data_contribution(item, value)
            if value is None:
                answer, answer_text = "none recorded", "None recorded"
            elif item.type == "flag":
                answer, answer_text = ("yes", "Yes") if value else ("no", "No")
            else:
                answer = _num(value)
                answer_text = f"{answer}{(' ' + item.unit) if item.unit else ''}"
            results.append(
                ItemResult(
                    item.id,
                    item.number,
                    item.text,
                    item.kind,
                    answer,
                    answer_text,
                    points,
                    why,
                    item.source,
                    item.section,
                    item.short,
                )  # fmt: skip
            )
            continue
        answer = answers[item.id]
        counts[answer] += 1
        points = (
            (1.0 if definition.rule == "count_yes" else item.points) if answer == "yes" else 0.0
        )
        results.append(
            ItemResult(
                item.id,
                item.number,
                item.text,
                item.kind,
                answer,
                ANSWER_LABELS[answer],
                points,
                "",
                item.source,
                item.section,
                item.short,
            )  # fmt: skip
        )

    total = float(sum(r.contribution for r in results))
    band_level = definition.band_level(total)
    level = band_level
    scored = {r.id for r in results if r.contribution > 0}
    hits = []
    for rule in definition.rules:
        if all(any(i in scored for i in group) for group in rule.all_of):
            if definition.level_rank(rule.at_least) > definition.level_rank(level):
                level = rule.at_least
                hits.append(f"{rule.text} (at least {definition.level_label(rule.at_least)})")
    final, direction = level, ""
    if judgement is not None and judgement != level:
        difference = definition.level_rank(judgement) - definition.level_rank(level)
        if difference > 0 and not definition.may_raise:
            raise InstrumentError(f"{definition.name}: professional judgement may not raise it")
        if difference < 0 and not definition.may_lower:
            raise InstrumentError(
                f"{definition.name}: professional judgement may raise the level, never lower it"
            )
        final, direction = judgement, "up" if difference > 0 else "down"
    return Result(
        instrument_id=definition.id,
        instrument_version=definition.version,
        instrument_sha256=definition.sha256,
        rule=definition.rule,
        items=results,
        total=total,
        max_total=definition.max_total,
        band_level=band_level,
        computed_level=level,
        computed_label=definition.level_label(level),
        rule_hits=hits,
        final_level=final,
        final_label=definition.level_label(final),
        judgement_direction=direction,
        counts=counts,
    )


def measures_from_row(row: Mapping | None) -> dict | None:
    """The MEASURES of one identification-engine output row (None when there is none)."""
    if not row:
        return None
    return {name: _plain(row.get(name)) for name in MEASURES if name in row}


def _plain(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    return float(value)


# ------------------------------------------------------------------------------------------
# The data items over a whole force (Polars)
# ------------------------------------------------------------------------------------------


def data_item_expr(item: Item) -> pl.Expr:
    """Column expression of a data item's points over a frame of engine measures."""
    if item.type == "flag":
        present = pl.any_horizontal([pl.col(m).fill_null(False) for m in item.measures])
        return pl.when(present).then(pl.lit(item.points)).otherwise(pl.lit(0.0))
    value = pl.col(item.measures[0]).cast(pl.Float64)
    chain = None
    for band in item.bands:
        condition = value >= band.bound if band.op == "at_least" else value <= band.bound
        chain = (pl.when(condition) if chain is None else chain.when(condition)).then(
            pl.lit(band.points)
        )
    return chain.otherwise(pl.lit(0.0))


def data_points_frame(
    measures: pl.DataFrame | pl.LazyFrame,
    definition: Definition,
    *,
    score_column: str = "data_score",
) -> pl.DataFrame:
    """Each data item's points and their sum, one row per input row (the order is kept).

    Only the measures the items name are read; a missing one is an error, never a guess.
    """
    lf = measures.lazy() if isinstance(measures, pl.DataFrame) else measures
    names = lf.collect_schema().names()
    missing = sorted(definition.measures - set(names))
    if missing:
        raise InstrumentError(f"{definition.id}: the measures lack {', '.join(missing)}")
    items = definition.data_items
    if not items:
        raise InstrumentError(f"{definition.id} has no data items")
    return (
        lf.select(
            *[data_item_expr(i).alias(f"item_{i.id}") for i in items],
        )
        .with_columns(pl.sum_horizontal([f"item_{i.id}" for i in items]).alias(score_column))
        .collect()
    )


def _num(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:g}"
