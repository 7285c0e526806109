"""Helpers for the assessment tests: answers for a whole instrument, a saved assessment."""

import datetime as dt
import uuid

import pytest

from highharm.assessment import selectors


def all_answers(instrument_id: str, value: str = "no", **overrides) -> dict:
    definition = selectors.instrument_definition(instrument_id)
    return {i.id: overrides.get(i.id, value) for i in definition.asked_items}


@pytest.fixture
def complete(users):
    """complete(person, instrument, **kwargs) -> Assessment, completed by the offender manager."""
    from highharm.accounts.permissions import Role
    from highharm.assessment import services

    def run(person, instrument_id="hhu", *, answers=None, by=None, previous="latest", **kwargs):
        if previous == "latest":
            latest = selectors.assessment_latest(person=person, instrument_id=instrument_id)
            previous = latest.pk if latest else None
        return services.assessment_complete(
            person=person,
            instrument_id=instrument_id,
            answers=answers or all_answers(instrument_id),
            completed_by=by or users[Role.OFFENDER_MANAGER],
            submission_token=kwargs.pop("submission_token", uuid.uuid4()),
            expected_previous_id=previous,
            assessed_on=kwargs.pop("assessed_on", dt.date(2026, 3, 1)),
            **kwargs,
        ).assessment

    return run
