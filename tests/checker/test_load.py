"""Verdicts do not depend on how busy the machine is: budgets count the CPU seconds of a worker,
and a worker that gets less of the CPU (other processes competing for the cores) still gets
its whole budget of CPU time."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTES = ROOT.parent / "shared" / "corpus" / "notes"
HANG = 1800.0  # wall-clock seconds: only a safety net against a run that never ends, however busy the machine
LOAD = 2  # busy-loop processes: as many as the cores of the target machine


def _check(files: list[str]) -> tuple[int, bytes]:
    """Exit status and JSON report of ``python -m checker check`` on `files`, one job, no cache."""
    proc = subprocess.run([sys.executable, "-m", "checker", "check", *files, "--format", "json", "--jobs", "1",
                           "--no-cache"], cwd=ROOT, capture_output=True, timeout=HANG)
    assert proc.returncode in (0, 1, 2), proc.stderr.decode(errors="replace")[-2000:]
    assert proc.stdout.startswith(b"{"), proc.stderr.decode(errors="replace")[-2000:]
    return proc.returncode, proc.stdout


@contextmanager
def _busy(n: int) -> Iterator[list[subprocess.Popen[bytes]]]:
    """`n` processes that spin the CPU for ever, competing with everything else for the cores."""
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(n):
            procs.append(subprocess.Popen([sys.executable, "-c", "while True: pass"]))
        yield procs
    finally:
        for p in procs:
            p.kill()
        for p in procs:
            p.wait()


@pytest.mark.slow
@pytest.mark.skipif(not NOTES.is_dir(), reason=f"needs the corpus notes in {NOTES}")
def test_verdicts_on_the_corpus_are_the_same_on_an_idle_and_on_a_busy_machine():
    """The JSON report on the corpus notes is byte for byte the same while two busy loops compete for the cores."""
    files = sorted(str(p) for p in NOTES.iterdir() if p.is_file())
    assert files, f"no notes in {NOTES}"
    idle = _check(files)
    with _busy(LOAD) as loops:
        busy = _check(files)
        assert all(p.poll() is None for p in loops), "a busy loop ended early: the machine was not loaded"
    assert busy[0] == idle[0]
    assert busy[1] == idle[1], _first_difference(idle[1], busy[1])


def _first_difference(a: bytes, b: bytes) -> str:
    """Where two reports first differ, with some context, for the failure message."""
    at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"reports differ at byte {at}:\n idle: {a[max(0, at - 200):at + 200]!r}\n busy: {b[max(0, at - 200):at + 200]!r}"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="CPU time of a worker is read from /proc (Linux)")
def test_a_computation_that_spins_gets_its_whole_budget_on_a_busy_machine():
    """Under load a spinning computation is stopped only once it has used its budget of CPU seconds."""
    from checker.budget import BudgetPool

    with _busy(LOAD):
        before = os.times()
        with BudgetPool(1) as pool:
            (outcome,) = pool.map(_spin_for_ever, [None], timeout=0.5, wall=HANG)
        after = os.times()
    assert outcome.status == "time" and outcome.message == "time budget spent (0.5 s)"
    used = after.children_user + after.children_system - before.children_user - before.children_system
    assert used >= 0.5 - 0.02, f"stopped after {used:.2f} CPU seconds"  # 0.02: clock ticks and rounding


def _spin_for_ever(_: object) -> None:
    while True:
        pass
