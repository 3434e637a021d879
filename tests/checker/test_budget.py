"""Budgets: worker processes stopped when their time is spent, capped in memory, results in order."""

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


def test_pool_gives_results_in_input_order_whatever_finishes_first():
    """Results come back in the order of the inputs even when later ones finish first."""
    items = [(0.3, 0), (0.0, 1), (0.2, 2), (0.0, 3), (0.1, 4)]
    with BudgetPool(2) as pool:
        outcomes = pool.map(_sleep_then, items, timeout=5)
    assert [o.value for o in outcomes] == [0, 1, 2, 3, 4]
    assert all(o.ok for o in outcomes)


def test_pool_stops_an_overrunning_task_and_the_others_finish():
    """A task that never returns is stopped at its budget; the tasks around it still give their results."""
    start = time.monotonic()
    with BudgetPool(2) as pool:
        outcomes = pool.map(_sleep_then, [(0.0, 1), (60.0, 2), (0.0, 3)], timeout=1.0)
    elapsed = time.monotonic() - start
    assert [o.status for o in outcomes] == ["ok", "time", "ok"]
    assert outcomes[1].message == "time budget spent (1 s)"
    assert [outcomes[0].value, outcomes[2].value] == [1, 3]
    assert elapsed < 1.0 + 2.0


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
    """A loop that never ends costs its budget and no more."""
    start = time.monotonic()
    with pytest.raises(BudgetSpent):
        call_with_budget(_spin_for_ever, None, timeout=0.5)
    assert time.monotonic() - start < 0.5 + 2.0


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
