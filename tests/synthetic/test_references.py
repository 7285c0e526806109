"""References are unique, and every reference on an incident is a person in persons.csv."""

from collections import Counter


def test_it_never_repeats_a_crime_reference(force):
    counts = Counter(row["crime_reference"] for row in force["incidents"])
    assert counts.most_common(1)[0][1] == 1


def test_it_never_repeats_a_person_reference(force):
    counts = Counter(row["reference"] for row in force["persons"])
    assert counts.most_common(1)[0][1] == 1


def test_it_writes_every_perpetrator_and_victim_as_a_person(force):
    people = {row["reference"] for row in force["persons"]}
    for row in force["incidents"]:
        assert row["perpetrator_ref"] in people, row
        assert row["victim_ref"] == "" or row["victim_ref"] in people, row


def test_it_writes_no_person_without_an_incident(force):
    named = {row["perpetrator_ref"] for row in force["incidents"]}
    named |= {row["victim_ref"] for row in force["incidents"] if row["victim_ref"]}
    assert {row["reference"] for row in force["persons"]} == named


def test_it_makes_exactly_the_perpetrators_asked_for(force):
    assert len({row["perpetrator_ref"] for row in force["incidents"]}) == 3000


def test_it_never_makes_a_perpetrator_his_own_victim(force):
    assert all(row["perpetrator_ref"] != row["victim_ref"] for row in force["incidents"])


def test_it_keeps_one_relationship_per_perpetrator_victim_pair(force):
    kinds = {}
    for row in force["incidents"]:
        if row["victim_ref"]:
            kinds.setdefault((row["perpetrator_ref"], row["victim_ref"]), set()).add(
                row["relationship"]
            )
    assert all(len(k) == 1 for k in kinds.values())
