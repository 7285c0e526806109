from datetime import timedelta

from django.utils import timezone

from highharm.accounts.models import ApiToken
from highharm.accounts.permissions import Role
from highharm.accounts.services import api_token_create, api_token_revoke


def test_it_stores_only_a_hash_of_the_token(users):
    record, plaintext = api_token_create(user=users[Role.OFFENDER_MANAGER], name="t")
    assert plaintext not in record.token_hash
    assert not ApiToken.objects.filter(token_hash=plaintext).exists()


def test_it_accepts_a_valid_token(users, client):
    _, token = api_token_create(user=users[Role.OFFENDER_MANAGER], name="t")
    response = client.get("/api/v1/people/?q=nobody", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json() == []


def test_it_refuses_a_wrong_token(users, client):
    response = client.get("/api/v1/people/?q=x", HTTP_AUTHORIZATION="Bearer hh_not-a-real-token")
    assert response.status_code == 401


def test_it_refuses_an_expired_token(users, client):
    record, token = api_token_create(user=users[Role.OFFENDER_MANAGER], name="t")
    ApiToken.objects.filter(pk=record.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert (
        client.get("/api/v1/people/?q=x", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    )


def test_it_refuses_a_revoked_token(users, client):
    record, token = api_token_create(user=users[Role.OFFENDER_MANAGER], name="t")
    api_token_revoke(token_id=record.pk, user=users[Role.OFFENDER_MANAGER])
    assert (
        client.get("/api/v1/people/?q=x", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    )


def test_it_refuses_the_token_of_a_disabled_user(users, client):
    user = users[Role.OFFENDER_MANAGER]
    _, token = api_token_create(user=user, name="t")
    user.is_active = False
    user.save()
    assert (
        client.get("/api/v1/people/?q=x", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    )


def test_it_publishes_the_openapi_schema(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/people/{reference}" in schema["paths"]
