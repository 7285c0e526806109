"""The idle clock is written to the session at most once a minute (IDLE_WRITE_SECONDS), so
most requests cost no session write, and the 15-minute idle timeout still holds."""

from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from highharm.accounts import middleware
from highharm.accounts.permissions import Role


class Clock:
    def __init__(self, now: float):
        self.now = now

    def time(self) -> float:
        return self.now


def stored(client) -> tuple[dict, object]:
    row = Session.objects.get(session_key=client.session.session_key)
    return row.get_decoded(), row.expire_date


def test_the_granularity_is_a_minute():
    assert middleware.IDLE_WRITE_SECONDS == 60
    assert not hasattr(django_settings, "SESSION_IDLE_WRITE_SECONDS")


def test_a_request_within_a_minute_does_not_write_the_session(client_for, monkeypatch):
    clock = Clock(1_000_000.0)
    monkeypatch.setattr(middleware, "time", clock)
    client = client_for(Role.OFFENDER_MANAGER)
    assert client.get(reverse("home")).status_code == 200
    data, expires = stored(client)
    assert data["highharm_last_seen"] == 1_000_000.0
    assert data["highharm_started"] == 1_000_000.0

    clock.now += 59
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert django_settings.SESSION_COOKIE_NAME not in response.cookies  # not saved
    assert stored(client) == (data, expires)  # the row is untouched

    clock.now += 1  # a minute after the stored time: written
    response = client.get(reverse("home"))
    assert response.status_code == 200
    data, _ = stored(client)
    assert data["highharm_last_seen"] == 1_000_060.0
    assert data["highharm_started"] == 1_000_000.0  # the start never moves


def test_idle_expiry_counts_from_the_stored_time(client_for, monkeypatch):
    clock = Clock(2_000_000.0)
    monkeypatch.setattr(middleware, "time", clock)
    client = client_for(Role.OFFENDER_MANAGER)
    assert client.get(reverse("home")).status_code == 200  # stored 2,000,000
    clock.now += 50
    assert client.get(reverse("home")).status_code == 200  # not stored
    # 15 minutes and a second after the stored time (14:11 after the last request): ended,
    # at most the granularity early, never late.
    clock.now = 2_000_000.0 + 15 * 60 + 1
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert "expired=1" in response["Location"]
    assert client.get(reverse("home")).status_code == 302


def test_activity_at_least_once_a_minute_keeps_the_session(client_for, monkeypatch):
    clock = Clock(3_000_000.0)
    monkeypatch.setattr(middleware, "time", clock)
    client = client_for(Role.OFFENDER_MANAGER)
    for _ in range(40):  # 40 requests 50 s apart: 33 minutes, never 15 idle
        assert client.get(reverse("home")).status_code == 200
        clock.now += 50
    data, _ = stored(client)
    # Written at 0, 100, 200, ... (each write 100 s after the last: 50 s is under a minute).
    assert data["highharm_last_seen"] == 3_000_000.0 + 1900


def test_the_granularity_setting_overrides_the_default(client_for, monkeypatch, settings):
    settings.SESSION_IDLE_WRITE_SECONDS = 0
    clock = Clock(4_000_000.0)
    monkeypatch.setattr(middleware, "time", clock)
    client = client_for(Role.OFFENDER_MANAGER)
    client.get(reverse("home"))
    clock.now += 1
    client.get(reverse("home"))
    data, _ = stored(client)
    assert data["highharm_last_seen"] == 4_000_001.0
