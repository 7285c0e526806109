"""Instrument definitions: every shipped file loads, cites its sources, and a bad one fails loudly."""

import pytest

from highharm.assessment import instruments as I
from highharm.scoring import engine

MINIMAL = """
id = "mini"
version = "mini.1"
name = "Mini"
kind = "checklist"
source = "test"
[scoring]
rule = "count_yes"
levels = [{ id = "low", label = "Low" }, { id = "high", label = "High" }]
bands = [{ min = 2, level = "high" }, { min = 0, level = "low" }]
[judgement]
may_raise = true
may_lower = false
reason_required = true
[[items]]
id = "a"
text = "A?"
source = "s"
[[items]]
id = "b"
text = "B?"
source = "s"
"""


def test_it_ships_dash_sdash_and_the_hhu_tool_with_versions():
    definitions = I.builtin_definitions()
    assert set(definitions) == {"dash", "sdash", "hhu"}
    for d in definitions.values():
        assert d.version and len(d.sha256) == 64
        assert all(item.source for item in d.items), f"{d.id}: an item cites no source"


def test_it_gives_every_hhu_item_a_rationale_and_the_data_items_a_measure():
    hhu = I.builtin_definitions()["hhu"]
    assert all(item.rationale for item in hhu.items)
    data = {i.id for i in hhu.data_items}
    assert len(data) == 13
    judgement = {i.id for i in hhu.items if i.kind == "judgement"}
    assert judgement == {
        "coercive_control", "weapon_access", "separation", "child_contact_conflict",
        "substance_misuse", "mental_health", "non_compliance", "victim_fear",
        "threats_to_kill", "pregnancy_new_baby", "suicidal_ideation",
    }  # fmt: skip
    assert [lv.id for lv in hhu.levels] == ["nfa", "other_pathway", "monitor", "adopt"]


def test_it_uses_only_engine_measures_never_a_protected_characteristic():
    outputs = set(engine.OUTPUT_COLUMNS)
    protected = set(engine.PROTECTED_COLUMNS) | {
        "religion",
        "postcode",
        "nationality",
        "disability",
    }
    assert set(I.MEASURES) <= outputs
    assert not {m for m in I.MEASURES if m in protected or m.removeprefix("flag_") in protected}
    for d in I.builtin_definitions().values():
        assert d.measures <= set(I.MEASURES)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('kind = "checklist"', 'kind = "oracle"'), "kind: must be 'checklist' or 'decision'"),
        (
            ('{ min = 2, level = "high" }', '{ min = 2, level = "extreme" }'),
            "'extreme' is not a level",
        ),
        (
            ('source = "s"\n[[items]]', 'source = ""\n[[items]]'),
            "required text (every item cites its source)",
        ),
        (('id = "b"', 'id = "a"'), "id repeats"),
        (("may_lower = false", 'may_lower = "no"'), "judgement.may_lower: true or false"),
        (
            ('text = "A?"', 'text = "A?"\npoints = 2'),
            "every item of a count_yes instrument counts 1",
        ),
        (
            ('text = "A?"', 'text = "A?"\nkind = "data"\ntype = "number"\nmeasure = "ethnicity"'),
            "a count_yes instrument has no data items",
        ),
        (("[scoring]", 'colour = "red"\n[scoring]'), "colour: unknown key"),
    ],
)
def test_it_refuses_a_malformed_definition_naming_the_key(change, message):
    old, new = change
    assert old in MINIMAL
    with pytest.raises(I.InstrumentError) as error:
        I.parse_definition(MINIMAL.replace(old, new, 1), source="mini.toml")
    assert message in str(error.value)
    assert str(error.value).startswith("mini.toml: ")


def test_it_refuses_a_data_item_on_a_protected_characteristic():
    text = MINIMAL.replace('rule = "count_yes"', 'rule = "points"') + (
        '[[items]]\nid = "age"\nkind = "data"\ntype = "number"\nmeasure = "age"\n'
        'bands = [{ at_least = 18, points = 1 }]\ntext = "Age"\nsource = "no"\n'
    )
    with pytest.raises(
        I.InstrumentError, match="'age' is not a measure of the identification engine"
    ):
        I.parse_definition(text)


def test_it_refuses_bands_that_would_lower_the_level_for_a_higher_total():
    text = MINIMAL.replace(
        'bands = [{ min = 2, level = "high" }, { min = 0, level = "low" }]',
        'bands = [{ min = 2, level = "low" }, { min = 0, level = "high" }]',
    )
    with pytest.raises(I.InstrumentError, match="a higher total must never give a lower level"):
        I.parse_definition(text)


def test_it_changes_the_fingerprint_when_the_file_changes():
    a = I.parse_definition(MINIMAL)
    b = I.parse_definition(MINIMAL.replace("B?", "B!"))
    assert a.sha256 != b.sha256 and a.version == b.version


def test_the_documentation_lists_every_item_of_every_instrument():
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "risk-tool.md").read_text()
    for definition in I.builtin_definitions().values():
        assert definition.version in docs
        for item in definition.items:
            assert (item.label or item.text) in docs, f"{definition.id}: {item.id} not in the docs"
