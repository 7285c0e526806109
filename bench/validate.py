"""Benchmark: `highharm validate` on a large synthetic scored dataset.

    .venv/bin/python bench/validate.py [--rows 1000000] [--bootstrap 1000] [--groups 4] [--repeat 3]

Makes a synthetic dataset (a continuous score rounded to 4 decimals, a 0/1
outcome whose rate rises with the score, a group column, 0.1% of scores
blank), then times:

* ``cli_seconds``: ``highharm validate ... --format json`` end to end in a
  subprocess (interpreter and Django start-up, reading the CSV, the report);
* ``engine_read_seconds`` and ``engine_validate_seconds``: the engine alone, in
  this process;
* the CPU seconds of each (``*_cpu_seconds``), which other work on a shared
  machine disturbs much less than wall-clock time (polars reads with several
  threads, so CPU may exceed wall time on an idle machine);
* ``baseline_naive_seconds_estimate``: the naive method (draw row indices, call
  scikit-learn's roc_auc_score on every resample, overall and per group), timed
  on a few resamples and scaled up to the same number; measured in the same run
  because the machine is shared and noisy.

It also checks correctness on the same data: the engine's AUC against
scikit-learn's, and the binned bootstrap against the exact AUC of the very same
row resamples (``bootstrap_max_abs_error``). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from highharm.assessment import validation  # noqa: E402


def make_dataset(rows: int, groups: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    labels = np.array([f"area_{chr(65 + i)}" for i in range(groups)])
    group = labels[rng.integers(0, groups, rows)]
    # A latent risk; the score sees it with noise, and one group's scores run high.
    latent = rng.normal(0.0, 1.0, rows)
    shift = np.where(group == labels[0], 0.3, 0.0)
    score = np.round(latent + rng.normal(0.0, 0.8, rows) + shift, 4)
    p = 1.0 / (1.0 + np.exp(-(latent * 1.2 - 2.4)))
    outcome = (rng.random(rows) < p).astype(np.int8)
    score_text = pl.Series("score", score).cast(pl.String)
    blank = rng.random(rows) < 0.001
    score_text = pl.select(
        pl.when(pl.Series(blank)).then(pl.lit("")).otherwise(score_text).alias("score")
    ).to_series()
    return pl.DataFrame({"score": score_text, "outcome": outcome, "area": group})


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_cli(path: Path, bootstrap: int, repeat: int) -> tuple[list[float], list[float], dict]:
    env = dict(os.environ, HIGHHARM_SECRET_KEY=os.environ.get("HIGHHARM_SECRET_KEY", "bench"))
    command = [
        str(ROOT / ".venv" / "bin" / "highharm"),
        "validate",
        "--data",
        str(path),
        "--score",
        "score",
        "--outcome",
        "outcome",
        "--group",
        "area",
        "--bootstrap",
        str(bootstrap),
        "--format",
        "json",
    ]
    times, cpu = [], []
    report: dict = {}
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), _children_cpu()
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        times.append(time.perf_counter() - started)
        cpu.append(_children_cpu() - cpu_started)
        if done.returncode != 0:
            raise SystemExit(f"highharm validate failed ({done.returncode}): {done.stderr}")
        report = json.loads(done.stdout)
    return times, cpu, report


def naive_estimate(data: validation.ValidationData, bootstrap: int, trial: int) -> float:
    """Seconds the naive row bootstrap would take, from `trial` resamples per analysis."""
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(1)
    subsets = [np.arange(data.score.size)]
    if data.group is not None:
        subsets += [np.flatnonzero(data.group == c) for c in range(len(data.group_labels))]
    started = time.perf_counter()
    for rows in subsets:
        y = data.outcome[rows]
        pos, neg = rows[y == 1], rows[y == 0]
        for _ in range(trial):
            pick = np.concatenate([rng.choice(pos, pos.size), rng.choice(neg, neg.size)])
            roc_auc_score(data.outcome[pick], data.score[pick])
    return (time.perf_counter() - started) * bootstrap / trial


def bootstrap_error(data: validation.ValidationData, resamples: int, max_rows: int) -> dict:
    """Binned bootstrap versus the exact AUC of the same row resamples."""
    rng = np.random.default_rng(7)
    take = rng.permutation(data.score.size)[:max_rows]
    score, outcome = data.score[take], data.outcome[take]
    table = validation.score_table(score, outcome)
    binned = validation.bin_table(table, validation.DEFAULT_MAX_BINS)
    ids = validation.quantile_ids(table.total, validation.DEFAULT_MAX_BINS)
    value_of_row = np.searchsorted(table.values, score)
    pos_rows, neg_rows = np.flatnonzero(outcome == 1), np.flatnonzero(outcome == 0)
    errors, exact = [], []
    for _ in range(resamples):
        pos = np.bincount(value_of_row[rng.choice(pos_rows, pos_rows.size)], minlength=len(ids))
        neg = np.bincount(value_of_row[rng.choice(neg_rows, neg_rows.size)], minlength=len(ids))
        truth = validation.auc_from_counts(pos, neg)
        approx = validation.binned_auc(
            np.bincount(ids, weights=pos).astype(np.int64),
            np.bincount(ids, weights=neg).astype(np.int64),
            binned.concordance,
        )[0]
        errors.append(approx - truth)
        exact.append(truth)
    return {
        "rows": int(score.size),
        "distinct_scores": int(len(table.values)),
        "bins": int(len(binned.pos)),
        "resamples": resamples,
        "bootstrap_sd": float(np.std(exact)),
        "bootstrap_max_abs_error": float(np.max(np.abs(errors))),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--bootstrap", type=int, default=validation.DEFAULT_BOOTSTRAP)
    parser.add_argument("--groups", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()

    frame = make_dataset(args.rows, args.groups, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scored.csv"
        frame.write_csv(path)
        size_mb = path.stat().st_size / 1e6

        cli_times, cli_cpu, cli_report = time_cli(path, args.bootstrap, args.repeat)

        started, cpu_started = time.perf_counter(), time.process_time()
        data = validation.read_table(path, score="score", outcome="outcome", group="area")
        read_seconds = time.perf_counter() - started
        read_cpu = time.process_time() - cpu_started
        started, cpu_started = time.perf_counter(), time.process_time()
        report = validation.validate(data, bootstrap=args.bootstrap)
        validate_seconds = time.perf_counter() - started
        validate_cpu = time.process_time() - cpu_started

    from sklearn.metrics import roc_auc_score

    sklearn_auc = float(roc_auc_score(data.outcome, data.score))
    naive = naive_estimate(data, args.bootstrap, trial=3)
    accuracy = bootstrap_error(data, resamples=50, max_rows=min(args.rows, 200_000))

    print(
        json.dumps(
            {
                "benchmark": "validate",
                "rows": args.rows,
                "csv_megabytes": round(size_mb, 1),
                "groups": args.groups,
                "bootstrap": args.bootstrap,
                "excluded_missing_score": data.excluded_missing_score,
                "cli_seconds": [round(t, 2) for t in cli_times],
                "cli_seconds_median": round(statistics.median(cli_times), 2),
                "cli_cpu_seconds": [round(t, 2) for t in cli_cpu],
                "engine_read_seconds": round(read_seconds, 2),
                "engine_read_cpu_seconds": round(read_cpu, 2),
                "engine_validate_seconds": round(validate_seconds, 2),
                "engine_validate_cpu_seconds": round(validate_cpu, 2),
                "baseline_naive_seconds_estimate": round(naive, 1),
                "auc": report["auc"],
                "auc_ci": report["auc_ci"],
                "cli_auc_matches_engine": cli_report["auc"] == report["auc"]
                and cli_report["auc_ci"] == report["auc_ci"],
                "auc_minus_sklearn": report["auc"] - sklearn_auc,
                "accuracy_check": accuracy,
                "machine": {
                    "cpus": os.cpu_count(),
                    "load_average_1min": round(os.getloadavg()[0], 2),
                    "python": platform.python_version(),
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
