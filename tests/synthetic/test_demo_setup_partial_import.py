"""`highharm demo-setup` when the import of the synthetic force rejects some rows: it says
so and carries on with the rows taken; an import that fails outright still stops it."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def _generate_with_a_bad_row(real):
    """The real generator, then one incident line with an offence code not in the catalogue."""

    def generate(perpetrators, years, seed, out, **kwargs):
        persons, incidents, stats = real(perpetrators, years, seed, out, **kwargs)
        lines = incidents.read_text(encoding="utf-8").splitlines()
        fields = lines[-1].split(",")
        fields[0], fields[2] = "CRBAD0001", "NOPE"
        incidents.write_text("\n".join([*lines, ",".join(fields)]) + "\n", encoding="utf-8")
        return persons, incidents, stats

    return generate


@pytest.mark.django_db(transaction=True)
def test_a_partial_import_is_reported_and_the_setup_carries_on(settings, tmp_path, monkeypatch):
    from highharm.accounts.models import User
    from highharm.records.models import Incident
    from highharm.synthetic import generator

    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(generator, "generate", _generate_with_a_bad_row(generator.generate))
    out = io.StringIO()

    call_command("demo_setup", perpetrators=30, years=1, seed=11, stdout=out)

    text = out.getvalue()
    incidents_file = tmp_path / "demo-force" / "incidents.csv"
    good_rows = len(incidents_file.read_text(encoding="utf-8").splitlines()) - 2  # header, bad
    assert f"inserted {good_rows:,}, updated 0, unchanged 0, rejected 1," in text
    assert "The import was partial: 1 row(s) rejected" in text
    # Every good incident is there (the unit's demo work may add its own afterwards).
    assert Incident.objects.count() >= good_rows
    assert not Incident.objects.filter(crime_reference="CRBAD0001").exists()
    # It carried on: the users exist and the sign-in line was printed.
    assert User.objects.filter(username="om", is_active=True).exists()
    assert "Open http://127.0.0.1:8000 and sign in." in text
    assert (tmp_path / "demo-users.txt").exists()


@pytest.mark.django_db(transaction=True)
def test_an_import_that_fails_outright_stops_the_setup(settings, tmp_path, monkeypatch):
    from highharm.accounts.models import User
    from highharm.synthetic import generator

    settings.VAR_DIR = tmp_path

    def generate_nothing(perpetrators, years, seed, out, **kwargs):
        return out / "missing-persons.csv", out / "missing-incidents.csv", {}

    monkeypatch.setattr(generator, "generate", generate_nothing)

    with pytest.raises(CommandError) as caught:
        call_command("demo_setup", perpetrators=30, years=1, seed=11, stdout=io.StringIO())

    assert caught.value.returncode == 2
    assert "Nothing was imported" in str(caught.value)
    assert not User.objects.filter(username="om").exists()
