import time

import pytest
from django.urls import reverse

from highharm.accounts.permissions import Role
from highharm.audit.models import AccessLog
from tests.conftest import PASSWORD


@pytest.mark.django_db
def test_it_shows_the_login_page(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert b"Sign in to Highharm" in response.content


def test_it_logs_in_and_records_it(client, users):
    response = client.post(
        reverse("accounts:login"), {"username": "alice_om", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert AccessLog.objects.filter(action="login", username="alice_om").count() == 1


def test_it_refuses_a_wrong_password_and_records_the_failure(client, users):
    response = client.post(reverse("accounts:login"), {"username": "alice_om", "password": "wrong"})
    assert response.status_code == 200
    assert b"Enter a correct username and password" in response.content
    assert AccessLog.objects.filter(action="login_failed", username="alice_om").exists()


def test_it_sends_anonymous_users_to_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_it_ends_a_session_after_fifteen_idle_minutes(client_for, settings):
    client = client_for(Role.OFFENDER_MANAGER)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session["highharm_last_seen"] = time.time() - 15 * 60 - 5
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert "expired=1" in response["Location"]
    assert client.get(reverse("home")).status_code == 302  # still signed out


def test_it_keeps_an_active_session(client_for):
    client = client_for(Role.OFFENDER_MANAGER)
    session = client.session
    session["highharm_last_seen"] = time.time() - 14 * 60
    session.save()
    assert client.get(reverse("home")).status_code == 200


def test_it_ends_a_session_after_ten_hours_however_active(client_for):
    client = client_for(Role.OFFENDER_MANAGER)
    client.get(reverse("home"))
    session = client.session
    session["highharm_started"] = time.time() - 10 * 3600 - 5
    session.save()
    assert client.get(reverse("home")).status_code == 302


def test_it_hashes_passwords_with_argon2_outside_tests():
    from highharm import settings as hs

    assert "Argon2" in hs.PASSWORD_HASHERS[0] or hs.env_bool("HIGHHARM_FAST_PASSWORD_HASHER")
    import importlib
    import os

    os.environ["HIGHHARM_FAST_PASSWORD_HASHER"] = "0"
    try:
        fresh = importlib.reload(hs)
        assert fresh.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    finally:
        os.environ["HIGHHARM_FAST_PASSWORD_HASHER"] = "1"
        importlib.reload(hs)


def test_it_shows_each_role_its_own_home_page(client_for):
    om = client_for(Role.OFFENDER_MANAGER).get(reverse("home"))
    auditor = client_for(Role.AUDITOR).get(reverse("home"))
    assert b"Offender manager" in om.content
    assert b"Find a person" in om.content
    assert b"Access log" in auditor.content
    assert b"Access log" not in om.content


def test_it_requires_two_factor_when_configured(client_for, settings):
    settings.REQUIRE_2FA = True
    client = client_for(Role.OFFENDER_MANAGER)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:two_factor")
    page = client.get(reverse("accounts:two_factor"))
    assert b"Set up your authenticator app" in page.content


def test_it_accepts_a_correct_totp_code(client_for, settings, users):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.REQUIRE_2FA = True
    client = client_for(Role.OFFENDER_MANAGER)
    client.get(reverse("accounts:two_factor"))
    device = TOTPDevice.objects.get(user=users[Role.OFFENDER_MANAGER])
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    response = client.post(reverse("accounts:two_factor"), {"otp_token": code})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_it_refuses_a_wrong_totp_code(client_for, settings, users):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.REQUIRE_2FA = True
    client = client_for(Role.OFFENDER_MANAGER)
    client.get(reverse("accounts:two_factor"))
    device = TOTPDevice.objects.get(user=users[Role.OFFENDER_MANAGER])
    right = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    wrong = f"{(right + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:two_factor"), {"otp_token": wrong})
    assert b"That code is not right" in response.content
    assert client.get(reverse("home")).status_code == 302
