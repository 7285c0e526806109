import datetime as dt
import uuid

import pytest
from django.urls import reverse

from highharm.accounts.permissions import Role
from highharm.referrals.models import MonitoringPeriod, Referral, TriageDecision


def decision_data(referral, **overrides):
    referral.refresh_from_db()
    data = {
        "submission_token": str(uuid.uuid4()),
        "version": referral.version,
        "outcome": "adopt",
        "rationale": "Escalating harm: strangulation risk and two victims",
    }
    data.update(overrides)
    return data


def decide_url(meeting, referral):
    return reverse("referrals:decide", args=[meeting.pk, referral.pk])


def test_it_records_an_adopt_decision_with_the_people_present(
    client_for, refer, perpetrator, meeting
):
    referral = refer(perpetrator)
    response = client_for(Role.TRIAGE_LEAD).post(
        decide_url(meeting, referral), decision_data(referral)
    )
    assert response.status_code == 302
    decision = TriageDecision.objects.get()
    assert decision.outcome == "adopt"
    assert decision.is_current
    names = [p["name"] for p in decision.present]
    assert names == ["Tina", "Paula Probation"]
    assert decision.present[1]["agency"] == "Wessex Probation"
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DECIDED


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"rationale": ""}, "Enter the rationale for the decision"),
        ({"outcome": ""}, "Choose a decision"),
        ({"outcome": "monitor"}, "Enter the date monitoring ends"),
        ({"outcome": "other_pathway"}, "Choose the pathway the person is routed to"),
        ({"outcome": "other_pathway", "pathway": "other"}, "Name the pathway or programme"),
    ],
)
def test_it_refuses_an_incomplete_decision(
    client_for, refer, perpetrator, meeting, overrides, message
):
    referral = refer(perpetrator)
    response = client_for(Role.TRIAGE_LEAD).post(
        decide_url(meeting, referral), decision_data(referral, **overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not TriageDecision.objects.exists()


def test_it_refuses_a_monitoring_end_date_before_the_meeting(
    client_for, refer, perpetrator, meeting
):
    referral = refer(perpetrator)
    past = (meeting.meeting_date - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    body = (
        client_for(Role.TRIAGE_LEAD)
        .post(
            decide_url(meeting, referral),
            decision_data(referral, outcome="monitor", monitor_until=past),
        )
        .content.decode()
    )
    assert "must be after the meeting" in body


def test_it_starts_monitoring_for_a_monitor_decision(client_for, refer, perpetrator, meeting):
    referral = refer(perpetrator)
    until = meeting.meeting_date + dt.timedelta(days=180)
    client_for(Role.TRIAGE_LEAD).post(
        decide_url(meeting, referral),
        decision_data(referral, outcome="monitor", monitor_until=until.strftime("%d/%m/%Y")),
    )
    period = MonitoringPeriod.objects.get()
    assert period.person == perpetrator
    assert period.until == until
    assert period.kind == MonitoringPeriod.Kind.TRIAGE
    assert period.decision == TriageDecision.objects.get()


def test_it_records_the_pathway_and_can_refer_out(
    client_for, refer, perpetrator, meeting, agencies, users
):
    from highharm.partners.models import ReferralOut
    from highharm.partners.services import service_create

    drive = service_create(
        agency=agencies["probation"],
        name="Drive",
        service_type="perpetrator_programme",
        by=users[Role.SUPERVISOR],
    )
    referral = refer(perpetrator)
    client_for(Role.TRIAGE_LEAD).post(
        decide_url(meeting, referral),
        decision_data(
            referral, outcome="other_pathway", pathway="drive", referral_out_service=drive.pk
        ),
    )
    decision = TriageDecision.objects.get()
    assert decision.summary == "Route to Drive"
    assert decision.referral_out == ReferralOut.objects.get(service=drive, person=perpetrator)


def test_it_refuses_decisions_until_someone_is_recorded_present(
    client_for, refer, perpetrator, users
):
    from highharm.referrals.services import meeting_create

    empty = meeting_create(
        meeting_date=meeting_date_today(), chair=None, created_by=users[Role.TRIAGE_LEAD]
    )
    referral = refer(perpetrator)
    body = (
        client_for(Role.TRIAGE_LEAD)
        .post(decide_url(empty, referral), decision_data(referral))
        .content.decode()
    )
    assert "Record who is present at the meeting before recording decisions" in body
    assert not TriageDecision.objects.exists()


def test_it_refuses_decisions_at_a_closed_meeting(client_for, refer, perpetrator, meeting, users):
    from highharm.referrals.services import meeting_close

    meeting_close(
        meeting_id=meeting.pk, expected_version=meeting.version, by=users[Role.TRIAGE_LEAD]
    )
    referral = refer(perpetrator)
    meeting.refresh_from_db()
    body = (
        client_for(Role.TRIAGE_LEAD)
        .post(decide_url(meeting, referral), decision_data(referral))
        .content.decode()
    )
    assert "This meeting is closed" in body


@pytest.mark.parametrize(
    "role", [Role.OFFENDER_MANAGER, Role.PANEL_CHAIR, Role.PARTNER, Role.ANALYST]
)
def test_it_refuses_triage_to_roles_without_triage_manage(
    client_for, refer, perpetrator, meeting, role
):
    referral = refer(perpetrator)
    client = client_for(role)
    assert client.get(decide_url(meeting, referral)).status_code == 403
    assert client.post(decide_url(meeting, referral), decision_data(referral)).status_code == 403
    assert client.get(reverse("referrals:meeting", args=[meeting.pk])).status_code == 403
    assert not TriageDecision.objects.exists()


def test_it_lets_a_supervisor_decide(client_for, refer, perpetrator, meeting):
    referral = refer(perpetrator)
    client_for(Role.SUPERVISOR).post(
        decide_url(meeting, referral), decision_data(referral, outcome="nfa")
    )
    assert TriageDecision.objects.get().outcome == "nfa"


def test_it_carries_a_referral_over_with_a_reason(client_for, refer, perpetrator, meeting):
    referral = refer(perpetrator)
    client = client_for(Role.TRIAGE_LEAD)
    refused = client.post(
        reverse("referrals:defer", args=[meeting.pk, referral.pk]), {"reason": ""}, follow=True
    )
    assert "Enter why the decision is carried over" in refused.content.decode()
    client.post(
        reverse("referrals:defer", args=[meeting.pk, referral.pk]),
        {"reason": "Waiting for the DASH"},
    )
    assert referral.deferrals.get().reason == "Waiting for the DASH"
    referral.refresh_from_db()
    assert referral.status == Referral.Status.OPEN


def meeting_date_today():
    from django.utils import timezone

    return timezone.localdate()
