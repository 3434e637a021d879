"""One run of ``mathcheck check`` over many sources: cached, parallel, budgeted, in order.

1. Each source is read as bytes and looked up in the cache by its path, bytes, reading
   context and the engine version; an unchanged source gives its results without being
   parsed or checked again.
2. The rows of the other sources are parsed ahead, in parallel, each under a share of the
   time budget (`checker.prefetch`): a row that cannot be read in time is `inconclusive`
   (time budget spent), never a hang.
3. They are planned in document order (directives and definitions carry over within a
   source), and their claims checked in parallel, each in a budgeted worker, through the
   claim cache.
4. Results come out in the order of the sources and of the equations within each, whatever
   order the workers finished in: a run with ``--jobs 4`` writes what a serial run writes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from checker.budget import BudgetPool
from checker.cache import VerdictCache, source_key
from checker.errors import SourceError
from checker.notation import Notation
from checker.notes import Directive, Equation, read_path
from checker.notes import MAX_BYTES as _MAX_BYTES
from checker.notes._model import decode
from checker.notes_check import Plan, execute
from checker.prefetch import BudgetedParser, InFlight, Recorder, parse_budget
from checker.progress import Progress
from checker.results import Result


@dataclass
class Run:
    """What one run produced.

    Attributes:
        results: every result, in document order.
        errors: sources that could not be read, one message each (with file and line).
        sources: the lines of each source read (for reports that quote them).
        cached_sources: how many sources came from the cache unparsed.
        parsed: how many row texts were parsed in this run.
    """

    results: list[Result] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sources: dict[str, list[str]] = field(default_factory=dict)
    cached_sources: int = 0
    parsed: int = 0


def _read_bytes(path: str, stdin: bytes | None) -> bytes:
    if path == "-":
        return stdin or b""
    try:
        size = os.path.getsize(path)
        if size > _MAX_BYTES:
            raise SourceError(f"file too large ({size} bytes; at most {_MAX_BYTES})", path=path)
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        if isinstance(exc, SourceError):
            raise
        raise SourceError(f"cannot read: {exc.strerror}", path=path) from None


def _prefetch(parser: BudgetedParser, sources: Sequence[list[Equation | Directive]], *, notation: Notation,
              assumptions: Sequence[sp.Basic], progress: Progress | None) -> int:
    """Parse, in parallel, every text the planner will ask for; returns how many were parsed.

    Dry runs of the planner with a `Recorder` list the texts; each new dry run may ask for
    more (a declaration that now parses changes the notation of the rows after it). Short
    texts go first (the names of declarations): the long rows are then asked for in the
    notation they will be read in, instead of being parsed twice.
    """

    complete: set[int] = set()  # sources whose every text has an answer: not planned again

    def dry_run(recorder: Recorder) -> None:
        for k, items in enumerate(sources):
            if k in complete:
                continue
            before = len(recorder.wanted)
            try:
                Plan(parse=recorder).add_source(items, notation=notation, assumptions=assumptions)
            except InFlight:
                continue  # the rest of this source once that text is read
            if len(recorder.wanted) == before:
                complete.add(k)

    return parser.prefetch_planned(dry_run, first=lambda text: len(text) <= SHORT,
                                   progress=progress.phase("equations read") if progress else None)


#: Length of the texts read in the first round of reading ahead.
SHORT = 24


def read_budget(timeout: float) -> float:
    """Seconds allowed to read one file (Markdown and LaTeX structure, not the mathematics).

    Reading is linear, but markdown-it is slow on some inputs (a megabyte of ``[`` takes
    about 20 s): a file gets this long, then is reported as unreadable.
    """
    return max(READ_FLOOR, 2 * timeout)


#: Reading a file always gets at least this many seconds.
READ_FLOOR = 10.0


def _read_task(arg: tuple[str, str]) -> tuple[str, Any]:
    path, text = arg
    try:
        return "ok", read_path(path, text=text)
    except SourceError as exc:
        return "refused", str(exc)


def _read_all(unread: Sequence[tuple[str, str | None, str]], *, timeout: float, jobs: int,
              errors: dict[str, str]) -> list[tuple[str, str | None, list[Equation | Directive]]]:
    """The items of each source, read in budgeted workers; what cannot be read goes to `errors`."""
    if not unread:
        return []
    out = []
    with BudgetPool(max(1, min(jobs, len(unread)))) as pool:
        outcomes = pool.map(_read_task, [(path, text) for path, _, text in unread], timeout=timeout)
    for (path, key, _), outcome in zip(unread, outcomes):
        if outcome.ok and outcome.value[0] == "ok":
            out.append((path, key, outcome.value[1]))
        elif outcome.ok:
            errors[path] = outcome.value[1]
        elif outcome.status == "time":
            errors[path] = (f"{path}: reading it took longer than {timeout:g} s (its Markdown or LaTeX "
                            "structure, not its mathematics); not checked")
        else:
            first = outcome.message.splitlines()[0][:160] if outcome.message else outcome.status
            errors[path] = f"{path}: the reader failed: {first}"
    return out


def _context_key(notation: Notation, assumptions: Sequence[sp.Basic]) -> str:
    return repr(notation) + "|" + "|".join(sp.srepr(a) for a in assumptions)


def check_sources(paths: Sequence[str], *, stdin: bytes | None = None, notation: Notation | None = None,
                  assumptions: Sequence[sp.Basic] = (), seed: int = 0, timeout: float = 5.0, jobs: int = 1,
                  cache: VerdictCache | None = None, progress: Progress | None = None) -> Run:
    """Check the sources (files, or "-" for `stdin`) and give every result in document order."""
    notation = notation or Notation()
    context = _context_key(notation, assumptions)
    run = Run()
    by_source: dict[str, list[Result] | None] = {}
    unread: list[tuple[str, str | None, str]] = []
    errors: dict[str, str] = {}
    for path in paths:
        try:
            data = _read_bytes(path, stdin)
            text = decode(data, path)
        except SourceError as exc:
            errors[path] = str(exc)
            continue
        run.sources[path] = text.splitlines()
        key = source_key(path, data, context=context, seed=seed, timeout=timeout) if cache is not None else None
        cached = cache.get_results(key) if cache is not None and key else None
        if cached is not None:
            by_source[path] = cached
            run.cached_sources += 1
            continue
        by_source[path] = None
        unread.append((path, key, text))
    todo = _read_all(unread, timeout=read_budget(timeout), jobs=jobs, errors=errors)
    if todo:
        with BudgetedParser(timeout=parse_budget(timeout), jobs=jobs) as parser:
            run.parsed = _prefetch(parser, [items for _, _, items in todo], notation=notation,
                                   assumptions=assumptions, progress=progress)
        plan = Plan(parse=parser)  # what is still missing is parsed one by one, in budgeted workers
        for _, _, items in todo:
            plan.add_source(items, notation=notation, assumptions=assumptions)
        results = execute(plan, seed=seed, timeout=timeout, jobs=jobs, cache=cache,
                          progress=progress.phase("equations checked") if progress else None)
        run.parsed += parser.misses
        grouped: dict[str, list[Result]] = {path: [] for path, _, _ in todo}
        for r in results:
            grouped.setdefault(r.file, []).append(r)
        for path, key, _ in todo:
            by_source[path] = grouped[path]
            if cache is not None and key:
                cache.put_results(key, grouped[path])
    for path in paths:
        run.results.extend(by_source.get(path) or [])
    run.errors = [errors[path] for path in paths if path in errors]  # in the order of the sources
    return run


__all__ = ["Run", "check_sources"]
