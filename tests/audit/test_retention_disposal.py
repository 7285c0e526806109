"""Disposal removes a person's identity everywhere, keeps anonymised counts, and is recorded."""

import datetime as dt
import hashlib
import hmac

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection

from highharm.accounts.permissions import Role
from highharm.audit.models import AccessLog, RetentionDecision
from highharm.audit.retention_services import (
    RetentionRefused,
    person_dispose,
    retention_decide,
    retention_disposed_references,
)
from highharm.audit.services import access_log_verify
from highharm.people.models import Person, PersonAlias, PersonShare
from highharm.records.models import Incident

TODAY = dt.date(2026, 1, 1)
# Distinctive values: after disposal none of them may remain in any table.
SECRETS = ["Zebedee", "Quorrington", "Zeb the Quiet", "P300XQ", "CRQQ9", "Qx-ethnic-group"]


@pytest.fixture
def old(db, catalogue, agencies, users):
    """P300XQ: one criminal damage in 2012 (Group 3, due 2018) against Val (V400XQ)."""
    zeb = Person.objects.create(
        reference="P300XQ",
        given_name="Zebedee",
        family_name="Quorrington",
        date_of_birth=dt.date(1970, 1, 1),
        gender="M",
        ethnicity="Qx-ethnic-group",
    )
    PersonAlias.objects.create(person=zeb, name="Zeb the Quiet")
    PersonShare.objects.create(person=zeb, agency=agencies["housing"], reason="housing")
    val = Person.objects.create(reference="V400XQ", given_name="Val", family_name="Vee")
    Incident.objects.create(
        crime_reference="CRQQ9",
        occurred_on=dt.date(2012, 1, 1),
        offence=catalogue["CD"],
        perpetrator=zeb,
        victim=val,
        relationship="ex_partner",
        content_hash="x",
    )
    zeb.given_name = "Zebedee"  # a second history row, as an edit would make
    zeb.save()
    return zeb


def dispose(person, users, **kwargs):
    return person_dispose(
        person=person,
        reason=kwargs.pop("reason", "six-year clear period, no policing purpose"),
        by=kwargs.pop("by", users[Role.SUPERVISOR]),
        as_of=kwargs.pop("as_of", TODAY),
        **kwargs,
    )


def every_text_in_the_database() -> str:
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_it_leaves_no_trace_of_the_identity_in_any_table(old, users):
    before = every_text_in_the_database()
    assert all(s in before for s in SECRETS)
    dispose(old, users)
    after = every_text_in_the_database()
    assert [s for s in SECRETS if s in after] == []


def test_it_keeps_an_anonymous_row_and_the_incident_counts(old, users):
    incident_pk = Incident.objects.get(crime_reference="CRQQ9").pk
    dispose(old, users)
    person = Person.objects.get(pk=old.pk)
    assert person.reference == f"DISPOSED-{old.pk}"
    assert (person.given_name, person.family_name, person.ethnicity) == ("", "", "")
    assert (person.date_of_birth, person.gender) == (None, "U")
    assert not PersonAlias.objects.filter(person=person).exists()
    assert not PersonShare.objects.filter(person=person).exists()
    incident = Incident.objects.get(pk=incident_pk)
    assert incident.crime_reference == f"DISPOSED-{incident_pk}"
    assert (incident.occurred_on, incident.offence.code, incident.relationship) == (
        dt.date(2012, 1, 1),
        "CD",
        "ex_partner",
    )
    assert incident.perpetrator_id == old.pk
    assert Person.objects.get(reference="V400XQ").given_name == "Val"


def test_it_purges_the_change_history_of_the_person(old, users):
    assert old.history.count() == 2
    dispose(old, users)
    assert Person.history.model.objects.filter(id=old.pk).count() == 0
    assert PersonAlias.history.model.objects.filter(person_id=old.pk).count() == 0
    assert Incident.history.model.objects.filter(perpetrator_id=old.pk).count() == 0


def test_it_records_the_decision_and_an_access_log_entry(old, users):
    decision = dispose(old, users)
    assert decision.decision == RetentionDecision.Decision.DISPOSE
    assert decision.group == 3
    assert decision.decided_by_username == "sue_supervisor"
    expected = hmac.new(
        settings.SECRET_KEY.encode(), b"retention:P300XQ", hashlib.sha256
    ).hexdigest()
    assert decision.reference_digest == expected
    log = AccessLog.objects.get(action="disposal")
    assert (log.object_type, log.object_id, log.username) == (
        "person",
        f"DISPOSED-{old.pk}",
        "sue_supervisor",
    )
    assert log.detail["incidents_anonymised"] == 1
    assert log.detail["aliases_removed"] == 1
    assert access_log_verify()[1:] == (None, "")


def test_it_recognises_a_disposed_reference_for_later_imports(old, users):
    dispose(old, users)
    assert retention_disposed_references(["P300XQ", "V400XQ", "P999"]) == {"P300XQ"}


def test_it_refuses_a_second_disposal(old, users):
    dispose(old, users)
    with pytest.raises(RetentionRefused, match="already"):
        dispose(Person.objects.get(pk=old.pk), users)


def test_it_refuses_while_a_case_is_open(old, users):
    case_model = apps.get_model("cases", "Case")
    case = case_model.objects.create(
        person=old, lead=users[Role.OFFENDER_MANAGER], opened_on=dt.date(2025, 1, 1)
    )
    with pytest.raises(RetentionRefused, match="open case"):
        dispose(old, users)
    assert Person.objects.get(pk=old.pk).given_name == "Zebedee"
    case_model.objects.filter(pk=case.pk).update(status="closed", closed_on=dt.date(2025, 2, 1))
    # Closed, the case still makes him Group 1: not due, and kept until his 100th birthday.
    with pytest.raises(RetentionRefused, match="not due"):
        dispose(old, users)


def test_it_refuses_while_a_referral_is_open(old, users):
    referral_model = apps.get_model("referrals", "Referral")
    referral_model.objects.create(
        person=old,
        source="officer",
        reason="repeat incidents",
        concerns="escalation",
        children_in_household="unknown",
    )
    with pytest.raises(RetentionRefused, match="open referral"):
        dispose(old, users)
    assert not RetentionDecision.objects.exists()
    assert not AccessLog.objects.filter(action="disposal").exists()


def test_it_refuses_before_the_review_is_due_unless_exceptional(old, users):
    with pytest.raises(RetentionRefused, match="not due"):
        dispose(old, users, as_of=dt.date(2017, 12, 31))
    decision = dispose(old, users, as_of=dt.date(2017, 12, 31), exceptional=True)
    assert decision.exceptional


def test_it_keeps_group_1_until_the_100th_birthday_unless_exceptional(perpetrator, users):
    # Pete (P100): his ABH is Group 2; a rape makes him Group 1 (born 1985: kept to 2085).
    Incident.objects.create(
        crime_reference="CR-R1",
        occurred_on=dt.date(2000, 1, 1),
        offence=apps.get_model("records", "Offence").objects.create(
            code="RAPE", name="Rape", category="sexual", sexual=True, harm_days=2920, source="t"
        ),
        perpetrator=perpetrator,
        content_hash="r",
    )
    with pytest.raises(RetentionRefused, match="100th birthday"):
        dispose(perpetrator, users, as_of=dt.date(2040, 1, 1))
    assert dispose(perpetrator, users, as_of=dt.date(2040, 1, 1), exceptional=True).group == 1


def test_it_lets_only_roles_with_the_capability_decide(old, users):
    with pytest.raises(PermissionDenied):
        dispose(old, users, by=users[Role.OFFENDER_MANAGER])
    with pytest.raises(PermissionDenied):
        dispose(old, users, by=users[Role.AUDITOR])


def test_it_wants_a_reason(old, users):
    with pytest.raises(RetentionRefused, match="reason"):
        dispose(old, users, reason="  ok ")


def test_it_records_a_decision_to_retain_and_moves_the_next_review(old, users):
    row = retention_decide(
        person=old,
        decision="retain",
        reason="linked to a live investigation of his ex-partner",
        by=users[Role.SUPERVISOR],
        as_of=TODAY,
    )
    assert (row.group, row.next_review_on) == (3, dt.date(2032, 1, 1))
    assert AccessLog.objects.filter(action="retention_retain", object_id="P300XQ").exists()
    with pytest.raises(RetentionRefused, match="not due"):
        dispose(old, users)


def test_the_command_disposes_and_refuses_with_a_reason(old, users, capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "retention", "dispose", "P300XQ", "--reason", "clear period passed", "--by", "alice_om"
        )
    assert exit_info.value.code == 2
    assert "Refused" in capsys.readouterr().err
    call_command(
        "retention",
        "dispose",
        "P300XQ",
        "--reason",
        "clear period passed",
        "--by",
        "sue_supervisor",
        "--as-of",
        "2026-01-01",
    )
    assert f"DISPOSED-{old.pk}" in capsys.readouterr().out
    assert Person.objects.get(pk=old.pk).family_name == ""
