"""`highharm evaluate`: sources, formats and clear errors."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from highharm.people.selectors import pseudonym
from tests.evaluation.seedlike import write_seedlike


def run(*args):
    out = io.StringIO()
    call_command("evaluate", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_it_writes_a_readable_text_summary(tmp_path):
    cohort, incidents, catalogue = write_seedlike(tmp_path)
    text = run(
        *("--cohort", str(cohort), "--incidents", str(incidents), "--catalogue", str(catalogue)),
        *("--bootstrap", "200"),
    )
    assert "Maryland Scientific Methods Scale level 1" in text
    assert "8 people support a description, not a claim" in text
    assert "6 reduced their recorded offending and 3 had no further recorded offence" in text
    assert "\u221255.0%" in text


def test_it_reads_incidents_and_the_catalogue_from_the_database(tmp_path, perpetrator):
    # Pete (P100): CA 10/01/2025 before an index of 01/05/2025; ABH and STALK after it.
    cohort = tmp_path / "cohort.csv"
    cohort.write_text("perpetrator_ref,index_date\nP100,2025-05-01\nNOBODY,2025-05-01\n")
    result = json.loads(
        run(
            "--cohort",
            str(cohort),
            "--as-of",
            "2026-06-01",
            "--format",
            "json",
            "--bootstrap",
            "200",
        )
    )
    people = {p["perpetrator_ref"]: p for p in result["people"]}
    assert (people["P100"]["offences_before"], people["P100"]["offences_after"]) == (1, 2)
    assert (people["P100"]["harm_before"], people["P100"]["harm_after"]) == (28.0, 180.0 + 365.0)
    assert (people["NOBODY"]["offences_before"], people["NOBODY"]["offences_after"]) == (0, 0)
    assert result["parameters"]["sources"]["incidents"] == "database"
    assert result["parameters"]["sources"]["catalogue"] == "database catalogue"
    assert people["P100"]["days_to_first_offence"] == 31  # 01/05 -> 01/06/2025


def test_it_takes_the_comparison_group_from_a_group_column(tmp_path):
    _, incidents, catalogue = write_seedlike(tmp_path)
    cohort = tmp_path / "both.csv"
    cohort.write_text(
        "perpetrator_ref;index_date;group\n"
        + "".join(f"HH{i:03d};01/01/2024;adopted\n" for i in range(4))
        + "".join(f"HH{i:03d};01/01/2024;comparison\n" for i in range(4, 8))
    )
    result = json.loads(
        run(
            *("--cohort", str(cohort), "--incidents", str(incidents)),
            *("--catalogue", str(catalogue), "--format", "json", "--bootstrap", "200"),
        )
    )
    assert result["cohort"]["n"] == 4 and result["comparison"]["n"] == 4
    assert result["sms_level"] == 3
    # By hand: managed 5+4+3+2=14 -> 3+0+2+0=5; comparison 2+2+1+1=6 -> 0+1+2+1=4.
    assert (result["cohort"]["offences_before"], result["cohort"]["offences_after"]) == (14, 5)
    assert (result["comparison"]["offences_before"], result["comparison"]["offences_after"]) == (
        6,
        4,
    )
    assert result["did"]["estimate"] == round((5 - 14) / 4 - (4 - 6) / 4, 2)
    assert result["cohort"]["groups"][0]["group"] == "adopted"


def test_it_pseudonymises_on_request(tmp_path):
    cohort, incidents, catalogue = write_seedlike(tmp_path)
    result = json.loads(
        run(
            *("--cohort", str(cohort), "--incidents", str(incidents)),
            *("--catalogue", str(catalogue), "--format", "json", "--pseudonymise"),
            *("--bootstrap", "200"),
        )
    )
    refs = {p["perpetrator_ref"] for p in result["people"]}
    assert pseudonym("HH000") in refs and "HH000" not in refs


def test_it_says_an_empty_database_cohort_is_empty(db):
    with pytest.raises(CommandError, match="adopted cohort .* is empty.*CSV file"):
        run("--cohort-from", "adopted")


def test_it_names_the_row_and_field_of_a_bad_cohort(tmp_path):
    cohort = tmp_path / "cohort.csv"
    cohort.write_text("perpetrator_ref,index_date\nA,2024-01-01\nB,next tuesday\n")
    with pytest.raises(CommandError, match="row 3: field index_date is not a date"):
        run("--cohort", str(cohort), "--incidents", str(cohort))


def test_it_needs_an_output_file_for_a_pdf(tmp_path):
    with pytest.raises(CommandError, match="--format pdf needs --out"):
        run("--cohort", "x.csv", "--format", "pdf")


def test_it_takes_the_as_of_date_from_all_records_held(tmp_path, perpetrator, catalogue):
    from highharm.people.models import Person
    from highharm.records.models import Incident

    other = Person.objects.create(reference="P200", gender="M")
    Incident.objects.create(
        crime_reference="CR9",
        occurred_on="2027-01-01",
        offence=catalogue["CA"],
        perpetrator=other,
        content_hash="CR9",
    )
    cohort = tmp_path / "cohort.csv"
    cohort.write_text("perpetrator_ref,index_date\nP100,2025-05-01\n")
    result = json.loads(run("--cohort", str(cohort), "--format", "json", "--bootstrap", "200"))
    assert result["parameters"]["as_of"] == "2027-01-01"
    assert result["people"][0]["follow_up_complete"] is True
