"""The import format: column names, accepted values and the reasons a row is rejected.

Pure Python (no Django): the reader, the validator and the documentation
(docs/import-format.md) all follow this one description. The accepted values mirror
the model choices in people/models.py and records/models.py;
tests/records/test_import_schema_matches_models.py keeps the two in step.
"""

from __future__ import annotations

PERSONS = "persons"
INCIDENTS = "incidents"

PERSON_COLUMNS = (
    "reference",
    "given_name",
    "family_name",
    "date_of_birth",
    "gender",
    "ethnicity",
    "aliases",
)
# ethnicity is optional in the contract; aliases may be left out when a force has none.
PERSON_OPTIONAL = ("ethnicity", "aliases")

FLAGS = ("domestic", "stalking", "sexual", "strangulation", "weapon", "breach")
INCIDENT_COLUMNS = (
    "crime_reference",
    "occurred_on",
    "offence_code",
    "perpetrator_ref",
    "victim_ref",
    "relationship",
    *FLAGS,
    "outcome",
)
INCIDENT_OPTIONAL: tuple[str, ...] = ()

COLUMNS = {PERSONS: PERSON_COLUMNS, INCIDENTS: INCIDENT_COLUMNS}
OPTIONAL = {PERSONS: PERSON_OPTIONAL, INCIDENTS: INCIDENT_OPTIONAL}
KEY = {PERSONS: "reference", INCIDENTS: "crime_reference"}

# Field lengths, as in the models.
MAX_LENGTH = {
    "reference": 40,
    "given_name": 100,
    "family_name": 100,
    "ethnicity": 60,
    "alias": 200,
    "crime_reference": 40,
    "perpetrator_ref": 40,
    "victim_ref": 40,
}

GENDERS = ("F", "M", "X", "U")
# Whole words an RMS export may use instead of the letter.
GENDER_WORDS = {"FEMALE": "F", "MALE": "M", "OTHER": "X", "UNKNOWN": "U", "NOT KNOWN": "U"}

RELATIONSHIPS = (
    "partner",
    "ex_partner",
    "family",
    "acquaintance",
    "stranger",
    "other",
    "unknown",
)
OUTCOMES = (
    "charged",
    "caution",
    "community_resolution",
    "evidential_difficulties",
    "victim_withdrew",
    "not_in_public_interest",
    "no_suspect",
    "under_investigation",
    "other",
)
DEFAULT_RELATIONSHIP = "unknown"
DEFAULT_OUTCOME = "under_investigation"
DEFAULT_GENDER = "U"

TRUE_WORDS = ("y", "yes", "1", "true", "t")
FALSE_WORDS = ("n", "no", "0", "false", "f")

ALIAS_SEPARATOR = "|"
EARLIEST_DATE_YEAR = 1900


class Reason:
    """The reasons written to the rejects file, in words a police analyst understands."""

    TOO_FEW_FIELDS = (
        "the line has {found} fields but the header has {expected}: it looks cut short (truncated)"
    )
    TOO_MANY_FIELDS = (
        "the line has {found} fields but the header has {expected}: perhaps a value contains "
        "the separator without quotes"
    )
    MISSING = "{what} is missing"
    TOO_LONG = "{what} is longer than {limit} characters"
    NOT_A_DATE = "not a date: write it as YYYY-MM-DD or DD/MM/YYYY"
    NOT_A_REAL_DATE = "not a real date (no such day in the calendar)"
    DATE_IN_FUTURE = "{what} is in the future"
    DATE_TOO_EARLY = "{what} is before " + str(EARLIEST_DATE_YEAR)
    UNKNOWN_OFFENCE = "unknown offence code: it is not in the offence catalogue"
    UNKNOWN_GENDER = "unknown gender value: use F, M, X or U"
    UNKNOWN_RELATIONSHIP = "unknown relationship value: use one of " + ", ".join(RELATIONSHIPS)
    UNKNOWN_OUTCOME = "unknown outcome value: use one of " + ", ".join(OUTCOMES)
    UNKNOWN_FLAG = "not a yes/no value: use Y or N (or 1/0, true/false, yes/no, blank for N)"
    ALIAS_TOO_LONG = "an alias is longer than {limit} characters"
    VICTIM_IS_PERPETRATOR = "the victim is the same person as the perpetrator"
    PERSON_NOT_FOUND = "{who} {ref} is not in the persons file or the database"
    PERSON_DISPOSED = (
        "{who} {ref} was disposed of under the retention rules (MoPI review): "
        "a disposed person's records are never imported again"
    )
    DUPLICATE_CONFLICT = (
        "{what} {key} is also on line {first} of this file with different content; "
        "the row on line {first} was imported and this one was not"
    )


WHAT = {
    "reference": "person reference",
    "given_name": "given name",
    "family_name": "family name",
    "date_of_birth": "date of birth",
    "ethnicity": "ethnicity",
    "crime_reference": "crime reference",
    "occurred_on": "date of the incident",
    "offence_code": "offence code",
    "perpetrator_ref": "perpetrator reference",
    "victim_ref": "victim reference",
}
