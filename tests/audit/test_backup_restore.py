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
