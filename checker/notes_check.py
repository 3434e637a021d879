"""Checking notes: equations read in order, with a context, turned into claims and verdicts.

The context keeps what earlier equations and directives said: definitions (``J(w) = ...``,
``\\sigma(z) = ...``), assumptions (``<!-- mathcheck: assume 0 < p < 1 -->``), and the
notation (``\\sigma`` as a standard deviation, the base of ``\\log``). Each claim is checked
in a worker process under the time budget, so a pathological equation costs its budget and
becomes `inconclusive`, never a hang.

The reader is conservative: a name set to a number in running text (``$w = 0$``) is a value
for that sentence, not a definition; a derivative of a quantity that is neither defined nor
a function of the variable is uncheckable, not true.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef

from checker.budget import WorkerError, call_with_budget
from checker.claims import DerivativeClaim, Identity, Property
from checker.engine import DEFAULT_TIMEOUT
from checker.engine import check as check_claim
from checker.errors import BudgetSpent
from checker.notation import Notation, ParseError, Parsed, parse_latex
from checker.notes import Directive, Equation
from checker.results import Result
from checker.verdict import Counterexample, Method, Status, Verdict

#: Sizes at which sums with symbolic bounds are instantiated.
SUM_SIZES = (1, 2, 3, 4)

_RELATIONS = {"<": sp.StrictLessThan, "<=": sp.LessThan, ">": sp.StrictGreaterThan, ">=": sp.GreaterThan}


@dataclass
class Context:
    """What the notes have said so far."""

    notation: Notation = field(default_factory=Notation)
    definitions: dict[str, tuple[tuple[sp.Symbol, ...], Any]] = field(default_factory=dict)
    assumptions: list[sp.Basic] = field(default_factory=list)
    skip_next: bool = False
    expect_wrong_next: bool = False


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    column: int
    latex: str
    continues: bool  # an align row that starts with `&=`: it continues the previous row's chain


def _rows(eq: Equation) -> list[_Row]:
    out = []
    for row in eq.rows or ():
        text = row.latex.strip()
        continues = text.startswith("&") and text.lstrip("&").lstrip().startswith(("=", "\\approx"))
        text = text.replace("&", " ").strip()
        if text:
            out.append(_Row(row.line, row.column, text, continues))
    if not out and eq.latex.strip():
        out.append(_Row(eq.line, eq.column, eq.latex.replace("&", " ").strip(), False))
    return out


# --- turning parsed sides into checkable expressions ---------------------------------------------

def _realify(e: Any) -> Any:
    """Symbols of notes are real unless said otherwise (ML notes mean real numbers)."""
    if not isinstance(e, sp.Basic):
        return e
    mapping = {s: sp.Symbol(s.name, real=True) for s in e.free_symbols
               if isinstance(s, sp.Symbol) and s.is_real is None}
    return e.xreplace(mapping) if mapping else e


def _substitute(e: Any, ctx: Context, depth: int = 0) -> Any:
    """`e` with the names the notes defined replaced by their definitions."""
    if not isinstance(e, sp.Basic) or not ctx.definitions or depth > 8:
        return e
    changed = False
    for name, (params, body) in ctx.definitions.items():
        if params:
            f = sp.Function(name)
            if e.has(f):
                e = e.replace(lambda a, f=f, n=len(params): isinstance(a, AppliedUndef) and a.func == f
                              and len(a.args) == n,
                              lambda a, params=params, body=body: body.xreplace(dict(zip(params, a.args))))
                changed = True
        else:
            syms = [s for s in e.free_symbols if isinstance(s, sp.Symbol) and s.name == name]
            if syms:
                e = e.xreplace({s: body for s in syms})
                changed = True
    return _substitute(e, ctx, depth + 1) if changed else e


def _sizes_of(*exprs: Any) -> tuple[tuple[Any, ...], tuple[tuple[sp.Symbol, tuple[int, ...]], ...]]:
    """Symbolic sum bounds become integer size symbols instantiated at SUM_SIZES."""
    bounds: set[sp.Symbol] = set()
    for e in exprs:
        if isinstance(e, sp.Basic):
            for s in e.atoms(sp.Sum, sp.Product):
                for _, lo, hi in s.limits:
                    bounds |= {b for b in (lo.free_symbols | hi.free_symbols) if isinstance(b, sp.Symbol)}
    if not bounds:
        return exprs, ()
    mapping = {b: sp.Symbol(b.name, integer=True, positive=True) for b in bounds}
    new = tuple(e.xreplace(mapping) if isinstance(e, sp.Basic) else e for e in exprs)
    return new, tuple((mapping[b], SUM_SIZES) for b in sorted(bounds, key=sp.default_sort_key))


def _opaque_derivative(e: Any) -> str | None:
    """The name of a derivative of an undefined quantity (∂L/∂w with L opaque), if any."""
    if not isinstance(e, sp.Basic):
        return None
    for d in e.atoms(sp.Derivative):
        inner = d.expr
        if isinstance(inner, sp.Symbol) or (isinstance(inner, AppliedUndef) and not d.variables[0] in inner.args):
            return str(d)
    return None


def _claim_for(lhs: Any, rhs: Any, relation: str, ctx: Context) -> Any:
    assumptions = tuple(_realify(a) for a in ctx.assumptions)
    (lhs, rhs), sizes = _sizes_of(_realify(lhs), _realify(rhs))
    if relation == "=":
        if isinstance(lhs, sp.Derivative) and not rhs.has(sp.Derivative) and len(set(lhs.variables)) == len(lhs.variables) == 1 \
                and not lhs.expr.has(AppliedUndef) and not sizes:
            return DerivativeClaim(function=lhs.expr, wrt=tuple(lhs.variables), claimed=rhs, assumptions=assumptions)
        if isinstance(rhs, sp.Derivative) and not lhs.has(sp.Derivative) and len(rhs.variables) == 1 \
                and not rhs.expr.has(AppliedUndef) and not sizes:
            return DerivativeClaim(function=rhs.expr, wrt=tuple(rhs.variables), claimed=lhs, assumptions=assumptions)
        return Identity(lhs=lhs, rhs=rhs, assumptions=assumptions, sizes=sizes)
    if relation in _RELATIONS:
        return Property(statement=_RELATIONS[relation](lhs, rhs, evaluate=False), assumptions=assumptions, sizes=sizes)
    if relation == "!=":
        return Property(statement=sp.Ne(lhs, rhs, evaluate=False), assumptions=assumptions, sizes=sizes,
                        quantifier="exists")
    return None


def _run_claim(claim: Any, seed: int, timeout: float) -> Verdict:
    return check_claim(claim, seed=seed, timeout=timeout / 2).verdict


def _checked(claim: Any, *, seed: int, timeout: float) -> Verdict:
    """The claim's verdict, computed in a worker process within `timeout` seconds."""
    try:
        return call_with_budget(_run_claim, claim, seed, timeout, timeout=timeout, what="checking the equation")
    except BudgetSpent as exc:
        return Verdict.inconclusive(f"time budget spent ({exc.seconds:g} s)")
    except WorkerError as exc:
        return Verdict.inconclusive(f"the engine could not evaluate it: {str(exc).splitlines()[0][:160]}")


# --- definitions ----------------------------------------------------------------------------

def _definition(parsed: Parsed, eq: Equation, ctx: Context) -> tuple[str, tuple[sp.Symbol, ...], Any] | None:
    """``(name, params, body)`` when the equation defines a name, else None."""
    if parsed.relation != "=" or len(parsed.sides) != 2:
        return None
    lhs, rhs = parsed.sides
    if isinstance(lhs, sp.Symbol):
        if lhs in getattr(rhs, "free_symbols", set()):
            return None
        if rhs.is_number and not eq.display:
            return None  # a value in running text ("at $w = 0$"), not a definition
        if lhs.name in ctx.definitions or not getattr(rhs, "free_symbols", None):
            return (lhs.name, (), rhs) if lhs.name not in ctx.definitions else None
        return lhs.name, (), rhs
    if isinstance(lhs, AppliedUndef) and all(isinstance(a, sp.Symbol) for a in lhs.args) \
            and len(set(lhs.args)) == len(lhs.args):
        name = lhs.func.__name__
        if name in ctx.definitions:
            return None  # a claim about a defined function, e.g. J(w) = <another form>
        if lhs.func in {type(a) for a in rhs.atoms(AppliedUndef)}:
            return None  # recursive: not a definition
        return name, tuple(lhs.args), rhs
    if lhs.func.__name__ == "sigmoid" and isinstance(lhs.args[0], sp.Symbol):
        return None  # σ(z) = 1/(1+e^{-z}) restates the built-in sigmoid: check it as a claim
    return None


# --- directives -------------------------------------------------------------------------------

def _apply_directive(d: Directive, ctx: Context) -> str | None:
    """Apply a directive to the context; returns an error message for a bad directive."""
    verb, arg = d.verb.lower(), d.argument.strip()
    if verb == "skip":
        ctx.skip_next = True
    elif verb == "expect":
        if arg.lower() != "wrong":
            return f"'expect {arg}': only 'expect wrong' is known"
        ctx.expect_wrong_next = True
    elif verb == "assume":
        try:
            parsed = parse_latex(arg, notation=ctx.notation)
        except ParseError as exc:
            return f"cannot read the assumption {arg!r}: {exc}"
        if parsed.relation is None:
            return f"an assumption is a relation such as '0 < p < 1', not {arg!r}"
        for a, b, rel in zip(parsed.sides, parsed.sides[1:], parsed.relations):
            if rel in _RELATIONS:
                ctx.assumptions.append(_RELATIONS[rel](a, b))
            elif rel == "!=":
                ctx.assumptions.append(sp.Ne(a, b))
            else:
                return f"assumption relation {rel!r} is not supported; use <, <=, >, >=, !="
    elif verb == "define":
        try:
            parsed = parse_latex(arg, notation=ctx.notation)
        except ParseError as exc:
            return f"cannot read the definition {arg!r}: {exc}"
        fake = Equation(file=d.file, line=d.line, column=1, latex=arg, display=True, env=None, rows=())
        found = _definition(parsed, fake, Context(notation=ctx.notation))
        if not found:
            return f"'define' needs NAME = expression or f(x) = expression, not {arg!r}"
        name, params, body = found
        ctx.definitions[name] = (params, _substitute(body, ctx))
    elif verb == "notation":
        return _apply_notation(arg, ctx)
    else:
        return f"unknown directive {verb!r} (known: assume, define, skip, expect wrong, notation)"
    return None


def _apply_notation(arg: str, ctx: Context) -> str | None:
    key, _, value = (p.strip() for p in arg.partition("="))
    key = key.lstrip("\\")
    if key == "sigma" and value in ("sigmoid", "symbol", "std"):
        ctx.notation = replace(ctx.notation, sigma="sigmoid" if value == "sigmoid" else "symbol")
    elif key == "log" and value in ("e", "10", "2"):
        ctx.notation = replace(ctx.notation, log_base=value)
    else:
        return f"unknown notation {arg!r} (known: \\sigma = sigmoid|std, \\log = e|10|2)"
    return None


# --- the run --------------------------------------------------------------------------------------

def _result(eq: Equation, row: _Row, step: int, latex: str, kind: str, verdict: Verdict | Status,
            message: str, expected_wrong: bool = False) -> Result:
    if isinstance(verdict, Status):
        status, method, ce = verdict, None, None
    else:
        status, method, ce = verdict.status, verdict.method, verdict.counterexample
    return Result(file=eq.file, line=row.line, column=row.column, step=step, latex=latex, kind=kind,
                  verdict=status, method=method, counterexample=ce, message=message, cell=eq.cell,
                  expected_wrong=expected_wrong)


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


def check_equations(items: Iterable[Equation | Directive], *, notation: Notation | None = None,
                    assumptions: Sequence[sp.Basic] = (), seed: int = 0,
                    timeout: float = DEFAULT_TIMEOUT) -> list[Result]:
    """Check the equations of one source, in order, with a context."""
    ctx = Context(notation=notation or Notation(), assumptions=list(assumptions))
    results: list[Result] = []
    for item in items:
        if isinstance(item, Directive):
            problem = _apply_directive(item, ctx)
            if problem:
                eq = Equation(file=item.file, line=item.line, column=1, latex="", display=False, env=None, rows=())
                results.append(_result(eq, _Row(item.line, 1, "", False), 1, f"mathcheck: {item.verb} {item.argument}",
                                       "directive", Verdict(status=Status.UNPARSED, reason=problem), problem))
            continue
        results.extend(_check_equation(item, ctx, seed=seed, timeout=timeout))
    return results


def _check_equation(eq: Equation, ctx: Context, *, seed: int, timeout: float) -> list[Result]:
    expect_wrong, ctx.expect_wrong_next = ctx.expect_wrong_next, False
    rows = _rows(eq)
    if ctx.skip_next:
        ctx.skip_next = False
        return [_result(eq, rows[0] if rows else _Row(eq.line, eq.column, eq.latex, False), 1, eq.latex,
                        "skipped", Status.SKIPPED, "skipped by a directive")] if rows else []
    out: list[Result] = []
    chain_tail: Any = None  # the last verified side of the chain, for rows that continue it
    for row in rows:
        try:
            parsed = parse_latex(row.latex, notation=ctx.notation)
        except ParseError as exc:
            where = f" at column {exc.position + 1}" if getattr(exc, "position", None) is not None else ""
            out.append(_result(eq, row, 1, row.latex, "unparsed",
                               Verdict(status=Status.UNPARSED, reason=str(exc)), f"cannot read: {exc}{where}"))
            chain_tail = None
            continue
        sides = list(parsed.sides)
        relations = list(parsed.relations)
        if row.continues and chain_tail is not None and relations:
            sides = [chain_tail] + sides[1:] if len(sides) > 1 else [chain_tail] + sides
        elif row.continues and chain_tail is not None and not relations:
            sides, relations = [chain_tail, sides[0]], ["="]
        if not relations:
            continue  # an expression, not a claim
        definition = None if row.continues else _definition(parsed, eq, ctx)
        if definition is not None and len(sides) == 2:
            name, params, body = definition
            ctx.definitions[name] = (params, _substitute(body, ctx))
            out.append(_result(eq, row, 1, row.latex, "definition", Status.DEFINED, f"defines {name}"))
            chain_tail = sides[1]
            continue
        if len(sides) == 2 and relations == ["="] and isinstance(sides[0], sp.Symbol) and not eq.display \
                and getattr(sides[1], "is_number", False) and sides[0].name not in ctx.definitions:
            out.append(_result(eq, row, 1, row.latex, "value", Status.SKIPPED, "a value in running text"))
            continue
        chain = len(sides) > 2 or row.continues
        last_good = sides[0]
        for k, (rhs, rel) in enumerate(zip(sides[1:], relations), start=1):
            lhs = last_good
            if rel in ("approx", "≈"):
                out.append(_result(eq, row, k, row.latex, "approximation", Status.SKIPPED, "an approximation is not checked"))
                last_good = rhs
                continue
            a, b = _substitute(lhs, ctx), _substitute(rhs, ctx)
            opaque = _opaque_derivative(a) or _opaque_derivative(b)
            if opaque:
                v = Verdict.inconclusive(f"{opaque} is a derivative of a quantity the notes do not define; "
                                         "it cannot be checked")
                out.append(_result(eq, row, k, row.latex, "derivative", v, v.reason or "", expect_wrong))
                continue
            claim = _claim_for(a, b, rel, ctx)
            if claim is None:
                out.append(_result(eq, row, k, row.latex, "relation", Status.SKIPPED, f"relation {rel!r} is not checked"))
                continue
            v = _checked(claim, seed=seed, timeout=timeout)
            kind = "chain-step" if chain else claim.kind
            out.append(_result(eq, row, k, row.latex, kind, v, _verdict_message(v, claim.kind, k, chain), expect_wrong))
            if v.status is Status.VERIFIED:
                last_good = rhs
        chain_tail = sides[-1]
    return out


__all__ = ["Context", "check_equations"]
