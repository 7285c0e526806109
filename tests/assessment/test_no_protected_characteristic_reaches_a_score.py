"""No protected characteristic (Equality Act 2010) or proxy reaches any score of the risk tool.

The other guards check names exactly (tests/assessment/test_model_features.py for the fitted
model, test_instruments_definitions.py for the instruments' measures, and
tests/scoring/test_protected_characteristics_are_never_inputs.py for the engine). These add:

* a word-by-word check, so a measure or item named ``religion_flag`` or ``age_at_first_offence``
  is caught as well as ``religion``; the check is itself tested on names it must catch;
* the asked items (DASH, S-DASH, HHU judgement) that touch a protected characteristic are
  exactly the reviewed list, so adding one fails until the force's review adds it here;
* behaviour: the same person with another ethnicity, gender and date of birth gets the same
  HHU assessment, item by item, and the same backtest data points.
"""

import datetime as dt
import re

import pytest

from highharm.assessment import instruments, selectors
from highharm.assessment import model as M
from highharm.scoring import engine

from .conftest import all_answers

# Words naming a protected characteristic or a proxy for one (the nine characteristics of the
# Equality Act 2010 s.4, and where someone lives). Written here, not imported, so that emptying
# a list in the code cannot empty the test.
PROTECTED_WORDS = frozenset(
    {
        "age", "aged", "birth", "dob", "born",
        "disability", "disabled", "disabilities",
        "gender", "sex", "transgender", "reassignment",
        "marriage", "married", "marital", "civil",
        "pregnancy", "pregnant", "maternity",
        "race", "racial", "ethnic", "ethnicity", "nationality", "national", "colour",
        "religion", "religious", "belief", "faith",
        "orientation", "sexuality",
        "mental",  # mental health may be a disability
        "postcode", "address", "lsoa", "msoa", "ward", "beat", "neighbourhood", "deprivation",
    }
)  # fmt: skip

# Asked items that touch a protected characteristic, kept after review (docs/risk-tool.md,
# "Equality note"): the victim's pregnancy and the person's mental health, both DASH risk
# factors, asked as the officer's judgement and never taken from the records. Adding another
# item that touches one fails this test until the force's equality review adds it here.
REVIEWED_ASKED_ITEMS = {
    ("dash", "pregnant_new_baby"),
    ("dash", "drugs_alcohol_mental_health"),
    ("hhu", "mental_health"),
    ("hhu", "pregnancy_new_baby"),
}


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def protected_in(name: str) -> set[str]:
    return words(name.replace("_", " ")) & PROTECTED_WORDS


@pytest.mark.parametrize(
    "name",
    ["age", "age_at_first_offence", "religion_flag", "flag_disability", "home_postcode",
     "ethnic_group", "Gender", "date_of_birth", "lsoa_code", "pregnant"],
)  # fmt: skip
def test_the_check_catches_protected_names_hidden_in_longer_ones(name):
    assert protected_in(name), name


def test_the_check_lets_behavioural_names_through():
    for name in ("recency_days", "harm_sum", "flag_sexual", "victims", "gaps_shortening",
                 "escalating_harm", "partner_victims"):  # fmt: skip
        assert not protected_in(name), name


def test_no_measure_an_instrument_may_use_names_a_protected_characteristic():
    offending = {m: protected_in(m) for m in instruments.MEASURES if protected_in(m)}
    assert offending == {}


def test_no_data_item_of_any_instrument_reads_a_protected_characteristic():
    for definition in instruments.builtin_definitions().values():
        for item in definition.data_items:
            for name in (item.id, *item.measures, item.label):
                assert not protected_in(name), (definition.id, item.id, name)


def test_the_fitted_model_and_the_engine_inputs_name_no_protected_characteristic():
    assert not {f: protected_in(f) for f in M.ALLOWED_FEATURES if protected_in(f)}
    assert not {c: protected_in(c) for c in engine.INPUT_COLUMNS if protected_in(c)}


def asked_items_touching(definitions) -> set[tuple[str, str]]:
    return {
        (d.id, item.id)
        for d in definitions
        for item in d.asked_items
        if protected_in(f"{item.id} {item.label} {item.text}")
    }


def test_only_the_reviewed_asked_items_touch_a_protected_characteristic():
    touching = asked_items_touching(instruments.builtin_definitions().values())
    assert touching == REVIEWED_ASKED_ITEMS


def test_an_added_item_on_a_protected_characteristic_would_fail_the_review_check():
    text = (instruments.INSTRUMENTS_DIR / "hhu.toml").read_text()
    text += (
        '\n[[items]]\nid = "faith_community"\nlabel = "Faith community"\nnumber = 25\n'
        'kind = "judgement"\npoints = 1\ntext = "Is the person part of a faith community?"\n'
        'source = "none"\n'
    )
    added = instruments.parse_definition(text)
    others = [d for d in instruments.builtin_definitions().values() if d.id != "hhu"]
    touching = asked_items_touching([*others, added])
    assert touching - REVIEWED_ASKED_ITEMS == {("hhu", "faith_community")}


@pytest.mark.django_db
def test_the_same_person_with_another_ethnicity_gender_and_age_gets_the_same_assessment(
    perpetrator, complete
):
    from highharm.people.models import Person

    answers = all_answers("hhu", threats_to_kill="yes", mental_health="unknown")
    on = dt.date(2026, 3, 1)
    before = complete(perpetrator, "hhu", answers=answers, assessed_on=on)
    Person.objects.filter(pk=perpetrator.pk).update(
        ethnicity="Any other ethnic group", gender="F", date_of_birth=dt.date(2004, 7, 1)
    )
    perpetrator.refresh_from_db()
    after = complete(perpetrator, "hhu", answers=answers, assessed_on=on)
    assert after.facts["measures"] == before.facts["measures"]
    assert after.result["items"] == before.result["items"]
    assert (after.total, after.computed_level) == (before.total, before.computed_level)
    assert before.total == 28  # 24 from Pete's records (test_assessment_service.py) + 4


@pytest.mark.django_db
def test_the_facts_from_the_records_ignore_who_the_person_is(perpetrator):
    from highharm.people.models import Person

    facts_before = selectors.person_facts(person=perpetrator, as_of=dt.date(2026, 3, 1))
    Person.objects.filter(pk=perpetrator.pk).update(
        ethnicity="White British", gender="X", date_of_birth=dt.date(1950, 1, 1)
    )
    facts_after = selectors.person_facts(person=perpetrator, as_of=dt.date(2026, 3, 1))
    assert facts_after.measures == facts_before.measures
    assert facts_after.priority_score == facts_before.priority_score
