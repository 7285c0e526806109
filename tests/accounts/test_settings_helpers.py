import pytest
from django.core.exceptions import ImproperlyConfigured

from highharm import settings as hs


def test_it_reads_booleans_and_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("HIGHHARM_X", "yes")
    assert hs.env_bool("HIGHHARM_X") is True
    monkeypatch.setenv("HIGHHARM_X", "0")
    assert hs.env_bool("HIGHHARM_X", True) is False
    monkeypatch.setenv("HIGHHARM_X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="HIGHHARM_X"):
        hs.env_bool("HIGHHARM_X")


def test_it_refuses_a_malformed_integer(monkeypatch):
    monkeypatch.setenv("HIGHHARM_N", "fifteen")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        hs.env_int("HIGHHARM_N", 1)


def test_it_parses_a_postgres_url():
    db = hs.database_from_url("postgres://hh:s%40cret@db.example:5433/highharm")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "highharm",
        "hh",
        "s@cret",
        "db.example",
        "5433",
    )


def test_it_parses_an_absolute_sqlite_url(tmp_path):
    db = hs.database_from_url(f"sqlite:///{tmp_path}/other.sqlite3")
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == f"{tmp_path}/other.sqlite3"


def test_it_refuses_an_unknown_database_scheme():
    with pytest.raises(ImproperlyConfigured, match="postgres:// or sqlite://"):
        hs.database_from_url("mysql://x/y")


def test_it_requires_a_secret_key_when_debug_is_off(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("HIGHHARM_")}
    env.update({"HIGHHARM_VAR_DIR": str(tmp_path), "HIGHHARM_DEBUG": "0"})
    result = subprocess.run(
        [sys.executable, "-c", "import highharm.settings"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "HIGHHARM_SECRET_KEY must be set" in result.stderr
