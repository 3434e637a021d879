"""Checking notes: equations read in order, with a context, turned into claims and verdicts.

The context (`checker.notes_context`) keeps what earlier equations and directives said:
definitions, assumptions and the notation. Each claim is checked in a worker process under
the time budget, so a pathological equation costs its budget and becomes `inconclusive`,
never a hang.

The reader is conservative: a name set to a number in running text (``$w = 0$``) is a value
for that sentence, not a definition; a derivative of a quantity that is neither defined nor
a function of the variable is uncheckable, not true.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp

from checker.budget import BudgetPool, Outcome
from checker.engine import DEFAULT_TIMEOUT
from checker.engine import check as check_claim
from checker.notation import Notation, ParseError, parse_latex
from checker.notes import Directive, Equation
from checker.notes_context import (Context, _apply_directive, _claim_for, _definition, _opaque_derivative, _Row, _rows,
                                   _running_text, _substitute, _undefined_functions)
from checker.notes_forms import declaration, entry_derivative, is_matrix, redefined, same_form, shape_of
from checker.results import Result
from checker.verdict import Status, Verdict


def _run_claim(claim: Any, seed: int, timeout: float) -> Verdict:
    return check_claim(claim, seed=seed, timeout=timeout / 2).verdict


# --- the run: plan (in order, cheap), execute (parallel, cached), repair chains ------------------

@dataclass
class Task:
    """One result to produce: either a claim to check, or a verdict known without checking."""

    eq: Equation
    row: _Row
    step: int
    latex: str
    kind: str
    claim: Any = None
    fixed: Verdict | Status | None = None
    message: str = ""
    expected_wrong: bool = False
    chain: tuple[int, int] | None = None  # (chain id, index of the right side in the chain)
    against: int = 0  # index of the chain side the claim compares with
    undefined: tuple[str, ...] = ()  # functions the notes use without defining them
    redefines: str = ""  # a defined name given another form: a new definition, or a claim
    verdict: Verdict | None = None


@dataclass
class _Chain:
    sides: list[Any]
    relations: list[str]
    ctx_assumptions: list[sp.Basic]


def _verdict_message(v: Verdict, kind: str, step: int, chain: bool) -> str:
    if v.status is Status.VERIFIED:
        return f"verified ({v.method.value if v.method else 'unknown method'})"
    if v.status is Status.WRONG:
        if kind == "derivative":
            return "the claimed derivative disagrees with finite differences of the function"
        if chain:
            return f"step {step} does not follow from the step before"
        return "the two sides differ"
    return v.reason or "could not decide"


class Plan:
    """The tasks of one or more sources, and the chains they belong to."""

    def __init__(self, parse: Any = None) -> None:
        self.tasks: list[Task] = []
        self.chains: list[_Chain] = []
        self.parse = parse or parse_latex

    def add_source(self, items: Iterable[Equation | Directive], *, notation: Notation | None = None,
                   assumptions: Sequence[sp.Basic] = ()) -> None:
        """Read one source's items in order, with a fresh context, and plan its tasks."""
        ctx = Context(notation=notation or Notation(), assumptions=list(assumptions), parse=self.parse)
        for item in items:
            if isinstance(item, Directive):
                problem = _apply_directive(item, ctx)
                if problem:
                    eq = Equation(file=item.file, line=item.line, column=1, latex="", display=False, env=None,
                                  rows=())
                    self.tasks.append(Task(eq=eq, row=_Row(item.line, 1, "", False), step=1,
                                           latex=f"mathcheck: {item.verb} {item.argument}", kind="directive",
                                           fixed=Verdict(status=Status.UNPARSED, reason=problem), message=problem))
                continue
            self._plan_equation(item, ctx)

    def _plan_equation(self, eq: Equation, ctx: Context) -> None:
        expect_wrong, ctx.expect_wrong_next = ctx.expect_wrong_next, False
        rows = _rows(eq)
        if ctx.skip_next:
            ctx.skip_next = False
            if rows:
                self.tasks.append(Task(eq=eq, row=rows[0], step=1, latex=eq.latex, kind="skipped",
                                       fixed=Status.SKIPPED, message="skipped by a directive"))
            return
        chain_tail: Any = None
        current_chain: int | None = None
        for row in rows:
            declared = declaration(row.latex, ctx.notation, ctx.parse)
            if declared is not None:
                message, ctx.notation = declared
                self.tasks.append(Task(eq=eq, row=row, step=1, latex=row.latex, kind="declaration",
                                       fixed=Status.SKIPPED, message=message))
                chain_tail = current_chain = None
                continue
            try:
                parsed = ctx.parse(row.latex, notation=ctx.notation)
            except ParseError as exc:
                if getattr(exc, "budget_spent", False):  # readable, but too costly to build: undecided
                    self.tasks.append(Task(eq=eq, row=row, step=1, latex=row.latex, kind="budget",
                                           fixed=Verdict.inconclusive(str(exc)), message=str(exc)))
                    chain_tail = current_chain = None
                    continue
                self.tasks.append(Task(eq=eq, row=row, step=1, latex=row.latex, kind="unparsed",
                                       fixed=Verdict(status=Status.UNPARSED, reason=str(exc)),
                                       message=f"cannot read: {exc}"))
                chain_tail = current_chain = None
                continue
            sides, relations = list(parsed.sides), list(parsed.relations)
            if row.continues:
                if chain_tail is None:
                    continue  # the row it continues could not be read; that row is reported
                sides = [chain_tail] + sides
                relations = [row.lead] + relations
            if not relations:
                continue  # an expression, not a claim
            running = _running_text(eq, sides, relations, ctx)
            if running is not None and not row.continues:
                kind, message = running
                self.tasks.append(Task(eq=eq, row=row, step=1, latex=row.latex, kind=kind,
                                       fixed=Status.SKIPPED, message=message))
                continue
            definition = None if row.continues else _definition(parsed, eq, ctx)
            if definition is not None and len(sides) == 2:
                name, params, body = definition
                if is_matrix(body):
                    # matrices are read but not checked in notes: a later scalar reading of the
                    # name must not receive a matrix
                    self.tasks.append(Task(eq=eq, row=row, step=1, latex=row.latex, kind="definition",
                                           fixed=Status.DEFINED,
                                           message=f"defines the matrix {name} (not used in checks)"))
                    continue
                ctx.definitions[name] = (params, _substitute(body, ctx))
                self.tasks.append(Task(eq=eq, row=row, step=1, latex=row.latex, kind="definition",
                                       fixed=Status.DEFINED, message=f"defines {name}"))
                chain_tail = sides[1]
                current_chain = len(self.chains)  # `&=` rows below continue from the definition
                self.chains.append(_Chain([_substitute(sides[1], ctx)], [], list(ctx.assumptions)))
                continue
            renamed = "" if row.continues else redefined(sides, relations, ctx.definitions)
            substituted = [_substitute(x, ctx) for x in sides]
            if renamed and not same_form(substituted[1], ctx.definitions[renamed][1]):
                # From here on the name has two meanings; neither is used for later claims.
                del ctx.definitions[renamed]
            if row.continues and current_chain is not None:
                # an `&=` row extends the chain of the rows above it (its first side is their last)
                chain_id = current_chain
                chain = self.chains[chain_id]
                offset = len(chain.sides) - 1
                chain.sides.extend(substituted[1:])
                chain.relations.extend(relations)
            else:
                chain_id = len(self.chains)
                self.chains.append(_Chain(list(substituted), list(relations), list(ctx.assumptions)))
                offset = 0
            current_chain = chain_id
            is_chain = len(sides) > 2 or row.continues
            for k, rel in enumerate(relations, start=1):
                g = offset + k  # index of the right side within the whole chain
                task = Task(eq=eq, row=row, step=k, latex=row.latex, kind="chain-step" if is_chain else "identity",
                            expected_wrong=expect_wrong, chain=(chain_id, g), against=g - 1)
                task.undefined = tuple(sorted(set(_undefined_functions(substituted[k - 1], ctx))
                                              | set(_undefined_functions(substituted[k], ctx))))
                self._fill(task, substituted[k - 1], substituted[k], rel, ctx.assumptions, is_chain)
                task.redefines = renamed
                self.tasks.append(task)
            chain_tail = sides[-1]

    def _fill(self, task: Task, a: Any, b: Any, rel: str, assumptions: Sequence[sp.Basic], is_chain: bool) -> None:
        if rel in ("approx", "≈"):
            task.fixed, task.kind, task.message = Status.SKIPPED, "approximation", "an approximation is not checked"
            return
        if rel == "propto":
            task.fixed, task.kind, task.message = Status.SKIPPED, "relation", "a proportionality is not checked"
            return
        if any(isinstance(v, sp.MatrixExpr) for e in (a, b) if isinstance(e, sp.Basic)
               for d in e.atoms(sp.Derivative) for v in d.variables):
            reason = "a derivative with respect to a vector or a matrix: read, but not checked in notes"
            task.fixed, task.kind, task.message = Verdict.inconclusive(reason), "derivative", reason
            return
        if shape_of(a) != shape_of(b):
            reason = ("one side is a matrix and the other a scalar (or another shape): a shape declared earlier "
                      "may not apply here, so it is not checked")
            task.fixed, task.kind, task.message = Verdict.inconclusive(reason), "matrix", reason
            return
        entry = entry_derivative(a) or entry_derivative(b)
        if entry:
            reason = (f"a derivative with respect to the entry {entry} of a vector that is summed over: "
                      "entries of summed vectors are not differentiated in notes, so it is not checked")
            task.fixed, task.kind, task.message = Verdict.inconclusive(reason), "derivative", reason
            return
        opaque = _opaque_derivative(a) or _opaque_derivative(b)
        if opaque:
            reason = f"{opaque} is a derivative of a quantity the notes do not define; it cannot be checked"
            task.fixed, task.kind, task.message = Verdict.inconclusive(reason), "derivative", reason
            return
        claim = _claim_for(a, b, rel, Context(assumptions=list(assumptions)))
        if claim is None:
            task.fixed, task.kind, task.message = Status.SKIPPED, "relation", f"relation {rel!r} is not checked"
            return
        task.claim = claim
        if not is_chain:
            task.kind = claim.kind


def execute(plan: Plan, *, seed: int = 0, timeout: float = DEFAULT_TIMEOUT, jobs: int = 1,
            cache: Any = None, progress: Any = None) -> list[Result]:
    """Check the planned claims (in parallel, through the cache) and give the results in order.

    A chain step that fails is reported alone: the step after it is checked again against
    the last step that held, so one wrong line does not make the next one look wrong.
    """
    # long-lived budgeted workers, shared by the repair rounds (a fork per claim costs more
    # than most claims); one that overruns is killed and replaced. No concurrent.futures: its
    # threads make fork unsafe. Workers start when the first claim needs one.
    with BudgetPool(max(1, jobs)) as pool:
        _run(plan.tasks, pool, seed=seed, timeout=timeout, cache=cache, progress=progress)
        for _ in range(64):  # each round repairs the first stale step of every chain
            repairs = _stale_steps(plan)
            if not repairs:
                break
            _run(repairs, pool, seed=seed, timeout=timeout, cache=cache)
    return [_to_result(t) for t in plan.tasks]


def _stale_steps(plan: Plan) -> list[Task]:
    """Chain steps checked against a side that turned out wrong, re-aimed at the last side not
    known to be wrong."""
    last_good: dict[int, int] = {}
    stale: dict[int, Task] = {}
    for task in plan.tasks:
        if task.chain is None or task.claim is None:
            continue
        cid, k = task.chain
        if cid in stale:
            continue
        good = last_good.get(cid, 0)
        if task.against != good:
            chain = plan.chains[cid]
            task.against = good
            task.claim = _claim_for(chain.sides[good], chain.sides[k], chain.relations[k - 1],
                                    Context(assumptions=chain.ctx_assumptions))
            task.verdict = None
            stale[cid] = task
            continue
        if task.verdict is not None and task.verdict.status is not Status.WRONG:
            last_good[cid] = k  # an undecided step is not known to be wrong: go on from it
    return [t for t in stale.values() if t.claim is not None]


def _run(tasks: list[Task], pool: BudgetPool, *, seed: int, timeout: float, cache: Any, progress: Any = None) -> None:
    from checker.cache import claim_key

    todo: list[tuple[Task, str | None]] = []
    for t in tasks:
        if t.claim is None or t.verdict is not None:
            continue
        key = claim_key(t.claim, seed=seed, timeout=timeout) if cache is not None else None
        hit = cache.get(key) if cache is not None and key else None
        if hit is not None:
            t.verdict = hit
        else:
            todo.append((t, key))
    if not todo:
        return
    # the biggest claims first (longest processing time first), so that no long claim starts
    # last while the other workers have nothing left; the verdicts go back to their tasks
    order = sorted(range(len(todo)), key=lambda k: -_weight(todo[k][0].claim)) if pool.jobs > 1 else list(range(len(todo)))
    args = [(todo[k][0].claim, seed, timeout) for k in order]
    outcomes = pool.map(_run_claim_task, args, timeout=timeout, on_done=progress)
    verdicts: list[Verdict] = [None] * len(todo)  # type: ignore[list-item]
    for k, o in zip(order, outcomes):
        verdicts[k] = _outcome_verdict(o)
    for (t, key), v in zip(todo, verdicts):
        t.verdict = v
        if cache is not None and key and not (v.reason or "").startswith(("time budget spent", "memory budget spent")):
            cache.put(key, v)


def _weight(claim: Any) -> int:
    """A rough cost of checking a claim: the size of its expressions times its size combinations."""
    nodes = 0
    for name in ("lhs", "rhs", "function", "claimed", "statement"):
        e = getattr(claim, name, None)
        if isinstance(e, sp.Basic):
            nodes += sp.count_ops(e, visual=False) + 1
    combos = 1
    for _, values in getattr(claim, "sizes", ()):
        combos *= len(values)
    return nodes * combos


def _run_claim_task(args: tuple[Any, int, float]) -> Verdict:
    claim, seed, timeout = args
    return _run_claim(claim, seed, timeout)


def _outcome_verdict(o: Outcome) -> Verdict:
    if o.ok:
        return o.value  # type: ignore[no-any-return]
    if o.status == "time":
        return Verdict.inconclusive(o.message)
    if o.status == "memory":
        return Verdict.inconclusive("memory budget spent (the worker was stopped)")
    first = o.message.splitlines()[0][:160] if o.message else "unknown error"
    return Verdict.inconclusive(f"the engine could not evaluate it: {first}")


#: Operators of probability that the parser reads as functions: without a distribution, an
#: identity about them is neither verified nor a counterexample.
_OPERATORS = frozenset({"E", "Var", "Cov", "P", "KL"})


def _to_result(t: Task) -> Result:
    if t.verdict is not None and t.verdict.status is Status.WRONG and t.redefines:
        t.verdict = Verdict.inconclusive(f"{t.redefines} was defined earlier, and this form of it does not agree "
                                         "with that definition: the notes may define it anew or claim a wrong form, "
                                         "and they do not say which")
    if t.verdict is not None and t.verdict.status is Status.WRONG and t.undefined:
        # f is not defined by the notes: the equation is not an identity for every f, but the
        # notes may mean a particular f. Conservative: not a counterexample to the notes.
        names = ", ".join(t.undefined)
        operators = sorted(set(t.undefined) & _OPERATORS)
        if operators:
            t.verdict = Verdict.inconclusive(f"{', '.join(operators)} (expectation, variance, probability) need a "
                                             "distribution, which the notes do not give; it is not checked")
        else:
            t.verdict = Verdict.inconclusive(f"it does not hold for every function {names}, and the notes do not "
                                             f"define {names}; define it (or mark the equation) to have it checked")
    if t.verdict is not None:
        v = t.verdict
        kind = t.kind
        message = t.message or _verdict_message(v, t.claim.kind if t.claim is not None else kind, t.step,
                                                kind == "chain-step")
        status, method, ce = v.status, v.method, v.counterexample
    elif isinstance(t.fixed, Verdict):
        status, method, ce, message, kind = t.fixed.status, t.fixed.method, None, t.message, t.kind
    else:
        status, method, ce, message, kind = t.fixed or Status.SKIPPED, None, None, t.message, t.kind
    return Result(file=t.eq.file, line=t.row.line, column=t.row.column, step=t.step, latex=t.latex, kind=kind,
                  verdict=status, method=method, counterexample=ce, message=message, cell=t.eq.cell,
                  expected_wrong=t.expected_wrong and t.claim is not None)


def check_equations(items: Iterable[Equation | Directive], *, notation: Notation | None = None,
                    assumptions: Sequence[sp.Basic] = (), seed: int = 0, timeout: float = DEFAULT_TIMEOUT,
                    jobs: int = 1, cache: Any = None) -> list[Result]:
    """Check the equations of one source, in order, with a context."""
    plan = Plan()
    plan.add_source(items, notation=notation, assumptions=assumptions)
    return execute(plan, seed=seed, timeout=timeout, jobs=jobs, cache=cache)


__all__ = ["Context", "Plan", "Task", "check_equations", "execute"]
