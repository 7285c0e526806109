"""Names are fake: drawn from Faker's en_GB lists, never from anywhere else."""

from faker.providers.person.en_GB import Provider


def test_it_takes_every_name_from_fakers_british_lists(force):
    given = set(Provider.first_names_male) | set(Provider.first_names_female)
    family = set(Provider.last_names)
    for person in force["persons"]:
        assert person["given_name"] in given, person
        assert person["family_name"] in family, person
        for alias in filter(None, person["aliases"].split("|")):
            first, last = alias.split(" ", 1)
            assert first in given and last in family, person


def test_it_gives_women_female_names_and_men_male_names(force):
    for person in force["persons"]:
        if person["gender"] == "F":
            assert person["given_name"] in Provider.first_names_female, person
        if person["gender"] == "M":
            assert person["given_name"] in Provider.first_names_male, person


def test_it_gives_some_people_aliases(force):
    with_alias = sum(bool(p["aliases"]) for p in force["persons"])
    assert 0.01 <= with_alias / len(force["persons"]) <= 0.15
