"""Budgets: worker processes stopped when their CPU time is spent (or at a wall-clock cap), capped in memory,
results in order."""

from __future__ import annotations

import os
import time

import pytest

from checker import budget
from checker.budget import BudgetPool, call_with_budget, memory_limit, set_memory_limit
from checker.errors import BudgetSpent


def _sleep_then(arg: tuple[float, int]) -> int:
    seconds, value = arg
    time.sleep(seconds)
    return value


def _allocate(megabytes: int) -> int:
    block = bytearray(megabytes * 1024 * 1024)
    return len(block)


def _fail(message: str) -> None:
    raise ValueError(message)


def _pid(_: object) -> int:
    return os.getpid()


def _spin_for_ever(_: object) -> None:
    while True:
        pass


def _spin_or_return(arg: tuple[bool, int]) -> int:
    spin, value = arg
    if spin:
        _spin_for_ever(None)
    return value


def _spin_for(seconds: float) -> float:
    """Use `seconds` of CPU time, then return them."""
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return seconds


def _children_cpu() -> float:
    """CPU seconds of this process's ended children (workers are joined once stopped)."""
    t = os.times()
    return t.children_user + t.children_system


#: Wall-clock seconds no test below should come near; only a safety net for a hung run.
HANG = 120.0
#: Resolution of the CPU times of ended children (os.times counts clock ticks), with some room for rounding.
TICK = 0.02


def test_pool_gives_results_in_input_order_whatever_finishes_first():
    """Results come back in the order of the inputs even when later ones finish first."""
    items = [(0.3, 0), (0.0, 1), (0.2, 2), (0.0, 3), (0.1, 4)]
    with BudgetPool(2) as pool:
        outcomes = pool.map(_sleep_then, items, timeout=5)
    assert [o.value for o in outcomes] == [0, 1, 2, 3, 4]
    assert all(o.ok for o in outcomes)


def test_pool_stops_an_overrunning_task_and_the_others_finish():
    """A task that never returns is stopped at its CPU budget; the tasks around it still give their results."""
    start = time.monotonic()
    with BudgetPool(2) as pool:
        outcomes = pool.map(_spin_or_return, [(False, 1), (True, 2), (False, 3)], timeout=1.0, wall=HANG)
    assert [o.status for o in outcomes] == ["ok", "time", "ok"]
    assert outcomes[1].message == "time budget spent (1 s)"  # its CPU budget, not the wall-clock cap
    assert [outcomes[0].value, outcomes[2].value] == [1, 3]
    assert time.monotonic() - start < HANG, "safety net only: the spinning task was never stopped"


def test_pool_replaces_a_killed_worker_and_reuses_the_others():
    """Workers are reused between tasks, and one killed for its budget is replaced by a new one."""
    with BudgetPool(1) as pool:
        first = pool.map(_pid, [None, None], timeout=5)
        assert first[0].value == first[1].value  # one worker served both
        spun = pool.map(_spin_for_ever, [None], timeout=0.5)
        after = pool.map(_pid, [None], timeout=5)
    assert spun[0].status == "time"
    assert after[0].ok and after[0].value != first[0].value


def test_pool_reports_an_exception_with_its_message():
    """A task that raises gives an error outcome with the exception's type and message."""
    with BudgetPool(1) as pool:
        (outcome,) = pool.map(_fail, ["no such thing"], timeout=5)
    assert outcome.status == "error" and outcome.message.startswith("ValueError: no such thing")


def test_memory_cap_stops_a_worker_that_allocates_past_it():
    """A worker capped at 200 MB that allocates 1 GB gives a memory outcome; below the cap it succeeds."""
    with BudgetPool(1, memory=200 * 1024 * 1024) as pool:
        big, small = pool.map(_allocate, [1024, 10], timeout=10)
    assert big.status == "memory"
    assert small.ok and small.value == 10 * 1024 * 1024


def test_call_with_budget_obeys_the_configured_memory_limit():
    """set_memory_limit caps every later worker; the default cap is restored afterwards."""
    previous = memory_limit()
    try:
        set_memory_limit(200 * 1024 * 1024)
        with pytest.raises(BudgetSpent, match="memory"):
            call_with_budget(_allocate, 1024, timeout=10)
        assert call_with_budget(_allocate, 10, timeout=10) == 10 * 1024 * 1024
    finally:
        set_memory_limit(previous)
    assert memory_limit() == previous == budget.DEFAULT_MEMORY


def test_memory_limit_must_be_positive():
    """A memory limit of zero or less is refused."""
    with pytest.raises(ValueError):
        set_memory_limit(0)


def test_call_with_budget_stops_a_computation_that_never_returns():
    """A loop that never ends costs its budget of CPU time and no more."""
    before = _children_cpu()
    with pytest.raises(BudgetSpent) as spent:
        call_with_budget(_spin_for_ever, None, timeout=0.5, wall=HANG)
    assert str(spent.value) == "time budget spent (0.5 s) in computation", spent.value  # not the wall-clock cap
    used = _children_cpu() - before
    if budget.cpu_seconds(os.getpid()) is not None:  # CPU time is what is counted: the loop got its half second
        assert used >= 0.5 - TICK, f"stopped after {used:.2f} CPU seconds"
        assert used < 0.5 + 2.0, f"stopped only after {used:.2f} CPU seconds"


def test_a_spinning_pool_task_gets_its_whole_cpu_budget():
    """A pooled task that spins for ever is stopped once it has used its CPU budget, not before."""
    before = _children_cpu()
    with BudgetPool(1) as pool:
        (outcome,) = pool.map(_spin_for_ever, [None], timeout=0.5, wall=HANG)
    assert outcome.status == "time" and outcome.message == "time budget spent (0.5 s)"
    if budget.cpu_seconds(os.getpid()) is not None:
        assert _children_cpu() - before >= 0.5 - TICK


@pytest.mark.skipif(budget.cpu_seconds(os.getpid()) is None, reason="CPU time of a process is read from /proc (Linux)")
def test_an_answer_that_took_more_cpu_time_than_the_budget_is_not_taken():
    """Whether a budget was spent depends on the CPU time used, not on when the parent looked: an answer that
    arrives after using more than its budget (even a budget of milliseconds) is a spent budget."""
    with pytest.raises(BudgetSpent):
        call_with_budget(_spin_for, 0.05, timeout=0.002, wall=HANG)
    with BudgetPool(1) as pool:
        (over,) = pool.map(_spin_for, [0.05], timeout=0.002, wall=HANG)
        again = pool.map(_spin_for, [0.05], timeout=5, wall=HANG)[0]
    assert over.status == "time" and over.message == "time budget spent (0.002 s)"
    assert again.ok and again.value == 0.05


@pytest.mark.skipif(budget.cpu_seconds(os.getpid()) is None, reason="CPU time of a process is read from /proc (Linux)")
def test_a_sleeping_computation_is_not_stopped_by_its_cpu_budget():
    """Sleeping uses no CPU: a computation that sleeps past its budget still gives its result."""
    assert call_with_budget(_sleep_then, (1.0, 7), timeout=0.3, wall=HANG) == 7
    with BudgetPool(1) as pool:
        (outcome,) = pool.map(_sleep_then, [(1.0, 8)], timeout=0.3, wall=HANG)
    assert outcome.ok and outcome.value == 8


def test_a_sleeping_computation_is_stopped_by_the_wall_clock_cap():
    """A computation blocked without using CPU is still stopped, at the wall-clock safety cap."""
    with pytest.raises(BudgetSpent, match="wall-clock cap of 1 s"):
        call_with_budget(_sleep_then, (3600.0, 7), timeout=0.2, wall=1.0)
    start = time.monotonic()
    with BudgetPool(2) as pool:
        outcomes = pool.map(_sleep_then, [(3600.0, 1), (0.0, 2)], timeout=0.2, wall=1.0)
    assert [o.status for o in outcomes] == ["time", "ok"]
    assert outcomes[0].message == "time budget spent (0.2 s; stopped at the wall-clock cap of 1 s)"
    assert time.monotonic() - start >= 1.0  # the cap is wall time: not reached any sooner


def test_the_default_wall_clock_cap_is_generous(monkeypatch):
    """Without `wall`, the cap is four times the budget and at least 30 s more; it can be tuned module-wide."""
    assert budget.wall_cap(0.5) == 30.5 and budget.wall_cap(20) == 80
    monkeypatch.setattr(budget, "WALL_SLACK", 0.5)
    monkeypatch.setattr(budget, "WALL_FACTOR", 2.0)
    with pytest.raises(BudgetSpent, match="wall-clock cap of 1 s"):
        call_with_budget(_sleep_then, (3600.0, 7), timeout=0.5)


@pytest.mark.skipif(budget.cpu_seconds(os.getpid()) is None, reason="CPU time of a process is read from /proc (Linux)")
def test_cpu_seconds_counts_this_process_and_its_ended_children():
    """cpu_seconds follows process_time for this process, plus the CPU time of the children it has waited for."""
    ours = budget.cpu_seconds(os.getpid())
    assert ours is not None
    t = os.times()
    assert abs(ours - (t.user + t.system + t.children_user + t.children_system)) < 0.1
    assert budget.cpu_seconds(2**22 + 1) is None  # no such process


def _crash(_: object) -> None:
    import faulthandler
    import signal

    faulthandler.disable()  # pytest's crash dump would only be noise here
    os.kill(os.getpid(), signal.SIGSEGV)


def test_a_worker_that_crashes_is_reported_and_replaced():
    """A worker that dies (a segfault) gives an error naming the signal; the next task runs in a new worker."""
    with BudgetPool(1) as pool:
        crashed, after = pool.map(_crash, [None, None], timeout=5)[0], pool.map(_pid, [None], timeout=5)[0]
    assert crashed.status == "error" and "SIGSEGV" in crashed.message
    assert after.ok
