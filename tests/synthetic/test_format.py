"""The files follow the import format of the data contract exactly."""

import csv
import datetime as dt
import re

from highharm.synthetic.catalogue import DEFAULT_CATALOGUE

PERSON_HEADER = "reference,given_name,family_name,date_of_birth,gender,ethnicity,aliases"
INCIDENT_HEADER = (
    "crime_reference,occurred_on,offence_code,perpetrator_ref,victim_ref,relationship,"
    "domestic,stalking,sexual,strangulation,weapon,breach,outcome"
)
CONTRACT_CODES = set(
    """
MURDER MANSL ATTMUR GBH18 GBH20 ABH NFS NFSUFF CORROSIVE CA THKILL AFFRAY POA4 POA4A
FALSEIMP KIDNAP BLADEPUB THRWEAP HARASS HARFEAR STALK STALKF MALCOMM COMMS127 CCB RAPE
AOBP SEXASLT CAUSESEX RAPECH13 SACH13 SACTCH EXPOSE VOYEUR IIOC DISCIMG CD CDHIGH ARSON
ARSONLIFE THRDAM BRRO BRNMO BRSPO BRSHPO BRDAPO BRDVPO FTS BURGDW THEFT WITINT PERVJ DOMNC
""".split()
)
RELATIONSHIPS = {"partner", "ex_partner", "family", "acquaintance", "stranger", "other", "unknown"}
OUTCOMES = {
    "charged",
    "caution",
    "community_resolution",
    "evidential_difficulties",
    "victim_withdrew",
    "not_in_public_interest",
    "no_suspect",
    "under_investigation",
    "other",
}
# ONS Census 2021 broad groups
ETHNIC_GROUPS = {"White", "Asian", "Black", "Mixed", "Other"}
PERSON_REF = re.compile(r"^N\d{7,}$")
CRIME_REF = re.compile(r"^55/\d{5,}/\d{2}$")
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def test_it_writes_the_contract_headers(force):
    with open(force["persons_path"], encoding="utf-8") as handle:
        assert handle.readline().rstrip("\n") == PERSON_HEADER
    with open(force["incidents_path"], encoding="utf-8") as handle:
        assert handle.readline().rstrip("\n") == INCIDENT_HEADER


def test_it_writes_persons_in_the_contract_format(force):
    for row in force["persons"]:
        assert PERSON_REF.match(row["reference"]), row
        assert row["given_name"] and row["family_name"], row
        assert row["gender"] in {"F", "M", "X", "U"}, row
        assert row["ethnicity"] in ETHNIC_GROUPS | {""}, row
        if row["date_of_birth"]:
            assert ISO.match(row["date_of_birth"]), row
            dt.date.fromisoformat(row["date_of_birth"])
        for alias in filter(None, row["aliases"].split("|")):
            assert len(alias.split(" ")) >= 2, row


def test_it_writes_incidents_in_the_contract_format(force):
    for row in force["incidents"]:
        assert CRIME_REF.match(row["crime_reference"]), row
        assert ISO.match(row["occurred_on"]), row
        assert row["offence_code"] in CONTRACT_CODES, row
        assert PERSON_REF.match(row["perpetrator_ref"]), row
        assert row["victim_ref"] == "" or PERSON_REF.match(row["victim_ref"]), row
        assert row["relationship"] in RELATIONSHIPS, row
        for flag in ("domestic", "stalking", "sexual", "strangulation", "weapon", "breach"):
            assert row[flag] in {"Y", "N"}, row
        assert row["outcome"] in OUTCOMES, row


def test_it_writes_the_crime_year_into_the_crime_reference(force):
    for row in force["incidents"]:
        assert row["crime_reference"][-2:] == row["occurred_on"][2:4], row


def test_it_uses_only_codes_of_the_installed_catalogue(force):
    if not DEFAULT_CATALOGUE.exists():
        return
    with open(DEFAULT_CATALOGUE, newline="", encoding="utf-8") as handle:
        catalogue = {row["code"] for row in csv.DictReader(handle)}
    assert {row["offence_code"] for row in force["incidents"]} <= catalogue


def test_it_uses_most_of_the_catalogue(force):
    used = {row["offence_code"] for row in force["incidents"]}
    assert len(used) >= 40
