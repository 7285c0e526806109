"""A NUL character anywhere in a request is refused with 400, never a server error.

PostgreSQL cannot store or compare text holding NUL, so without this guard a search for
"a\\x00b" failed with a database error (found by tests/api/test_schemathesis.py).
"""

import pytest

from highharm.accounts.permissions import Role
from highharm.accounts.services import api_token_create


@pytest.fixture
def api_client_for(users):
    from django.test import Client

    def make(role):
        _, token = api_token_create(user=users[role], name="test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    return make


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/people/?q=a%00b",
        "/api/v1/people/P1%00",
        "/people/search/?q=%00",
        "/people/P100%00/",
    ],
)
def test_it_refuses_nul_in_the_url(url, api_client_for, perpetrator):
    response = api_client_for(Role.SUPERVISOR).get(url)
    assert response.status_code == 400
    assert b"NUL" in response.content


def test_it_answers_json_to_the_api(api_client_for, perpetrator):
    response = api_client_for(Role.SUPERVISOR).get("/api/v1/people/?q=%00")
    assert response.json() == {"detail": "Requests may not contain NUL characters."}


def test_it_refuses_nul_in_a_json_or_form_body(client_for, perpetrator):
    client = client_for(Role.SUPERVISOR)
    json = client.post("/api/v1/people/", data='{"q": "a\\u0000"}', content_type="application/json")
    form = client.post(
        "/people/search/", data="q=a%00b", content_type="application/x-www-form-urlencoded"
    )
    assert (json.status_code, form.status_code) == (400, 400)


def test_it_lets_ordinary_requests_through(api_client_for, perpetrator):
    response = api_client_for(Role.SUPERVISOR).get("/api/v1/people/?q=Perp")
    assert response.status_code == 200
    assert [p["reference"] for p in response.json()] == ["P100"]
