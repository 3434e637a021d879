"""Time and memory budgets: run a computation in a worker process that is stopped when
its budget is spent.

SymPy calls can run for ever (``simplify`` of a tower of powers, an integral it cannot
do). A thread cannot be stopped and ``signal.alarm`` is process-global, so the work goes
to a forked child; the parent waits at most `timeout` seconds and kills the child then.
The child's address space is capped, so an exploding expression costs memory up to the
cap and no more.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from checker.errors import BudgetSpent

T = TypeVar("T")

#: Address-space cap of a worker, in bytes.
DEFAULT_MEMORY = 4 * 1024**3

_HAS_FORK = sys.platform != "win32" and "fork" in mp.get_all_start_methods()


class WorkerError(RuntimeError):
    """The computation raised inside the worker; the message carries its traceback."""


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


def _child(conn: Any, fn: Callable[..., Any], args: tuple[Any, ...], memory: int | None) -> None:
    _die_with_parent()
    if memory:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        except (ImportError, ValueError, OSError):
            pass
    try:
        result = ("ok", fn(*args))
    except MemoryError:
        result = ("memory", "memory budget spent")
    except BaseException as exc:  # report anything; the parent decides what it means
        result = ("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}")
    try:
        conn.send(result)
    except Exception as exc:  # unpicklable result
        conn.send(("error", f"result could not be sent back: {type(exc).__name__}: {exc}"))
    finally:
        conn.close()
        os._exit(0)


def call_with_budget(
    fn: Callable[..., T],
    *args: Any,
    timeout: float,
    memory: int | None = DEFAULT_MEMORY,
    what: str = "computation",
) -> T:
    """Run ``fn(*args)`` in a worker process, for at most `timeout` seconds.

    Args:
        fn: the computation; its result must be picklable.
        timeout: seconds of wall time allowed.
        memory: address-space cap of the worker in bytes, or None.
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
    proc = ctx.Process(target=_child, args=(sender, fn, args, memory), daemon=False)
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


__all__ = ["DEFAULT_MEMORY", "WorkerError", "call_with_budget"]
