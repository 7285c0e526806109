from django.urls import reverse

from highharm.accounts.permissions import Role
from highharm.audit.models import AccessLog


def test_it_shows_the_chronology_and_total_harm_from_the_records(client_for, refer, perpetrator):
    referral = refer(perpetrator)
    body = (
        client_for(Role.OFFENDER_MANAGER)
        .get(reverse("referrals:detail", args=[referral.pk]))
        .content.decode()
    )
    for crime_reference in ("CR1", "CR2", "CR3"):
        assert crime_reference in body
    assert "573 days" in body  # 28 + 180 + 365, counted by hand
    assert 'Victims on record</dt><dd class="govuk-summary-list__value">2<' in body


def test_it_counts_effective_flags_from_the_incident_or_its_offence(refer, perpetrator):
    from highharm.referrals.selectors import person_facts

    facts = person_facts(person=perpetrator)
    # CA and ABH carry the domestic flag in the test catalogue, STALK the stalking flag.
    assert facts.flags["domestic"] == 2
    assert facts.flags["stalking"] == 1
    assert facts.flags["strangulation"] == 0


def test_it_logs_every_view_of_a_referral(client_for, refer, perpetrator):
    referral = refer(perpetrator)
    client = client_for(Role.TRIAGE_LEAD)
    client.get(reverse("referrals:detail", args=[referral.pk]))
    client.get(reverse("referrals:detail", args=[referral.pk]))
    rows = AccessLog.objects.filter(action="view_referral", object_id=str(referral.pk))
    assert rows.count() == 2
    assert rows.first().detail["person"] == "P100"
    assert rows.first().username == "tina_triage"


def test_it_degrades_gracefully_without_a_score(client_for, refer, perpetrator):
    referral = refer(perpetrator)
    body = (
        client_for(Role.OFFENDER_MANAGER)
        .get(reverse("referrals:detail", args=[referral.pk]))
        .content.decode()
    )
    assert "Latest score" in body
    assert "Risk tool" in body
    assert "No assessment recorded" in body


def test_it_points_out_possible_existing_records_for_a_new_person(client_for, refer, perpetrator):
    from highharm.referrals.services import person_create_minimal

    twin = person_create_minimal(
        given_name="Pete", family_name="Perp", date_of_birth=perpetrator.date_of_birth
    )
    referral = refer(twin)
    body = (
        client_for(Role.TRIAGE_LEAD)
        .get(reverse("referrals:detail", args=[referral.pk]))
        .content.decode()
    )
    assert "Possibly already on records" in body
    assert 'href="/people/P100/"' in body


def test_it_adds_referrals_to_the_person_page(client_for, refer, perpetrator, settings):
    settings.PERSON_PAGE_SECTIONS = ["highharm.referrals.views.person_section"]
    referral = refer(perpetrator)
    body = (
        client_for(Role.OFFENDER_MANAGER)
        .get(reverse("people:detail", args=["P100"]))
        .content.decode()
    )
    assert "Referrals and triage" in body
    assert f"/referrals/{referral.pk}/" in body
    assert "Referred, awaiting triage" in body
