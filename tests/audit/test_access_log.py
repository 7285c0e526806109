import pytest
from django.core.management import call_command
from django.db import connection

from highharm.audit.models import AccessLog, AppendOnlyError
from highharm.audit.services import access_log_record, access_log_verify


@pytest.fixture
def rows(users):
    return [
        access_log_record(
            user=users[None], action="view_person", object_type="person", object_id=f"P{i}"
        )
        for i in range(5)
    ]


def test_it_refuses_updates(rows):
    row = rows[0]
    row.action = "nothing"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.filter(pk=row.pk).update(action="nothing")


def test_it_refuses_deletes(rows):
    with pytest.raises(AppendOnlyError):
        rows[0].delete()
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.all().delete()
    assert AccessLog.objects.count() == 5


def test_it_chains_each_row_to_the_one_before(rows):
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.prev_hash == before.row_hash
    assert access_log_verify() == (5, None, "")


def test_it_names_the_row_edited_behind_its_back(rows, capsys):
    target = rows[2]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_accesslog SET object_id = %s WHERE id = %s", ["P9", target.pk])
    checked, broken, reason = access_log_verify()
    assert broken.pk == target.pk
    assert checked == 2
    assert "content" in reason
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify")
    assert exit_info.value.code == 1
    assert f"row {target.pk}" in capsys.readouterr().err


def test_it_notices_a_row_removed_from_the_end(rows):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_accesslog WHERE id = %s", [rows[-1].pk])
    checked, broken, reason = access_log_verify()
    assert broken is None
    assert "rows removed" in reason


def test_it_notices_a_row_removed_from_the_middle(rows):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_accesslog WHERE id = %s", [rows[1].pk])
    checked, broken, reason = access_log_verify()
    assert broken.pk == rows[2].pk
    assert "link" in reason


def test_it_reports_an_intact_chain(rows, capsys):
    call_command("audit", "verify")
    assert "OK: 5 access-log rows" in capsys.readouterr().out
