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

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef

from checker.budget import BudgetPool, Outcome
from checker.claims import DerivativeClaim, Identity, Property
from checker.engine import DEFAULT_TIMEOUT
from checker.engine import check as check_claim
from checker.notation import Notation, ParseError, Parsed, parse_latex
from checker.notes import Directive, Equation
from checker.notes_forms import (declaration, drop_alignment, entry_derivative, is_matrix, plain_symbols, redefined,
                                 same_form, shape_of, top_level_commas, trim)
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
    parse: Any = parse_latex  # how LaTeX is read: a budgeted, prefetched parser in `mathcheck check`


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    column: int
    latex: str
    continues: bool  # an align row that starts with `&=`: it continues the previous row's chain
    lead: str = "="  # the relation it continues with


_LEAD = re.compile(r"^\s*&?\s*(=|\\approx|\\leq?|\\geq?|<|>)\s*")
_LEAD_NAMES = {"=": "=", "\\approx": "approx", "\\le": "<=", "\\leq": "<=", "\\ge": ">=", "\\geq": ">=",
               "<": "<", ">": ">"}


def _rows(eq: Equation) -> list[_Row]:
    out = []
    for row in eq.rows or ():
        text = row.latex.strip()
        m = _LEAD.match(text) if text.startswith("&") or (out and text[:1] in "=<>\\") else None
        if m and out:
            rest = drop_alignment(text[m.end():]).strip()
            if rest:
                out.append(_Row(row.line, row.column, rest, True, _LEAD_NAMES.get(m.group(1), "=")))
            continue
        text = drop_alignment(text).strip()
        for k, part in enumerate(_equations_in_row(text)):
            out.append(_Row(row.line, row.column + text.find(part), part, False) if k else
                       _Row(row.line, row.column, part, False))
    if not out and eq.latex.strip():
        for part in _equations_in_row(drop_alignment(eq.latex).strip()):
            out.append(_Row(eq.line, eq.column, part, False))
    return out


_QUAD = re.compile(r"\\q?quad\b|\\(?:text|textrm|mbox)\s*\{\s*(?:and|,|or)\s*\}")
_HAS_RELATION = re.compile(r"=|\\le|\\ge|<|>|\\in\b")


def _equations_in_row(text: str) -> list[str]:
    """Equations written side by side on one row (``z = Uh + b \\quad \\delta = ...``,
    ``W_1 = ..., b_1 = ...``), each on its own."""
    parts = [p for p in (trim(q) for q in _QUAD.split(text) if q) if p]
    if len(parts) > 1 and sum(1 for p in parts if _HAS_RELATION.search(p)) > 1:
        return parts
    parts = top_level_commas(text)
    if len(parts) > 1 and all(_HAS_RELATION.search(p) for p in parts):
        return parts
    return [text] if text else []


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
                              and len(a.args) == n and _applicable(params, body, a.args),
                              lambda a, params=params, body=body: _apply_definition(params, body, a.args))
                changed = True
        else:
            labels = {b.label for b in e.atoms(sp.IndexedBase)}
            syms = [s for s in e.free_symbols if isinstance(s, sp.Symbol) and s.name == name and s not in labels]
            if syms:
                e = _replace_symbols(e, {s: body for s in syms})
                changed = True
    if changed and e.has(sp.Sum, sp.Product):
        # a definition put into a sum (h_i(x) = g(b_i + v_i x) inside Σ_i): its b_i is the entry b[i]
        from checker.notation import _indexed_in_sum

        e = e.replace(lambda a: isinstance(a, (sp.Sum, sp.Product)), _indexed_in_sum)
    return _substitute(e, ctx, depth + 1) if changed else e


def _applicable(params: Sequence[sp.Symbol], body: Any, args: Sequence[Any]) -> bool:
    """A definition whose body indexes a parameter (``y_j``) applies only to a plain name."""
    labels = {b.label for b in body.atoms(sp.IndexedBase)} if isinstance(body, sp.Basic) else set()
    return all(isinstance(a, sp.Symbol) for p, a in zip(params, args) if p in labels)


def _apply_definition(params: Sequence[sp.Symbol], body: Any, args: Sequence[Any]) -> Any:
    labels = {b.label: b for b in body.atoms(sp.IndexedBase)}
    mapping: dict[Any, Any] = {}
    for p, a in zip(params, args):
        if p in labels:
            mapping[labels[p]] = sp.IndexedBase(a.name, **a.assumptions0)
        else:
            mapping[p] = a
    bases = {k: v for k, v in mapping.items() if isinstance(k, sp.IndexedBase)}
    plain = {k: v for k, v in mapping.items() if not isinstance(k, sp.IndexedBase)}
    return _replace_symbols(body.xreplace(bases), plain)


def _replace_symbols(e: sp.Basic, mapping: dict[sp.Symbol, Any]) -> sp.Basic:
    """Replace symbols, leaving the labels of indexed objects (``x`` in ``x[i]``) alone."""
    bases = sorted(e.atoms(sp.IndexedBase), key=sp.default_sort_key)
    if not bases:
        return e.xreplace(mapping)
    # Each entry x[i] is hidden as an undefined function of its indices, so that the indices are
    # still replaced but the base is not. (Hiding the base behind a Dummy does not work: Indexed
    # wraps the Dummy in a new IndexedBase, and x[i] comes back as IndexedBase(x)[i].)
    hidden = {b: sp.Function(f"hidden_base_{k}") for k, b in enumerate(bases)}
    back = {f: b for b, f in hidden.items()}
    e = e.replace(lambda a: isinstance(a, sp.Indexed) and a.base in hidden,
                  lambda a: hidden[a.base](*a.indices))
    e = e.xreplace(mapping)
    return e.replace(lambda a: isinstance(a, AppliedUndef) and a.func in back, lambda a: back[a.func][a.args])


def _sizes_of(*exprs: Any) -> tuple[tuple[Any, ...], tuple[tuple[sp.Symbol, tuple[int, ...]], ...]]:
    """Symbolic sum bounds and matrix sizes become integer size symbols instantiated at SUM_SIZES."""
    bounds: set[sp.Symbol] = set()
    for e in exprs:
        if isinstance(e, sp.Basic):
            for s in e.atoms(sp.Sum, sp.Product):
                for _, lo, hi in s.limits:
                    bounds |= {b for b in (lo.free_symbols | hi.free_symbols) if isinstance(b, sp.Symbol)}
            # matrices of symbolic size (from the notes' declarations) are instantiated likewise
            bounds |= {d for m in e.atoms(sp.MatrixSymbol) for d in m.shape if isinstance(d, sp.Symbol)}
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


# --- definitions ----------------------------------------------------------------------------

def _definition(parsed: Parsed, eq: Equation, ctx: Context) -> tuple[str, tuple[sp.Symbol, ...], Any] | None:
    """``(name, params, body)`` when the equation defines a name, else None."""
    if parsed.relation != "=" or len(parsed.sides) != 2:
        return None
    lhs, rhs = parsed.sides
    if isinstance(lhs, sp.Symbol) and is_matrix(rhs):
        return lhs.name, (), rhs  # a name for an explicit matrix (not substituted later: see _plan_equation)
    if isinstance(lhs, sp.Symbol):
        if lhs in plain_symbols(rhs):
            return None  # recursive (L = (1/N) Σ L_i is not: there L is the base of its entries)
        if rhs.is_number and not eq.display:
            return None  # a value in running text ("at $w = 0$"), not a definition
        if lhs.name in ctx.definitions or not getattr(rhs, "free_symbols", None):
            return (lhs.name, (), rhs) if lhs.name not in ctx.definitions else None
        return lhs.name, (), rhs
    if isinstance(rhs, sp.Symbol) and not eq.display and not isinstance(lhs, sp.Symbol) \
            and rhs not in getattr(lhs, "free_symbols", set()) and getattr(lhs, "free_symbols", None):
        return rhs.name, (), lhs  # "a quadratic function: $x_1^2 + x_2^2 = y$" names y
    if isinstance(lhs, AppliedUndef) and all(isinstance(a, sp.Symbol) for a in lhs.args) \
            and len(set(lhs.args)) == len(lhs.args):
        name = lhs.func.__name__
        if name in ctx.definitions and eq.display:
            return None  # a claim about a defined function, e.g. J(w) = <another form>
        # in running text, "$l(x) = ax^2 + bx + c$" after another l: the newer meaning
        if lhs.func in {type(a) for a in rhs.atoms(AppliedUndef)}:
            return None  # recursive: not a definition
        return name, tuple(lhs.args), rhs
    if lhs.func.__name__ == "sigmoid" and isinstance(lhs.args[0], sp.Symbol):
        return None  # σ(z) = 1/(1+e^{-z}) restates the built-in sigmoid: check it as a claim
    return None


_HYPOTHESIS = re.compile(r"\b(if|iff|when|whenever|where|such that|suppose|supposing|assume|assuming|given|"
                         r"let|implies|satisfy|satisfies|unless|provided)\W*$", re.IGNORECASE)


def _running_text(eq: Equation, sides: Sequence[Any], relations: Sequence[str], ctx: Context) -> tuple[str, str] | None:
    """Inline math that states a condition or a value for its sentence, not a claim.

    "for some $\\alpha > 0$", "set $b = 0$ and $a \\geq b$", "when $n = m = 2$": in running
    text, an inequality is a condition and a name set to a number is a value. Neither is
    checked, and neither changes the meaning of later equations.
    """
    if eq.display:
        return None
    if _HYPOTHESIS.search(eq.context[-40:]):
        return "condition", "a hypothesis in running text (after 'if', 'when', 'such that', ...)"
    if all(r in ("<", "<=", ">", ">=", "!=") for r in relations):
        return "condition", "a condition in running text"
    plain = [isinstance(x, (sp.Symbol, AppliedUndef)) or getattr(x, "is_number", False) for x in sides]
    if all(r == "=" for r in relations) and all(plain) and any(getattr(x, "is_number", False) for x in sides) \
            and not any(isinstance(x, sp.Symbol) and x.name in ctx.definitions for x in sides):
        return "value", "a value in running text"
    return None


def _undefined_functions(e: Any, ctx: Context) -> list[str]:
    if not isinstance(e, sp.Basic):
        return []
    return sorted({type(a).__name__ for a in e.atoms(AppliedUndef)} - set(ctx.definitions))


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
            parsed = ctx.parse(arg, notation=ctx.notation)
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
            parsed = ctx.parse(arg, notation=ctx.notation)
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
    _run(plan.tasks, seed=seed, timeout=timeout, jobs=jobs, cache=cache, progress=progress)
    for _ in range(64):  # each round repairs the first stale step of every chain
        repairs = _stale_steps(plan)
        if not repairs:
            break
        _run(repairs, seed=seed, timeout=timeout, jobs=jobs, cache=cache)
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


def _run(tasks: list[Task], *, seed: int, timeout: float, jobs: int, cache: Any, progress: Any = None) -> None:
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
    args = [(t.claim, seed, timeout) for t, _ in todo]
    # long-lived budgeted workers (a fork per claim costs more than most claims); one that
    # overruns is killed and replaced. No concurrent.futures: its threads make fork unsafe.
    with BudgetPool(max(1, min(jobs, len(todo)))) as pool:
        outcomes = pool.map(_run_claim_task, args, timeout=timeout, on_done=progress)
    verdicts = [_outcome_verdict(o) for o in outcomes]
    for (t, key), v in zip(todo, verdicts):
        t.verdict = v
        if cache is not None and key and not (v.reason or "").startswith(("time budget spent", "memory budget spent")):
            cache.put(key, v)


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
