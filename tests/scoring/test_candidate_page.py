"""The candidate list: the latest stored run (or live), filtered, paginated, explained,
linked to each person, names only for roles that may see them, statuses marked."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from highharm.accounts.permissions import Role
from highharm.audit.models import AccessLog
from highharm.people.models import Person
from highharm.records.models import Incident
from highharm.scoring.models import PerpetratorScore, ScoreRun

URL = "/candidates/"


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


def add_incident(person, ref, day, offence, victim=None, **flags):
    return Incident.objects.create(
        crime_reference=ref,
        occurred_on=day,
        offence=offence,
        perpetrator=person,
        victim=victim,
        relationship="partner",
        content_hash=ref,
        **flags,
    )


@pytest.fixture
def force(perpetrator, catalogue):
    """Pete (P100, score 95 as of 1/3/2026, stalking) and Sam (P300): one common assault on
    20/02/2026 (28 days: 5; 9 days ago: 15), score 20."""
    sam = Person.objects.create(reference="P300", given_name="Sam", family_name="Smith")
    add_incident(sam, "CR9", dt.date(2026, 2, 20), catalogue["CA"])
    return {"pete": perpetrator, "sam": sam}


def test_it_is_the_url_named_candidates():
    assert reverse("scoring:candidates") == URL


@pytest.mark.parametrize("role", [Role.PARTNER, Role.AUDITOR, Role.ADMINISTRATOR])
def test_it_refuses_roles_without_the_capability(client_for, db, role):
    assert client_for(role).get(URL).status_code == 403


def test_it_lists_the_latest_stored_run_ranked_and_explained(client_for, force):
    store("2026-03-01")
    response = client_for(Role.OFFENDER_MANAGER).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index('href="/people/P100/"') < body.index('href="/people/P300/"')
    assert (
        "3 incidents in 2 years (+10), 2 victims in 2 years (+10), last incident 15 days ago (+15)"
        in body
    )
    assert "last incident 9 days ago (+15)" in body
    assert "Pete Perp" in body and "Sam Smith" in body
    assert "1 March 2026" in body
    assert "highharm-default-2026.1" in body
    assert not re.search(r"<script(?![^>]*src=)", body) and "style=" not in body


def test_it_shows_pseudonyms_to_roles_without_identity(client_for, force):
    store("2026-03-01")
    body = client_for(Role.ANALYST).get(URL).content.decode()
    assert "Pete" not in body and "Sam" not in body
    assert "P100" in body and "P-" in body


def test_it_filters_by_flags_and_minimum_score(client_for, force):
    store("2026-03-01")
    client = client_for(Role.TRIAGE_LEAD)
    stalking = client.get(URL, {"flag": "stalking"}).content.decode()
    assert "/people/P100/" in stalking and "/people/P300/" not in stalking
    none = client.get(URL, {"flag": ["stalking", "weapon"]}).content.decode()
    assert "Nobody matches these filters" in none
    high = client.get(URL, {"min_score": "21"}).content.decode()
    assert "/people/P100/" in high and "/people/P300/" not in high
    both = client.get(URL, {"min_score": "20"}).content.decode()
    assert "/people/P300/" in both
    bad = client.get(URL, {"min_score": "lots"}).content.decode()
    assert "Minimum score must be a whole number" in bad


def test_it_paginates(client_for, catalogue, db):
    for i in range(55):
        person = Person.objects.create(reference=f"Q{i:03d}")
        add_incident(person, f"CRQ{i}", dt.date(2026, 1, 1) + dt.timedelta(days=i), catalogue["CA"])
    store("2026-03-01")
    client = client_for(Role.OFFENDER_MANAGER)
    first = client.get(URL).content.decode()
    second = client.get(URL, {"page": "2"}).content.decode()
    assert first.count('href="/people/Q') == 50
    assert second.count('href="/people/Q') == 5
    assert "Page 2 of 2" in second
    # The most recent incident ranks first (same score and harm): Q054 on 24/02/2026.
    assert first.index("/people/Q054/") < first.index("/people/Q053/")


def test_it_marks_who_entered_the_top_since_the_previous_run(client_for, force, catalogue):
    store("2025-07-01")  # Pete only: Sam's incident is later
    store("2026-03-01")
    body = client_for(Role.OFFENDER_MANAGER).get(URL).content.decode()
    assert "1 person has entered the top 50 since the run as of 1 July 2025" in body
    assert body.count("New in top 50") == 1
    banner = body[
        body.index("New in the top 50") : body.index("</ul>", body.index("New in the top 50"))
    ]
    assert "P300" in banner and "P100" not in banner


def test_it_computes_the_list_live_when_no_run_is_stored(client_for, force, settings):
    body = client_for(Role.OFFENDER_MANAGER).get(URL).content.decode()
    assert "computed from the records just now" in body
    assert ScoreRun.objects.count() == 0


def test_it_marks_people_already_known_to_the_unit(client_for, force, settings):
    settings.CANDIDATE_STATUS_SOURCES = ["tests.scoring.test_candidate_page.adopted_pete"]
    store("2026-03-01")
    body = client_for(Role.OFFENDER_MANAGER).get(URL).content.decode()
    assert "Adopted" in body and "since 02/02/2026" in body
    assert "/people/P100/" in body  # marked, not hidden


def adopted_pete(references):
    class Detail:
        status = "adopted"
        label = "Adopted"
        detail = ""
        since = dt.date(2026, 2, 2)

    return {ref: Detail() for ref in references if ref == "P100"}


def test_it_offers_referral_only_to_roles_that_may_refer(client_for, force):
    store("2026-03-01")
    om = client_for(Role.OFFENDER_MANAGER).get(URL).content.decode()
    analyst = client_for(Role.ANALYST).get(URL).content.decode()
    assert "Refer to triage" in om and 'name="reference" value="P100"' in om
    assert "Refer to triage" not in analyst


def test_it_logs_who_saw_the_list(client_for, force):
    store("2026-03-01")
    client_for(Role.OFFENDER_MANAGER).get(URL)
    log = AccessLog.objects.get(action="view_candidates")
    assert log.username == "alice_om"
    assert log.detail["shown"] == ["P100", "P300"]


def test_it_reads_a_stored_run_in_a_fixed_number_of_queries(
    client_for, catalogue, db, django_assert_max_num_queries
):
    for i in range(120):
        person = Person.objects.create(reference=f"Q{i:03d}")
        add_incident(
            person, f"CRQ{i}", dt.date(2026, 1, 1) + dt.timedelta(days=i % 50), catalogue["CA"]
        )
    store("2026-02-01")
    store("2026-03-01")
    client = client_for(Role.OFFENDER_MANAGER)
    with django_assert_max_num_queries(25):
        assert client.get(URL).status_code == 200


def test_people_equal_on_score_harm_and_recency_share_a_rank_listed_by_reference(
    client_for, catalogue, db
):
    # Three people with one identical incident each, one with a graver one.
    for ref in ("T3", "T1", "T2"):
        add_incident(
            Person.objects.create(reference=ref), f"CR{ref}", dt.date(2026, 2, 1), catalogue["CA"]
        )
    add_incident(
        Person.objects.create(reference="T9"), "CRT9", dt.date(2026, 2, 1), catalogue["ABH"]
    )
    store("2026-03-01")
    ranks = list(PerpetratorScore.objects.values_list("person__reference", "rank"))
    assert ranks == [("T9", 1), ("T1", 2), ("T2", 2), ("T3", 2)]
    body = client_for(Role.OFFENDER_MANAGER).get(URL).content.decode()
    assert body.index(">T1<") < body.index(">T2<") < body.index(">T3<")
    assert body.count('<span class="govuk-body-s">joint</span>') == 3
