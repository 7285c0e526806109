"""The synthetic force: fake perpetrators, victims and incidents in the import format.

Pure computation (no Django). `generate()` streams a force to
`persons.csv` and `incidents.csv`; `generate_frames()` returns the same rows
as Polars DataFrames for tests and benchmarks.

How a force is made: perpetrators are drawn in fixed blocks of `BLOCK_SIZE`;
each block has its own random streams seeded from (seed, block), so a run is
byte-identical for the same arguments and a larger force starts with the same
people as a smaller one. Within a block everything is vectorised with numpy:

1. careers: each candidate perpetrator gets a profile (model.PROFILES), an
   incident count and dates; careers run before and through the window, and
   only candidates with at least one incident in the window are kept, so the
   force's incident rate is flat over the years;
2. offences: a level per incident (escalating ones climb), an offence drawn
   from the (profile, level) mix, strangulation and weapons for some, an
   outcome; after his first charge a perpetrator's later incidents may be
   breaches of the order that followed; a homicide ends a career;
3. victims: the first victim, a new partner for serial perpetrators, now and
   then a one-off victim; a few victims are themselves perpetrators or were
   victimised by someone else before;
4. people: names from Faker en_GB pools seeded from the seed, dates of birth,
   gender, ethnicity (a separate random stream, so never tied to harm);
5. references: person references `N0001234` in shuffled order, crime
   references `55/00001/24` numbered by date within the block.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import polars as pl

from highharm.synthetic import model as M
from highharm.synthetic.catalogue import (
    BREACH_CODES,
    CHILD_13_15_CODES,
    CHILD_UNDER_13_CODES,
    CODE_INDEX,
    CODES,
    IMPLIED_FLAGS,
    VICTIMLESS,
    harm_weights,
)

BLOCK_SIZE = 20_000  # perpetrators per block; part of the determinism contract
FORCE_CODE = "55"
EPOCH = dt.date(1970, 1, 1)

PERSON_COLUMNS = (
    "reference",
    "given_name",
    "family_name",
    "date_of_birth",
    "gender",
    "ethnicity",
    "aliases",
)
INCIDENT_COLUMNS = (
    "crime_reference",
    "occurred_on",
    "offence_code",
    "perpetrator_ref",
    "victim_ref",
    "relationship",
    "domestic",
    "stalking",
    "sexual",
    "strangulation",
    "weapon",
    "breach",
    "outcome",
)
FLAGS = ("domestic", "stalking", "sexual", "strangulation", "weapon", "breach")
GENDERS = ("F", "M", "X", "U")

_CODE_FLAG = {
    flag: np.array([flag in IMPLIED_FLAGS.get(code, ()) for code in CODES]) for flag in FLAGS
}
_IS = {
    name: np.array([code in group for code in CODES])
    for name, group in {
        "victimless": VICTIMLESS,
        "breach": BREACH_CODES,
        "child13": CHILD_UNDER_13_CODES,
        "child16": CHILD_13_15_CODES,
        "serious": M.SERIOUS_VIOLENCE,
        "career_end": M.CAREER_ENDING,
        "sexual": {c for c in CODES if "sexual" in IMPLIED_FLAGS.get(c, ())},
        "strangle_target": {"CA", "ABH", "DOMNC", "THKILL"},
        "strangle_flag": {"CA", "ABH", "GBH20"},
        "violent": {"CA", "ABH", "GBH20", "GBH18", "THKILL", "AFFRAY"},
        "stalker_not_stalking": {"DOMNC", "CA", "ABH"},
    }.items()
}
_DOMNC = CODE_INDEX["DOMNC"]
_NFS, _NFSUFF = CODE_INDEX["NFS"], CODE_INDEX["NFSUFF"]
_CHARGED = M.OUT_INDEX["charged"]
_UNDER_INVESTIGATION = M.OUT_INDEX["under_investigation"]
_PARTNER = M.REL_INDEX["partner"]
_UNKNOWN_REL = M.REL_INDEX["unknown"]


# ----------------------------------------------------------------------------- small helpers


def window(end_date: dt.date, years: int) -> tuple[dt.date, dt.date]:
    """The first and last day of the incidents: `years` years back from `end_date`."""
    if years < 1:
        raise ValueError("years must be at least 1")
    try:
        start = end_date.replace(year=end_date.year - years)
    except ValueError:  # 29 February
        start = end_date.replace(year=end_date.year - years, day=28)
    return start + dt.timedelta(days=1), end_date


def _day(d: dt.date) -> int:
    return (d - EPOCH).days


def _categorical(rng: np.random.Generator, table: np.ndarray, cls: np.ndarray) -> np.ndarray:
    """Draw one category per row from `table[cls[row]]` (rows of probabilities)."""
    cum = np.cumsum(table, axis=1)
    cum[:, -1] = 1.0
    u = rng.random(len(cls))
    out = np.zeros(len(cls), dtype=np.int64)
    for c in np.unique(cls):
        rows = cls == c
        out[rows] = np.searchsorted(cum[c], u[rows], side="right")
    return np.minimum(out, table.shape[1] - 1)


def _segments(group: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For rows sorted by group: (count per group, first row per group, position in group)."""
    counts = np.bincount(group, minlength=n_groups)
    starts = np.zeros(n_groups, dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    pos = np.arange(len(group)) - starts[group]
    return counts, starts, pos


def _seg_cumsum(x: np.ndarray, group: np.ndarray, starts: np.ndarray) -> np.ndarray:
    cs = np.cumsum(x)
    return cs - (cs - x)[starts[group]]


def _profile_arr(attribute: str) -> np.ndarray:
    return M.profile_array(attribute)


_P = {
    name: _profile_arr(name)
    for name in (
        "share",
        "rate_per_year",
        "rate_shape",
        "max_incidents",
        "level_jitter",
        "p_male",
        "p_female",
        "serial_share",
        "switch_prob",
        "incidental_prob",
        "strangler_share",
        "weapon_share",
        "breach_prob",
        "victim_is_perpetrator",
    )
}
_CAREER_MIN = np.array([p.career_years[0] for p in M.PROFILES]) * 365.25
_CAREER_MAX = np.array([p.career_years[1] for p in M.PROFILES]) * 365.25
_LEVEL_TABLE = np.array([p.level_probs for p in M.PROFILES])
_PERP_GENDER_TABLE = np.array(
    [[p.p_female, p.p_male, 0.003, max(0.0, 1 - p.p_female - p.p_male - 0.003)] for p in M.PROFILES]
)
_PERP_GENDER_TABLE /= _PERP_GENDER_TABLE.sum(axis=1, keepdims=True)
# Victim gender by (perpetrator is male, relationship is a partner/ex-partner).
_VICTIM_GENDER_TABLE = np.array(
    [
        [0.62, 0.35, 0.003, 0.027],  # female/other perpetrator, not partner
        [0.12, 0.85, 0.005, 0.025],  # female/other perpetrator, partner
        [0.62, 0.35, 0.003, 0.027],  # male perpetrator, not partner
        [0.93, 0.05, 0.003, 0.017],  # male perpetrator, partner
    ]
)


@lru_cache(maxsize=8)
def name_pools(seed: int) -> dict[str, pl.Series]:
    """Pools of British fake names (Faker en_GB), seeded from `seed`, with Faker's weights."""
    from faker import Faker

    fake = Faker("en_GB")
    fake.seed_instance(seed)
    return {
        "male": pl.Series([fake.first_name_male() for _ in range(1500)], dtype=pl.String),
        "female": pl.Series([fake.first_name_female() for _ in range(1500)], dtype=pl.String),
        "family": pl.Series([fake.last_name() for _ in range(4000)], dtype=pl.String),
    }


# ----------------------------------------------------------------------------- the unit simulation


@dataclass(frozen=True)
class UnitSimulation:
    """A High Harm Unit adopting some high scorers on `adoption_date` (issue 6, item 10).

    High scorers are the top `high_share` of each block's perpetrators by
    severity points (model.SEVERITY_POINTS) in the year before adoption. A
    random `adopt_share` of them are adopted (group "adopted"), the rest are
    the comparison group. After adoption every high scorer's incidents fall
    by `natural_decline` (the regression to the mean a naive before/after
    would credit to the unit), and the adopted ones' by a further `effect`:
    the true effect of management is a fall of `effect` in the incident rate
    relative to the comparison group.
    """

    adoption_date: dt.date
    high_share: float = 0.03
    adopt_share: float = 0.5
    effect: float = 0.3
    natural_decline: float = 0.15

    def __post_init__(self):
        for name in ("high_share", "adopt_share", "effect", "natural_decline"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {value}")


# ----------------------------------------------------------------------------- statistics


@dataclass
class Stats:
    """Figures gathered while streaming; `as_dict()` is what the CLI prints."""

    perpetrators: int = 0
    victims_only: int = 0
    persons: int = 0
    incidents: int = 0
    incidents_by_year: dict[int, int] = field(default_factory=dict)
    pairs: int = 0
    single_incident_pairs: int = 0
    profiles: dict[str, int] = field(default_factory=dict)
    harm_source: str = ""
    cohort_rows: int = 0
    _harm: list[np.ndarray] = field(default_factory=list, repr=False)

    def top_share(self, share: float = 0.03) -> float:
        """Share of all harm caused by the top `share` of perpetrators."""
        harm = np.sort(np.concatenate(self._harm))[::-1] if self._harm else np.zeros(0)
        total = harm.sum()
        if total <= 0:
            return 0.0
        top = max(1, math.ceil(share * len(harm)))
        return float(harm[:top].sum() / total)

    def as_dict(self) -> dict:
        return {
            "perpetrators": self.perpetrators,
            "victims_only": self.victims_only,
            "persons": self.persons,
            "incidents": self.incidents,
            "incidents_by_year": dict(sorted(self.incidents_by_year.items())),
            "pairs": self.pairs,
            "single_incident_pair_share": round(self.single_incident_pairs / self.pairs, 4)
            if self.pairs
            else 0.0,
            "top_3pc_harm_share": round(self.top_share(0.03), 4),
            "harm_weights": self.harm_source,
            "profiles": dict(sorted(self.profiles.items())),
            "cohort_rows": self.cohort_rows,
        }


# ----------------------------------------------------------------------------- one block


@dataclass
class Block:
    persons: pl.DataFrame
    incidents: pl.DataFrame
    cohort: pl.DataFrame | None
    perpetrator_harm_codes: tuple[np.ndarray, np.ndarray]  # (perpetrator row, code) per incident
    n_perpetrators: int
    pair_counts: np.ndarray
    profiles: np.ndarray


@dataclass
class _Counters:
    person: int = 1
    crime: dict[int, int] = field(default_factory=dict)


def _careers(rng: np.random.Generator, n: int, ws: int, we: int) -> dict[str, np.ndarray]:
    """Candidate perpetrators and the dates of their whole careers."""
    profile = rng.choice(len(M.PROFILES), size=n, p=_P["share"])
    shape = _P["rate_shape"][profile]
    rate = rng.gamma(shape, _P["rate_per_year"][profile] / shape)
    career = rng.uniform(_CAREER_MIN[profile], _CAREER_MAX[profile])
    k = 1 + rng.poisson(rate * career / 365.25)
    escalating = profile == M.ESCALATING
    k = np.where(
        escalating, M.ESCALATION_BASE_INCIDENTS + rng.poisson(M.ESCALATION_EXTRA_MEAN, n), k
    )
    k = np.minimum(k, _P["max_incidents"][profile]).astype(np.int64)

    perp = np.repeat(np.arange(n), k)
    _, starts, j = _segments(perp, n)
    offset = rng.random(len(perp)) * career[perp]
    offset[j == 0] = 0.0
    first_gap = rng.uniform(*M.ESCALATION_FIRST_GAP_DAYS, n)
    ratio = rng.uniform(*M.ESCALATION_RATIO, n)
    gap = first_gap[perp] * ratio[perp] ** np.maximum(j - 1, 0) * rng.gamma(4.0, 0.25, len(perp))
    gap[j == 0] = 0.0
    offset = np.where(escalating[perp], _seg_cumsum(gap, perp, starts), offset)
    order = np.lexsort((offset, perp))
    offset = np.floor(offset[order]).astype(np.int64)
    span = offset[starts + k - 1]
    c0 = np.floor(rng.uniform(ws - span, we + 1)).astype(np.int64)
    day = c0[perp] + offset
    return {"profile": profile, "k": k, "perp": perp, "j": j, "day": day}


def _select(careers: dict[str, np.ndarray], want: int, ws: int, we: int) -> dict[str, np.ndarray]:
    """The first `want` candidates with an incident in the window, with their whole careers."""
    perp, day = careers["perp"], careers["day"]
    n = len(careers["k"])
    inside = (day >= ws) & (day <= we)
    hits = np.bincount(perp[inside], minlength=n)
    chosen = np.flatnonzero(hits > 0)[:want]
    new_id = np.full(n, -1, dtype=np.int64)
    new_id[chosen] = np.arange(len(chosen))
    rows = new_id[perp] >= 0
    return {
        "profile": careers["profile"][chosen],
        "k": careers["k"][chosen],
        "perp": new_id[perp[rows]],
        "j": careers["j"][rows],
        "day": day[rows],
    }


def _block(
    seed: int,
    block: int,
    n: int,
    ws: int,
    we: int,
    counters: _Counters,
    simulation: UnitSimulation | None,
) -> Block:
    rng = np.random.default_rng([seed, block, 0])
    eth_rng = np.random.default_rng([seed, block, 1])  # ethnicity only: never tied to harm
    sim_rng = np.random.default_rng([seed, block, 2])

    # 1. careers -------------------------------------------------------------------------
    parts = []
    got = 0
    attempt = 0
    while got < n:
        cand = _careers(
            np.random.default_rng([seed, block, 10 + attempt]), 2 * (n - got) + 64, ws, we
        )
        part = _select(cand, n - got, ws, we)
        part["perp"] = part["perp"] + got
        got += len(part["k"])
        parts.append(part)
        attempt += 1
    car = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    profile, k, perp, j, day = car["profile"], car["k"], car["perp"], car["j"], car["day"]
    rows = len(perp)
    _, starts, _ = _segments(perp, n)
    prof = profile[perp]

    # per perpetrator
    serial = rng.random(n) < _P["serial_share"][profile]
    strangler = rng.random(n) < _P["strangler_share"][profile]
    weapon_user = rng.random(n) < _P["weapon_share"][profile]
    base_level = _categorical(rng, _LEVEL_TABLE, profile)
    primary_rel = _categorical(rng, M.PRIMARY_REL_TABLE, profile)
    perp_gender = _categorical(rng, _PERP_GENDER_TABLE, profile)

    # 2. offences ------------------------------------------------------------------------
    progress = j / np.maximum(k[perp] - 1, 1)
    level = np.where(
        prof == M.ESCALATING,
        np.minimum(np.floor(progress * 4), 3).astype(np.int64),
        base_level[perp],
    )
    jitter = rng.random(rows) < _P["level_jitter"][prof]
    step = np.where(rng.random(rows) < 0.5, -1, 1)
    level = np.clip(level + jitter * step, 0, 3)
    code = _categorical(rng, M.OFFENCE_TABLE, prof * 4 + level)

    strangle = strangler[perp] & (level >= 1) & _IS["strangle_target"][code]
    u = rng.random(rows)
    to_nfs = strangle & (u < 0.25)
    code = np.where(to_nfs, np.where(rng.random(rows) < 0.12, _NFSUFF, _NFS), code)
    strangulation_extra = strangler[perp] & _IS["strangle_flag"][code] & (rng.random(rows) < 0.1)
    weapon_extra = weapon_user[perp] & _IS["violent"][code] & (rng.random(rows) < 0.3)

    def outcomes(codes: np.ndarray) -> np.ndarray:
        cls = np.select(
            [
                codes == _DOMNC,
                _IS["victimless"][codes] | _IS["breach"][codes],
                _IS["serious"][codes],
                _IS["sexual"][codes],
            ],
            [0, 2, 3, 4],
            1,
        )
        return _categorical(rng, M.OUTCOME_TABLE, cls)

    outcome = outcomes(code)
    # an order follows his first charge; later incidents may be breaches of it
    charged = (outcome == _CHARGED) & (code != _DOMNC)
    first_charge = np.minimum.reduceat(np.where(charged, j, 1 << 30), starts)
    convert = (j > first_charge[perp]) & (rng.random(rows) < _P["breach_prob"][prof])
    breach_code = _categorical(rng, M.BREACH_TABLE, prof)
    code = np.where(convert, breach_code, code)
    outcome = np.where(convert, outcomes(code), outcome)
    recent = (day > we - M.RECENT_DAYS) & (code != _DOMNC)
    outcome = np.where(
        recent & (rng.random(rows) < M.RECENT_UNDER_INVESTIGATION), _UNDER_INVESTIGATION, outcome
    )
    # a homicide in the window ends the career (earlier ones are never written)
    ended = (_IS["career_end"][code] & (day >= ws)).astype(np.int64)
    alive = (_seg_cumsum(ended, perp, starts) - ended) == 0

    # victims (drawn over the whole career, before the window cut) -----------------------
    switch = serial[perp] & (j > 0) & (rng.random(rows) < _P["switch_prob"][prof])
    slot = _seg_cumsum(switch.astype(np.int64), perp, starts)
    incidental = (j > 0) & (rng.random(rows) < _P["incidental_prob"][prof])
    slot = np.where(incidental, -1 - j, slot)
    no_victim = (
        _IS["victimless"][code]
        | (_IS["breach"][code] & (rng.random(rows) < M.BREACH_NO_VICTIM_PROB))
        | (rng.random(rows) < M.VICTIM_NOT_RECORDED_PROB)
    )
    is_stalker = prof == M.STALKER

    keep = alive & (day >= ws) & (day <= we)

    sel = np.flatnonzero(keep)
    perp, j, day, code, outcome, slot = (
        perp[sel],
        j[sel],
        day[sel],
        code[sel],
        outcome[sel],
        slot[sel],
    )
    no_victim, prof, is_stalker = no_victim[sel], prof[sel], is_stalker[sel]
    strangulation_extra, weapon_extra = strangulation_extra[sel], weapon_extra[sel]
    rows = len(perp)

    # 3. victim slots: (perpetrator, slot) pairs with a victim --------------------------------
    with_victim = np.flatnonzero(~no_victim)
    key = perp[with_victim] * (1 << 22) + (slot[with_victim] + (1 << 21))
    slot_keys, first_row, slot_of = np.unique(key, return_index=True, return_inverse=True)
    first_row = with_victim[first_row]
    s_perp = perp[first_row]
    s_slot = slot[first_row]
    n_slots = len(slot_keys)
    kind = np.select([s_slot == 0, s_slot > 0], [0, 1], 2)  # primary, new partner, incidental
    s_rel = np.where(
        kind == 0,
        primary_rel[s_perp],
        np.where(
            kind == 1,
            _PARTNER,
            _categorical(rng, M.INCIDENTAL_REL[None, :], np.zeros(n_slots, np.int64)),
        ),
    )
    # who the victim is: a new person, another perpetrator, or someone already victimised
    is_perp_victim = (kind < 2) & (
        rng.random(n_slots) < _P["victim_is_perpetrator"][profile[s_perp]]
    )
    reuse_wish = ~is_perp_victim & (kind > 0) & (rng.random(n_slots) < M.VICTIM_REUSE_PROB)
    fresh = ~is_perp_victim & ~reuse_wish
    pool = np.flatnonzero(fresh)
    if len(pool):
        target = pool[rng.integers(0, len(pool), n_slots)]
        reuse = reuse_wish & (s_perp[target] != s_perp)
    else:
        target = np.zeros(n_slots, dtype=np.int64)
        reuse = np.zeros(n_slots, dtype=bool)
    fresh = ~is_perp_victim & ~reuse
    other_perp = rng.integers(0, max(n - 1, 1), n_slots)
    other_perp = np.where(other_perp >= s_perp, other_perp + 1, other_perp) % n
    n_victims = int(fresh.sum())
    person_of_slot = np.empty(n_slots, dtype=np.int64)
    person_of_slot[fresh] = n + np.arange(n_victims)
    person_of_slot[is_perp_victim] = other_perp[is_perp_victim]
    person_of_slot[reuse] = person_of_slot[target[reuse]]
    if n == 1:  # nobody else to be the victim
        person_of_slot[is_perp_victim] = -1

    victim = np.full(rows, -1, dtype=np.int64)
    victim[with_victim] = person_of_slot[slot_of]
    relationship = np.full(rows, _UNKNOWN_REL, dtype=np.int64)
    relationship[with_victim] = s_rel[slot_of]
    lost = victim < 0
    relationship[lost] = _UNKNOWN_REL
    # one relationship per (perpetrator, victim) pair: the one at their first incident
    pair_key = perp * (n + n_victims + 1) + (victim + 1)
    _, pair_first, pair_of = np.unique(pair_key, return_index=True, return_inverse=True)
    relationship = np.where(lost, _UNKNOWN_REL, relationship[pair_first][pair_of])

    # flags
    domestic_rel = M.DOMESTIC_RELATIONSHIPS[relationship]
    domestic_ctx = M.DOMESTIC_RELATIONSHIPS[primary_rel[perp]] & _IS["breach"][code] & lost
    flags = {
        "domestic": _CODE_FLAG["domestic"][code] | domestic_rel | domestic_ctx,
        "stalking": _CODE_FLAG["stalking"][code]
        | (is_stalker & ~_IS["stalker_not_stalking"][code]),
        "sexual": _CODE_FLAG["sexual"][code],
        "strangulation": _CODE_FLAG["strangulation"][code] | strangulation_extra,
        "weapon": _CODE_FLAG["weapon"][code] | weapon_extra,
        "breach": _CODE_FLAG["breach"][code],
    }

    # 4. people -------------------------------------------------------------------------------
    n_persons = n + n_victims
    gender = np.empty(n_persons, dtype=np.int64)
    gender[:n] = perp_gender
    fresh_slots = np.flatnonzero(fresh)
    v_owner = s_perp[fresh_slots]
    v_rel = s_rel[fresh_slots]
    partner_like = (v_rel == _PARTNER) | (v_rel == M.REL_INDEX["ex_partner"])
    gender[n:] = _categorical(
        rng, _VICTIM_GENDER_TABLE, (perp_gender[v_owner] == 1) * 2 + partner_like
    )

    first_day = np.full(n_persons, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_day, perp, day)
    has_v = victim >= 0
    np.minimum.at(first_day, victim[has_v], day[has_v])
    child13 = np.zeros(n_persons, dtype=bool)
    child16 = np.zeros(n_persons, dtype=bool)
    child13[victim[has_v & _IS["child13"][code]]] = True
    child16[victim[has_v & _IS["child16"][code]]] = True

    perp_age = 16 + rng.gamma(3.0, 6.0, n)
    age = np.empty(n_persons)
    age[:n] = perp_age
    owner_age = perp_age[v_owner]
    family = v_rel == M.REL_INDEX["family"]
    fam_kind = rng.random(len(fresh_slots))
    fam_age = np.where(
        fam_kind < 0.45,
        owner_age + 24 + rng.normal(0, 5, len(fresh_slots)),  # a parent
        np.where(
            fam_kind < 0.8,
            owner_age + rng.normal(0, 6, len(fresh_slots)),  # a sibling
            16 + rng.gamma(2.0, 3.0, len(fresh_slots)),  # an adult child
        ),
    )
    age[n:] = np.where(
        partner_like,
        owner_age + rng.normal(-1.5, 5, len(fresh_slots)),
        np.where(family, fam_age, 16 + rng.gamma(3.0, 6.0, len(fresh_slots))),
    )
    age = np.clip(age, 16, 95)
    vict_idx = np.arange(n, n_persons)
    c13 = vict_idx[child13[n:]]
    age[c13] = rng.uniform(4, 13, len(c13))
    c16 = vict_idx[child16[n:] & ~child13[n:]]
    age[c16] = rng.uniform(13, 16, len(c16))
    dob = first_day - np.floor(age * 365.25).astype(np.int64)
    dob_known = rng.random(n_persons) >= np.where(np.arange(n_persons) < n, 0.01, 0.04)

    pools = name_pools(seed)
    male = rng.integers(0, len(pools["male"]), n_persons)
    female = rng.integers(0, len(pools["female"]), n_persons)
    family_idx = rng.integers(0, len(pools["family"]), n_persons)
    # relatives share a family name; some partners too
    same_name = np.zeros(n_persons, dtype=bool)
    same_name[n:] = (family & (rng.random(len(fresh_slots)) < 0.7)) | (
        partner_like & (rng.random(len(fresh_slots)) < 0.3)
    )
    family_idx[n:] = np.where(same_name[n:], family_idx[v_owner], family_idx[n:])
    use_male = (gender == 1) | ((gender >= 2) & (rng.random(n_persons) < 0.5))
    alias_male = rng.integers(0, len(pools["male"]), n_persons)
    alias_female = rng.integers(0, len(pools["female"]), n_persons)
    alias_family = rng.integers(0, len(pools["family"]), n_persons)
    is_perp = np.arange(n_persons) < n
    alias_u = rng.random(n_persons)
    alias_kind = np.where(
        alias_u < np.where(is_perp, 0.1, 0.02),
        np.where(
            rng.random(n_persons) < 0.5, 1, 2
        ),  # 1: another given name, 2: another family name
        0,
    )
    two_aliases = (alias_kind > 0) & (rng.random(n_persons) < 0.25)

    eth_known = eth_rng.random(n_persons) < np.where(
        is_perp, M.ETHNICITY_RECORDED["perpetrator"], M.ETHNICITY_RECORDED["victim"]
    )
    eth = eth_rng.choice(len(M.ETHNIC_GROUPS), size=n_persons, p=M.ETHNIC_SHARES)

    # 5. references ---------------------------------------------------------------------------
    shuffled = rng.permutation(n_persons)
    ref_num = np.empty(n_persons, dtype=np.int64)
    ref_num[shuffled] = counters.person + np.arange(n_persons)
    counters.person += n_persons

    # the unit simulation thins high scorers' incidents after adoption. It runs last, on its
    # own random stream, so the force is otherwise the same as without it (people who lose
    # all their incidents stay in persons.csv, as they would on the RMS).
    cohort = None
    if simulation is not None:
        kept, cohort = _simulate(simulation, sim_rng, perp, day, code, n)
        perp, day, code, outcome = perp[kept], day[kept], code[kept], outcome[kept]
        victim, relationship, lost, pair_of = (
            victim[kept],
            relationship[kept],
            lost[kept],
            pair_of[kept],
        )
        flags = {f: v[kept] for f, v in flags.items()}
        rows = len(perp)

    order = np.lexsort((rng.random(rows), day))
    years = day[order].astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    crime_num = np.empty(rows, dtype=np.int64)
    for year in np.unique(years):
        at = np.flatnonzero(years == year)
        start = counters.crime.get(int(year), 1)
        crime_num[at] = start + np.arange(len(at))
        counters.crime[int(year)] = start + len(at)

    persons = _persons_frame(
        pools=pools,
        ref_num=ref_num,
        use_male=use_male,
        male=male,
        female=female,
        family_idx=family_idx,
        alias_kind=alias_kind,
        two_aliases=two_aliases,
        alias_male=alias_male,
        alias_female=alias_female,
        alias_family=alias_family,
        dob=dob,
        dob_known=dob_known,
        gender=gender,
        eth=eth,
        eth_known=eth_known,
    )
    incidents = pl.DataFrame(
        {
            "crime_number": crime_num,
            "year": years,
            "occurred_on": day[order].astype(np.int32),
            "code": code[order].astype(np.uint32),
            "perp_num": ref_num[perp[order]],
            "victim_num": np.where(victim[order] >= 0, ref_num[np.maximum(victim[order], 0)], -1),
            "relationship": relationship[order].astype(np.uint32),
            **{f: flags[f][order] for f in FLAGS},
            "outcome": outcome[order].astype(np.uint32),
        }
    )
    incidents = _incidents_frame(incidents)

    if cohort is not None:
        c_perp, c_group = cohort
        cohort = (
            pl.DataFrame(
                {
                    "perp_num": ref_num[c_perp],
                    "index_date": np.full(len(c_perp), _day(simulation.adoption_date), np.int32),
                    "group": c_group,
                }
            )
            .select(
                _ref_expr("perp_num").alias("perpetrator_ref"),
                pl.col("index_date").cast(pl.Date),
                pl.col("group"),
            )
            .sort("perpetrator_ref")
        )

    pair_counts = np.bincount(pair_of[~lost]) if (~lost).any() else np.zeros(0, np.int64)
    pair_counts = pair_counts[pair_counts > 0]
    return Block(
        persons=persons,
        incidents=incidents,
        cohort=cohort,
        perpetrator_harm_codes=(perp, code),
        n_perpetrators=n,
        pair_counts=pair_counts,
        profiles=profile,
    )


def _simulate(
    sim: UnitSimulation,
    rng: np.random.Generator,
    perp: np.ndarray,
    day: np.ndarray,
    code: np.ndarray,
    n: int,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    adoption = _day(sim.adoption_date)
    before = (day >= adoption - 365) & (day < adoption)
    score = np.bincount(perp[before], weights=M.SEVERITY_POINTS[code[before]], minlength=n)
    n_high = math.ceil(sim.high_share * n)
    ranked = np.lexsort((rng.random(n), -score))[:n_high]
    high = ranked[score[ranked] > 0]
    adopted = rng.random(len(high)) < sim.adopt_share
    drop_p = np.zeros(n)
    drop_p[high] = sim.natural_decline
    drop_p[high[adopted]] = 1 - (1 - sim.natural_decline) * (1 - sim.effect)
    after = day >= adoption
    dropped = after & (rng.random(len(perp)) < drop_p[perp])
    group = np.where(adopted, "adopted", "comparison")
    order = np.argsort(high)
    return ~dropped, (high[order], group[order])


def _ref_expr(column: str) -> pl.Expr:
    return pl.concat_str([pl.lit("N"), pl.col(column).cast(pl.String).str.zfill(7)])


def _persons_frame(*, pools: dict[str, pl.Series], **a) -> pl.DataFrame:
    male, female, family = pools["male"], pools["female"], pools["family"]
    df = pl.DataFrame(
        {
            "ref_num": a["ref_num"],
            "use_male": a["use_male"],
            "given_male": male.gather(a["male"]),
            "given_female": female.gather(a["female"]),
            "family_name": family.gather(a["family_idx"]),
            "alias_male": male.gather(a["alias_male"]),
            "alias_female": female.gather(a["alias_female"]),
            "alias_family": family.gather(a["alias_family"]),
            "alias_kind": a["alias_kind"].astype(np.int8),
            "two_aliases": a["two_aliases"],
            "dob": a["dob"].astype(np.int32),
            "dob_known": a["dob_known"],
            "gender": pl.Series(GENDERS).gather(a["gender"]),
            "eth": pl.Series(M.ETHNIC_GROUPS).gather(a["eth"]),
            "eth_known": a["eth_known"],
        }
    )
    given = pl.when(pl.col("use_male")).then("given_male").otherwise("given_female")
    alias_given = pl.when(pl.col("use_male")).then("alias_male").otherwise("alias_female")
    # kind 1: known by another given name; kind 2: by another family name
    alias_one = (
        pl.when(pl.col("alias_kind") == 1)
        .then(pl.concat_str([alias_given, pl.lit(" "), pl.col("family_name")]))
        .otherwise(pl.concat_str([given, pl.lit(" "), pl.col("alias_family")]))
    )
    alias_two = pl.concat_str([alias_given, pl.lit(" "), pl.col("alias_family")])
    return df.sort("ref_num").select(
        _ref_expr("ref_num").alias("reference"),
        given.alias("given_name"),
        pl.col("family_name"),
        pl.when(pl.col("dob_known")).then(pl.col("dob").cast(pl.Date)).alias("date_of_birth"),
        pl.col("gender"),
        pl.when(pl.col("eth_known")).then(pl.col("eth")).alias("ethnicity"),
        pl.when(pl.col("alias_kind") == 0)
        .then(pl.lit(None, dtype=pl.String))
        .when(pl.col("two_aliases"))
        .then(pl.concat_str([alias_one, pl.lit("|"), alias_two]))
        .otherwise(alias_one)
        .alias("aliases"),
    )


_CODES_SERIES = pl.Series(CODES)
_REL_SERIES = pl.Series(M.RELATIONSHIPS)
_OUT_SERIES = pl.Series(M.OUTCOMES)


def _yn(column: str) -> pl.Expr:
    return pl.when(pl.col(column)).then(pl.lit("Y")).otherwise(pl.lit("N")).alias(column)


def _incidents_frame(df: pl.DataFrame) -> pl.DataFrame:
    df = df.with_columns(
        _CODES_SERIES.gather(df["code"]).alias("offence_code"),
        _REL_SERIES.gather(df["relationship"]).alias("relationship_name"),
        _OUT_SERIES.gather(df["outcome"]).alias("outcome_name"),
    )
    return df.select(
        pl.concat_str(
            [
                pl.lit(FORCE_CODE + "/"),
                pl.col("crime_number").cast(pl.String).str.zfill(5),
                pl.lit("/"),
                (pl.col("year") % 100).cast(pl.String).str.zfill(2),
            ]
        ).alias("crime_reference"),
        pl.col("occurred_on").cast(pl.Date),
        pl.col("offence_code"),
        _ref_expr("perp_num").alias("perpetrator_ref"),
        pl.when(pl.col("victim_num") >= 0).then(_ref_expr("victim_num")).alias("victim_ref"),
        pl.col("relationship_name").alias("relationship"),
        *[_yn(f) for f in FLAGS],
        pl.col("outcome_name").alias("outcome"),
    )


# ----------------------------------------------------------------------------- the force


def iter_blocks(
    perpetrators: int,
    years: int,
    seed: int,
    end_date: dt.date | None = None,
    simulation: UnitSimulation | None = None,
) -> Iterator[Block]:
    """Yield the force block by block (each block is independent of what follows)."""
    if perpetrators < 1:
        raise ValueError("perpetrators must be at least 1")
    end_date = end_date or dt.date.today()
    first, last = window(end_date, years)
    ws, we = _day(first), _day(last)
    counters = _Counters()
    for block, start in enumerate(range(0, perpetrators, BLOCK_SIZE)):
        n = min(BLOCK_SIZE, perpetrators - start)
        yield _block(seed, block, n, ws, we, counters, simulation)


def _accumulate(stats: Stats, block: Block, weights: np.ndarray) -> None:
    stats.perpetrators += block.n_perpetrators
    stats.persons += block.persons.height
    stats.victims_only += block.persons.height - block.n_perpetrators
    stats.incidents += block.incidents.height
    for year, count in (
        block.incidents.group_by(pl.col("occurred_on").dt.year().alias("y")).len().iter_rows()
    ):
        stats.incidents_by_year[year] = stats.incidents_by_year.get(year, 0) + count
    stats.pairs += len(block.pair_counts)
    stats.single_incident_pairs += int((block.pair_counts == 1).sum())
    perp, code = block.perpetrator_harm_codes
    stats._harm.append(
        np.bincount(perp, weights=weights[code], minlength=block.n_perpetrators).astype(np.float32)
    )
    for i, count in enumerate(np.bincount(block.profiles, minlength=len(M.PROFILES))):
        name = M.PROFILES[i].name
        stats.profiles[name] = stats.profiles.get(name, 0) + int(count)
    if block.cohort is not None:
        stats.cohort_rows += block.cohort.height


def _weights_array() -> tuple[np.ndarray, str]:
    weights, source = harm_weights()
    return np.array([weights.get(code, 0.0) for code in CODES]), source


def generate(
    perpetrators: int,
    years: int,
    seed: int,
    out_dir: str | Path,
    end_date: dt.date | None = None,
    *,
    simulation: UnitSimulation | None = None,
    progress: bool | None = None,
) -> tuple[Path, Path, Stats]:
    """Write `persons.csv` and `incidents.csv` (and `cohort.csv` when simulating) to `out_dir`.

    Memory stays constant in the number of incidents: each block is written
    and dropped before the next is made (only one float per perpetrator is
    kept, for the harm-concentration figure).
    """
    from tqdm import tqdm

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    persons_path, incidents_path = out / "persons.csv", out / "incidents.csv"
    cohort_path = out / "cohort.csv"
    weights, source = _weights_array()
    stats = Stats(harm_source=source)
    show = perpetrators >= 100_000 if progress is None else progress
    bar = tqdm(
        total=perpetrators, unit="perpetrator", unit_scale=True, disable=not show, file=sys.stderr
    )
    with (
        persons_path.open("wb") as pf,
        incidents_path.open("wb") as inf,
        cohort_path.open("wb") if simulation else _Null() as cf,
    ):
        for i, block in enumerate(iter_blocks(perpetrators, years, seed, end_date, simulation)):
            block.persons.write_csv(pf, include_header=i == 0)
            block.incidents.write_csv(inf, include_header=i == 0)
            if simulation is not None:
                block.cohort.write_csv(cf, include_header=i == 0)
            _accumulate(stats, block, weights)
            bar.update(block.n_perpetrators)
    bar.close()
    return persons_path, incidents_path, stats


class _Null:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def generate_frames(
    perpetrators: int,
    years: int,
    seed: int,
    end_date: dt.date | None = None,
    *,
    simulation: UnitSimulation | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame | None]:
    """The same force in memory (persons, incidents, cohort or None): for tests and benchmarks."""
    blocks = list(iter_blocks(perpetrators, years, seed, end_date, simulation))
    persons = pl.concat([b.persons for b in blocks])
    incidents = pl.concat([b.incidents for b in blocks])
    cohort = pl.concat([b.cohort for b in blocks]) if simulation is not None else None
    return persons, incidents, cohort
