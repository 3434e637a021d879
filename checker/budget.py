"""Time and memory budgets: run a computation in a worker process that is stopped when
its budget is spent.

SymPy calls can run for ever (``simplify`` of a tower of powers, an integral it cannot
do, ``(1/3)^{10^{12}}`` evaluated exactly). A thread cannot be stopped and ``signal.alarm``
is process-global, so the work goes to a forked child, and the parent kills the child once
it has spent its budget. The child's address space is capped (``setrlimit(RLIMIT_AS)``,
Linux), so an exploding expression costs memory up to the cap and no more.

A time budget counts CPU seconds, not wall time: on a machine busy with other work a
computation gets fewer seconds of CPU per second of wall time, and a wall-clock budget would
then stop it earlier in its work and change the verdict. On Linux the parent reads the
worker's user + system time (with that of the sub-workers it has ended) from
``/proc/<pid>/stat``; elsewhere it falls back to wall time. A generous wall-clock cap
(`wall_cap`) still stops a worker that is blocked without using any CPU.

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


#: The wall-clock safety cap of a budget of b CPU seconds is max(WALL_FACTOR * b, b + WALL_SLACK).
WALL_FACTOR = 4.0
WALL_SLACK = 30.0
#: Bounds, in seconds, of the pause between two looks at a worker's CPU time.
_POLL_MIN, _POLL_MAX = 0.01, 0.25


def _cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _clock_ticks() -> int:
    try:
        return int(os.sysconf("SC_CLK_TCK"))
    except (AttributeError, ValueError, OSError):
        return 0


_CORES = _cpu_count()
_TICKS = _clock_ticks()
_PROC = sys.platform.startswith("linux") and _TICKS > 0 and os.path.exists(f"/proc/{os.getpid()}/stat")


def wall_cap(budget: float) -> float:
    """Wall-clock seconds after which a worker with `budget` CPU seconds is stopped whatever it used."""
    return max(WALL_FACTOR * budget, budget + WALL_SLACK)


def cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system) used so far by process `pid` and the children it has waited for.

    Read from ``/proc/<pid>/stat`` (utime + stime + cutime + cstime, in clock ticks): every
    thread of the process counts, and so do the sub-workers it started and has ended (a
    claim's budget holds the budgets of its steps). The main thread's run time in nanoseconds
    (``/proc/<pid>/schedstat``) refines the ticks, so that budgets of a few milliseconds are
    counted too. None when unknown (not Linux, or no such process).
    """
    if not _PROC:
        return None
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            data = fh.read()
        # the command name (field 2) may hold spaces and parentheses: split after its last ")"
        fields = data[data.rindex(b")") + 2:].split()
        own = (int(fields[11]) + int(fields[12])) / _TICKS  # fields 14 and 15: utime, stime
        children = (int(fields[13]) + int(fields[14])) / _TICKS  # fields 16 and 17: cutime, cstime
    except (OSError, ValueError, IndexError):
        return None
    try:
        with open(f"/proc/{pid}/schedstat", "rb") as fh:
            own = max(own, int(fh.read().split()[0]) / 1e9)
    except (OSError, ValueError, IndexError):
        pass
    return own + children


class _Meter:
    """How much of its time budget one computation in worker `pid` has spent."""

    def __init__(self, pid: int, budget: float, wall: float | None, cpu_start: float | None = None) -> None:
        self.pid, self.budget = pid, budget
        self.cap = wall_cap(budget) if wall is None else wall
        self.start = time.monotonic()
        self.cpu_start: float | None = None  # None: CPU time cannot be read, wall time stands in
        if _PROC:
            self.cpu_start = cpu_start if cpu_start is not None else (cpu_seconds(pid) or 0.0)

    def used(self) -> float:
        """CPU seconds used by the computation (wall seconds when CPU time cannot be read)."""
        if self.cpu_start is None:
            return time.monotonic() - self.start
        now = cpu_seconds(self.pid)
        return 0.0 if now is None else now - self.cpu_start  # gone: its pipe tells what happened

    def overrun(self) -> bool:
        """Whether the computation, which has ended, used more CPU time than its budget.

        Asked when its answer arrives, so that whether a budget was spent depends on the CPU
        time used and not on when the parent happened to look.
        """
        return self.cpu_start is not None and self.used() > self.budget

    def spent(self) -> str | None:
        """Whether the budget is spent: "cpu" (its CPU time), "wall" (the wall-clock cap), or None."""
        if self.used() >= self.budget:
            return "cpu"
        if time.monotonic() - self.start >= self.cap:
            return "wall"
        return None

    def wait(self) -> float:
        """Seconds of wall time to wait before looking again (shorter as the budget runs out)."""
        wall_left = self.cap - (time.monotonic() - self.start)
        left = self.budget - self.used()
        if self.cpu_start is not None:  # n cores spend at most n CPU seconds a second
            left = min(_POLL_MAX, max(_POLL_MIN, left / _CORES))
        return max(0.0, min(left, wall_left))

    def message(self, how: str) -> str:
        """Why the computation was stopped ("time budget spent (...)")."""
        if how == "wall":
            return f"time budget spent ({self.budget:g} s; stopped at the wall-clock cap of {self.cap:g} s)"
        return f"time budget spent ({self.budget:g} s)"


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
    wall: float | None = None,
) -> T:
    """Run ``fn(*args)`` in a worker process, for at most `timeout` seconds of CPU time.

    Args:
        fn: the computation; its result must be picklable.
        timeout: CPU seconds allowed (user + system, of the worker and of the sub-workers
            it has ended; wall seconds where CPU time cannot be read).
        memory: address-space cap of the worker in bytes, None for none, CONFIGURED (the
            default) for the limit set by `set_memory_limit`.
        what: a few words for the message when the budget is spent.
        wall: wall-clock seconds after which the worker is stopped whatever CPU time it
            used (default: `wall_cap` of `timeout`).

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
    meter = _Meter(proc.pid, timeout, wall, cpu_start=0.0)  # a fresh child starts from no CPU time
    try:
        while not receiver.poll(meter.wait()):
            how = meter.spent()
            if how == "wall":
                raise BudgetSpent(timeout, f"{what} (stopped at the wall-clock cap of {meter.cap:g} s)")
            if how:
                raise BudgetSpent(timeout, what)
        try:
            status, payload = receiver.recv()
        except EOFError:  # the worker died (killed by the memory cap or a signal)
            raise BudgetSpent(timeout, what + " (worker stopped: memory budget)") from None
        if meter.overrun():  # it answered, but only after its budget was spent
            raise BudgetSpent(timeout, what)
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
    """Up to `jobs` worker processes; each computation gets its own budget of CPU time.

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
        self._queue: deque[tuple[int, Callable[[Any], Any], Any, float, float | None]] = deque()
        self._busy: dict[Any, tuple[_Worker, int, _Meter]] = {}  # conn -> worker, ticket, its budget
        self._ready: list[tuple[int, Outcome]] = []
        self._tickets = 0

    def __enter__(self) -> BudgetPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker; what is still running or queued is dropped."""
        for worker, _, _ in self._busy.values():
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

    def submit(self, fn: Callable[[Any], Any], item: Any, *, timeout: float, wall: float | None = None) -> int:
        """Queue ``fn(item)`` with a budget of `timeout` CPU seconds; returns its ticket.

        The worker is also stopped after `wall` seconds of wall time (default: `wall_cap`
        of `timeout`), whatever CPU time it used.
        """
        self._tickets += 1
        if self._ctx is None:  # no fork: no way to stop a computation; run it now, in-process
            status, payload = _attempt(fn, (item,))
            self._ready.append((self._tickets, Outcome(status, payload) if status == "ok"
                                else Outcome(status, message=str(payload))))
        else:
            self._queue.append((self._tickets, fn, item, timeout, wall))
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
            ticket, fn, item, budget, wall = self._queue.popleft()
            assert self._ctx is not None
            worker = self._idle.pop() if self._idle else _Worker(self._ctx, self.memory)
            meter = _Meter(worker.proc.pid, budget, wall)  # CPU time counted from here: the worker is idle
            try:
                worker.conn.send((fn, item))
            except Exception as exc:  # the task itself cannot be sent (unpicklable)
                worker.stop(kill=True)
                self._ready.append((ticket, Outcome("error", message=f"could not be sent to a worker: "
                                                                     f"{type(exc).__name__}: {exc}")))
                continue
            self._busy[worker.conn] = (worker, ticket, meter)

    def _wait(self) -> None:
        if not self._busy:
            return
        wait = min(meter.wait() for _, _, meter in self._busy.values())
        for conn in mpc.wait(list(self._busy), timeout=wait):
            worker, ticket, meter = self._busy.pop(conn)
            try:
                status, payload = conn.recv()
            except (EOFError, OSError):  # it died without answering
                self._ready.append((ticket, worker.death()))
                continue
            if meter.overrun():  # it answered, but only after its budget was spent
                status, payload = "time", meter.message("cpu")
            if status == "memory":  # a worker that ran out of memory is not reused
                worker.stop(kill=True)
            else:
                self._idle.append(worker)
            self._ready.append((ticket, Outcome("ok", payload) if status == "ok"
                                else Outcome(status, message=str(payload))))
        for conn, (worker, ticket, meter) in list(self._busy.items()):
            how = meter.spent()
            if how:
                del self._busy[conn]
                worker.stop(kill=True)
                self._ready.append((ticket, Outcome("time", message=meter.message(how))))

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any], *, timeout: float, wall: float | None = None,
            on_done: Callable[[int, int], None] | None = None) -> list[Outcome]:
        """``fn(item)`` for every item, each within `timeout` seconds of CPU time.

        `fn` must be a module-level function and items and results picklable. `wall` is as
        in `submit`. `on_done` is called with (finished, total) after each computation ends.
        """
        tickets = {self.submit(fn, item, timeout=timeout, wall=wall): i for i, item in enumerate(items)}
        results: list[Outcome | None] = [None] * len(items)
        finished = 0
        while finished < len(items):
            for ticket, outcome in self.collect():
                results[tickets[ticket]] = outcome
                finished += 1
                if on_done:
                    on_done(finished, len(items))
        return [r for r in results if r is not None]


__all__ = ["CONFIGURED", "DEFAULT_MEMORY", "WALL_FACTOR", "WALL_SLACK", "BudgetPool", "Outcome", "WorkerError",
           "call_with_budget", "cpu_seconds", "memory_limit", "set_memory_limit", "wall_cap"]
