"""The access log has its own retention rule: rows are due 7 years after they were written;
disposing of them keeps the chain verifiable from an anchor recorded in the chain."""

import datetime as dt
import types

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from highharm.accounts.permissions import Role
from highharm.audit import retention, services
from highharm.audit.models import AccessLog
from highharm.audit.retention_selectors import access_log_due
from highharm.audit.retention_services import RetentionRefused, access_log_dispose
from highharm.audit.services import access_log_record, access_log_rekey, access_log_verify

UTC = dt.UTC
REASON = "Seven-year review of the access log: no complaint or case open"


@pytest.fixture
def clock(monkeypatch):
    """Rows are written at the time this holds (the access log takes it from timezone.now)."""
    now = [dt.datetime(2018, 1, 10, 12, 0, tzinfo=UTC)]
    monkeypatch.setattr(services, "timezone", types.SimpleNamespace(now=lambda: now[0]))
    return now


def _write(clock, when, object_id, user=None):
    clock[0] = when
    return access_log_record(
        user=user, action="view_person", object_type="person", object_id=object_id
    )


@pytest.fixture
def log(clock, users):
    """Four rows: 10/01/2018, 01/02/2018, 01/03/2019 at noon, 01/01/2025."""
    return [
        _write(clock, dt.datetime(2018, 1, 10, 12, 0, tzinfo=UTC), "P1", users[None]),
        _write(clock, dt.datetime(2018, 2, 1, 12, 0, tzinfo=UTC), "P2", users[None]),
        _write(clock, dt.datetime(2019, 3, 1, 12, 0, tzinfo=UTC), "P3", users[None]),
        _write(clock, dt.datetime(2025, 1, 1, 12, 0, tzinfo=UTC), "P4", users[None]),
    ]


def test_the_retention_period_is_seven_years():
    assert retention.ACCESS_LOG_RETENTION_YEARS == 7
    assert retention.access_log_cutoff(dt.date(2026, 3, 1)) == dt.date(2019, 3, 1)
    assert retention.access_log_cutoff(dt.date(2028, 2, 29)) == dt.date(2021, 2, 28)


def test_rows_written_more_than_seven_years_ago_are_due(log):
    # On 01/03/2026 the rows of 2018 are due; the row of 01/03/2019 is not (yet).
    due = access_log_due(as_of=dt.date(2026, 3, 1))
    assert (due.rows, due.first_id, due.last_id) == (2, log[0].pk, log[1].pk)
    assert due.before == dt.date(2019, 3, 1)
    assert due.oldest_at == dt.datetime(2018, 1, 10, 12, 0, tzinfo=UTC)
    assert due.newest_at == dt.datetime(2018, 2, 1, 12, 0, tzinfo=UTC)
    # A day later the 2019 row is due too.
    assert access_log_due(as_of=dt.date(2026, 3, 2)).rows == 3
    assert access_log_due(as_of=dt.date(2025, 1, 9)).rows == 0


def test_only_a_run_from_the_start_is_due(clock, log):
    # A row written later with an earlier clock (a clock set back) does not make a hole.
    _write(clock, dt.datetime(2017, 1, 1, tzinfo=UTC), "P5")
    due = access_log_due(as_of=dt.date(2026, 3, 1))
    assert (due.rows, due.last_id) == (2, log[1].pk)


def test_review_lists_the_access_log_rows_due(log, capsys):
    call_command("retention", "review", "--as-of", "2026-03-01")
    out = capsys.readouterr().out
    assert "Access log (kept 7 years)" in out
    assert (
        f"2 row(s) written before 01/03/2019 are due: rows {log[0].pk} to {log[1].pk}, "
        "10/01/2018 to 01/02/2018" in out
    )
    review = AccessLog.objects.filter(action="retention_review").get()
    assert review.detail["access_log_rows_due"] == 2


def test_review_says_when_none_is_due(log, capsys):
    call_command("retention", "review", "--as-of", "2024-06-01")
    assert "no row written before 01/06/2017: none due" in capsys.readouterr().out


def test_disposal_removes_the_rows_due_and_the_chain_still_verifies(clock, log, users):
    clock[0] = dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    row = access_log_dispose(reason=REASON, by=users[Role.SUPERVISOR], as_of=dt.date(2026, 3, 1))
    remaining = list(AccessLog.objects.order_by("pk").values_list("pk", flat=True))
    assert remaining == [log[2].pk, log[3].pk, row.pk]
    assert row.action == "access_log_disposal"
    assert row.username == "sue_supervisor"
    assert row.detail["anchor_hash"] == log[1].row_hash
    assert (row.detail["from_id"], row.detail["up_to_id"], row.detail["rows"]) == (
        log[0].pk,
        log[1].pk,
        2,
    )
    assert row.detail["reason"] == REASON
    assert access_log_verify() == (3, None, "")


def test_removing_more_rows_from_the_start_after_a_disposal_is_found(clock, log, users):
    row = access_log_dispose(reason=REASON, by=users[Role.SUPERVISOR], as_of=dt.date(2026, 3, 1))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_accesslog WHERE id = %s", [log[2].pk])
    checked, broken, reason = access_log_verify()
    assert (checked, broken.pk) == (0, log[3].pk)
    assert "anchor" in reason
    assert row.pk != broken.pk


def test_moving_the_anchor_breaks_the_disposal_row(clock, log, users):
    row = access_log_dispose(reason=REASON, by=users[Role.SUPERVISOR], as_of=dt.date(2026, 3, 1))
    # Remove one more row and move the anchor in the disposal row to match.
    detail = dict(row.detail, anchor_hash=log[2].row_hash, up_to_id=log[2].pk, rows=3)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_accesslog WHERE id = %s", [log[2].pk])
        cursor.execute(
            "UPDATE audit_accesslog SET detail = %s WHERE id = %s",
            [AccessLog._meta.get_field("detail").get_db_prep_value(detail, connection), row.pk],
        )
    checked, broken, reason = access_log_verify()
    assert (checked, broken.pk) == (1, row.pk)
    assert "content" in reason


def test_a_row_without_a_disposal_record_may_not_start_the_chain(log):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_accesslog WHERE id = %s", [log[0].pk])
    checked, broken, reason = access_log_verify()
    assert (checked, broken.pk) == (0, log[1].pk)
    assert "start" in reason


def test_a_second_disposal_years_later_anchors_on_its_own_last_row(clock, log, users):
    supervisor = users[Role.SUPERVISOR]
    clock[0] = dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    access_log_dispose(reason=REASON, by=supervisor, as_of=dt.date(2026, 3, 1))
    clock[0] = dt.datetime(2032, 6, 1, 9, 0, tzinfo=UTC)
    second = access_log_dispose(reason=REASON, by=supervisor, as_of=dt.date(2032, 6, 1))
    # Due then: the 2019 and 2025 rows (before 01/06/2025); the first disposal row of
    # 2026 is kept.
    assert (second.detail["rows"], second.detail["anchor_hash"]) == (2, log[3].row_hash)
    assert AccessLog.objects.count() == 2
    assert access_log_verify() == (2, None, "")


def test_key_rotation_after_a_disposal_keeps_the_anchor(clock, log, users):
    access_log_dispose(reason=REASON, by=users[Role.SUPERVISOR], as_of=dt.date(2026, 3, 1))
    other = "another-audit-key-for-rotation-tests-0123456789abcdef"
    with override_settings(AUDIT_KEY=other):
        access_log_rekey(old_key="test-only-audit-key-not-for-production-0123456789")
        assert access_log_verify() == (4, None, "")
    first = AccessLog.objects.order_by("pk").first()
    assert first.prev_hash == log[1].row_hash


def test_nothing_due_is_refused(log, users):
    with pytest.raises(RetentionRefused, match="no access-log row is due"):
        access_log_dispose(reason=REASON, by=users[Role.SUPERVISOR], as_of=dt.date(2025, 1, 9))


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMINISTRATOR, Role.ANALYST, None])
def test_only_a_retention_manager_may_dispose(log, users, role):
    with pytest.raises(PermissionDenied):
        access_log_dispose(reason=REASON, by=users[role], as_of=dt.date(2026, 3, 1))
    assert AccessLog.objects.count() == 4


def test_a_broken_chain_is_not_disposed_of(log, users):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_accesslog SET object_id = 'P9' WHERE id = %s", [log[0].pk])
    with pytest.raises(RetentionRefused, match=f"does not verify \\(row {log[0].pk}: "):
        access_log_dispose(reason=REASON, by=users[Role.SUPERVISOR], as_of=dt.date(2026, 3, 1))
    assert AccessLog.objects.count() == 4


def test_the_command_disposes_and_refuses_with_a_message(clock, log, users, capsys):
    clock[0] = dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "retention", "dispose-access-log", "--reason", REASON, "--by", "audrey_auditor"
        )
    assert exit_info.value.code == 2
    assert "Refused: " in capsys.readouterr().err
    call_command(
        "retention",
        "dispose-access-log",
        "--reason",
        REASON,
        "--by",
        "sue_supervisor",
        "--as-of",
        "2026-03-01",
    )
    out = capsys.readouterr().out
    assert f"Disposed of 2 access-log row(s) ({log[0].pk} to {log[1].pk})" in out
    call_command("audit", "verify")
    assert "OK: 3 access-log rows, chain intact." in capsys.readouterr().out
