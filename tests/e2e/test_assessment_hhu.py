"""An officer completes an HHU assessment in a real browser: the facts come from the records,
only the judgement items are asked, the recommendation and every item's contribution are
shown, and the officer overrides it with a written reason.

The test counts what the officer must answer and times the automated run (docs/risk-tool.md,
"How long an assessment takes"); `-s` prints the figures.
"""

import time

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The HHU tool (hhu.toml): 13 items filled from the records, 11 judgement items asked.
JUDGEMENT_ITEMS = 11
DATA_ITEMS = 13


def test_an_officer_completes_an_hhu_assessment_and_overrides_it(page, login, users, perpetrator):
    from highharm.assessment.models import Assessment

    login("alice_om")
    started = time.perf_counter()
    page.goto("/assessment/people/P100/new/hhu/")
    assert page.csp_violations == []

    # What the officer must answer: one yes / no / not known question per judgement item;
    # the facts from the records are shown with their points and have no input at all.
    asked = page.eval_on_selector_all(
        "main input[type=radio][name^=item_]",
        "els => [...new Set(els.map(e => e.name))]",
    )
    assert len(asked) == JUDGEMENT_ITEMS
    fact_rows = page.locator("main table tbody tr")
    assert fact_rows.count() == DATA_ITEMS
    typed = page.locator(
        "main input:not([type=hidden]):not([type=radio]), main textarea, main select"
    )
    assert typed.count() == 0  # nothing to type before the result

    # Answer every judgement item: threats to kill "yes" (4 points), the rest "no".
    for name in asked:
        value = "yes" if name == "item_threats_to_kill" else "no"
        page.check(f"input[name={name}][value={value}]")
    page.click("button:has-text('Calculate the result')")
    assert page.csp_violations == []

    # The recommendation and why: every item, 13 from the records and 11 judged.
    panel = page.locator(".govuk-panel__title").inner_text()
    assert panel.startswith("Recommendation: ")
    recommended = panel.removeprefix("Recommendation: ").strip()
    table = page.locator("table:has(caption:has-text('What every item added'))")
    assert table.locator("tbody tr").count() == DATA_ITEMS + JUDGEMENT_ITEMS
    threats = table.locator("tbody tr", has_text="Threats to kill")
    assert "+4" in threats.inner_text()
    assert "Source:" in threats.inner_text()

    # Override: any other level, with a reason; without the reason it is refused.
    other = page.locator("input[name=override_level]:not([value=agree])").first
    chosen = other.get_attribute("value")
    other.check()
    page.click("button:has-text('Save the assessment')")
    assert "an override needs a written reason" in page.locator("main").inner_text()
    assert Assessment.objects.count() == 0
    reason = "Victim disclosed new threats to the IDVA yesterday"
    page.fill("#id_override_reason", reason)
    page.click("button:has-text('Save the assessment')")
    page.wait_for_url("**/assessment/*/")
    elapsed = time.perf_counter() - started
    assert page.csp_violations == []
    assert reason in page.locator("main").inner_text()

    saved = Assessment.objects.get()
    assert saved.instrument_id == "hhu"
    assert saved.computed_label == recommended
    assert (saved.final_level, saved.override_reason) == (chosen, reason)
    assert saved.override_direction in ("up", "down")
    assert saved.answers["threats_to_kill"] == "yes"
    asked_then = 1 + 1  # the override choice and its reason
    print(
        f"\nHHU assessment: {len(asked)} judgement answers + {asked_then} to override; "
        f"{DATA_ITEMS} facts pre-filled; automated run {elapsed:.1f} s"
    )
