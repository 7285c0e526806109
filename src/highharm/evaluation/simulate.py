"""A simulated High Harm Unit with a known true effect (pure numpy + Polars; no Django).

Used by the tests (and open to `highharm synth`) to check that the difference
in differences recovers a true effect of management where the naive
before/after count overstates it.

The model, per person i of a population:

- a latent offending rate lambda_i ~ Gamma(shape, scale) offences a year;
- before count ~ Poisson(lambda_i * before_days / 365);
- the "high scorers" are those with at least `threshold` offences before; a
  random `adopted_share` of them is adopted (managed), the rest are referred
  but not adopted (the comparison group), so both are selected the same way;
- after count ~ Poisson(lambda_i * natural_decline * (effect if adopted else 1)
  * after_days / 365): everyone drifts by `natural_decline`, and management
  multiplies the rate by `effect` (0.7 = 30% fewer offences);
- each offence gets a code from a small catalogue with fixed probabilities,
  independent of everything else, and a date uniform in its window.

Selecting on a high before count makes the before counts of both groups
exceed their true rates: both fall afterwards with no help (regression to the
mean). `truth` gives the effect the estimators should find: the expected
difference, per adopted person, between their after count with and without
management (sum of lambda_i * natural_decline * (effect - 1) * after_days/365,
divided by the number adopted), and the same in harm days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

CATALOGUE = pl.DataFrame(
    {
        "code": ["CA", "ABH", "HARASS", "CCB", "STALK", "CD", "BRRO"],
        "harm_days": [28.0, 180.0, 14.0, 365.0, 365.0, 7.0, 84.0],
        "probability": [0.40, 0.15, 0.15, 0.05, 0.05, 0.10, 0.10],
    }
)


@dataclass
class SimulatedUnit:
    cohort: pl.DataFrame
    comparison: pl.DataFrame
    incidents: pl.DataFrame
    catalogue: pl.DataFrame
    as_of: dt.date
    truth: dict

    def incidents_contract(self) -> pl.DataFrame:
        """The incidents in the import contract's columns (blank victims, flags N)."""
        n = self.incidents.height
        return self.incidents.select(
            pl.format("SIM{}", pl.int_range(0, n)).alias("crime_reference"),
            pl.col("occurred_on").dt.strftime("%Y-%m-%d"),
            "offence_code",
            "perpetrator_ref",
            pl.lit("").alias("victim_ref"),
            pl.lit("unknown").alias("relationship"),
            *[pl.lit("N").alias(f) for f in ("domestic", "stalking", "sexual")],
            *[pl.lit("N").alias(f) for f in ("strangulation", "weapon", "breach")],
            pl.lit("other").alias("outcome"),
        )


def simulate_unit(
    *,
    seed: int = 1,
    population: int = 20_000,
    shape: float = 0.5,
    scale: float = 2.0,
    threshold: int = 4,
    adopted_share: float = 0.3,
    effect: float = 0.7,
    natural_decline: float = 0.9,
    before_days: int = 365,
    after_days: int = 365,
    first_index: dt.date = dt.date(2023, 1, 1),
    index_spread_days: int = 180,
) -> SimulatedUnit:
    rng = np.random.default_rng(seed)
    rate = rng.gamma(shape, scale, size=population)
    before = rng.poisson(rate * before_days / 365)
    selected = np.flatnonzero(before >= threshold)
    adopted_mask = rng.random(selected.size) < adopted_share
    adopted, comparison = selected[adopted_mask], selected[~adopted_mask]
    multiplier = np.full(population, natural_decline)
    multiplier[adopted] *= effect
    after = rng.poisson(rate * multiplier * after_days / 365)

    refs = np.array([f"SIM{i:06d}" for i in range(population)])
    index_offset = rng.integers(0, index_spread_days + 1, size=population)
    base = np.datetime64(first_index, "D")
    index = base + index_offset.astype("timedelta64[D]")

    people = np.concatenate([selected, selected])
    counts = np.concatenate([before[selected], after[selected]])
    is_after = np.concatenate([np.zeros(selected.size, bool), np.ones(selected.size, bool)])
    who = np.repeat(people, counts)
    when_after = np.repeat(is_after, counts)
    offset = np.where(
        when_after,
        rng.integers(0, after_days, size=who.size),
        -rng.integers(1, before_days + 1, size=who.size),
    )
    occurred = index[who] + offset.astype("timedelta64[D]")
    probs = CATALOGUE["probability"].to_numpy()
    codes = CATALOGUE["code"].to_numpy()[rng.choice(len(probs), size=who.size, p=probs)]

    incidents = pl.DataFrame(
        {
            "perpetrator_ref": refs[who],
            "occurred_on": occurred.astype("datetime64[D]"),
            "offence_code": codes,
        }
    ).with_columns(pl.col("occurred_on").cast(pl.Date))

    def cohort(members: np.ndarray, group: str) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "perpetrator_ref": refs[members],
                "index_date": index[members].astype("datetime64[D]"),
                "group": [group] * members.size,
            }
        ).with_columns(pl.col("index_date").cast(pl.Date))

    mean_harm = float((CATALOGUE["harm_days"] * CATALOGUE["probability"]).sum())
    years_after = after_days / 365
    true_effect = float(
        (rate[adopted] * natural_decline * (effect - 1) * years_after).sum() / max(adopted.size, 1)
    )
    last_index = first_index + dt.timedelta(days=index_spread_days)
    return SimulatedUnit(
        cohort=cohort(adopted, "adopted"),
        comparison=cohort(comparison, "comparison"),
        incidents=incidents,
        catalogue=CATALOGUE.select("code", "harm_days"),
        as_of=last_index + dt.timedelta(days=after_days + 30),
        truth={
            "effect_rate_ratio": effect,
            "natural_decline": natural_decline,
            "did_offences": true_effect,
            "did_harm": true_effect * mean_harm,
            "adopted": int(adopted.size),
            "comparison": int(comparison.size),
        },
    )
