"""Acceptance: a cohort shaped like the unit's 8 tracked offenders, through `highharm evaluate`."""

import io
import json

from django.core.management import call_command

from tests.evaluation.seedlike import AFTER, BEFORE, HARM, write_seedlike


def evaluate_json(tmp_path, *extra):
    cohort, incidents, catalogue = write_seedlike(tmp_path)
    out = io.StringIO()
    call_command(
        "evaluate",
        "--cohort",
        str(cohort),
        "--incidents",
        str(incidents),
        "--catalogue",
        str(catalogue),
        "--format",
        "json",
        "--bootstrap",
        "500",
        *extra,
        stdout=out,
        stderr=io.StringIO(),
    )
    return json.loads(out.getvalue())


def test_it_reports_what_the_unit_reported_and_says_it_is_only_a_description(tmp_path):
    result = evaluate_json(tmp_path)
    cohort = result["cohort"]
    assert cohort["n"] == 8
    assert cohort["reduced"] == 6
    assert cohort["no_further_offending"] == 3
    assert cohort["offences_before"] == 20 and cohort["offences_after"] == 9
    assert cohort["offences_change_pct"] == -55.0
    assert cohort["incomplete_follow_up"] == 0
    assert result["sms_level"] == 1
    assert "comparison" not in result
    assert result["did"]["estimate"] is None and result["did"]["ci"] is None
    assert any("8 people support a description, not a claim" in w for w in result["warnings"])
    assert any("no comparison group" in w for w in result["warnings"])


def test_it_gives_harm_from_the_catalogue_and_every_person(tmp_path):
    result = evaluate_json(tmp_path)
    harm_before = sum(BEFORE) * HARM["ABH"]
    harm_after = sum(AFTER) * HARM["CA"]
    assert result["cohort"]["harm_before"] == harm_before
    assert result["cohort"]["harm_after"] == harm_after
    assert result["cohort"]["harm_change_pct"] == round(
        100 * (harm_after - harm_before) / harm_before, 1
    )
    people = {p["perpetrator_ref"]: p for p in result["people"]}
    assert len(people) == 8
    for i, (before, after) in enumerate(zip(BEFORE, AFTER, strict=True)):
        person = people[f"HH{i:03d}"]
        assert (person["offences_before"], person["offences_after"]) == (before, after)
        assert person["harm_before"] == before * HARM["ABH"]
        assert person["harm_after"] == after * HARM["CA"]


def test_it_has_the_json_keys_the_issue_lists(tmp_path):
    result = evaluate_json(tmp_path)
    for key in ("cohort", "did", "sms_level", "warnings", "people"):
        assert key in result
    for key in (
        "n",
        "offences_before",
        "offences_after",
        "offences_change_pct",
        "harm_before",
        "harm_after",
        "harm_change_pct",
        "reduced",
        "no_further_offending",
        "incomplete_follow_up",
    ):
        assert key in result["cohort"], key
    assert {"estimate", "ci"} <= set(result["did"])
    for key in (
        "perpetrator_ref",
        "offences_before",
        "offences_after",
        "harm_before",
        "harm_after",
    ):
        assert key in result["people"][0]
