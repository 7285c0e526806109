from django.urls import reverse

from highharm.audit.models import AccessLog
from tests.conftest import PASSWORD


def test_it_locks_an_account_after_five_failures_and_logs_it(client, users, settings):
    url = reverse("accounts:login")
    for _ in range(5):
        client.post(
            url, {"username": "alice_om", "password": "wrong-password"}, REMOTE_ADDR="10.0.0.9"
        )
    response = client.post(
        url, {"username": "alice_om", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content
    assert AccessLog.objects.filter(action="lockout", username="alice_om").exists()
    assert AccessLog.objects.filter(action="login_failed", username="alice_om").count() >= 5
    assert not AccessLog.objects.filter(action="login", username="alice_om").exists()
