"""Pages and API answers for signed-in users are never kept in a browser's cache."""

import pytest

from highharm.accounts.permissions import Role
from highharm.accounts.services import api_token_create


@pytest.mark.parametrize("url", ["/", "/people/P100/", "/people/search/?q=Perp"])
def test_it_forbids_caching_pages_for_signed_in_users(url, client_for, perpetrator):
    response = client_for(Role.OFFENDER_MANAGER).get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_it_forbids_caching_api_answers(users, client, perpetrator):
    _, token = api_token_create(user=users[Role.SUPERVISOR], name="t")
    response = client.get("/api/v1/people/P100", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
