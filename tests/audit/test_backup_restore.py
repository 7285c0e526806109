import pytest
from django.core.management import CommandError, call_command

from highharm.people.models import Person
from highharm.records.models import Incident


def _snapshot():
    return (
        sorted(Person.objects.values_list("reference", "given_name", "family_name")),
        sorted(Incident.objects.values_list("crime_reference", "occurred_on", "offence__code")),
    )


@pytest.mark.django_db(transaction=True)
def test_it_restores_exactly_what_was_backed_up(perpetrator, tmp_path):
    before = _snapshot()
    backup = tmp_path / "db.backup"
    call_command("backup", out=backup)
    assert backup.stat().st_size > 0

    Incident.objects.filter(crime_reference="CR1").delete()
    Person.objects.filter(reference="P100").update(given_name="Changed")
    Person.objects.create(reference="NEW1", given_name="Added")
    assert _snapshot() != before

    call_command("restore", backup, yes=True)
    assert _snapshot() == before


@pytest.mark.django_db
def test_it_refuses_a_missing_backup(tmp_path):
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", tmp_path / "missing", yes=True)


@pytest.mark.django_db(transaction=True)
def test_a_backup_is_readable_by_its_owner_only(perpetrator, tmp_path):
    import stat

    fresh = tmp_path / "new-dir" / "db.backup"
    call_command("backup", out=fresh)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    assert stat.S_IMODE(fresh.parent.stat().st_mode) == 0o700
    # A file that already exists with a wider mode is narrowed before it is written.
    existing = tmp_path / "existing.backup"
    existing.write_text("old")
    existing.chmod(0o644)
    call_command("backup", out=existing)
    assert stat.S_IMODE(existing.stat().st_mode) == 0o600
    assert existing.stat().st_size > 3


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_are_in_the_access_log_and_the_chain_still_verifies(
    perpetrator, tmp_path
):
    from highharm.audit.models import AccessLog
    from highharm.audit.services import access_log_verify

    backup = tmp_path / "db.backup"
    call_command("backup", out=backup)
    made = AccessLog.objects.order_by("-pk").first()
    assert (made.action, made.detail["file"]) == ("backup", str(backup))
    call_command("restore", backup, yes=True)
    # The backup row was written after the copy, so the restored log ends with the restore.
    actions = list(AccessLog.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-1] == "restore"
    assert "backup" not in actions
    checked, broken, reason = access_log_verify()
    assert (checked, broken, reason) == (len(actions), None, "")
