"""Issue 7, item 1: what the other authentication tests leave out.

Password rules in line with NCSC guidance (length and a deny list, no composition rules,
no truncation); sign-out and both outcomes of the second factor in the access log;
wrong second-factor codes throttled. (Idle and absolute session limits:
tests/accounts/test_login.py; lock-out: tests/security/test_lockout.py.)
"""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from highharm.accounts.permissions import Role
from highharm.audit.models import AccessLog
from highharm.audit.services import access_log_verify


@pytest.mark.django_db
class TestPasswordRules:
    """NCSC: long passphrases, a deny list of common passwords, no complexity rules."""

    def test_eleven_characters_are_refused_with_the_reason(self):
        with pytest.raises(ValidationError) as refused:
            validate_password("elevenchars")
        assert "at least 12 characters" in " ".join(refused.value.messages)

    def test_three_random_words_are_accepted_without_digits_or_symbols(self):
        validate_password("lantern otter pebble")  # no exception: no composition rules

    @pytest.mark.parametrize("common", ["qwerty123456", "1q2w3e4r5t6y", "123456654321"])
    def test_common_passwords_of_twelve_characters_are_refused(self, common):
        with pytest.raises(ValidationError) as refused:
            validate_password(common)
        assert "too common" in " ".join(refused.value.messages)

    def test_a_password_like_the_username_is_refused(self, users):
        with pytest.raises(ValidationError) as refused:
            validate_password("alice_om_2026", user=users[Role.OFFENDER_MANAGER])
        assert "too similar" in " ".join(refused.value.messages)

    def test_a_long_passphrase_is_kept_whole(self, users):
        user = users[Role.OFFENDER_MANAGER]
        long = "walrus " * 30 + "end"
        validate_password(long, user=user)
        user.set_password(long)
        assert user.check_password(long)
        assert not user.check_password(long[:-1] + "x")  # nothing after a limit is ignored

    def test_the_login_form_lets_password_managers_fill_the_password(self, client):
        body = client.get(reverse("accounts:login")).content.decode()
        assert 'autocomplete="current-password"' in body
        assert "onpaste" not in body


def test_signing_out_is_in_the_access_log(client_for):
    client = client_for(Role.OFFENDER_MANAGER)
    client.post(reverse("accounts:logout"))
    row = AccessLog.objects.filter(action="logout").get()
    assert row.username == "alice_om"
    assert access_log_verify()[1] is None


def _code(device, offset=0):
    from django_otp.oath import totp

    right = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{(right + offset) % 1_000_000:06d}"


@pytest.fixture
def second_factor(client_for, settings, users):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.REQUIRE_2FA = True
    client = client_for(Role.OFFENDER_MANAGER)
    client.get(reverse("accounts:two_factor"))
    return client, TOTPDevice.objects.get(user=users[Role.OFFENDER_MANAGER])


def test_a_right_second_factor_code_is_in_the_access_log(second_factor, users):
    client, device = second_factor
    client.post(reverse("accounts:two_factor"), {"otp_token": _code(device)})
    row = AccessLog.objects.filter(action="two_factor").get()
    assert (row.username, row.object_id) == ("alice_om", str(users[Role.OFFENDER_MANAGER].pk))
    assert not AccessLog.objects.filter(action="two_factor_failed").exists()


def test_a_wrong_second_factor_code_is_in_the_access_log(second_factor):
    client, device = second_factor
    client.post(reverse("accounts:two_factor"), {"otp_token": _code(device, 1)})
    row = AccessLog.objects.filter(action="two_factor_failed").get()
    assert row.username == "alice_om"
    assert not AccessLog.objects.filter(action="two_factor").exists()


def test_after_wrong_codes_even_the_right_one_is_refused_for_a_while(second_factor):
    from django.utils import timezone

    client, device = second_factor
    url = reverse("accounts:two_factor")
    client.post(url, {"otp_token": _code(device, 1)})
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # django-otp waits 2^(n-1) seconds after n failures; the first wait (1 s) is shorter
    # than a request on a busy machine, so stand in for three more failures just now.
    device.throttling_failure_count = 4
    device.throttling_failure_timestamp = timezone.now()
    device.save()
    response = client.post(url, {"otp_token": _code(device)})
    assert b"That code is not right" in response.content
    assert client.get(reverse("home")).status_code == 302  # not signed in
    assert AccessLog.objects.filter(action="two_factor_failed").count() == 2
