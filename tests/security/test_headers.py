import os
import subprocess
import sys

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_it_sends_a_strict_content_security_policy(client):
    response = client.get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp


@pytest.mark.django_db
def test_it_denies_framing_and_sniffing_and_limits_referrers(client):
    response = client.get(reverse("accounts:login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_it_has_no_inline_script_or_style_on_the_login_page(client):
    body = client.get(reverse("accounts:login")).content.decode()
    assert "<script>" not in body
    assert "style=" not in body
    assert "<style" not in body
    assert "https://" not in body.replace(
        "https://www.w3.org", ""
    )  # nothing loaded from another host


def _production_env(**extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("HIGHHARM_")
        and k != "DJANGO_ALLOW_ASYNC_UNSAFE"  # set for browser tests
    }
    env.update(
        {
            "HIGHHARM_SECRET_KEY": "k" * 20 + "production-like-secret-key-value-0123456789",
            "HIGHHARM_ALLOWED_HOSTS": "highharm.example.police.uk",
            "HIGHHARM_VAR_DIR": os.environ["HIGHHARM_VAR_DIR"],
        }
    )
    env.update(extra)
    return env


def test_it_passes_the_deployment_checklist_with_production_settings():
    result = subprocess.run(
        [sys.executable, "-m", "highharm", "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_secures_cookies_and_requires_2fa_in_production():
    code = (
        "from django.conf import settings as s; import django; django.setup();"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.REQUIRE_2FA, s.DEBUG)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=_production_env(DJANGO_SETTINGS_MODULE="highharm.settings"),
        capture_output=True,
        text=True,
    )
    assert result.stdout.split() == ["True", "True", "True", "True", "False"], result.stderr
