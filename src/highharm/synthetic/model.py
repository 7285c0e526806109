"""The knobs of the synthetic force: perpetrator profiles, offence mixes, outcomes.

Everything the generator draws comes from the tables here, so the shape of
the force can be read (and tuned) in one place. The published shape these
tables aim at is described, with sources, in docs/synthetic.md.

A perpetrator has one *profile*. Each of his incidents has a *level* 0-3
(low, medium, high, severe); the offence is drawn from the mix for
(profile, level). Escalating perpetrators climb the levels as their career
goes on while the gaps between incidents shorten.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from highharm.synthetic.catalogue import CODE_INDEX, CODES


@dataclass(frozen=True)
class Profile:
    name: str
    share: float  # share of candidate perpetrators
    relationship: dict[str, float]  # relationship to the first victim
    breach_mix: dict[str, float]  # which order he breaches once one is in place
    level_probs: tuple[float, float, float, float]  # his usual level (low..severe)
    rate_per_year: float = 0.0  # mean incident rate while active (gamma between people)
    rate_shape: float = 1.0
    career_years: tuple[float, float] = (0.0, 0.0)  # uniform range of the active period
    max_incidents: int = 1
    level_jitter: float = 0.0  # chance an incident is one level above or below his usual
    p_male: float = 0.78
    p_female: float = 0.2  # the rest: X (0.3%) and U
    serial_share: float = 0.0  # share of the profile who move on to new partners
    switch_prob: float = 0.0  # serial ones: chance each later incident is against a new partner
    incidental_prob: float = 0.0  # chance a later incident is against someone else
    strangler_share: float = 0.0
    weapon_share: float = 0.0
    breach_prob: float = 0.0  # after an order (first charge), chance an incident is a breach
    victim_is_perpetrator: float = 0.0  # chance a main victim is also a perpetrator


ONE_OFF, OCCASIONAL, CHRONIC, ESCALATING, STALKER = 0, 1, 2, 3, 4
SEX_PARTNER, SEX_ACQUAINTANCE, SEX_CHILD, SEX_STRANGER = 5, 6, 7, 8

_DA_REL = {"partner": 0.52, "ex_partner": 0.22, "family": 0.24, "unknown": 0.02}
_DA_BREACH = {"BRNMO": 0.35, "BRRO": 0.35, "BRDVPO": 0.2, "BRDAPO": 0.1}
_SEX_BREACH = {"BRSHPO": 1.0}


def _sexual(name: str, **knobs) -> Profile:
    """A sexual-offending profile. The four share: every incident at level 0, a rate of
    shape 2 over a career of six months to three years, and breaches of a sexual harm
    prevention order (unless the profile says otherwise)."""
    shared = {
        "breach_mix": _SEX_BREACH,
        "level_probs": (1.0, 0.0, 0.0, 0.0),
        "rate_shape": 2.0,
        "career_years": (0.5, 3.0),
    }
    return Profile(name, **{**shared, **knobs})


PROFILES: tuple[Profile, ...] = (
    Profile(
        "one_off",
        share=0.585,
        relationship={
            "partner": 0.42,
            "ex_partner": 0.2,
            "family": 0.26,
            "acquaintance": 0.06,
            "stranger": 0.02,
            "other": 0.02,
            "unknown": 0.02,
        },
        breach_mix=_DA_BREACH,
        level_probs=(0.9, 0.095, 0.005, 0.0),
        p_male=0.76,
        p_female=0.22,
        victim_is_perpetrator=0.01,
    ),
    Profile(
        "occasional",
        share=0.29,
        relationship=_DA_REL,
        breach_mix=_DA_BREACH,
        level_probs=(0.78, 0.2, 0.02, 0.0),
        rate_per_year=1.2,
        rate_shape=2.0,
        career_years=(0.5, 3.0),
        max_incidents=12,
        level_jitter=0.15,
        serial_share=0.06,
        switch_prob=0.4,
        incidental_prob=0.08,
        strangler_share=0.03,
        weapon_share=0.03,
        breach_prob=0.2,
        victim_is_perpetrator=0.015,
    ),
    Profile(
        "chronic",
        share=0.05,
        relationship=_DA_REL,
        breach_mix=_DA_BREACH,
        level_probs=(0.1, 0.4, 0.38, 0.12),
        rate_per_year=6.0,
        rate_shape=0.8,
        career_years=(1.5, 8.0),
        max_incidents=150,
        level_jitter=0.25,
        p_male=0.84,
        p_female=0.15,
        serial_share=0.35,
        switch_prob=0.12,
        incidental_prob=0.1,
        strangler_share=0.25,
        weapon_share=0.15,
        breach_prob=0.2,
        victim_is_perpetrator=0.02,
    ),
    Profile(
        "escalating",
        share=0.025,
        relationship=_DA_REL,
        breach_mix=_DA_BREACH,
        level_probs=(0.25, 0.25, 0.25, 0.25),  # not used: his level follows his career
        max_incidents=40,
        level_jitter=0.2,
        p_male=0.9,
        p_female=0.09,
        serial_share=0.25,
        switch_prob=0.1,
        incidental_prob=0.06,
        strangler_share=0.5,
        weapon_share=0.2,
        breach_prob=0.15,
        victim_is_perpetrator=0.01,
    ),
    Profile(
        "stalker",
        share=0.025,
        relationship={"ex_partner": 0.78, "acquaintance": 0.12, "stranger": 0.06, "other": 0.04},
        breach_mix={"BRRO": 0.65, "BRSPO": 0.25, "BRNMO": 0.1},
        level_probs=(0.4, 0.4, 0.2, 0.0),
        rate_per_year=9.0,
        rate_shape=1.5,
        career_years=(0.3, 2.0),
        max_incidents=60,
        level_jitter=0.2,
        p_male=0.8,
        p_female=0.18,
        incidental_prob=0.03,
        weapon_share=0.05,
        breach_prob=0.45,
        victim_is_perpetrator=0.01,
    ),
    _sexual(
        "sex_partner",
        share=0.007,
        relationship={"partner": 0.65, "ex_partner": 0.35},
        breach_mix=_DA_BREACH,
        rate_per_year=0.8,
        max_incidents=10,
        p_male=0.97,
        p_female=0.03,
        strangler_share=0.05,
        weapon_share=0.05,
        breach_prob=0.15,
    ),
    _sexual(
        "sex_acquaintance",
        share=0.006,
        relationship={"acquaintance": 0.8, "other": 0.1, "unknown": 0.1},
        rate_per_year=0.5,
        max_incidents=6,
        p_male=0.97,
        p_female=0.03,
        incidental_prob=0.3,
        breach_prob=0.15,
    ),
    _sexual(
        "sex_child",
        share=0.005,
        relationship={"family": 0.6, "acquaintance": 0.3, "other": 0.1},
        rate_per_year=0.5,
        max_incidents=6,
        p_male=0.96,
        p_female=0.04,
        breach_prob=0.2,
    ),
    _sexual(
        "sex_stranger",
        share=0.007,
        relationship={"stranger": 0.85, "unknown": 0.15},
        rate_per_year=0.6,
        max_incidents=6,
        p_male=0.98,
        p_female=0.02,
        incidental_prob=0.6,
        breach_prob=0.15,
    ),
)

# Offence mixes (relative weights) by level for the domestic-abuse profiles.
# fmt: off
_DA_LEVELS: tuple[dict[str, float], ...] = (
    {  # 0 low: mostly non-crime incidents and common assault
        "DOMNC": 62, "CA": 21, "CD": 6, "MALCOMM": 4, "COMMS127": 2, "POA4": 3, "POA4A": 2,
        "HARASS": 3, "ABH": 3.5, "THKILL": 1, "CCB": 1, "THRDAM": 1.5, "THEFT": 1.5,
        "AFFRAY": 0.5, "BURGDW": 0.3, "SEXASLT": 0.4, "DISCIMG": 0.4, "WITINT": 0.4,
        "FTS": 0.4, "PERVJ": 0.1,
    },
    {  # 1 medium
        "DOMNC": 36, "CA": 21, "ABH": 14, "CD": 6, "CDHIGH": 1, "CCB": 4, "HARASS": 4,
        "HARFEAR": 2, "MALCOMM": 3, "POA4A": 3, "THKILL": 3, "NFS": 2, "THRWEAP": 1,
        "SEXASLT": 1, "RAPE": 0.5, "FALSEIMP": 0.3, "BURGDW": 0.6, "THEFT": 1.5, "ARSON": 0.3,
        "GBH20": 1, "DISCIMG": 0.6, "FTS": 1, "WITINT": 0.6, "BLADEPUB": 0.4, "STALK": 0.6,
    },
    {  # 2 high
        "DOMNC": 17, "CA": 15, "ABH": 20, "GBH20": 5, "GBH18": 1.5, "NFS": 6, "NFSUFF": 0.6,
        "CCB": 8, "THKILL": 5, "HARFEAR": 3, "STALK": 2, "RAPE": 2.5, "SEXASLT": 2,
        "CAUSESEX": 0.4, "THRWEAP": 2, "FALSEIMP": 1, "KIDNAP": 0.2, "CDHIGH": 2, "ARSON": 0.8,
        "BURGDW": 1, "PERVJ": 0.6, "WITINT": 0.6, "BLADEPUB": 0.6, "CORROSIVE": 0.1, "FTS": 1,
    },
    {  # 3 severe
        "ABH": 20, "GBH20": 10, "GBH18": 7, "NFS": 9, "NFSUFF": 2.5, "RAPE": 7, "CCB": 8,
        "THKILL": 6, "ATTMUR": 0.6, "MURDER": 0.25, "MANSL": 0.15, "KIDNAP": 1, "FALSEIMP": 2,
        "CORROSIVE": 0.3, "ARSONLIFE": 0.4, "STALKF": 2, "THRWEAP": 3, "DOMNC": 5, "CA": 8,
        "PERVJ": 1,
    },
)
_STALKING_MIX = {
    "MALCOMM": 20, "COMMS127": 12, "HARASS": 20, "HARFEAR": 10, "STALK": 15, "STALKF": 5,
    "DOMNC": 8, "CD": 4, "THKILL": 2.5, "DISCIMG": 2, "BURGDW": 0.6, "CA": 3, "ABH": 0.8,
}
_STALKING_SEVERE = {**_STALKING_MIX, "STALKF": 15, "STALK": 20, "HARFEAR": 15, "MALCOMM": 10}
_SEX_MIXES = {
    SEX_PARTNER: {"RAPE": 30, "SEXASLT": 25, "CAUSESEX": 5, "DISCIMG": 12, "CCB": 8, "CA": 10,
                  "DOMNC": 10},
    SEX_ACQUAINTANCE: {"RAPE": 28, "SEXASLT": 40, "AOBP": 6, "CAUSESEX": 6, "DISCIMG": 10,
                       "VOYEUR": 5, "CA": 5},
    SEX_CHILD: {"RAPECH13": 12, "SACH13": 22, "SACTCH": 18, "IIOC": 38, "CAUSESEX": 10},
    SEX_STRANGER: {"SEXASLT": 35, "EXPOSE": 30, "VOYEUR": 12, "RAPE": 8, "AOBP": 2,
                   "IIOC": 13},
}
# fmt: on


def _mix_for(profile: int, level: int) -> dict[str, float]:
    if profile == STALKER:
        return _STALKING_SEVERE if level >= 2 else _STALKING_MIX
    if profile in _SEX_MIXES:
        return _SEX_MIXES[profile]
    return _DA_LEVELS[level]


def _as_row(weights: dict[str, float], index: dict[str, int]) -> np.ndarray:
    row = np.zeros(len(index))
    for key, w in weights.items():
        row[index[key]] = w
    return row / row.sum()


# OFFENCE_TABLE[profile * 4 + level] -> probabilities over CODES
OFFENCE_TABLE = np.array(
    [_as_row(_mix_for(p, lv), CODE_INDEX) for p in range(len(PROFILES)) for lv in range(4)]
)
BREACH_TABLE = np.array([_as_row(p.breach_mix, CODE_INDEX) for p in PROFILES])

RELATIONSHIPS = ("partner", "ex_partner", "family", "acquaintance", "stranger", "other", "unknown")
REL_INDEX = {r: i for i, r in enumerate(RELATIONSHIPS)}
PRIMARY_REL_TABLE = np.array([_as_row(p.relationship, REL_INDEX) for p in PROFILES])
# A later, unrelated victim of a repeat perpetrator (a relative, the new partner's friend...).
INCIDENTAL_REL = _as_row(
    {"family": 0.35, "acquaintance": 0.35, "stranger": 0.1, "other": 0.1, "unknown": 0.1},
    REL_INDEX,
)
DOMESTIC_RELATIONSHIPS = np.array([r in ("partner", "ex_partner", "family") for r in RELATIONSHIPS])

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
OUT_INDEX = {o: i for i, o in enumerate(OUTCOMES)}
# Outcome classes: 0 non-crime, 1 crime with a victim, 2 crime without a victim/breach,
# 3 most serious violence, 4 sexual. Loosely after the Home Office outcome shares for
# domestic abuse (few charges; "victim does not support action" the commonest).
OUTCOME_TABLE = np.array(
    [
        _as_row({"other": 1.0}, OUT_INDEX),
        _as_row(
            {
                "charged": 0.10,
                "caution": 0.02,
                "community_resolution": 0.015,
                "evidential_difficulties": 0.30,
                "victim_withdrew": 0.44,
                "not_in_public_interest": 0.015,
                "no_suspect": 0.01,
                "under_investigation": 0.07,
                "other": 0.03,
            },
            OUT_INDEX,
        ),
        _as_row(
            {
                "charged": 0.45,
                "caution": 0.1,
                "community_resolution": 0.05,
                "evidential_difficulties": 0.2,
                "not_in_public_interest": 0.05,
                "under_investigation": 0.05,
                "other": 0.1,
            },
            OUT_INDEX,
        ),
        _as_row(
            {
                "charged": 0.7,
                "evidential_difficulties": 0.1,
                "victim_withdrew": 0.05,
                "under_investigation": 0.15,
            },
            OUT_INDEX,
        ),
        _as_row(
            {
                "charged": 0.07,
                "caution": 0.01,
                "evidential_difficulties": 0.45,
                "victim_withdrew": 0.3,
                "no_suspect": 0.03,
                "under_investigation": 0.1,
                "other": 0.04,
            },
            OUT_INDEX,
        ),
    ]
)
SERIOUS_VIOLENCE = frozenset({"MURDER", "MANSL", "ATTMUR", "GBH18", "KIDNAP", "ARSONLIFE"})
CAREER_ENDING = frozenset({"MURDER", "MANSL"})

# Ethnicity: the five broad groups of the 2021 Census, England and Wales
# (ONS, "Ethnic group, England and Wales: Census 2021", 29 November 2022):
# White 81.7%, Asian 9.3%, Black 4.0%, Mixed 2.9%, Other 2.1%.
ETHNIC_GROUPS = ("White", "Asian", "Black", "Mixed", "Other")
ETHNIC_SHARES = np.array([81.7, 9.3, 4.0, 2.9, 2.1]) / 100.0
ETHNICITY_RECORDED = {"perpetrator": 0.75, "victim": 0.55}

# Internal severity points, used only by the unit simulation to pick "high
# scorers" without depending on any catalogue's weights: 1 + level of the code.
SEVERITY_POINTS = np.zeros(len(CODES))
for _lv, _mix in enumerate(_DA_LEVELS):
    for _code in _mix:
        SEVERITY_POINTS[CODE_INDEX[_code]] = max(SEVERITY_POINTS[CODE_INDEX[_code]], _lv + 1.0)
for _code in CODES:
    if SEVERITY_POINTS[CODE_INDEX[_code]] == 0:
        SEVERITY_POINTS[CODE_INDEX[_code]] = 2.0
SEVERITY_POINTS[CODE_INDEX["DOMNC"]] = 0.0


def profile_array(attribute: str) -> np.ndarray:
    return np.array([getattr(p, attribute) for p in PROFILES])


# Escalating perpetrators: the gap before incident j is about first_gap * ratio**j,
# so incidents come faster, while the level climbs from low to severe.
ESCALATION_BASE_INCIDENTS = 5
ESCALATION_EXTRA_MEAN = 8.0
ESCALATION_FIRST_GAP_DAYS = (60.0, 240.0)
ESCALATION_RATIO = (0.75, 0.92)

# Chance a later victim is a person already victimised by someone else in the block.
VICTIM_REUSE_PROB = 0.04
# Chance any incident with a victim has none recorded (beyond victimless offences).
VICTIM_NOT_RECORDED_PROB = 0.005
# Chance a breach is recorded without the protected person as victim.
BREACH_NO_VICTIM_PROB = 0.5
# Incidents this close to the end date are mostly still under investigation.
RECENT_DAYS = 90
RECENT_UNDER_INVESTIGATION = 0.6
