"""The identification engine of an earlier commit against the current one, alternately in one
process on the same data, so both see the same load (the machine is shared).

    .venv/bin/python bench/compare/identify_ab.py --commit 8338efe [--rows 10000000] [--runs 6]

Times `engine.rank` + `engine.finish(explain=False)` of each, alternating which goes first,
checks both give the same table, and prints JSON with the medians, every run and the
1-minute load average before and after. The data is bench/identify.py's cached Parquet
file (run that benchmark once first). Not in `make bench` (it needs a commit to compare).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import identify as bench  # noqa: E402

from highharm.scoring import engine as current  # noqa: E402


def engine_at(commit: str):
    source = subprocess.run(
        ["git", "show", f"{commit}:src/highharm/scoring/engine.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "engine_before.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("engine_before", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--commit", required=True)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=6)
    args = parser.parse_args()
    path = bench.OUT / f"identify-{args.rows}-{args.seed}.parquet"
    if not path.exists():
        raise SystemExit(f"{path} is missing: run bench/identify.py --rows {args.rows} first")
    frame = bench.read(path)
    engines = {"before": engine_at(args.commit), "now": current}

    def scored(module):
        ranked = module.rank(frame, as_of=bench.AS_OF, config=bench.CONFIG)
        return module.finish(ranked, as_of=bench.AS_OF, config=bench.CONFIG, explain=False)

    load_before = os.getloadavg()[0]
    runs: dict[str, list[tuple[float, float]]] = {"before": [], "now": []}
    for i in range(args.runs):
        for name in ("before", "now") if i % 2 == 0 else ("now", "before"):
            wall, cpu = time.perf_counter(), time.process_time()
            result = scored(engines[name])
            runs[name].append((time.perf_counter() - wall, time.process_time() - cpu))
            del result
    a = scored(engines["before"]).sort("perpetrator_ref")
    b = scored(engines["now"]).sort("perpetrator_ref")
    report = {
        "rows": args.rows,
        "commit": args.commit,
        "identical": a.equals(b),
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
    }
    for name, values in runs.items():
        report[f"{name}_wall_s"] = round(statistics.median(w for w, _ in values), 2)
        report[f"{name}_cpu_s"] = round(statistics.median(c for _, c in values), 2)
        report[f"{name}_runs"] = [[round(w, 2), round(c, 2)] for w, c in values]
    print(json.dumps(report))
    if not report["identical"]:
        raise SystemExit("the two engines differ")


if __name__ == "__main__":
    main()
