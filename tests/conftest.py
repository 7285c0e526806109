"""Fixed test people, one per role, reused by every test (the healthchecks way).

alice_om is an offender manager, tina_triage the triage lead, carl_chair the
panel chair, ann_analyst an analyst, pat_partner a partner-agency user from
Wessex Housing, sue_supervisor a supervisor, audrey_auditor an auditor,
adam_admin an administrator, and charlie has an account but no role at all.
"""

import datetime as dt
import os

import pytest
from hypothesis import settings as hypothesis_settings

from highharm.accounts.permissions import Role

# Property-based tests draw the same examples on every run and on both databases, so a CI
# run is repeatable; HYPOTHESIS_PROFILE=explore draws new ones when hunting for bugs.
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None)
hypothesis_settings.register_profile("explore")
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

PASSWORD = "correct-horse-battery-staple"

ROLE_USERS = {
    Role.OFFENDER_MANAGER: "alice_om",
    Role.TRIAGE_LEAD: "tina_triage",
    Role.PANEL_CHAIR: "carl_chair",
    Role.ANALYST: "ann_analyst",
    Role.PARTNER: "pat_partner",
    Role.SUPERVISOR: "sue_supervisor",
    Role.AUDITOR: "audrey_auditor",
    Role.ADMINISTRATOR: "adam_admin",
}


@pytest.fixture
def agencies(db):
    from highharm.accounts.models import Agency

    return {
        "police": Agency.objects.create(name="Wessex Police", kind=Agency.Kind.POLICE),
        "housing": Agency.objects.create(name="Wessex Housing", kind=Agency.Kind.HOUSING),
        "probation": Agency.objects.create(name="Wessex Probation", kind=Agency.Kind.PROBATION),
    }


@pytest.fixture
def users(db, agencies):
    from highharm.accounts.models import User

    made = {}
    for role, username in ROLE_USERS.items():
        user = User(
            username=username,
            role=role.value,
            first_name=username.split("_")[0].title(),
            agency=agencies["housing"] if role == Role.PARTNER else agencies["police"],
        )
        user.set_password(PASSWORD)
        user.save()
        made[role] = user
    charlie = User(username="charlie", role="")
    charlie.set_password(PASSWORD)
    charlie.save()
    made[None] = charlie
    return made


@pytest.fixture
def catalogue(db):
    """A small offence catalogue for tests."""
    from highharm.records.models import Offence

    rows = [
        (
            "ABH",
            "Assault occasioning actual bodily harm",
            "violence_with_injury",
            180.0,
            {"domestic": True},
        ),
        ("CA", "Common assault", "violence_without_injury", 28.0, {"domestic": True}),
        (
            "STALK",
            "Stalking involving fear of violence",
            "stalking_harassment",
            365.0,
            {"stalking": True},
        ),
        ("NFS", "Non-fatal strangulation", "violence_with_injury", 540.0, {"strangulation": True}),
        ("CCB", "Controlling or coercive behaviour", "coercive_control", 365.0, {"domestic": True}),
        ("BRO", "Breach of restraining order", "breach_of_order", 84.0, {"breach": True}),
        ("CD", "Criminal damage under £5,000", "criminal_damage", 0.0, {}),
    ]
    return {
        code: Offence.objects.create(
            code=code, name=name, category=cat, harm_days=harm, source="test catalogue", **flags
        )
        for code, name, cat, harm, flags in rows
    }


@pytest.fixture
def perpetrator(db, catalogue):
    """Pete Perp (P100): three incidents against two victims; Vera (V200) is his ex-partner."""
    from highharm.people.models import Person, Relationship
    from highharm.records.models import Incident

    pete = Person.objects.create(
        reference="P100",
        given_name="Pete",
        family_name="Perp",
        date_of_birth=dt.date(1985, 3, 4),
        gender="M",
    )
    vera = Person.objects.create(
        reference="V200", given_name="Vera", family_name="Victim", gender="F"
    )
    wendy = Person.objects.create(
        reference="V201", given_name="Wendy", family_name="Witness", gender="F"
    )
    Relationship.objects.create(perpetrator=pete, victim=vera, kind="ex_partner")
    Relationship.objects.create(perpetrator=pete, victim=wendy, kind="partner")
    for ref, day, code, victim in [
        ("CR1", dt.date(2025, 1, 10), "CA", vera),
        ("CR2", dt.date(2025, 6, 1), "ABH", vera),
        ("CR3", dt.date(2026, 2, 14), "STALK", wendy),
    ]:
        Incident.objects.create(
            crime_reference=ref,
            occurred_on=day,
            offence=catalogue[code],
            perpetrator=pete,
            victim=victim,
            relationship="ex_partner",
            content_hash=ref,
        )
    return pete


@pytest.fixture
def client_for(client, users):
    """client_for(role) -> a test client signed in as that role's fixed user."""
    from django.test import Client

    def make(role):
        c = Client()
        c.force_login(users[role])
        return c

    return make
