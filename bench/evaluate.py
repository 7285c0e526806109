"""Benchmark: an evaluation of 1,000 managed and 10,000 comparison people over 2 million incidents.

    .venv/bin/python bench/evaluate.py [--incidents 2000000] [--managed 1000]
        [--comparison 10000] [--others 40000] [--bootstrap 2000] [--repeat 3] [--no-cli]

Makes a synthetic force in memory (people with gamma-distributed offending
rates, incidents spread over 2019-2025 with codes from the default offence
catalogue, DOMNC no-crime records among them, a crime reference on each),
then times, in this process after a warm-up run:

* ``evaluate_seconds``: `engine.evaluate` (windows, per-person and per-cohort
  figures, the bootstrap difference in differences, sign and Wilcoxon tests,
  the negative binomial model, Kaplan-Meier, the monthly trend);
* ``charts_seconds``: the report's four charts as SVG (`evaluation.charts`);
* ``total_seconds``: the two together, the figure the 5-second target is about;
* ``read_parquet_seconds`` / ``read_csv_seconds``: reading the incidents file
  with the evaluation's reader (CSV read as text, dates parsed, ISO);
* ``cli_seconds``: `highharm evaluate ... --format json` end to end in a
  subprocess (interpreter, Django and library imports, reading Parquet,
  evaluating, writing JSON), unless --no-cli;

with CPU seconds beside the wall-clock ones (the machine is shared). Prints
one JSON object.
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

from highharm.evaluation import charts  # noqa: E402
from highharm.evaluation.engine import EvaluationParams, evaluate  # noqa: E402
from highharm.evaluation.readers import read_catalogue, read_incidents  # noqa: E402

CATALOGUE_FILE = ROOT / "src" / "highharm" / "data" / "offences.csv"


def make_force(args, seed: int = 7):
    rng = np.random.default_rng(seed)
    n_people = args.managed + args.comparison + args.others
    refs = np.array([f"P{i:07d}" for i in range(n_people)])
    # Managed people offend most, the comparison group a little less, everyone else rarely.
    shape = np.concatenate(
        [
            np.full(args.managed, 2.0),
            np.full(args.comparison, 1.2),
            np.full(args.others, 0.5),
        ]
    )
    rate = rng.gamma(shape, 1.0)
    who = rng.choice(n_people, size=args.incidents, p=rate / rate.sum())
    start, end = np.datetime64("2019-01-01"), np.datetime64("2025-06-30")
    span = int((end - start).astype(int))
    day = start + rng.integers(0, span, size=args.incidents).astype("timedelta64[D]")
    catalogue = read_catalogue(CATALOGUE_FILE)
    codes = catalogue["code"].to_numpy()
    weights = rng.gamma(0.7, 1.0, size=codes.size)
    code = codes[rng.choice(codes.size, size=args.incidents, p=weights / weights.sum())]
    incidents = pl.DataFrame(
        {"perpetrator_ref": refs[who], "occurred_on": day, "offence_code": code}
    ).with_columns(
        pl.col("occurred_on").cast(pl.Date),
        pl.format("CR{}", pl.int_range(0, args.incidents)).alias("crime_reference"),
    )
    index_start = np.datetime64("2023-01-01")
    index = index_start + rng.integers(0, 365, size=n_people).astype("timedelta64[D]")

    def cohort(lo, hi, group):
        return pl.DataFrame(
            {"perpetrator_ref": refs[lo:hi], "index_date": index[lo:hi], "group": group}
        ).with_columns(pl.col("index_date").cast(pl.Date))

    managed = cohort(0, args.managed, "adopted")
    comparison = cohort(args.managed, args.managed + args.comparison, "comparison")
    return managed, comparison, incidents, catalogue


def timed(fn, repeat: int):
    walls, cpus, value = [], [], None
    for _ in range(repeat):
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        value = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - cpu0)
    return value, min(walls), statistics.median(walls), min(cpus)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=2_000_000)
    parser.add_argument("--managed", type=int, default=1_000)
    parser.add_argument("--comparison", type=int, default=10_000)
    parser.add_argument("--others", type=int, default=40_000)
    parser.add_argument("--bootstrap", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-cli", action="store_true")
    args = parser.parse_args()

    t0 = time.perf_counter()
    managed, comparison, incidents, catalogue = make_force(args)
    generate_seconds = time.perf_counter() - t0
    params = EvaluationParams(as_of=incidents["occurred_on"].max(), bootstrap=args.bootstrap)

    def run_evaluate():
        return evaluate(
            cohort=managed,
            comparison=comparison,
            incidents=incidents,
            catalogue=catalogue,
            params=params,
        )

    t0 = time.perf_counter()
    result = run_evaluate()  # warm-up: first use of statsmodels, lifelines, matplotlib
    charts.all_charts(result)
    warmup_seconds = time.perf_counter() - t0

    result, ev_min, ev_median, ev_cpu = timed(run_evaluate, args.repeat)
    drawn, ch_min, ch_median, ch_cpu = timed(lambda: charts.all_charts(result), args.repeat)
    _, tot_min, tot_median, tot_cpu = timed(lambda: charts.all_charts(run_evaluate()), args.repeat)

    out = {
        "benchmark": "evaluate",
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "incidents": incidents.height,
        "managed": managed.height,
        "comparison": comparison.height,
        "other_people": args.others,
        "bootstrap": args.bootstrap,
        "repeat": args.repeat,
        "incidents_in_windows": result["parameters"]["incidents_in_windows"],
        "generate_seconds": round(generate_seconds, 2),
        "warmup_seconds": round(warmup_seconds, 2),
        "evaluate_seconds": round(ev_min, 3),
        "evaluate_median_seconds": round(ev_median, 3),
        "evaluate_cpu_seconds": round(ev_cpu, 3),
        "charts_seconds": round(ch_min, 3),
        "charts_cpu_seconds": round(ch_cpu, 3),
        "total_seconds": round(tot_min, 3),
        "total_median_seconds": round(tot_median, 3),
        "total_cpu_seconds": round(tot_cpu, 3),
        "chart_svg_bytes": sum(len(c["uri"]) for c in drawn),
        "did_offences": result["did"]["estimate"],
        "did_ci": result["did"]["ci"],
        "sms_level": result["sms_level"],
    }

    with tempfile.TemporaryDirectory(prefix="hh-bench-eval-") as tmp:
        tmp = Path(tmp)
        parquet, csv = tmp / "incidents.parquet", tmp / "incidents.csv"
        incidents.write_parquet(parquet)
        incidents.with_columns(pl.col("occurred_on").dt.strftime("%Y-%m-%d")).write_csv(csv)
        _, pq_min, _, pq_cpu = timed(lambda: read_incidents(parquet), args.repeat)
        _, csv_min, _, csv_cpu = timed(lambda: read_incidents(csv), args.repeat)
        out |= {
            "read_parquet_seconds": round(pq_min, 3),
            "read_parquet_cpu_seconds": round(pq_cpu, 3),
            "read_csv_seconds": round(csv_min, 3),
            "read_csv_cpu_seconds": round(csv_cpu, 3),
            "csv_megabytes": round(csv.stat().st_size / 1e6, 1),
        }
        if not args.no_cli:
            managed.write_csv(tmp / "managed.csv")
            comparison.write_csv(tmp / "comparison.csv")
            command = [
                str(ROOT / ".venv" / "bin" / "highharm"),
                "evaluate",
                *("--cohort", str(tmp / "managed.csv")),
                *("--comparison", str(tmp / "comparison.csv")),
                *("--incidents", str(parquet), "--catalogue", str(CATALOGUE_FILE)),
                *("--format", "json", "--out", str(tmp / "result.json")),
                *("--bootstrap", str(args.bootstrap), "--verbosity", "0"),
            ]
            env = os.environ | {"HIGHHARM_DEBUG": "1"}
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(command, check=True, env=env)
            cli_seconds = time.perf_counter() - t0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cli = json.loads((tmp / "result.json").read_text())
            out |= {
                "cli_seconds": round(cli_seconds, 2),
                "cli_cpu_seconds": round(
                    (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 2
                ),
                "cli_matches_engine": cli["did"] == result["did"]
                and cli["cohort"] == result["cohort"],
            }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
