"""Verifying catalog entries: every check of a formula, its as-written forms, its status.

This module works on any object shaped like `formulas._model.Formula` (duck typing), so
that `checker` does not import `formulas`: data flows one way.

Status of a formula:
- ``verified``: every check verified, and every as-written form too;
- ``finding``: every check verified, and some as-written form is wrong (the document is
  wrong as written; the finding carries the evidence);
- ``inconclusive``: some check or as-written form could not be decided;
- ``wrong``: a check of ours failed, or the corrected form of a finding fails the same
  check, i.e. the catalog itself is wrong (never expected).
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing as mp
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import sympy as sp

from checker.engine import DEFAULT_TIMEOUT, check
from checker.render import latex_of
from checker.verdict import ClaimResult, Status


_HAS_FORK = sys.platform != "win32" and "fork" in mp.get_all_start_methods()


class FormulaLike(Protocol):
    id: str
    title: str
    topic: str
    sources: tuple[str, ...]
    statement: Any
    checks: tuple[Any, ...]
    as_written: tuple[Any, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class NamedResult:
    name: str
    kind: str
    note: str
    result: ClaimResult


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    message: str
    evidence: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class FormulaResult:
    formula: Any
    checks: tuple[NamedResult, ...]
    as_written: tuple[NamedResult, ...]
    findings: tuple[Finding, ...]
    status: str
    seconds: float

    @property
    def methods(self) -> list[str]:
        seen: list[str] = []
        for r in self.checks:
            for c in r.result.checks:
                if c.verdict.status is Status.VERIFIED and c.verdict.method:
                    m = c.verdict.method.value
                    if m not in seen:
                        seen.append(m)
        return seen

    @property
    def worst_error(self) -> float | None:
        errs = [c.verdict.error for r in self.checks for c in r.result.checks
                if c.verdict.status is Status.VERIFIED and c.verdict.error is not None]
        return max(errs) if errs else None


def verify(formula: FormulaLike, *, seed: int = 0, timeout: float = DEFAULT_TIMEOUT) -> FormulaResult:
    """Run every check and as-written form of one formula."""
    start = time.perf_counter()
    checks = tuple(NamedResult(name=c.name, kind=c.claim.kind, note=c.note,
                               result=check(c.claim, seed=seed, timeout=timeout))
                   for c in formula.checks)
    written = tuple(NamedResult(name=w.name, kind=w.claim.kind, note=w.description,
                                result=check(w.claim, seed=seed, timeout=timeout))
                    for w in formula.as_written)
    findings = []
    fixes_fail = False
    for w, r in zip(formula.as_written, written):
        v = r.result.verdict
        if v.status is Status.WRONG and v.counterexample is not None:
            evidence = {"source": w.source, "check": w.name, "method": v.method.value if v.method else None,
                        "counterexample": v.counterexample.to_json(),
                        "at": v.counterexample.describe(), "correct": w.correct}
            if v.counterexample.note:
                evidence["note"] = v.counterexample.note
            fixed = getattr(w, "fixed", None)
            if fixed is not None:
                fv = check(fixed, seed=seed, timeout=timeout).verdict
                evidence["fixed"] = {"verdict": fv.status.value, "method": fv.method.value if fv.method else None}
                fixes_fail = fixes_fail or fv.status is not Status.VERIFIED
            findings.append(Finding(message=f"{w.description} is wrong as written ({w.source}): "
                                            f"{v.reason or 'a counterexample'}; correct form: {w.correct}",
                                    evidence=evidence))
    statuses = [r.result.verdict.status for r in checks]
    written_statuses = [r.result.verdict.status for r in written]
    if any(s is Status.WRONG for s in statuses) or fixes_fail:
        status = "wrong"  # a check of ours failed, or our correction of a finding does not hold
    elif any(s is not Status.VERIFIED for s in statuses) or any(
            s is Status.INCONCLUSIVE for s in written_statuses):
        status = "inconclusive"
    elif findings:
        status = "finding"
    else:
        status = "verified"
    return FormulaResult(formula=formula, checks=checks, as_written=written,
                         findings=tuple(findings), status=status,
                         seconds=time.perf_counter() - start)


def verify_all(formulas: Sequence[FormulaLike], *, seed: int = 0, timeout: float = DEFAULT_TIMEOUT,
               jobs: int = 1, progress: Callable[[int, str], None] | None = None) -> list[FormulaResult]:
    """Verify several formulas, on `jobs` processes; results come back in the given order."""
    return verify_catalog(formulas, (), seed=seed, timeout=timeout, jobs=jobs, progress=progress)[0]


def verify_catalog(formulas: Sequence[FormulaLike], derivations: Sequence[Any] = (), *, seed: int = 0,
                   timeout: float = DEFAULT_TIMEOUT, jobs: int = 1,
                   progress: Callable[[int, str], None] | None = None) -> tuple[list[FormulaResult], list[Any]]:
    """Verify formulas and check derivations, all on one pool of `jobs` processes.

    Results come back in the given order. Every check is seeded from the claim itself, so
    the results are the same whatever the number of processes.
    """
    tasks = [("formula", i) for i in range(len(formulas))] + [("derivation", i) for i in range(len(derivations))]
    names = [f.id for f in formulas] + [d.id for d in derivations]
    global _FORKED
    _FORKED = (formulas, derivations)
    done: list[Any] = []
    if jobs <= 1 or len(tasks) < 2 or not _HAS_FORK:
        for n, (kind, i) in enumerate(tasks, 1):
            if progress:
                progress(n, names[n - 1])
            done.append(_run(kind, i, seed, timeout))
    else:
        # derivations first: they are the longest tasks, and a long task last leaves a core idle
        order = sorted(range(len(tasks)), key=lambda t: tasks[t][0] != "derivation")
        slots: list[Any] = [None] * len(tasks)
        ctx = mp.get_context("fork")
        with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
            # entries travel to the workers by fork, not by pickling (they hold code)
            results = pool.map(_run_detached, [(*tasks[t], seed, timeout) for t in order], chunksize=1)
            for n, (t, r) in enumerate(zip(order, results), 1):
                if progress:
                    progress(n, names[t])
                kind, i = tasks[t]
                slots[t] = replace(r, formula=formulas[i]) if kind == "formula" else replace(r, derivation=derivations[i])
        done = slots
    return done[: len(formulas)], done[len(formulas):]


_FORKED: tuple[Sequence[FormulaLike], Sequence[Any]] = ((), ())


def _run(kind: str, i: int, seed: int, timeout: float) -> Any:
    from checker.derivation import check_derivation

    formulas, derivations = _FORKED
    if kind == "formula":
        return verify(formulas[i], seed=seed, timeout=timeout)
    return check_derivation(derivations[i], seed=seed, timeout=timeout)


def _run_detached(args: tuple[str, int, int, float]) -> Any:
    """`_run` in a worker: the entry itself is left out of the result (it does not pickle)."""
    kind, i, seed, timeout = args
    r = _run(kind, i, seed, timeout)
    return replace(r, formula=None) if kind == "formula" else replace(r, derivation=None)


def to_json(r: FormulaResult) -> dict[str, Any]:
    """The entry of `catalog --format json` for one formula (DESIGN.md)."""
    f = r.formula
    checks = []
    for group, results in (("check", r.checks), ("as-written", r.as_written)):
        for named in results:
            for c in named.result.checks:
                v = c.verdict
                checks.append({
                    "name": f"{named.name}/{c.name}", "group": group, "kind": named.kind,
                    "verdict": v.status.value, "method": v.method.value if v.method else None,
                    "error": v.error, "reason": v.reason,
                    "counterexample": v.counterexample.to_json() if v.counterexample else None,
                    "detail": v.evidence.detail if v.evidence and v.evidence.detail else None,
                })
    return {
        "id": f.id, "title": f.title, "topic": f.topic, "sources": list(f.sources),
        "latex": getattr(f, "latex", None) or latex_of(f.statement),
        "sympy": str(f.statement),
        "status": r.status, "methods": r.methods, "checks": checks,
        "findings": [{"message": x.message, "evidence": x.evidence} for x in r.findings],
    }


__all__ = ["Finding", "FormulaResult", "NamedResult", "to_json", "verify", "verify_all", "verify_catalog"]
