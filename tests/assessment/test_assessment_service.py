"""Completing an assessment: facts from the records as of its date, answers, result, overrides."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from highharm.accounts.permissions import Role
from highharm.assessment import selectors, services
from highharm.assessment.models import Assessment, InstrumentVersion
from highharm.referrals.locking import EditConflict

from .conftest import all_answers

pytestmark = pytest.mark.django_db


def test_it_scores_the_hhu_tool_from_the_records_as_of_the_assessment_date(perpetrator, complete):
    # Pete's incidents: CA 10/1/2025 (28 days, Vera), ABH 1/6/2025 (180, Vera),
    # STALK 14/2/2026 (365, Wendy), all recorded as ex-partner. As of 1/3/2026:
    # recency 15 days -> 4; 3 incidents -> 2; harm 573 -> 4; worst 365 -> 3; 2 victims -> 2;
    # two partner victims (serial) -> 3; harm in the last year 545 against 28 the year
    # before (escalating) -> 3; stalking -> 3. Total 24: adopt.
    assessment = complete(perpetrator, "hhu", assessed_on=dt.date(2026, 3, 1))
    assert assessment.total == 24
    assert assessment.computed_level == "adopt" and assessment.final_level == "adopt"
    assert assessment.facts["as_of"] == "2026-03-01"
    assert assessment.facts["measures"]["recency_days"] == 15
    contributions = {r["id"]: r["contribution"] for r in assessment.result["items"]}
    assert contributions["data_recency"] == 4 and contributions["data_escalation"] == 3
    assert contributions["data_strangulation"] == 0
    assert assessment.result["summary"].endswith("Result: Adopt to the panel.")


def test_it_scores_no_record_items_for_a_date_before_any_incident(perpetrator, complete):
    assessment = complete(
        perpetrator, "hhu", assessed_on=dt.date(2024, 1, 1),
        answers=all_answers("hhu", threats_to_kill="yes", victim_fear="yes"),
    )  # fmt: skip
    assert assessment.facts["measures"] is None
    assert assessment.total == 7  # threats to kill 4 + victim's fear 3
    assert assessment.computed_level == "monitor"  # raised by the red-flag rule


def test_it_records_the_instrument_id_version_and_exact_definition(perpetrator, complete):
    definition = selectors.instrument_definition("dash")
    assessment = complete(perpetrator, "dash")
    assert (assessment.instrument_id, assessment.instrument_version) == ("dash", definition.version)
    assert assessment.definition.sha256 == definition.sha256
    assert assessment.definition.text == definition.text
    assert assessment.facts == {}  # DASH takes nothing from the records
    complete(perpetrator, "dash")
    assert InstrumentVersion.objects.count() == 1  # stored once, shared


def test_it_keeps_every_review_as_a_new_row_linked_to_the_one_before(perpetrator, complete):
    first = complete(perpetrator, "dash")
    second = complete(perpetrator, "dash", answers=all_answers("dash", "yes"))
    assert second.previous == first
    assert [a.pk for a in Assessment.objects.filter(person=perpetrator)] == [second.pk, first.pk]
    assert (first.final_level, second.final_level) == ("standard", "high")
    assert first.history.count() == 1 and second.history.count() == 1


def test_it_refuses_an_override_without_a_written_reason(perpetrator, complete):
    with pytest.raises(ValidationError) as error:
        complete(perpetrator, "hhu", override_level="monitor", override_reason="   ")
    assert "override_reason" in error.value.message_dict
    assert not Assessment.objects.exists()


def test_it_stores_an_override_with_its_direction_and_reason(perpetrator, complete):
    lowered = complete(
        perpetrator, "hhu", override_level="monitor",
        override_reason="Victim has moved out of area; perpetrator in custody until 2027.",
    )  # fmt: skip
    assert (lowered.computed_level, lowered.final_level) == ("adopt", "monitor")
    assert lowered.override_direction == "down" and lowered.overridden
    assert lowered.override_reason.startswith("Victim has moved")


def test_it_never_lets_judgement_lower_a_dash_level(perpetrator, complete):
    with pytest.raises(ValidationError) as error:
        complete(
            perpetrator, "dash", answers=all_answers("dash", "yes"),
            override_level="medium", override_reason="I think it is lower than that.",
        )  # fmt: skip
    assert "never lower" in " ".join(error.value.message_dict["override_level"])
    raised = complete(
        perpetrator, "dash", override_level="high",
        override_reason="Threats to kill and strangulation disclosed: high despite few yes.",
    )  # fmt: skip
    assert (raised.computed_level, raised.final_level, raised.override_direction) == (
        "standard", "high", "up",
    )  # fmt: skip


def test_it_saves_once_when_the_same_form_is_sent_twice(perpetrator, complete):
    token = uuid.uuid4()
    first = complete(perpetrator, "dash", submission_token=token)
    again = complete(perpetrator, "dash", submission_token=token, previous=None)
    assert again.pk == first.pk
    assert Assessment.objects.count() == 1


def test_it_refuses_a_stale_form_when_someone_else_assessed_first(perpetrator, complete, users):
    complete(perpetrator, "hhu", by=users[Role.TRIAGE_LEAD])  # saved while Alice was typing
    with pytest.raises(EditConflict) as conflict:
        complete(perpetrator, "hhu", previous=None)  # Alice's form was loaded before it
    assert "Someone else completed a HHU decision tool" in conflict.value.message
    assert Assessment.objects.count() == 1


def test_it_refuses_a_referral_about_someone_else(perpetrator, complete, users):
    from highharm.people.models import Person
    from highharm.referrals.models import Referral

    other = Person.objects.create(reference="P999")
    referral = Referral.objects.create(
        person=other, source="officer", reason="r", concerns="c", children_in_household="no"
    )
    with pytest.raises(ValidationError, match="about someone else"):
        complete(perpetrator, "dash", referral=referral)


def test_the_database_refuses_an_override_without_a_reason(perpetrator, complete):
    assessment = complete(perpetrator, "dash")
    assessment.final_level, assessment.override_direction = "high", "up"
    with pytest.raises(IntegrityError), transaction.atomic():
        assessment.save()


def test_it_refuses_an_unknown_instrument(perpetrator, users):
    with pytest.raises(ValidationError, match="no instrument 'oasys'"):
        services.assessment_complete(
            person=perpetrator, instrument_id="oasys", answers={}, completed_by=users[Role.OFFENDER_MANAGER],
            submission_token=uuid.uuid4(), expected_previous_id=None,
        )  # fmt: skip
