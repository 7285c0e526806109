"""Scoring one assessment, against a plain reference written from the published rules."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from highharm.assessment import instruments as I

DEFS = I.builtin_definitions()
DASH = DEFS["dash"]
SDASH = DEFS["sdash"]
HHU = DEFS["hhu"]

ANSWER = st.sampled_from(["yes", "no", "unknown"])


def answers_for(definition):
    return st.fixed_dictionaries({i.id: ANSWER for i in definition.asked_items})


def dash_reference(answers: dict, judgement: str | None):
    """DASH as published: count the 'yes' answers; 14+ high, 10-13 medium, else standard;
    professional judgement may raise the level and never lower it."""
    yes = sum(1 for a in answers.values() if a == "yes")
    level = "high" if yes >= 14 else "medium" if yes >= 10 else "standard"
    order = ["standard", "medium", "high"]
    if judgement is None or judgement == level:
        return yes, level, level
    if order.index(judgement) < order.index(level):
        return yes, level, "refused"
    return yes, level, judgement


@settings(max_examples=300, deadline=None)
@given(
    answers=answers_for(DASH), judgement=st.none() | st.sampled_from(["standard", "medium", "high"])
)
def test_it_scores_dash_as_the_published_rule(answers, judgement):
    yes, level, final = dash_reference(answers, judgement)
    if final == "refused":
        with pytest.raises(I.InstrumentError, match="never lower"):
            I.score(DASH, answers, judgement=judgement)
        return
    result = I.score(DASH, answers, judgement=judgement)
    assert result.total == yes
    assert result.computed_level == level
    assert result.final_level == final
    assert result.counts["yes"] == yes
    assert sum(r.contribution for r in result.items) == yes
    assert result.judgement_direction == ("" if final == level else "up")


def test_it_draws_the_dash_line_at_14_yes():
    ids = [i.id for i in DASH.asked_items]
    thirteen = {k: ("yes" if n < 13 else "no") for n, k in enumerate(ids)}
    fourteen = {k: ("yes" if n < 14 else "unknown") for n, k in enumerate(ids)}
    assert I.score(DASH, thirteen).computed_level == "medium"
    assert I.score(DASH, fourteen).computed_level == "high"
    nine = {k: ("yes" if n < 9 else "no") for n, k in enumerate(ids)}
    assert I.score(DASH, nine).computed_level == "standard"


def test_it_has_27_dash_and_11_sdash_questions():
    assert [i.number for i in DASH.asked_items] == list(range(1, 28))
    assert [i.number for i in SDASH.asked_items] == list(range(1, 12))
    assert DASH.may_raise and not DASH.may_lower
    assert SDASH.may_raise and not SDASH.may_lower


@settings(max_examples=200, deadline=None)
@given(answers=answers_for(SDASH))
def test_it_counts_sdash_yes_answers(answers):
    yes = sum(1 for a in answers.values() if a == "yes")
    expected = "high" if yes >= 7 else "medium" if yes >= 4 else "standard"
    result = I.score(SDASH, answers)
    assert (result.total, result.computed_level) == (yes, expected)


def test_it_refuses_missing_unknown_and_invalid_answers():
    answers = {i.id: "no" for i in DASH.asked_items}
    with pytest.raises(I.InstrumentError, match="no answer for injury"):
        I.score(DASH, {k: v for k, v in answers.items() if k != "injury"})
    with pytest.raises(I.InstrumentError, match="not items of this instrument: shoe_size"):
        I.score(DASH, answers | {"shoe_size": "yes"})
    with pytest.raises(I.InstrumentError, match="yes, no or unknown"):
        I.score(DASH, answers | {"injury": "maybe"})


# --- the HHU tool -----------------------------------------------------------------------------

MEASURES = st.fixed_dictionaries(
    {
        "recency_days": st.integers(0, 729),
        "frequency": st.integers(1, 30),
        "harm_sum": st.floats(0, 6000, allow_nan=False),
        "harm_max": st.floats(0, 3650, allow_nan=False),
        "victims": st.integers(0, 6),
        "serial": st.booleans(),
        "escalating_harm": st.booleans(),
        "gaps_shortening": st.booleans(),
        "flag_stalking": st.booleans(),
        "flag_strangulation": st.booleans(),
        "flag_breach": st.booleans(),
        "flag_sexual": st.booleans(),
        "flag_weapon": st.booleans(),
        "flag_coercive_control": st.booleans(),
    }
)


def hhu_reference(m: dict | None, a: dict) -> tuple[float, str]:
    """The HHU tool's rules written out by hand from hhu.toml."""
    data = {}
    if m:
        r = m["recency_days"]
        data["recency"] = (
            4 if r <= 28 else 3 if r <= 91 else 2 if r <= 182 else 1 if r <= 365 else 0
        )
        f = m["frequency"]
        data["frequency"] = (
            5 if f >= 10 else 4 if f >= 6 else 3 if f >= 4 else 2 if f >= 3 else 1 if f >= 2 else 0
        )
        h = m["harm_sum"]
        data["harm"] = (
            6
            if h >= 1825
            else 5
            if h >= 730
            else 4
            if h >= 365
            else 3
            if h >= 180
            else 1
            if h >= 28
            else 0
        )
        x = m["harm_max"]
        data["harm_max"] = 4 if x >= 1825 else 3 if x >= 365 else 2 if x >= 180 else 0
        v = m["victims"]
        data["victims"] = 4 if v >= 4 else 3 if v >= 3 else 2 if v >= 2 else 0
        data["serial"] = 3 * m["serial"]
        data["escalation"] = 3 * (m["escalating_harm"] or m["gaps_shortening"])
        data["stalking"] = 3 * m["flag_stalking"]
        data["strangulation"] = 4 * m["flag_strangulation"]
        data["breach"] = 3 * m["flag_breach"]
        data["sexual"] = 3 * m["flag_sexual"]
        data["weapon"] = 3 * m["flag_weapon"]
        data["coercive"] = 3 * m["flag_coercive_control"]
    points = {
        "coercive_control": 3, "weapon_access": 3, "separation": 3, "child_contact_conflict": 2,
        "substance_misuse": 2, "mental_health": 2, "non_compliance": 2, "victim_fear": 3,
        "threats_to_kill": 4, "pregnancy_new_baby": 2, "suicidal_ideation": 3,
    }  # fmt: skip
    yes = {k for k, v in a.items() if v == "yes"}
    total = sum(data.values()) + sum(points[k] for k in yes)
    order = ["nfa", "other_pathway", "monitor", "adopt"]
    level = (
        "adopt"
        if total >= 24
        else "monitor"
        if total >= 14
        else "other_pathway"
        if total >= 7
        else "nfa"
    )

    def at_least(target):
        nonlocal level
        if order.index(target) > order.index(level):
            level = target

    violence = (
        data.get("strangulation")
        or data.get("weapon")
        or data.get("sexual")
        or data.get("harm_max")
        or "weapon_access" in yes
    )
    if "separation" in yes and ("coercive_control" in yes or data.get("coercive")) and violence:
        at_least("adopt")
    if data.get("strangulation") or "threats_to_kill" in yes:
        at_least("monitor")
    if "substance_misuse" in yes or "mental_health" in yes:
        at_least("other_pathway")
    return total, level


@settings(max_examples=400, deadline=None)
@given(measures=st.none() | MEASURES, answers=answers_for(HHU))
def test_it_scores_the_hhu_tool_as_its_written_rules(measures, answers):
    total, level = hhu_reference(measures, answers)
    result = I.score(HHU, answers, measures=measures)
    assert result.total == pytest.approx(total)
    assert result.computed_level == level
    # Every item is listed with its contribution, and they add up to the total.
    assert len(result.items) == len(HHU.items)
    assert sum(r.contribution for r in result.items) == pytest.approx(result.total)


@settings(max_examples=100, deadline=None)
@given(
    measures=MEASURES,
    answers=answers_for(HHU),
    judgement=st.sampled_from(["nfa", "other_pathway", "monitor", "adopt"]),
)
def test_it_lets_hhu_judgement_go_either_way(measures, answers, judgement):
    order = ["nfa", "other_pathway", "monitor", "adopt"]
    result = I.score(HHU, answers, measures=measures, judgement=judgement)
    assert result.final_level == judgement
    expected = (
        "" if judgement == result.computed_level
        else "up" if order.index(judgement) > order.index(result.computed_level) else "down"
    )  # fmt: skip
    assert result.judgement_direction == expected


def test_it_explains_an_hhu_result_item_by_item():
    answers = {i.id: "no" for i in HHU.asked_items} | {"threats_to_kill": "yes"}
    measures = {
        "recency_days": 10, "frequency": 3, "harm_sum": 56.0, "harm_max": 28.0, "victims": 1,
        "serial": False, "escalating_harm": False, "gaps_shortening": False,
        "flag_stalking": False, "flag_strangulation": False, "flag_breach": False,
        "flag_sexual": False, "flag_weapon": False, "flag_coercive_control": False,
    }  # fmt: skip
    result = I.score(HHU, answers, measures=measures)
    # recency 10 days: 4; three incidents: 2; harm 56: 1; threats to kill: 4 -> 11 points
    assert result.total == 11
    assert result.band_level == "other_pathway"
    assert result.computed_level == "monitor"  # the red-flag rule
    by_id = {r.id: r for r in result.items}
    assert by_id["data_recency"].contribution == 4
    assert by_id["data_recency"].detail == "at most 28 days since the last incident"
    assert by_id["threats_to_kill"].answer_text == "Yes"
    summary = result.summary()
    # Largest first; ties keep the order of the items.
    assert summary.startswith(
        "11 of 77 points: Recency of the last incident (+4), Threats to kill (+4)"
    )
    assert "strangulation in the records, or threats to kill (at least Monitor)" in summary
    assert summary.endswith("Result: Monitor.")


def test_it_scores_no_data_points_without_records():
    answers = {i.id: "unknown" for i in HHU.asked_items}
    result = I.score(HHU, answers, measures=None)
    assert result.total == 0 and result.computed_level == "nfa"
    assert {r.answer for r in result.items if r.kind == "data"} == {"none recorded"}
    assert result.counts == {"yes": 0, "no": 0, "unknown": 11}
