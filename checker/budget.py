"""Time and memory budgets: run a computation in a worker process that is stopped when
its budget is spent.

SymPy calls can run for ever (``simplify`` of a tower of powers, an integral it cannot
do, ``(1/3)^{10^{12}}`` evaluated exactly). A thread cannot be stopped and ``signal.alarm``
is process-global, so the work goes to a forked child; the parent waits at most `timeout`
seconds and kills the child then. The child's address space is capped
(``setrlimit(RLIMIT_AS)``, Linux), so an exploding expression costs memory up to the cap
and no more.

Two ways in:

- `call_with_budget`: one computation, one fresh child (used inside the engine, for one
  `simplify` or one integral);
- `BudgetPool`: many computations over a few long-lived workers, each computation under its
  own time budget; a worker whose computation overruns is killed and replaced, the others
  go on. Forking a process per equation of a large book would cost more than checking it.

The pool uses pipes and no threads: forking a process that has threads (as
`concurrent.futures` pools do) can copy a held lock into the child and hang it.
"""

from __future__ import annotations

import multiprocessing as mp
import multiprocessing.connection as mpc
import os
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from checker.errors import BudgetSpent

T = TypeVar("T")

#: Default memory budget of a worker, in bytes (``--memory`` changes it): how much address
#: space it may add to what it had when forked. SymPy rarely needs more than a few hundred
#: MB; 4 GiB leaves room for large but honest work and still stops an expression that grows
#: without bound long before the machine swaps.
DEFAULT_MEMORY = 4 * 1024**3
#: Passed as `memory`: use the limit set by `set_memory_limit` (DEFAULT_MEMORY unless changed).
CONFIGURED = -1

_HAS_FORK = sys.platform != "win32" and "fork" in mp.get_all_start_methods()
_memory_limit: int | None = DEFAULT_MEMORY


class WorkerError(RuntimeError):
    """The computation raised inside the worker; the message carries its traceback."""


def set_memory_limit(nbytes: int | None) -> None:
    """Set the address-space cap of every worker started from now on (None: no cap).

    Process-wide on purpose: the engine starts workers from many places (a `simplify`, an
    integral, a claim), and all of them must obey the one limit the user chose.
    """
    global _memory_limit
    if nbytes is not None and nbytes <= 0:
        raise ValueError("the memory limit must be a positive number of bytes")
    _memory_limit = nbytes


def memory_limit() -> int | None:
    """The address-space cap workers get, in bytes (None: none)."""
    return _memory_limit


def _resolve(memory: int | None) -> int | None:
    return _memory_limit if memory == CONFIGURED else memory


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when its parent dies, so no orphan keeps computing."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _address_space() -> int:
    """This process's current address-space size in bytes (0 when unknown)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _cap_memory(memory: int | None) -> None:
    """Let this worker grow by at most `memory` bytes beyond what it holds at the fork.

    RLIMIT_AS counts address space, not resident memory, and a worker forked from a process
    that has SymPy, NumPy and their thread pools loaded starts with hundreds of MB of it; a
    cap counted from zero would fail the first allocation. So the budget is what the
    computation may add.
    """
    if not memory:
        return
    memory += _address_space()
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY and memory > hard:
            memory = hard  # cannot raise the hard limit; keep the tighter one
        if soft == resource.RLIM_INFINITY or memory < soft:
            resource.setrlimit(resource.RLIMIT_AS, (memory, hard))
    except (ImportError, ValueError, OSError):
        pass  # not Linux (or not allowed): the time budget still holds


def _attempt(fn: Callable[..., Any], args: tuple[Any, ...]) -> tuple[str, Any]:
    try:
        return "ok", fn(*args)
    except MemoryError:
        return "memory", "memory budget spent"
    except BaseException as exc:  # report anything; the parent decides what it means
        return "error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"


def _send(conn: Any, result: tuple[str, Any]) -> None:
    try:
        conn.send(result)
    except Exception as exc:  # unpicklable (or too large) result
        conn.send(("error", f"result could not be sent back: {type(exc).__name__}: {exc}"))


def _child(conn: Any, fn: Callable[..., Any], args: tuple[Any, ...], memory: int | None) -> None:
    _die_with_parent()
    _cap_memory(memory)
    try:
        _send(conn, _attempt(fn, args))
    finally:
        conn.close()
        os._exit(0)


def call_with_budget(
    fn: Callable[..., T],
    *args: Any,
    timeout: float,
    memory: int | None = CONFIGURED,
    what: str = "computation",
) -> T:
    """Run ``fn(*args)`` in a worker process, for at most `timeout` seconds.

    Args:
        fn: the computation; its result must be picklable.
        timeout: seconds of wall time allowed.
        memory: address-space cap of the worker in bytes, None for none, CONFIGURED (the
            default) for the limit set by `set_memory_limit`.
        what: a few words for the message when the budget is spent.

    Returns:
        What `fn` returned.

    Raises:
        BudgetSpent: the time or memory budget was spent; the worker has been stopped.
        WorkerError: `fn` raised.
    """
    if not _HAS_FORK:  # no way to stop a computation: run it in-process
        return fn(*args)
    ctx = mp.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    # not a daemon: a worker may need workers of its own (a claim's budget holds its steps' budgets)
    proc = ctx.Process(target=_child, args=(sender, fn, args, _resolve(memory)), daemon=False)
    proc.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise BudgetSpent(timeout, what)
        try:
            status, payload = receiver.recv()
        except EOFError:  # the worker died (killed by the memory cap or a signal)
            raise BudgetSpent(timeout, what + " (worker stopped: memory budget)") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        receiver.close()
    if status == "ok":
        return payload  # type: ignore[no-any-return]
    if status == "memory":
        raise BudgetSpent(timeout, what + " (memory budget spent)")
    raise WorkerError(payload)


# --- a pool of workers, each computation under its own budget -----------------------------

@dataclass(frozen=True, slots=True)
class Outcome:
    """How one computation of a `BudgetPool` ended.

    Attributes:
        status: "ok" (value is the result), "time" (the time budget was spent), "memory"
            (the memory budget was spent, or the worker died), "error" (it raised).
        value: the result, when "ok".
        message: what happened otherwise (for "error", the exception and its traceback).
    """

    status: str
    value: Any = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _pool_worker(conn: Any, memory: int | None) -> None:
    _die_with_parent()
    _cap_memory(memory)
    try:
        while True:
            try:
                task = conn.recv()
            except (EOFError, OSError):
                break
            if task is None:
                break
            fn, arg = task
            _send(conn, _attempt(fn, (arg,)))
    finally:
        os._exit(0)


class _Worker:
    def __init__(self, ctx: Any, memory: int | None) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        # not a daemon: the computation may start budgeted workers of its own
        self.proc = ctx.Process(target=_pool_worker, args=(child, memory), daemon=False)
        self.proc.start()
        child.close()

    def death(self) -> Outcome:
        """What to report for a worker that died in the middle of a computation."""
        self.proc.join(timeout=2)
        code = self.proc.exitcode
        self.stop(kill=True)
        if code is not None and code < 0:
            import signal

            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            if -code == signal.SIGKILL:  # what the kernel's out-of-memory killer sends
                return Outcome("memory", message=f"the worker was killed ({name}; out of memory?)")
            return Outcome("error", message=f"the worker died ({name})")
        return Outcome("error", message=f"the worker died (exit status {code})")

    def stop(self, *, kill: bool) -> None:
        if not kill:
            try:
                self.conn.send(None)
            except OSError:
                kill = True
        if kill and self.proc.is_alive():
            self.proc.kill()
        self.proc.join(timeout=None if kill else 5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


class BudgetPool:
    """Up to `jobs` worker processes; each computation gets its own time budget.

    Workers are forked lazily (so what the parent imported is already loaded in them) and
    reused; a worker whose computation overruns its budget, or that hits the memory cap, is
    killed and replaced. `map` gives results in the order of the inputs, whatever order the
    workers finish in; `submit` and `collect` let a caller add work while earlier work is
    still running. Use as a context manager, or call `close`.
    """

    def __init__(self, jobs: int = 1, *, memory: int | None = CONFIGURED) -> None:
        if jobs < 1:
            raise ValueError("a pool needs at least one worker")
        self.jobs = jobs
        self.memory = _resolve(memory)
        self._idle: list[_Worker] = []
        self._ctx = mp.get_context("fork") if _HAS_FORK else None
        self._queue: deque[tuple[int, Callable[[Any], Any], Any, float]] = deque()
        self._busy: dict[Any, tuple[_Worker, int, float, float]] = {}  # conn -> worker, ticket, deadline, budget
        self._ready: list[tuple[int, Outcome]] = []
        self._tickets = 0

    def __enter__(self) -> BudgetPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker; what is still running or queued is dropped."""
        for worker, _, _, _ in self._busy.values():
            worker.stop(kill=True)
        self._busy.clear()
        self._queue.clear()
        while self._idle:
            self._idle.pop().stop(kill=False)

    @property
    def pending(self) -> int:
        """Computations submitted and not yet collected."""
        return len(self._queue) + len(self._busy) + len(self._ready)

    @property
    def queued(self) -> int:
        """Computations waiting for a free worker."""
        return len(self._queue)

    def submit(self, fn: Callable[[Any], Any], item: Any, *, timeout: float) -> int:
        """Queue ``fn(item)`` with a budget of `timeout` seconds; returns its ticket."""
        self._tickets += 1
        if self._ctx is None:  # no fork: no way to stop a computation; run it now, in-process
            status, payload = _attempt(fn, (item,))
            self._ready.append((self._tickets, Outcome(status, payload) if status == "ok"
                                else Outcome(status, message=str(payload))))
        else:
            self._queue.append((self._tickets, fn, item, timeout))
        return self._tickets

    def collect(self) -> list[tuple[int, Outcome]]:
        """Wait until at least one computation has ended (if any is pending); give every ended one."""
        try:
            while not self._ready and (self._queue or self._busy):
                self._dispatch()
                self._wait()
        except BaseException:  # interrupted: stop what is still running
            self.close()
            raise
        out, self._ready = self._ready, []
        return out

    def _dispatch(self) -> None:
        while self._queue and len(self._busy) < self.jobs:
            ticket, fn, item, budget = self._queue.popleft()
            assert self._ctx is not None
            worker = self._idle.pop() if self._idle else _Worker(self._ctx, self.memory)
            try:
                worker.conn.send((fn, item))
            except Exception as exc:  # the task itself cannot be sent (unpicklable)
                worker.stop(kill=True)
                self._ready.append((ticket, Outcome("error", message=f"could not be sent to a worker: "
                                                                     f"{type(exc).__name__}: {exc}")))
                continue
            self._busy[worker.conn] = (worker, ticket, time.monotonic() + budget, budget)

    def _wait(self) -> None:
        if not self._busy:
            return
        wait = max(0.0, min(deadline for _, _, deadline, _ in self._busy.values()) - time.monotonic())
        for conn in mpc.wait(list(self._busy), timeout=wait):
            worker, ticket, _, _ = self._busy.pop(conn)
            try:
                status, payload = conn.recv()
            except (EOFError, OSError):  # it died without answering
                self._ready.append((ticket, worker.death()))
                continue
            if status == "memory":  # a worker that ran out of memory is not reused
                worker.stop(kill=True)
            else:
                self._idle.append(worker)
            self._ready.append((ticket, Outcome("ok", payload) if status == "ok"
                                else Outcome(status, message=str(payload))))
        now = time.monotonic()
        for conn, (worker, ticket, deadline, budget) in list(self._busy.items()):
            if now >= deadline:
                del self._busy[conn]
                worker.stop(kill=True)
                self._ready.append((ticket, Outcome("time", message=f"time budget spent ({budget:g} s)")))

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any], *, timeout: float,
            on_done: Callable[[int, int], None] | None = None) -> list[Outcome]:
        """``fn(item)`` for every item, each within `timeout` seconds of wall time.

        `fn` must be a module-level function and items and results picklable. `on_done` is
        called with (finished, total) after each computation ends.
        """
        tickets = {self.submit(fn, item, timeout=timeout): i for i, item in enumerate(items)}
        results: list[Outcome | None] = [None] * len(items)
        finished = 0
        while finished < len(items):
            for ticket, outcome in self.collect():
                results[tickets[ticket]] = outcome
                finished += 1
                if on_done:
                    on_done(finished, len(items))
        return [r for r in results if r is not None]


__all__ = ["CONFIGURED", "DEFAULT_MEMORY", "BudgetPool", "Outcome", "WorkerError", "call_with_budget",
           "memory_limit", "set_memory_limit"]
