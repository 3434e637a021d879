"""Equations per second of `mathcheck check` over the corpus notes: cold, warm (cache), --jobs 2.

Usage: python benchmarks/notes.py [--runs N] [--notes DIR] [--timeout S]

Each figure is the wall time of a fresh `python -m checker check DIR --format json` process
(start-up included, after one untimed run that compiles the bytecode), median over the runs;
the CPU time of each run and the machine's load average are printed too, since other
processes on the machine slow the parallel runs most:

- cold, --jobs 1: an empty cache folder;
- warm: the same command again on the cache the cold run left;
- cold, --jobs 2: an empty cache folder, two worker processes.

Targets: warm at least 20 times faster than cold; --jobs 2 at least 1.6 times faster than
--jobs 1. Every run must write byte-identical JSON (warm = cold = parallel = a second cold
run); the script says so, or exits with status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_NOTES = ROOT.parent / "shared" / "corpus" / "notes"


#: The environment of the timed runs: Python's default of keeping compiled bytecode, as an
#: installation has (a PYTHONDONTWRITEBYTECODE=1 environment recompiles every module at every
#: start, which is start-up time, not checking time).
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _run(notes: Path, *options: str) -> tuple[float, str]:
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "checker", "check", str(notes), "--format", "json", *options],
                          capture_output=True, text=True, check=False, cwd=ROOT, env=_ENV)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    _CPU.append(after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime)
    try:
        json.loads(proc.stdout)
        ok = proc.returncode in (0, 1)
    except json.JSONDecodeError:
        ok = False
    if not ok:
        sys.stderr.write(proc.stderr[-3000:])
        raise SystemExit(f"mathcheck check failed (status {proc.returncode}, no JSON report)")
    return elapsed, proc.stdout


_CPU: list[float] = []  # CPU seconds of each run (its process and its workers)


def _engine_version() -> str:
    out = subprocess.run([sys.executable, "-c", "from checker.cache import engine_version; print(engine_version())"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return out.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each kind (default 3)")
    parser.add_argument("--notes", type=Path, default=DEFAULT_NOTES, help="folder of notes (default: the corpus)")
    parser.add_argument("--timeout", default="5", help="--timeout of the runs (default 5)")
    args = parser.parse_args()
    if not args.notes.is_dir():
        print(f"no notes folder at {args.notes}", file=sys.stderr)
        return 2
    version = _engine_version()
    load_before = os.getloadavg()[0]
    times: dict[str, list[float]] = {"cold": [], "warm": [], "jobs2": []}
    outputs: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="mathcheck-bench-") as tmp:
        _run(args.notes, "--timeout", args.timeout, "--no-cache")  # untimed: compiles the bytecode once
        _CPU.clear()
        for k in range(args.runs):
            cache1, cache2 = os.path.join(tmp, f"c1-{k}"), os.path.join(tmp, f"c2-{k}")
            for kind, options in (("cold", ("--jobs", "1", "--cache-dir", cache1)),
                                  ("warm", ("--jobs", "1", "--cache-dir", cache1)),
                                  ("jobs2", ("--jobs", "2", "--cache-dir", cache2))):
                elapsed, out = _run(args.notes, "--timeout", args.timeout, *options)
                times[kind].append(elapsed)
                outputs.add(out)
                print(f"run {k + 1} {kind:5s}: {elapsed:6.2f} s wall, {_CPU[-1]:6.2f} s CPU", flush=True)
    if _engine_version() != version:
        print("warning: mathcheck's sources changed during the benchmark; the warm runs may have missed the cache")
    equations = len(json.loads(next(iter(outputs)))["results"])
    median = {kind: statistics.median(t) for kind, t in times.items()}
    files = sum(1 for p in args.notes.rglob("*") if p.is_file())
    print(f"\n{equations} equations in {files} files ({args.notes}), median of {args.runs} runs, wall time of a "
          "fresh process:")
    for kind, label in (("cold", "cold, --jobs 1"), ("warm", "warm (cache)"), ("jobs2", "cold, --jobs 2")):
        print(f"  {label:15s} {median[kind]:6.2f} s  {equations / median[kind]:8.1f} equations/s")
    warm_ratio, jobs_ratio = median["cold"] / median["warm"], median["cold"] / median["jobs2"]
    print(f"  warm is {warm_ratio:.1f}x faster than cold (target >= 20x): {'met' if warm_ratio >= 20 else 'MISSED'}")
    print(f"  --jobs 2 is {jobs_ratio:.2f}x faster than --jobs 1 (target >= 1.6x): "
          f"{'met' if jobs_ratio >= 1.6 else 'MISSED'}")
    print(f"  load average of the machine: {load_before:.2f} before, {os.getloadavg()[0]:.2f} after "
          f"(on {os.cpu_count()} cores; other processes slow the --jobs runs down most)")
    identical = len(outputs) == 1
    print(f"  JSON of all {3 * args.runs} runs byte-identical: {'yes' if identical else 'NO'}")
    return 0 if identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
