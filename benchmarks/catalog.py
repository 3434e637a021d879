"""Time a full `mathcheck catalog` run in a fresh process (target: under 10 s on 2 cores).

Usage: python benchmarks/catalog.py [--runs N]

One untimed run first compiles the bytecode; the timed runs keep it, as an installation does.
Prints the wall time of each run, the median, and the summary the run reported.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


#: Python's default of keeping compiled bytecode, as an installation has (a
#: PYTHONDONTWRITEBYTECODE=1 environment recompiles every module at every start).
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="number of runs (default 3)")
    args = parser.parse_args()
    times = []
    summary = None
    subprocess.run([sys.executable, "-m", "checker", "catalog", "--id", "act.sigmoid"], capture_output=True,
                   check=False, env=_ENV)  # untimed: compiles the bytecode once
    for k in range(args.runs):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "checker", "catalog", "--format", "json"],
                              capture_output=True, text=True, check=False, env=_ENV)
        elapsed = time.perf_counter() - start
        times.append(elapsed)
        try:
            summary = json.loads(proc.stdout)["summary"]
        except (json.JSONDecodeError, KeyError):
            print(proc.stderr[-2000:], file=sys.stderr)
            return 1
        print(f"run {k + 1}: {elapsed:.2f} s (exit {proc.returncode})")
    print(f"median: {statistics.median(times):.2f} s over {args.runs} runs (target < 10 s)")
    print(f"summary: {summary}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
