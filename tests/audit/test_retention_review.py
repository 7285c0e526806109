"""`highharm retention review` lists the people whose review is due, with their group."""

import csv
import datetime as dt
import io

import pytest
from django.apps import apps
from django.core.management import call_command

from highharm.accounts.permissions import Role
from highharm.audit.models import AccessLog
from highharm.audit.retention_selectors import retention_review_list
from highharm.audit.retention_services import person_dispose
from highharm.people.models import Person
from highharm.records.models import Incident


@pytest.fixture
def force(db, catalogue, perpetrator, users):
    """Pete (P100, recent: not due), Olive (P301, CA 2014: Group 2, due 2024-03-02),
    Dora (P302, CD 2019: Group 3, due 2025-06-30) and Nora (P303, no incident,
    recorded today: not due)."""
    olive = Person.objects.create(reference="P301", given_name="Olive", gender="F")
    dora = Person.objects.create(reference="P302", given_name="Dora", gender="F")
    Person.objects.create(reference="P303", given_name="Nora", gender="F")
    for ref, day, code, who in [
        ("CR301", dt.date(2014, 3, 2), "CA", olive),
        ("CR302", dt.date(2019, 6, 30), "CD", dora),
    ]:
        Incident.objects.create(
            crime_reference=ref,
            occurred_on=day,
            offence=catalogue[code],
            perpetrator=who,
            content_hash=ref,
        )
    return {"olive": olive, "dora": dora}


def test_it_lists_those_due_soonest_first(force):
    rows = retention_review_list(as_of=dt.date(2026, 1, 1))
    assert [(r.reference, r.group, r.next_review) for r in rows] == [
        ("P301", 2, dt.date(2024, 3, 2)),
        ("P302", 3, dt.date(2025, 6, 30)),
    ]
    assert rows[0].basis == "CA on 2014-03-02"
    assert rows[1].action.startswith("dispose")


def test_it_counts_the_victims_of_incidents_too(force):
    # Vera (V200) is the victim of Pete's 2025 incidents: Group 2, review in 2035.
    rows = {r.reference: r for r in retention_review_list(as_of=dt.date(2036, 1, 1))}
    assert (rows["V200"].group, rows["V200"].next_review) == (2, dt.date(2035, 6, 1))


def test_it_shows_why_a_due_record_is_held(force, users):
    apps.get_model("referrals", "Referral").objects.create(
        person=force["dora"],
        source="officer",
        reason="new concern",
        concerns="x",
        children_in_household="no",
    )
    rows = {r.reference: r for r in retention_review_list(as_of=dt.date(2026, 1, 1))}
    assert rows["P302"].action == "held: open referral"


def test_it_leaves_out_people_already_disposed_of(force, users):
    person_dispose(
        person=force["dora"],
        reason="clear period passed, no purpose",
        by=users[Role.SUPERVISOR],
        as_of=dt.date(2026, 1, 1),
    )
    rows = retention_review_list(as_of=dt.date(2026, 1, 1))
    assert [r.reference for r in rows] == ["P301"]


def test_the_command_prints_csv_and_logs_the_review(force, capsys):
    call_command("retention", "review", "--as-of", "2026-01-01", "--format", "csv")
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["reference"], r["group"], r["next_review"]) for r in table] == [
        ("P301", "2", "2024-03-02"),
        ("P302", "3", "2025-06-30"),
    ]
    log = AccessLog.objects.get(action="retention_review")
    assert log.detail["rows"] == 2


def test_the_command_prints_text_grouped(force, capsys):
    call_command("retention", "review", "--as-of", "2026-01-01")
    out = capsys.readouterr().out
    assert out.startswith("2 record(s) due for review on 01/01/2026")
    assert out.index("Group 2") < out.index("P301") < out.index("Group 3") < out.index("P302")
    assert "Olive" not in out  # references only, no names
