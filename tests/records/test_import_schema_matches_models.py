"""The import format's accepted values (pure, no Django) are the models' choices."""

from highharm.people.models import Person, Relationship
from highharm.records.importer import schema
from highharm.records.models import Incident


def test_it_accepts_exactly_the_model_choices():
    assert set(schema.GENDERS) == set(Person.Gender.values)
    assert set(schema.RELATIONSHIPS) == set(Relationship.Kind.values)
    assert set(schema.OUTCOMES) == set(Incident.Outcome.values)
    assert schema.DEFAULT_OUTCOME == Incident._meta.get_field("outcome").default
    assert schema.DEFAULT_RELATIONSHIP == Incident._meta.get_field("relationship").default


def test_it_uses_the_model_field_lengths():
    assert schema.MAX_LENGTH["reference"] == Person._meta.get_field("reference").max_length
    assert schema.MAX_LENGTH["given_name"] == Person._meta.get_field("given_name").max_length
    assert schema.MAX_LENGTH["family_name"] == Person._meta.get_field("family_name").max_length
    assert schema.MAX_LENGTH["ethnicity"] == Person._meta.get_field("ethnicity").max_length
    assert (
        schema.MAX_LENGTH["crime_reference"]
        == Incident._meta.get_field("crime_reference").max_length
    )
    from highharm.people.models import PersonAlias

    assert schema.MAX_LENGTH["alias"] == PersonAlias._meta.get_field("name").max_length


def test_it_lists_the_flags_of_the_model():
    flags = [f for f in schema.FLAGS if Incident._meta.get_field(f).get_internal_type()]
    assert flags == ["domestic", "stalking", "sexual", "strangulation", "weapon", "breach"]
    assert all(Incident._meta.get_field(f).get_internal_type() == "BooleanField" for f in flags)
