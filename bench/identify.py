"""Benchmark: identification (highharm.scoring.engine) of N incidents, against pandas.

    .venv/bin/python bench/identify.py [--rows 10000000] [--seed 1] [--repeat 1]

1. Generates N incidents with the synthetic force generator (`highharm synth`'s
   `iter_blocks`, two years to the as-of date so every incident is in the default
   730-day window), joins them with the shipped offence catalogue into the engine's
   input (harm, category, effective flags) and caches them as Parquet under
   bench/out/ (generation is not timed; a second run reuses the file).
2. In a fresh process each: reads the Parquet file (references as categorical,
   `read_s`), then scores it
   * with the engine (`engine_s`: measures, points, priority score and rank of every
     perpetrator, each row carrying its rank, `engine.rank` + `engine.finish(explain=False)`,
     the median of --repeat runs; `engine_ordered_s`: the same returned as a table in rank
     order, `engine.score(explain=False)`), and then the explanation sentence for every
     perpetrator as well (`explain_s`);
   * with a straightforward vectorised pandas version of the same measures, points and
     ranking (groupby/agg, nunique, np.select; no Python per row: `baseline_s`).
3. Checks both give identical results (every measure, point and rank of every
   perpetrator) and prints one JSON object:
   {rows, perpetrators, read_s, engine_s, explain_s, baseline_s, ratio, peak_rss_mb, ...}
   with CPU seconds beside wall-clock ones, since the machine may be shared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from highharm.scoring import engine  # noqa: E402
from highharm.scoring.config import load_config  # noqa: E402

AS_OF = dt.date(2026, 3, 1)
CONFIG = load_config(ROOT / "src/highharm/data/scoring.toml")
CATALOGUE = ROOT / "src/highharm/data/offences.csv"
FLAGS = ("domestic", "stalking", "sexual", "strangulation", "weapon", "breach")
OUT = ROOT / "bench" / "out"
COMPARED = [
    "perpetrator_ref",
    "rank",
    "priority_score",
    "recency_days",
    "frequency",
    "harm_sum",
    "harm_max",
    "harm_unknown",
    "victims",
    "partner_victims",
    "harm_recent",
    "harm_prior",
    "incidents_recent",
    "incidents_prior",
    "gap_slope",
    "escalating_harm",
    "gaps_shortening",
    "serial",
    *[f"flag_{f}" for f in (*FLAGS[1:], "coercive_control", "domestic")],
    *[c for c in engine.OUTPUT_COLUMNS if c.startswith("points_")],
]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


# --- data -------------------------------------------------------------------------------------


def catalogue() -> pl.DataFrame:
    yes = ["y", "yes", "1", "true", "t"]
    return pl.read_csv(CATALOGUE, infer_schema=False).select(
        pl.col("code"),
        pl.col("category"),
        pl.col("harm_days").cast(pl.Float64),
        *[pl.col(f).str.to_lowercase().is_in(yes).alias(f"offence_{f}") for f in FLAGS],
    )


def generate(rows: int, seed: int) -> Path:
    """The engine's input for `rows` synthetic incidents, cached as Parquet."""
    import pyarrow.parquet as pq

    from highharm.synthetic.generator import BLOCK_SIZE, iter_blocks

    path = OUT / f"identify-{rows}-{seed}.parquet"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    cat = catalogue()
    yes = ["Y", "y", "1", "true", "yes"]
    # About 2.2 incidents per perpetrator over two years; ask for enough, stop at `rows`.
    perpetrators = max(BLOCK_SIZE, int(rows / 1.6))
    written = 0
    tmp = path.with_suffix(".tmp")
    writer = None
    started = time.perf_counter()
    for block in iter_blocks(perpetrators, 2, seed, AS_OF):
        incidents = block.incidents.head(rows - written)
        frame = (
            incidents.join(cat, left_on="offence_code", right_on="code", how="left")
            .select(
                "perpetrator_ref",
                "victim_ref",
                "occurred_on",
                pl.col("category").fill_null("unknown"),
                "harm_days",
                *[
                    (pl.col(f).is_in(yes) | pl.col(f"offence_{f}").fill_null(False)).alias(f)
                    for f in FLAGS
                ],
                "relationship",
            )
            .select(list(engine.INPUT_COLUMNS))
        )
        table = frame.to_arrow()
        if writer is None:
            writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
        writer.write_table(table)
        written += frame.height
        print(
            f"generating: {written:,} of {rows:,} incidents ({time.perf_counter() - started:.0f} s)",
            file=sys.stderr,
        )
        if written >= rows:
            break
    writer.close()
    if written < rows:
        raise SystemExit(f"the generator gave only {written} incidents; raise the perpetrators")
    tmp.rename(path)
    return path


def read(path: Path) -> pl.DataFrame:
    return (
        pl.scan_parquet(path)
        .with_columns(
            pl.col("perpetrator_ref", "victim_ref", "category", "relationship").cast(pl.Categorical)
        )
        .collect()
    )


# --- the engine -------------------------------------------------------------------------------


def run_engine(path: Path, out: Path, repeat: int) -> dict:
    frame, read_s, read_cpu = timed(lambda: read(path))
    read_peak = peak_rss_mb()

    def scored():
        ranked = engine.rank(frame, as_of=AS_OF, config=CONFIG)
        return engine.finish(ranked, as_of=AS_OF, config=CONFIG, explain=False)

    runs = []
    for _ in range(repeat):
        result, wall, cpu = timed(scored)
        runs.append((wall, cpu))
        perpetrators = result.height
        del result
    # The same, returned as a table in rank order (`engine.score`): moving every row of
    # the table costs a gather of each column, which `identify --top`, a stored run and
    # the candidate list do not need (each row carries its rank).
    ordered, ordered_s, ordered_cpu = timed(
        lambda: engine.score(frame, as_of=AS_OF, config=CONFIG, explain=False)
    )
    peak = peak_rss_mb()
    ordered.select(COMPARED).write_parquet(out)
    del ordered
    ranked = engine.rank(frame, as_of=AS_OF, config=CONFIG)
    _, explain_s, explain_cpu = timed(
        lambda: engine.finish(ranked, as_of=AS_OF, config=CONFIG, explain=True)
    )
    return {
        "read_s": read_s,
        "read_cpu_s": read_cpu,
        "read_peak_rss_mb": read_peak,
        "engine_s": statistics.median(w for w, _ in runs),
        "engine_cpu_s": statistics.median(c for _, c in runs),
        "engine_runs_s": [round(w, 3) for w, _ in runs],
        "engine_ordered_s": ordered_s,
        "engine_ordered_cpu_s": ordered_cpu,
        "explain_s": explain_s,
        "explain_cpu_s": explain_cpu,
        "perpetrators": perpetrators,
        "peak_rss_mb": peak,
    }


# --- the pandas baseline ----------------------------------------------------------------------


def pandas_scores(df, *, as_of: dt.date, config, window: int):
    """The same measures, points and ranking, written the way an analyst would in pandas:
    boolean masks, one groupby with named aggregations, nunique for victims, np.select for
    bands. No Python per row."""
    import pandas as pd

    period = config.period_days
    lookback = max(window, 2 * period)
    age = (np.datetime64(as_of, "D") - df["occurred_on"].to_numpy().astype("datetime64[D]")).astype(
        np.int64
    )
    keep = (age >= 0) & (age < lookback)
    df = df.loc[keep]
    age = age[keep]
    inside = age < window
    harm = (df["harm_days"] * 100).round().fillna(0).to_numpy().astype(np.int64)
    recent = age < period
    prior = (age >= period) & (age < 2 * period)
    work = pd.DataFrame(
        {
            "ref": df["perpetrator_ref"],
            "n": inside.astype(np.int64),
            "age_min": np.where(inside, age, np.iinfo(np.int64).max),
            "age_max": np.where(inside, age, -1),
            "age_sum": np.where(inside, age, 0),
            "harm": np.where(inside, harm, 0),
            "unknown": (df["harm_days"].isna().to_numpy() & inside).astype(np.int64),
            "recent_n": recent.astype(np.int64),
            "recent_h": np.where(recent, harm, 0),
            "prior_n": prior.astype(np.int64),
            "prior_h": np.where(prior, harm, 0),
            "coercive_control": (df["category"] == "coercive_control").to_numpy() & inside,
            **{f: df[f].to_numpy() & inside for f in FLAGS},
        },
        index=df.index,
    )
    grouped = work.groupby("ref", observed=True, sort=False).agg(
        frequency=("n", "sum"),
        recency_days=("age_min", "min"),
        first_age=("age_max", "max"),
        sum_age=("age_sum", "sum"),
        harm_sum_c=("harm", "sum"),
        harm_max_c=("harm", "max"),
        harm_unknown=("unknown", "sum"),
        incidents_recent=("recent_n", "sum"),
        harm_recent_c=("recent_h", "sum"),
        incidents_prior=("prior_n", "sum"),
        harm_prior_c=("prior_h", "sum"),
        **{f"flag_{f}": (f, "max") for f in (*FLAGS, "coercive_control")},
    )
    grouped = grouped[grouped["frequency"] > 0]
    with_victim = df.loc[inside & df["victim_ref"].notna().to_numpy()]
    victims = with_victim.groupby("perpetrator_ref", observed=True)["victim_ref"].nunique()
    partner = with_victim["relationship"].isin(list(config.serial_relationships)).to_numpy()
    partner_victims = (
        with_victim.loc[partner].groupby("perpetrator_ref", observed=True)["victim_ref"].nunique()
    )
    g = grouped
    g["victims"] = victims.reindex(g.index, fill_value=0).astype(np.int64)
    g["partner_victims"] = partner_victims.reindex(g.index, fill_value=0).astype(np.int64)

    n = g["frequency"].to_numpy()
    k = n - 1
    sum_j = k * (k - 1) // 2
    sum_jj = (k - 1) * k * (2 * k - 1) // 6
    rec, first = g["recency_days"].to_numpy(), g["first_age"].to_numpy()
    sum_jg = g["sum_age"].to_numpy() - k * rec - first
    num = k * sum_jg - sum_j * (first - rec)
    den = k * sum_jj - sum_j * sum_j
    with np.errstate(divide="ignore", invalid="ignore"):
        g["gap_slope"] = np.where(k >= 2, num / np.where(den == 0, 1, den), np.nan)

    def bands(values, table, at_most=False):
        conds = [(values <= b.threshold) if at_most else (values >= b.threshold) for b in table]
        return (
            np.select(conds, [b.points for b in table], 0)
            if table
            else np.zeros(len(values), np.int64)
        )

    hundredths = lambda table: [type(b)(round(b.threshold * 100), b.points) for b in table]  # noqa: E731
    hr, hp = g["harm_recent_c"].to_numpy(), g["harm_prior_c"].to_numpy()
    g["escalating_harm"] = (
        (g["incidents_recent"].to_numpy() >= 1)
        & (g["incidents_prior"].to_numpy() >= 1)
        & (hr > hp)
        & (hr.astype(float) >= config.harm_ratio * hp.astype(float))
    )
    slope = g["gap_slope"].to_numpy()
    g["gaps_shortening"] = (
        (n >= config.gap_min_incidents)
        & np.nan_to_num(slope <= config.gap_slope_days, nan=False).astype(bool)
        & ~np.isnan(slope)
    )
    g["serial"] = g["partner_victims"].to_numpy() >= config.serial_min_victims
    g["points_recency"] = bands(rec, config.recency, at_most=True)
    g["points_frequency"] = bands(n, config.frequency)
    g["points_harm"] = bands(g["harm_sum_c"].to_numpy(), hundredths(config.harm))
    g["points_harm_max"] = bands(g["harm_max_c"].to_numpy(), hundredths(config.harm_max))
    g["points_victims"] = bands(g["victims"].to_numpy(), config.victims)
    g["points_serial"] = np.where(g["serial"], config.serial_points, 0)
    g["points_escalation"] = np.where(g["escalating_harm"], config.harm_points, 0)
    g["points_gaps"] = np.where(g["gaps_shortening"], config.gap_points, 0)
    for name in (*FLAGS[1:], "coercive_control", "domestic"):
        g[f"points_{name}"] = np.where(g[f"flag_{name}"], config.flags[name], 0)
    points = [c for c in g.columns if c.startswith("points_")]
    g["priority_score"] = g[points].sum(axis=1)
    g = g.reset_index().rename(columns={"ref": "perpetrator_ref"})
    g["perpetrator_ref"] = g["perpetrator_ref"].astype(str)
    g = g.sort_values(
        ["priority_score", "harm_sum_c", "recency_days", "perpetrator_ref"],
        ascending=[False, False, True, True],
        kind="stable",
    )
    # Competition ranking: a rank starts where (score, harm, recency) changes.
    key = g[["priority_score", "harm_sum_c", "recency_days"]].to_numpy()
    starts = np.ones(len(g), dtype=bool)
    starts[1:] = (key[1:] != key[:-1]).any(axis=1)
    g["rank"] = np.maximum.accumulate(np.where(starts, np.arange(1, len(g) + 1), 0))
    for column in ("harm_sum", "harm_max", "harm_recent", "harm_prior"):
        g[column] = g[f"{column}_c"] / 100
    return g


def run_baseline(path: Path, out: Path) -> dict:
    def load():
        return read(path).to_pandas()

    df, read_s, _ = timed(load)
    result, wall, cpu = timed(
        lambda: pandas_scores(df, as_of=AS_OF, config=CONFIG, window=CONFIG.window_days)
    )
    columns = {c: c for c in COMPARED}
    pl.from_pandas(result[list(columns)]).write_parquet(out)
    return {
        "baseline_read_s": read_s,
        "baseline_s": wall,
        "baseline_cpu_s": cpu,
        "baseline_peak_rss_mb": peak_rss_mb(),
    }


# --- main -------------------------------------------------------------------------------------


def same(engine_out: Path, baseline_out: Path) -> None:
    a = pl.read_parquet(engine_out).select(COMPARED)
    b = pl.read_parquet(baseline_out).select(COMPARED)
    b = b.with_columns([pl.col(c).cast(a.schema[c]) for c in COMPARED])
    if a.height != b.height:
        raise SystemExit(f"different numbers of perpetrators: engine {a.height}, pandas {b.height}")
    for column in COMPARED:
        x, y = a.get_column(column), b.get_column(column)
        if not x.equals(y):
            bad = (
                (x != y).fill_null(True)
                if x.dtype != pl.Float64
                else ~((x == y) | (x.is_null() & y.is_null()))
            )
            row = a.filter(bad).head(1).to_dicts()
            raise SystemExit(f"engine and pandas differ in {column}: {row}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="engine runs (median reported)")
    parser.add_argument("--role", choices=["engine", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.role == "engine":
        print(json.dumps(run_engine(args.data, args.out, args.repeat)))
        return
    if args.role == "baseline":
        print(json.dumps(run_baseline(args.data, args.out)))
        return

    data = generate(args.rows, args.seed)
    load_before = os.getloadavg()[0]

    def child(role: str) -> dict:
        out = OUT / f"identify-{args.rows}-{role}.parquet"
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--role",
                role,
                "--data",
                str(data),
                "--out",
                str(out),
                "--repeat",
                str(args.repeat),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(done.stdout.strip().splitlines()[-1]) | {"_out": out}

    eng = child("engine")
    base = child("baseline")
    same(eng.pop("_out"), base.pop("_out"))
    result = {
        "rows": args.rows,
        "perpetrators": eng["perpetrators"],
        "read_s": round(eng["read_s"], 3),
        "engine_s": round(eng["engine_s"], 3),
        "engine_ordered_s": round(eng["engine_ordered_s"], 3),
        "explain_s": round(eng["explain_s"], 3),
        "baseline_s": round(base["baseline_s"], 3),
        "ratio": round(base["baseline_s"] / eng["engine_s"], 2),
        "ratio_ordered": round(base["baseline_s"] / eng["engine_ordered_s"], 2),
        "peak_rss_mb": round(eng["peak_rss_mb"]),
        "engine_cpu_s": round(eng["engine_cpu_s"], 3),
        "engine_ordered_cpu_s": round(eng["engine_ordered_cpu_s"], 3),
        "explain_cpu_s": round(eng["explain_cpu_s"], 3),
        "read_peak_rss_mb": round(eng["read_peak_rss_mb"]),
        "baseline_cpu_s": round(base["baseline_cpu_s"], 3),
        "cpu_ratio": round(base["baseline_cpu_s"] / eng["engine_cpu_s"], 2),
        "engine_runs_s": eng["engine_runs_s"],
        "baseline_peak_rss_mb": round(base["baseline_peak_rss_mb"]),
        "identical": True,
        "cores": os.cpu_count(),
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
        "polars": pl.__version__,
        "python": platform.python_version(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
