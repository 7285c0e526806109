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
