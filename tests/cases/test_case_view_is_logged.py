from highharm.accounts.permissions import Role
from highharm.audit.models import AccessLog
from tests.panels.factories import open_case


def test_it_logs_every_view_of_a_case(client_for, users, perpetrator):
    case = open_case(perpetrator, users[Role.OFFENDER_MANAGER])
    client_for(Role.TRIAGE_LEAD).get(f"/cases/{case.pk}/")
    client_for(Role.OFFENDER_MANAGER).get(f"/cases/{case.pk}/interventions/new/")
    rows = list(AccessLog.objects.filter(object_type="case", object_id=str(case.pk)).order_by("id"))
    assert [(r.username, r.action, r.detail["page"]) for r in rows] == [
        ("tina_triage", "view_case", "detail"),
        ("alice_om", "view_case", "intervention_new"),
    ]
    assert rows[0].detail["person"] == "P100"


def test_it_does_not_log_a_refused_or_missing_case(client_for, users, perpetrator):
    case = open_case(perpetrator, users[Role.OFFENDER_MANAGER])
    client_for(Role.PARTNER).get(f"/cases/{case.pk}/")  # not shared: 404
    client_for(Role.ANALYST).get(f"/cases/{case.pk}/")  # no capability: 403
    assert not AccessLog.objects.filter(object_type="case").exists()
