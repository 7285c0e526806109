"""The access log's chain is keyed: HMAC-SHA256 under an audit key kept out of the database."""

import hashlib
import hmac
import importlib
import json
import os
import stat
import types

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from highharm import settings as highharm_settings
from highharm.audit import chain
from highharm.audit.models import AccessLog, AuditChainHead
from highharm.audit.services import access_log_record, access_log_rekey, access_log_verify

# The key testing_env.py sets for every test run.
TEST_KEY = "test-only-audit-key-not-for-production-0123456789"
OTHER_KEY = "another-audit-key-for-rotation-tests-0123456789abcdef"


@pytest.fixture
def rows(users):
    return [
        access_log_record(
            user=users[None], action="view_person", object_type="person", object_id=f"P{i}"
        )
        for i in range(5)
    ]


def _rewrite(rows_in_order, hasher, *, start):
    """What an attacker with write access to the database does: rewrite each row's
    hashes, and the head, so that every link and every hash looks right to ``hasher``."""
    prev = start
    with connection.cursor() as cursor:
        for row in rows_in_order:
            row.refresh_from_db()
            row.prev_hash = prev
            text = json.dumps(
                {
                    "at": row.at.isoformat(),
                    "user_id": row.user_id,
                    "username": row.username,
                    "role": row.role,
                    "action": row.action,
                    "object_type": row.object_type,
                    "object_id": row.object_id,
                    "detail": row.detail,
                    "ip_address": row.ip_address,
                    "path": row.path,
                    "prev_hash": row.prev_hash,
                },
                sort_keys=True,
                separators=(",", ":"),
            )
            row.row_hash = hasher(text)
            cursor.execute(
                "UPDATE audit_accesslog SET prev_hash = %s, row_hash = %s WHERE id = %s",
                [row.prev_hash, row.row_hash, row.pk],
            )
            prev = row.row_hash
        cursor.execute("UPDATE audit_auditchainhead SET last_hash = %s WHERE id = 1", [prev])


def _sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def _hmac(key):
    return lambda text: hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()


def test_each_row_hash_is_the_hmac_of_its_content_under_the_audit_key(rows):
    row = AccessLog.objects.get(pk=rows[1].pk)
    text = json.dumps(
        {
            "action": "view_person",
            "at": row.at.isoformat(),
            "detail": {},
            "ip_address": "",
            "object_id": "P1",
            "object_type": "person",
            "path": "",
            "prev_hash": rows[0].row_hash,
            "role": "",
            "user_id": row.user_id,
            "username": "charlie",
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    assert row.row_hash == _hmac(TEST_KEY)(text)
    assert row.row_hash != _sha256(text)
    assert rows[0].prev_hash == "0" * 64


def test_a_row_rewritten_with_recomputed_sha256_hashes_is_still_found(rows, capsys):
    target = rows[2]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_accesslog SET object_id = %s WHERE id = %s", ["P9", target.pk])
    # Recompute plain SHA-256 for the edited row and every row after it, and the head.
    _rewrite(rows[2:], _sha256, start=rows[1].row_hash)
    checked, broken, reason = access_log_verify()
    assert broken.pk == target.pk
    assert checked == 2
    assert "content" in reason
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify")
    assert exit_info.value.code == 1
    assert f"access-log row {target.pk} " in capsys.readouterr().err


def test_a_rewrite_with_every_hash_recomputed_from_the_start_is_found_at_the_first_row(rows):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_accesslog SET object_id = %s WHERE id = %s", ["P9", rows[3].pk]
        )
    _rewrite(rows, _sha256, start="0" * 64)
    checked, broken, reason = access_log_verify()
    assert (checked, broken.pk) == (0, rows[0].pk)


def test_only_the_key_makes_a_rewrite_pass(rows):
    # The same rewrite with the audit key passes: the key alone is what stops it.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_accesslog SET object_id = %s WHERE id = %s", ["P9", rows[2].pk]
        )
    _rewrite(rows[2:], _hmac(TEST_KEY), start=rows[1].row_hash)
    assert access_log_verify() == (5, None, "")


def test_another_key_fails_at_the_first_row_and_says_the_key_differs(rows):
    with override_settings(AUDIT_KEY=OTHER_KEY):
        checked, broken, reason = access_log_verify()
    assert (checked, broken.pk) == (0, rows[0].pk)
    assert "content" in reason
    assert chain.key_id(TEST_KEY) in reason
    assert chain.key_id(OTHER_KEY) in reason
    assert TEST_KEY not in reason


def test_rotation_re_signs_the_chain_with_the_new_key(rows):
    with override_settings(AUDIT_KEY=OTHER_KEY):
        assert access_log_rekey(old_key=TEST_KEY) == 5
        assert access_log_verify() == (6, None, "")
        rotated = AccessLog.objects.order_by("-pk").first()
    assert rotated.action == "audit_key_rotated"
    assert rotated.detail["new_key_id"] == chain.key_id(OTHER_KEY)
    assert AuditChainHead.objects.get(pk=1).key_id == chain.key_id(OTHER_KEY)
    # The old key no longer verifies the chain.
    checked, broken, _ = access_log_verify()
    assert broken.pk == rows[0].pk


def test_rotation_refuses_a_broken_chain_and_changes_nothing(rows):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_accesslog SET object_id = %s WHERE id = %s", ["P9", rows[1].pk]
        )
    before = list(AccessLog.objects.order_by("pk").values_list("row_hash", flat=True))
    with override_settings(AUDIT_KEY=OTHER_KEY), pytest.raises(chain.ChainBroken) as refused:
        access_log_rekey(old_key=TEST_KEY)
    assert refused.value.row.pk == rows[1].pk
    assert list(AccessLog.objects.order_by("pk").values_list("row_hash", flat=True)) == before


def _migration():
    return importlib.import_module("highharm.audit.migrations.0003_keyed_chain")


def test_the_migration_re_signs_an_intact_sha256_chain_with_the_key(rows):
    _rewrite(rows, _sha256, start="0" * 64)  # the chain as the old code wrote it
    assert access_log_verify()[1] is not None
    _migration().key_the_chain(django_apps, types.SimpleNamespace(connection=connection))
    assert access_log_verify() == (5, None, "")
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_id, head.key_id) == (rows[-1].pk, chain.key_id(TEST_KEY))
    assert head.last_hash == AccessLog.objects.get(pk=rows[-1].pk).row_hash


def test_the_migration_refuses_a_tampered_sha256_chain_naming_the_row(rows):
    _rewrite(rows, _sha256, start="0" * 64)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_accesslog SET object_id = %s WHERE id = %s", ["P9", rows[3].pk]
        )
    with pytest.raises(RuntimeError, match=f"row {rows[3].pk}: its content"):
        _migration().key_the_chain(django_apps, types.SimpleNamespace(connection=connection))


def test_the_test_run_uses_the_fixed_key():
    assert settings.AUDIT_KEY == TEST_KEY


class TestKeySetting:
    def test_the_key_file_is_created_once_with_mode_600(self, tmp_path, monkeypatch):
        monkeypatch.delenv("HIGHHARM_AUDIT_KEY", raising=False)
        monkeypatch.delenv("HIGHHARM_AUDIT_KEY_FILE", raising=False)
        key = highharm_settings.audit_key(tmp_path / "var")
        path = tmp_path / "var" / "audit_key"
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert len(key) == 64
        assert highharm_settings.audit_key(tmp_path / "var") == key
        assert sorted(p.name for p in (tmp_path / "var").iterdir()) == ["audit_key"]

    def test_the_environment_wins_over_the_file(self, tmp_path, monkeypatch):
        monkeypatch.setenv("HIGHHARM_AUDIT_KEY", OTHER_KEY)
        assert highharm_settings.audit_key(tmp_path) == OTHER_KEY
        assert not (tmp_path / "audit_key").exists()

    def test_a_named_key_file_is_read(self, tmp_path, monkeypatch):
        monkeypatch.delenv("HIGHHARM_AUDIT_KEY", raising=False)
        named = tmp_path / "elsewhere"
        named.write_text(OTHER_KEY + "\n")
        monkeypatch.setenv("HIGHHARM_AUDIT_KEY_FILE", str(named))
        assert highharm_settings.audit_key(tmp_path) == OTHER_KEY

    @pytest.mark.parametrize("where", ["env", "file"])
    def test_a_short_key_is_refused_with_a_message(self, tmp_path, monkeypatch, where):
        if where == "env":
            monkeypatch.setenv("HIGHHARM_AUDIT_KEY", "short")
        else:
            monkeypatch.delenv("HIGHHARM_AUDIT_KEY", raising=False)
            (tmp_path / "audit_key").write_text("short\n")
            monkeypatch.setenv("HIGHHARM_AUDIT_KEY_FILE", str(tmp_path / "audit_key"))
        with pytest.raises(ImproperlyConfigured, match="at least 32 characters"):
            highharm_settings.audit_key(tmp_path)


def test_the_rekey_command_rotates_the_key(rows, tmp_path, capsys):
    old = tmp_path / "old_key"
    old.write_text(TEST_KEY + "\n")
    with override_settings(AUDIT_KEY=OTHER_KEY):
        call_command("audit", "rekey", "--old-key-file", str(old))
        assert "OK: 5 access-log rows re-signed" in capsys.readouterr().out
        call_command("audit", "verify")
        assert "OK: 6 access-log rows" in capsys.readouterr().out


def test_the_rekey_command_refuses_with_the_wrong_old_key(rows, tmp_path, capsys):
    wrong = tmp_path / "wrong_key"
    wrong.write_text(OTHER_KEY + "\n")
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "rekey", "--old-key-file", str(wrong))
    assert exit_info.value.code == 1
    assert f"REFUSED: the access log does not verify with the old key at row {rows[0].pk}" in (
        capsys.readouterr().err
    )
    assert access_log_verify() == (5, None, "")


class TestDeploymentCheck:
    def _ids(self):
        from highharm.audit.checks import audit_key_check

        return [w.id for w in audit_key_check()]

    def test_a_key_file_others_can_read_is_reported(self, tmp_path, settings):
        path = tmp_path / "audit_key"
        path.write_text(OTHER_KEY)
        path.chmod(0o644)
        settings.AUDIT_KEY_FILE = path
        assert self._ids() == ["highharm.W002"]
        path.chmod(0o600)
        assert self._ids() == []

    def test_an_audit_key_equal_to_the_secret_key_is_reported(self, settings):
        settings.AUDIT_KEY_FILE = None
        settings.AUDIT_KEY = settings.SECRET_KEY
        assert self._ids() == ["highharm.W001"]

    def test_check_deploy_runs_it(self, tmp_path, settings):
        from django.core.checks import run_checks

        path = tmp_path / "audit_key"
        path.write_text(OTHER_KEY)
        path.chmod(0o640)
        settings.AUDIT_KEY_FILE = path
        assert "highharm.W002" in [w.id for w in run_checks(include_deployment_checks=True)]
        assert "highharm.W002" not in [w.id for w in run_checks(include_deployment_checks=False)]
