"""The done-criterion on a synthetic force: the fitted model is at least as good as the better
of the RFGV score and the HHU tool's data part (by cross-validated AUC)."""

import datetime as dt

import polars as pl

from highharm.assessment import backtest as B
from highharm.assessment import instruments
from highharm.records.catalogue import DEFAULT_CATALOGUE_PATH
from highharm.records.models import Offence
from highharm.scoring import sources
from highharm.scoring.config import load_config
from highharm.settings import DATA_DIR
from highharm.synthetic.generator import generate_frames

FLAGS = ("domestic", "stalking", "sexual", "strangulation", "weapon", "breach")


def synthetic_force(perpetrators: int, seed: int) -> pl.DataFrame:
    _, incidents, _ = generate_frames(perpetrators, 4, seed, dt.date(2025, 6, 30))
    catalogue = sources.catalogue_frame_from_file(
        DEFAULT_CATALOGUE_PATH, categories=dict(Offence.Category.choices)
    )
    joined = incidents.join(catalogue, left_on="offence_code", right_on="code", how="left")
    return joined.select(
        "perpetrator_ref",
        "victim_ref",
        "occurred_on",
        pl.col("category").fill_null("unknown"),
        "harm_days",
        *[((pl.col(f) == "Y") | pl.col(f"offence_{f}")).alias(f) for f in FLAGS],
        "relationship",
    )


def test_it_finds_the_model_at_least_as_good_as_the_better_points_score():
    frame = synthetic_force(3000, seed=1)
    result = B.backtest(
        frame, as_of=dt.date(2024, 6, 30), config=load_config(DATA_DIR / "scoring.toml"),
        hhu=instruments.builtin_definitions()["hhu"], bootstrap=0,
    )  # fmt: skip
    aucs = {k: r["auc"] for k, r in result["reports"].items()}
    assert result["n"] > 1000 and 0.02 < result["base_rate"] < 0.2
    assert min(aucs.values()) > 0.75  # every score carries real signal on this force
    assert aucs["model"] >= max(aucs["rfgv"], aucs["hhu_data"])
    assert result["model_at_least_as_good"] is True
