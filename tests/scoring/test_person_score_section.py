"""The person page shows the latest score, its explanation and points, and the score over
stored runs, to roles that may see the candidate list."""

import io

from django.core.management import call_command

from highharm.accounts.permissions import Role
from highharm.people.models import PersonShare
from highharm.scoring.selectors import person_latest_score

PAGE = "/people/P100/"


def store(as_of: str) -> None:
    call_command(
        "identify",
        "--as-of",
        as_of,
        "--store",
        "--no-progress",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )


def section(body: str) -> str:
    start = body.index('id="identification-score"')
    end = body.find("<h2", start)
    return body[start : end if end > 0 else len(body)]


def test_it_shows_the_latest_stored_score_and_its_history(client_for, perpetrator):
    store("2025-07-01")  # CA 10/01/2025 (28) and ABH 01/06/2025 (180)
    store("2026-03-01")
    body = client_for(Role.OFFENDER_MANAGER).get(PAGE).content.decode()
    part = section(body)
    assert "Identification score" in part
    assert ">95<" in part and "rank 1 of 1" in part
    assert "3 incidents in 2 years (+10)" in part
    assert "1 March 2026" in part
    assert "Victims in separate relationships" in part  # points table
    assert "data:image/svg+xml;base64," in part  # chart of two runs
    assert "Score in each stored run" in part and "01/07/2025" in part


def test_it_computes_the_score_now_when_no_run_is_stored(client_for, perpetrator):
    body = client_for(Role.OFFENDER_MANAGER).get(PAGE).content.decode()
    part = section(body)
    assert "computed now from the records" in part
    assert "last incident" in part


def test_it_says_when_the_person_is_not_in_any_stored_run(client_for, perpetrator):
    store("2020-01-01")  # nobody has an incident in that window
    part = section(client_for(Role.OFFENDER_MANAGER).get(PAGE).content.decode())
    assert "Not scored in any stored run" in part


def test_it_hides_the_score_from_partners_and_auditors(client_for, perpetrator, agencies):
    store("2026-03-01")
    PersonShare.objects.create(person=perpetrator, agency=agencies["housing"])
    for role in (Role.PARTNER, Role.AUDITOR):
        response = client_for(role).get(PAGE)
        assert response.status_code == 200
        assert "Identification score" not in response.content.decode()


def test_it_gives_other_apps_the_latest_score(perpetrator):
    assert person_latest_score(person=perpetrator) is None
    store("2026-03-01")
    latest = person_latest_score(person=perpetrator)
    assert latest["score"] == 95 and latest["rank"] == 1
    assert latest["explanation"].startswith("3 incidents in 2 years (+10)")
    assert latest["in_latest_run"] is True
