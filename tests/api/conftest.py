import pytest

from highharm.accounts.services import api_token_create


@pytest.fixture
def api_client_for(users):
    """api_client_for(role) -> a test client whose requests carry that role's bearer token."""
    from django.test import Client

    def make(role):
        _, token = api_token_create(user=users[role], name="test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    return make


@pytest.fixture
def referral(users, perpetrator):
    """An officer's referral of the fixed perpetrator (P100), waiting for triage."""
    from highharm.accounts.permissions import Role
    from highharm.referrals import services

    return services.referral_create(
        referred_by=users[Role.OFFENDER_MANAGER],
        source="officer",
        person=perpetrator,
        reason="Repeated assaults on two partners",
        concerns="Escalation",
        no_known_victim=True,
        children_in_household="no",
    ).referral
