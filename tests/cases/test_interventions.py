"""Interventions: each type belongs to its kind, double submits make one, editors don't collide."""

import datetime as dt
import uuid

import pytest

from highharm.accounts.permissions import Role
from highharm.cases.models import Intervention
from tests.panels.factories import open_case

# Written out from the issue, independently of the model's own table.
EXPECTED_KIND = {
    "engagement": [
        "perpetrator_programme", "housing", "benefits", "substance_misuse",
        "mental_health", "employment", "education",
    ],
    "enforcement": [
        "arrest", "charge", "bail_conditions", "dvpn", "dvpo", "dapn", "dapo",
        "spo", "nmo", "ro", "shpo", "sro", "warrant",
    ],
    "safeguarding": [
        "dvds_right_to_ask", "dvds_right_to_know", "idva_referral", "isva_referral",
        "marac_referral", "safety_plan", "target_hardening",
    ],
}  # fmt: skip


@pytest.fixture
def case(users, perpetrator):
    return open_case(perpetrator, users[Role.OFFENDER_MANAGER], on=dt.date(2026, 1, 5))


def _form(**overrides):
    data = {
        "type": "housing",
        "provider": "Wessex Housing",
        "started_on": "2026-01-12",
        "ended_on": "",
        "status": "in_progress",
        "outcome": "pending",
        "engaged": "engaged",
        "notes": "Tenancy sustainment referral",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("kind", "type_"), [(k, t) for k, types in EXPECTED_KIND.items() for t in types]
)
def test_it_files_each_type_under_its_kind(client_for, case, kind, type_):
    client_for(Role.OFFENDER_MANAGER).post(
        f"/cases/{case.pk}/interventions/new/", _form(type=type_)
    )
    assert Intervention.objects.get(case=case).kind == kind


def test_it_offers_every_type_in_the_issue():
    offered = {t for t, _ in Intervention.Type.choices}
    assert offered == {t for types in EXPECTED_KIND.values() for t in types}


def test_it_records_one_intervention_when_submitted_twice(client_for, case):
    om = client_for(Role.OFFENDER_MANAGER)
    data = _form()
    first = om.post(f"/cases/{case.pk}/interventions/new/", data)
    second = om.post(f"/cases/{case.pk}/interventions/new/", data)
    assert first.status_code == second.status_code == 302
    assert Intervention.objects.filter(case=case).count() == 1


def test_it_records_outcome_and_engagement(client_for, case):
    client_for(Role.OFFENDER_MANAGER).post(
        f"/cases/{case.pk}/interventions/new/",
        _form(
            type="perpetrator_programme",
            provider="Drive",
            status="completed",
            ended_on="2026-03-01",
            outcome="programme_completed",
            engaged="partly",
        ),
    )
    saved = Intervention.objects.get(case=case)
    assert (saved.outcome, saved.engaged, saved.ended_on) == (
        "programme_completed",
        "partly",
        dt.date(2026, 3, 1),
    )


def test_it_wants_an_end_date_for_a_completed_intervention(client_for, case):
    response = client_for(Role.OFFENDER_MANAGER).post(
        f"/cases/{case.pk}/interventions/new/", _form(status="completed")
    )
    assert response.status_code == 200
    assert "Give the end date of a finished intervention" in response.content.decode()
    assert not Intervention.objects.exists()


def test_it_tells_the_second_editor_and_shows_the_change(client_for, users, case):
    from highharm.cases.services import intervention_create

    row = intervention_create(
        case=case,
        recorded_by=users[Role.OFFENDER_MANAGER],
        type="substance_misuse",
        provider="Turning Point",
        started_on=dt.date(2026, 1, 20),
        status="planned",
        outcome="pending",
        engaged="not_known",
        notes="",
    )
    url = f"/cases/{case.pk}/interventions/{row.pk}/"
    first, second = client_for(Role.SUPERVISOR), client_for(Role.OFFENDER_MANAGER)
    loaded = {"version": row.version}  # both opened the form at version 1
    edit = _form(type="substance_misuse", provider="Turning Point", started_on="2026-01-20")
    edit.pop("submission_key")
    assert first.post(url, {**edit, **loaded, "outcome": "treatment_started"}).status_code == 302
    response = second.post(url, {**edit, **loaded, "outcome": "not_achieved"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this while you were editing it" in page
    assert "Sue saved a change" in page  # who made the change
    assert "Treatment started" in page and "Not achieved" in page
    row.refresh_from_db()
    assert row.outcome == "treatment_started" and row.version == 2
    # Saving again, having seen the change, replaces it.
    again = second.post(url, {**edit, "version": 2, "outcome": "not_achieved"})
    assert again.status_code == 302
    row.refresh_from_db()
    assert row.outcome == "not_achieved" and row.version == 3
    assert row.history.count() == 3
