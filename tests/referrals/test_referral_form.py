import re
import uuid

import pytest
from django.urls import reverse

from highharm.accounts.permissions import Role
from highharm.people.models import Person, PersonShare
from highharm.referrals.models import Referral


def form_data(**overrides):
    data = {
        "submission_token": str(uuid.uuid4()),
        "person_choice": "existing",
        "person_reference": "P100",
        "source": "officer",
        "reason": "Repeat assaults on his ex-partner, now stalking a new partner",
        "concerns": "Turned up at her work twice this week and threatened her",
        "risk_indicators": ["stalking", "separation"],
        "victim_1_reference": "V200",
        "victim_1_relationship": "ex_partner",
        "victim_2_name": "Nadia New",
        "victim_2_relationship": "partner",
        "children_in_household": "yes",
        "children_count": "2",
        "children_ages": "4, 9",
    }
    data.update(overrides)
    return data


def test_it_refers_an_existing_nominal(client_for, perpetrator, users):
    response = client_for(Role.OFFENDER_MANAGER).post(reverse("referrals:create"), form_data())
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])
    assert referral.person == perpetrator
    assert referral.status == Referral.Status.OPEN
    assert referral.referred_by == users[Role.OFFENDER_MANAGER]
    assert referral.risk_indicators == ["separation", "stalking"]
    assert referral.children_count == 2
    victims = list(referral.victims.order_by("id"))
    assert victims[0].person.reference == "V200"
    assert victims[1].person is None and victims[1].name == "Nadia New"


def test_it_creates_a_new_person_with_a_generated_reference(client_for, db, users):
    data = form_data(
        person_choice="new",
        person_reference="",
        given_name="Noah",
        family_name="Newcome",
        date_of_birth="2/5/1990",
        gender="M",
        victim_1_reference="",
        victim_1_name="Olive",
    )
    client_for(Role.OFFENDER_MANAGER).post(reverse("referrals:create"), data)
    person = Person.objects.get(family_name="Newcome")
    assert re.fullmatch(r"REF-\d{4}-[0-9A-F]{6}", person.reference)
    assert person.date_of_birth.isoformat() == "1990-05-02"
    assert Referral.objects.get().person == person


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"reason": ""}, "id_reason", "Enter the reason for the referral"),
        ({"concerns": ""}, "id_concerns", "Describe your concerns"),
        (
            {
                "victim_1_reference": "",
                "victim_1_relationship": "",
                "victim_2_name": "",
                "victim_2_relationship": "",
            },
            "id_victim_1_reference",
            "Name at least one known victim, or tick ‘No victim is known’",
        ),
        (
            {"children_in_household": ""},
            "id_children_in_household_0",
            "Say whether there are children in the household",
        ),
        (
            {"children_count": ""},
            "id_children_count",
            "Enter how many children live in the household",
        ),
        (
            {"person_reference": ""},
            "id_person_reference",
            "Enter the nominal reference of the person",
        ),
        ({"person_reference": "NOPE1"}, "id_person_reference", "No one with the reference NOPE1"),
        (
            {"person_choice": "new", "person_reference": ""},
            "id_given_name",
            "Enter the person’s first name",
        ),
        ({"source": "other"}, "id_source_detail", "Say where the referral comes from"),
    ],
)
def test_it_says_exactly_what_is_missing(client_for, perpetrator, overrides, field, message):
    response = client_for(Role.OFFENDER_MANAGER).post(
        reverse("referrals:create"), form_data(**overrides)
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    # The error summary links to the field that needs attention.
    summary = body.split('govuk-error-summary__list"')[1].split("</ul>")[0]
    assert f'href="#{field}"' in summary
    assert message in summary
    assert not Referral.objects.exists()


def test_it_lists_every_missing_item_at_once(client_for, perpetrator):
    data = form_data(
        reason="",
        concerns="",
        children_in_household="",
        victim_1_reference="",
        victim_2_name="",
        victim_1_relationship="",
        victim_2_relationship="",
    )
    body = (
        client_for(Role.OFFENDER_MANAGER).post(reverse("referrals:create"), data).content.decode()
    )
    summary = body.split('govuk-error-summary__list"')[1].split("</ul>")[0]
    assert summary.count("<li>") == 4  # reason, concerns, victims, children


def test_it_lists_a_victim_row_with_a_relationship_but_no_name(client_for, perpetrator):
    data = form_data(reason="", victim_2_name="")
    body = (
        client_for(Role.OFFENDER_MANAGER).post(reverse("referrals:create"), data).content.decode()
    )
    summary = body.split('govuk-error-summary__list"')[1].split("</ul>")[0]
    assert "Enter the reason for the referral" in summary
    assert (
        '<a href="#id_victim_2_name">Enter the name of victim 2, or clear the relationship'
        in summary
    )


def test_it_accepts_no_known_victim_when_ticked(client_for, perpetrator):
    data = form_data(
        victim_1_reference="",
        victim_2_name="",
        victim_1_relationship="",
        victim_2_relationship="",
        no_known_victim="on",
    )
    client_for(Role.OFFENDER_MANAGER).post(reverse("referrals:create"), data)
    referral = Referral.objects.get()
    assert referral.no_known_victim is True
    assert referral.victims.count() == 0


def test_it_shares_the_person_with_a_partners_agency(client_for, perpetrator, agencies, users):
    data = form_data(
        person_choice="new",
        person_reference="",
        given_name="Rick",
        family_name="Referred",
        victim_1_reference="",
        victim_1_name="Vicky",
    )
    data.pop("source")
    client = client_for(Role.PARTNER)
    response = client.post(reverse("referrals:create"), data)
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert referral.source == Referral.Source.PARTNER
    assert referral.referring_agency == agencies["housing"]
    assert PersonShare.objects.filter(person=referral.person, agency=agencies["housing"]).exists()
    # ...so the partner can follow it.
    assert client.get(reverse("referrals:detail", args=[referral.pk])).status_code == 200
    assert client.get(reverse("people:detail", args=[referral.person.reference])).status_code == 200


def test_it_does_not_let_a_partner_refer_an_unshared_nominal_by_reference(client_for, perpetrator):
    data = form_data(victim_1_reference="", victim_1_name="Vicky")
    data.pop("source")
    body = client_for(Role.PARTNER).post(reverse("referrals:create"), data).content.decode()
    assert "No one with the reference P100" in body
    assert not Referral.objects.exists()


def test_it_does_not_offer_partners_victim_references(client_for, db):
    body = client_for(Role.PARTNER).get(reverse("referrals:create")).content.decode()
    assert "victim_1_reference" not in body
    assert "victim_1_name" in body


@pytest.mark.parametrize(
    "role", [Role.ANALYST, Role.AUDITOR, Role.PANEL_CHAIR, Role.ADMINISTRATOR, None]
)
def test_it_refuses_roles_that_may_not_refer(client_for, perpetrator, role):
    client = client_for(role)
    assert client.get(reverse("referrals:create")).status_code == 403
    assert client.post(reverse("referrals:create"), form_data()).status_code == 403
    assert not Referral.objects.exists()


def test_it_prefills_the_person_chosen_from_the_search(client_for, perpetrator):
    client = client_for(Role.OFFENDER_MANAGER)
    found = client.get(reverse("referrals:create"), {"q": "Perp"}).content.decode()
    assert "?reference=P100" in found
    chosen = client.get(reverse("referrals:create"), {"reference": "P100"}).content.decode()
    assert "Referring <strong>Pete Perp</strong>" in chosen
    assert 'value="P100"' in chosen
