"""`highharm demo-setup` on a tiny force: users, the unit's work, and a second run changes nothing."""

import io

import pytest
from django.core.management import call_command


def _counts():
    from highharm.accounts.models import User
    from highharm.cases.models import Case, Contact, Intervention, Order
    from highharm.panels.models import Action, Minute, PanelMeeting
    from highharm.referrals.models import Alert, Referral, TriageDecision, TriageMeeting

    models = [
        User,
        Referral,
        TriageMeeting,
        TriageDecision,
        Case,
        Intervention,
        Order,
        Contact,
        PanelMeeting,
        Minute,
        Action,
        Alert,
    ]
    return {m.__name__: m.objects.count() for m in models}


@pytest.mark.django_db(transaction=True)
def test_it_sets_up_the_unit_once_and_a_second_run_changes_nothing(settings, tmp_path):
    from highharm.cases.models import Case
    from highharm.people.models import PersonShare
    from highharm.referrals.models import Alert, TriageDecision

    settings.VAR_DIR = tmp_path
    call_command("demo_setup", perpetrators=60, years=2, seed=7, stdout=io.StringIO())

    first = _counts()
    from highharm.accounts.models import User

    for username in ("om", "triage", "chair", "analyst", "partner", "supervisor", "auditor"):
        assert User.objects.get(username=username).is_active
    assert first["Referral"] == 25
    outcomes = set(TriageDecision.objects.values_list("outcome", flat=True))
    assert outcomes == {"adopt", "monitor", "other_pathway", "nfa"}
    assert Case.objects.filter(lead__username="om").count() >= 8
    assert Case.objects.exclude(lead__username="om").exists()
    assert Case.objects.filter(status="closed").count() == 1
    assert first["Minute"] >= 1 and first["Action"] >= 1 and first["Order"] >= 1
    assert Alert.objects.count() == 1
    _latest_scores_cover_every_incident()
    assert PersonShare.objects.filter(agency__name="Wessex Council Housing").exists()

    call_command("demo_setup", perpetrators=60, years=2, seed=7, stdout=io.StringIO())
    assert _counts() == first


def _latest_scores_cover_every_incident():
    """The latest stored run counts every incident in its window, the one the unit's story
    adds last (the alert after an exit) included."""
    import datetime as dt

    from highharm.records.models import Incident
    from highharm.scoring.models import PerpetratorScore, ScoreRun

    run = ScoreRun.objects.order_by("-created_at", "-id").first()
    start = run.as_of - dt.timedelta(days=run.window_days - 1)
    scores = PerpetratorScore.objects.filter(run=run)
    assert scores.exists()
    for score in scores:
        in_window = Incident.objects.filter(
            perpetrator_id=score.person_id, occurred_on__range=(start, run.as_of)
        )
        assert score.frequency == in_window.count(), score.person_id
