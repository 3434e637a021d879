"""Parsing the equations of notes ahead of planning: in parallel, each under a budget.

Reading LaTeX is most of the work of checking a book (latex2sympy's parser, and SymPy
evaluating what it built: ``(1/2)^{1000000000}`` takes seconds, ``(1/3)^{10^{12}}`` never
ends). Planning must read equations in order, because directives and definitions carry over;
parsing one equation does not depend on the ones before it, only on the notation. So every
row is parsed first, over the workers of a `BudgetPool`, and the plan then looks the answers
up. A text that was not fetched ahead (a directive's argument, a row read with a notation
the prefetch did not guess) is parsed in a budgeted worker of its own: nothing from a
document is parsed in this process without a budget.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable
from typing import Any

import sympy as sp

from checker.budget import BudgetPool, Outcome, call_with_budget
from checker.errors import BudgetSpent
from checker.notation import Notation, ParseError, Parsed, parse_latex


class ParseBudgetSpent(ParseError):
    """Reading the equation spent its time or memory budget: it is undecided, not unreadable."""

    budget_spent = True


def _parse_task(arg: tuple[str, Notation]) -> tuple[str, Any, int | None]:
    """Run in a worker: ("ok", pickled Parsed, None) or ("refused", message, position).

    The answer goes back pickled, and is unpickled here first: unpickling rebuilds SymPy
    objects *with* evaluation, so an unevaluated ``2^{10^{12}}`` that parsed in no time
    would be computed in full by whoever unpickles it. Here that costs the worker's budget;
    in the parent it would be a hang.
    """
    text, notation = arg
    try:
        parsed = parse_latex(text, notation=notation)
    except ParseError as exc:
        return "refused", str(exc), exc.position
    data = pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL)
    pickle.loads(data)  # noqa: S301 - our own bytes, made a line above; see the docstring
    return "ok", data, None


def _answer(kind: str, value: Any, position: int | None) -> Parsed | ParseError:
    if kind == "ok":
        # the worker has shown that a full rebuild fits the budget; here rebuild without
        # evaluating (cheaper, and the tree the worker built: the parser keeps a + a unevaluated)
        with sp.evaluate(False):
            return pickle.loads(value)  # type: ignore[no-any-return]  # noqa: S301 - from our own worker
    return ParseError(value, position)


def _to_answer(outcome: Outcome, budget: float) -> Parsed | ParseError:
    if outcome.ok:
        return _answer(*outcome.value)
    if outcome.status == "time":
        return ParseBudgetSpent(f"time budget spent ({budget:g} s) while reading the equation")
    if outcome.status == "memory":
        return ParseBudgetSpent("memory budget spent while reading the equation")
    first = outcome.message.splitlines()[0][:160] if outcome.message else "unknown error"
    return ParseError(f"the parser failed: {first}")


#: Share of an equation's time budget that reading it may take. Reading is normally a few
#: milliseconds; what takes longer is SymPy evaluating a number it built (``(1/2)^{10^9}``),
#: which the check would not finish either. Reading gets its own, smaller budget so that
#: such an equation costs a fraction of the budget, not twice the budget.
PARSE_SHARE = 0.25
#: Reading always gets at least this many seconds (a long but honest equation on a loaded machine).
PARSE_FLOOR = 1.0


def parse_budget(timeout: float) -> float:
    """The time allowed to read one equation whose check has `timeout` seconds."""
    return min(timeout, max(PARSE_FLOOR, timeout * PARSE_SHARE))


class BudgetedParser:
    """A drop-in for `parse_latex` whose answers are computed in budgeted workers.

    Use as a context manager (or call `close`): the workers live from the first `prefetch`
    to the end, shared by every round of prefetching.

    Args:
        timeout: seconds allowed to parse one equation.
        jobs: worker processes for `prefetch`.
    """

    def __init__(self, *, timeout: float, jobs: int = 1) -> None:
        self.timeout = timeout
        self.jobs = jobs
        self._answers: dict[tuple[str, Notation], Parsed | ParseError] = {}
        self._pool: BudgetPool | None = None
        self.misses = 0  # texts parsed one by one because they were not fetched ahead

    def __enter__(self) -> BudgetedParser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def prefetch(self, texts: Iterable[tuple[str, Notation]], *,
                 progress: Callable[[int, int], None] | None = None) -> None:
        """Parse these (text, notation) pairs in the workers and keep the answers."""
        todo = list(dict.fromkeys(t for t in texts if t not in self._answers))
        if not todo:
            return
        if self._pool is None:
            parse_latex("x")  # load the parser here once, so that every forked worker has it
            self._pool = BudgetPool(self.jobs)
        outcomes = self._pool.map(_parse_task, todo, timeout=self.timeout, on_done=progress)
        for key, outcome in zip(todo, outcomes):
            self._answers[key] = _to_answer(outcome, self.timeout)

    def prefetch_planned(self, dry_run: Callable[[Recorder], None], *, first: Callable[[str], bool] | None = None,
                         progress: Callable[[int, int], None] | None = None, max_dry_runs: int = 50) -> int:
        """Parse, in the workers, every text a planner asks for; returns how many were parsed.

        `dry_run` runs the planner with the `Recorder` it is given (a source whose dry run
        meets a text still being parsed stops there: `InFlight`). The texts it asks for are
        submitted; whenever a worker is free and nothing is queued, a new dry run looks for
        more, so a slow text (one that spends its budget) does not hold the other workers up.
        `first` filters what the first dry run submits (the rest is asked for again later,
        in the notation then in force).
        """
        if self._pool is None:
            parse_latex("x")  # load the parser here once, so that every forked worker has it
            self._pool = BudgetPool(self.jobs)
        pool = self._pool
        tickets: dict[int, tuple[str, Notation]] = {}
        submitted = finished = dry_runs = 0
        while True:
            if not pool.queued and len(tickets) < self.jobs and dry_runs < max_dry_runs:
                recorder = Recorder(self, frozenset(tickets.values()))
                dry_run(recorder)
                wanted = [w for w in dict.fromkeys(recorder.wanted) if w not in self._answers]
                if dry_runs == 0 and first is not None:
                    wanted = [w for w in wanted if first(w[0])] or wanted
                dry_runs += 1
                for key in wanted:
                    tickets[pool.submit(_parse_task, key, timeout=self.timeout)] = key
                submitted += len(wanted)
                if not wanted and not tickets:
                    return submitted
            if not tickets:
                if dry_runs >= max_dry_runs:
                    return submitted  # what is left is parsed one by one while planning
                continue
            for ticket, outcome in pool.collect():
                self._answers[tickets.pop(ticket)] = _to_answer(outcome, self.timeout)
                finished += 1
                if progress:
                    progress(finished, submitted)

    def known(self, text: str, notation: Notation) -> bool:
        return (text, notation) in self._answers

    def __call__(self, text: str, *, notation: Notation = Notation()) -> Parsed:
        key = (text, notation)
        answer = self._answers.get(key)
        if answer is None:
            self.misses += 1
            try:
                answer = _answer(*call_with_budget(_parse_task, key, timeout=self.timeout, what="parsing"))
            except BudgetSpent as exc:
                answer = ParseBudgetSpent("memory budget spent while reading the equation" if "memory" in str(exc)
                                          else f"time budget spent ({self.timeout:g} s) while reading the equation")
            except Exception as exc:  # WorkerError: the parser crashed on it
                answer = ParseError(f"the parser failed: {str(exc).splitlines()[0][:160] if str(exc) else exc!r}")
            self._answers[key] = answer
        if isinstance(answer, ParseError):
            raise type(answer)(str(answer), answer.position)  # a fresh one: a raised error keeps a traceback
        return answer


class _NotYet(ParseError):
    """A text the dry run has no answer for yet (not a failure of the text: `pending`)."""

    pending = True


class InFlight(BaseException):
    """A text whose answer is being computed: the dry run of its source stops here for now.

    A BaseException, so that no ``except Exception`` in the planner can take it for a
    failure of the text: it is a pause, and what comes after it in the source (read with a
    notation the text may change) is asked for once the answer is in.
    """


class Recorder:
    """A parser for a dry run of the planner: answers what `parser` knows, records the rest.

    The planner changes the notation as it reads (directives, shape declarations), so which
    (text, notation) pairs it will ask for is only known by running it. A dry run with this
    parser lists them without parsing anything in this process.
    """

    def __init__(self, parser: BudgetedParser, in_flight: frozenset[tuple[str, Notation]] = frozenset()) -> None:
        self.parser = parser
        self.in_flight = in_flight
        self.wanted: list[tuple[str, Notation]] = []

    def __call__(self, text: str, *, notation: Notation = Notation()) -> Parsed:
        if self.parser.known(text, notation):
            return self.parser(text, notation=notation)
        if (text, notation) in self.in_flight:
            raise InFlight()
        self.wanted.append((text, notation))
        raise _NotYet("not parsed yet")


__all__ = ["PARSE_FLOOR", "PARSE_SHARE", "BudgetedParser", "InFlight", "ParseBudgetSpent", "Recorder",
           "parse_budget"]
