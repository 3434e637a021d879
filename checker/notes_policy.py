"""The verdict policy of notes checking: when a failed check is a `wrong` beyond doubt.

A claim of notes is reported `wrong` only when it fails under every plausible reading. This
module holds what decides the other readings:

- the words before an equation (``setting the gradient to zero gives``: an equation to
  solve, not an identity; ``the loss becomes``: a definition anew);
- **side conditions** that notes often state only in prose: the symbols are positive, lie in
  (0, 1) (``|r| < 1``), are positive integers (``t \\ge 1``), a vector sums to one (a one-hot
  label or a probability vector), or a symbol takes a number written in its place (``y = 1``
  for a positive example). When one of them makes a failed claim hold, the claim is
  `inconclusive`, with "holds if ..." so that the author can declare it with ``assume``.

It also holds the small helpers every stage shares: how a name is shown to a person, the
internal-error message, and the hook that tests use to inject faults.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import sympy as sp

from checker.claims import DerivativeClaim, Identity, Property
from checker.notation import _RESERVED
from checker.notation_series import NEAR
from checker.notation_rules import split_relations

#: Words just before a display that give a defined name a new meaning ("the loss becomes").
DEFINES_ANEW = re.compile(r"\b(becomes?|define[sd]?|let|denote[sd]?|redefined?|instead|now|takes? the form|"
                          r"has the form|is given by|we use|consider|called|replaced?|new)\b[^.]*$", re.IGNORECASE)

#: Words of the last sentence before a display that make it an equation to solve.
_TO_SOLVE = re.compile(r"\b(setting|solv(?:e|es|ing)|stationary|stationarity|optimality|first-order condition|"
                       r"(?:normal|score|likelihood) equations?)\b", re.IGNORECASE)


def hypothesis(eq: Any) -> str:
    """Why the equation reads as one to solve (from the words before it), or ""."""
    last = re.split(r"(?<=[.!?])\s", eq.context.strip())[-1] if eq.context.strip() else ""
    m = _TO_SOLVE.search(last)
    return f"the words before it ('{m.group(0)}') make it an equation to solve, not an identity" if m else ""


def side_texts(latex: str, n: int) -> list[str]:
    """The LaTeX of each side of a row (for the digits an ``\\approx`` states); "" when the
    split does not give `n` sides."""
    try:
        pieces, _ = split_relations(latex)
    except Exception:  # noqa: BLE001 - a row the parser reads may still defeat this plain split
        return [""] * n
    pieces = [p.strip() for p in pieces]
    return pieces if len(pieces) == n else [""] * n


_BASE = re.compile(r"^(.*?)_")


def recursive(name: str, body: Any, ctx: Any) -> bool:
    """Whether a definition refers to an earlier term of its own sequence (``m_t`` from ``m_{t-1}``)."""
    if not isinstance(body, sp.Basic):
        return False
    spelling = ctx.spelling.get(name, name)
    m = _BASE.match(spelling)
    if not m:
        return False
    base = m.group(1)
    for s in body.free_symbols:
        other = ctx.spelling.get(getattr(s, "name", ""), getattr(s, "name", ""))
        mm = _BASE.match(other)
        if mm and mm.group(1) == base and other != spelling:
            return True
    for b in body.atoms(sp.IndexedBase):
        if str(b.label) == base:
            return True
    return False


#: What the notation layer writes into the text it parses (placeholders, the variables of primes):
#: never shown to a person.
PLACEHOLDER = re.compile(rf"{_RESERVED.pattern}|math\{{|\bu\d+_")


def spelled(name: str, spelling: dict[str, str]) -> str:
    """How the notes write a name, for messages (never an internal placeholder)."""
    shown = spelling.get(name, name)
    return name if PLACEHOLDER.search(shown) else shown


def internal_error(stage: str, exc: BaseException) -> str:
    first = (str(exc).splitlines() or [""])[0][:160]
    return f"internal error while {stage}: {type(exc).__name__}: {first}; please report it"


def fault_hook(stage: str, subject: Any) -> None:
    """Called at the start of planning and of checking each equation; tests replace it to
    make one equation fail and show that the others keep their verdicts."""


_SUBSCRIPTED = re.compile(r"^(?P<base>.+?)_\{?(?P<sub>[A-Za-z0-9,]+)\}?$")


def unclear_sum_extent(side: Any, spelling: dict[str, str]) -> str:
    """The index of a sum whose extent the notes leave unclear: ``\\sum_j y_j \\log p_j + (1 - y_j)
    \\log(1 - p_j)`` is read with the sum over the first term only, yet y_j after it still
    names the summed entries. "" when there is none."""
    if not isinstance(side, sp.Basic):
        return ""
    for s in side.atoms(sp.Sum):
        for index, _, _ in s.limits:
            bases = {str(e.base.label) for e in s.function.atoms(sp.Indexed) if index in e.indices}
            if not bases:
                continue
            outside = side.xreplace({s: sp.Integer(0)}).free_symbols
            for entry in _unbound_entries(side.xreplace({s: sp.Integer(0)})):
                if str(entry.base.label) in bases and any(str(index) == str(i) for i in entry.indices):
                    return str(index)
            for sym in outside:
                m = _SUBSCRIPTED.match(spelling.get(getattr(sym, "name", ""), getattr(sym, "name", "")))
                if m and m.group("base") in bases and str(index) in m.group("sub"):
                    return str(index)
    return ""


# --- worked numbers ---------------------------------------------------------------------------

#: Points drawn per size combination to see whether the difference of two sides changes sign.
SIGN_POINTS = 400


def takes_both_signs(lhs: Any, rhs: Any, *, assumptions: tuple[sp.Basic, ...] = (), sizes: Any = (),
                     seed: int = 0) -> bool | None:
    """Whether ``lhs − rhs`` takes both signs (or the value 0) over the domain: then some values
    of its names make ``lhs = rhs`` hold, and a worked number may mean those values. None when
    too few points could be evaluated to tell. Points are drawn over the whole domain and also
    near 0 (a sum of squares reaches small values only there)."""
    import numpy as np

    from checker.evaluate import float_values, lambdify_safe
    from checker.numeric import instances
    from checker.sampling import domain_of

    rng = np.random.default_rng(seed)
    signs: set[int] = set()
    seen = 0
    for inst in instances(lhs, rhs, sizes, rng, assumptions):
        if not all(isinstance(e, sp.Expr) for e in (inst.lhs, inst.rhs)):
            return None
        symbols = list(inst.symbols)
        fn = lambdify_safe(symbols, inst.lhs - inst.rhs)
        domains = {x: domain_of(x, assumptions) for x in symbols}
        points = []
        for k in range(SIGN_POINTS):
            point = {}
            for x in symbols:
                v = domains[x].draw(rng)
                d = domains[x]
                if k % 2 and not d.integer and d.lo <= 0 <= d.hi:
                    v *= 10.0 ** (-rng.uniform(0, 3))  # toward 0, inside the domain
                point[x] = v
            points.append(point)
        for value in float_values(fn, symbols, points):
            v = complex(value)
            if not np.isfinite(v.real) or abs(v.imag) > 1e-12 * (1 + abs(v.real)):
                continue
            seen += 1
            signs.add(0 if abs(v.real) < 1e-12 else (1 if v.real > 0 else -1))
        if 0 in signs or signs >= {-1, 1}:
            return True
    return False if seen >= 50 else None


def _unbound_entries(e: Any) -> list[Any]:
    """Entries x[i] of `e` that are not inside a sum or product (whose index would bind them)."""
    if isinstance(e, sp.Indexed):
        return [e]
    if isinstance(e, (sp.Sum, sp.Product)) or not isinstance(e, sp.Basic):
        return []
    return [x for a in e.args for x in _unbound_entries(a)]


# --- side conditions --------------------------------------------------------------------------

def _sides(claim: Any) -> list[Any]:
    if isinstance(claim, Identity):
        return [claim.lhs, claim.rhs]
    if isinstance(claim, DerivativeClaim):
        return [claim.function, claim.claimed]
    if isinstance(claim, Property):
        return [claim.statement]
    return []


def _rebuild(claim: Any, f: Any, extra: tuple[sp.Basic, ...] = ()) -> Any:
    """The claim with `f` applied to each of its expressions (and more assumptions); None when
    the result is no claim (a derivative with respect to a value)."""
    try:
        return _rebuilt(claim, f, extra)
    except (ValueError, TypeError, AttributeError):
        return None


def _rebuilt(claim: Any, f: Any, extra: tuple[sp.Basic, ...] = ()) -> Any:
    assumptions = tuple(f(a) for a in claim.assumptions) + extra
    if isinstance(claim, Identity):
        return Identity(lhs=f(claim.lhs), rhs=f(claim.rhs), assumptions=assumptions, sizes=claim.sizes)
    if isinstance(claim, DerivativeClaim):
        return DerivativeClaim(function=f(claim.function), wrt=tuple(f(v) for v in claim.wrt),
                               claimed=f(claim.claimed), assumptions=assumptions, sizes=claim.sizes)
    return Property(statement=f(claim.statement), assumptions=assumptions, sizes=claim.sizes,
                    quantifier=claim.quantifier, symbolic=claim.symbolic)


def _free(claim: Any, integers: bool = False) -> set[sp.Symbol]:
    out: set[sp.Symbol] = set()
    for e in _sides(claim):
        if isinstance(e, sp.Basic):
            out |= {s for s in e.atoms(sp.Symbol)}
    sizes = {s for s, _ in getattr(claim, "sizes", ())}
    bound: set[sp.Symbol] = set()
    for e in _sides(claim):
        if isinstance(e, sp.Basic):
            for s in e.atoms(sp.Sum, sp.Product):
                bound |= {lim[0] for lim in s.limits}
    return {s for s in out if s not in sizes and s not in bound and (integers or not s.is_integer)
            and s.name != NEAR}  # the step away from a claimed optimum is no value of the notes


def _retyped(claim: Any, symbols: set[sp.Symbol], **assumptions: bool) -> Any:
    mapping = {s: sp.Symbol(s.name, **assumptions) for s in symbols}
    return _rebuild(claim, lambda e: e.xreplace(mapping) if isinstance(e, sp.Basic) else e)


#: A side condition: what it says, the claim under it, and whether a point satisfies it (None:
#: not known). A condition that the counterexample already satisfies cannot make the claim hold.
Condition = tuple[str, Any, Callable[[dict[str, Any]], "bool | None"]]


def _all(names: set[str], test: Callable[[Any], bool]) -> Callable[[dict[str, Any]], bool | None]:
    def satisfied(point: dict[str, Any]) -> bool | None:
        try:
            values = [point[n] for n in names]
        except KeyError:
            return None
        try:
            return all(test(complex(v).real) for v in values if complex(v).imag == 0)
        except (TypeError, ValueError):
            return None
    return satisfied


def _unknown(point: dict[str, Any]) -> bool | None:
    return None


def side_conditions(claim: Any, spelling: dict[str, str] | None = None) -> Iterator[Condition]:
    """The standard side conditions under which a failed claim might hold, cheapest first."""
    for what, changed, satisfied in _side_conditions(claim, spelling):
        if changed is not None:
            yield what, changed, satisfied


def _side_conditions(claim: Any, spelling: dict[str, str] | None = None) -> Iterator[Condition]:
    if not isinstance(claim, (Identity, DerivativeClaim, Property)):
        return
    spelling = spelling or {}
    free = _free(claim) - set(getattr(claim, "wrt", ()))
    if free:
        names = ", ".join(sorted(spelled(s.name, spelling) for s in free))
        plain = {s.name for s in free}
        yield f"{names} > 0", _retyped(claim, free, positive=True), _all(plain, lambda v: v > 0)
        inside = tuple(r for s in free for r in (sp.StrictGreaterThan(s, 0), sp.StrictLessThan(s, 1)))
        yield f"0 < {names} < 1", _rebuild(claim, lambda e: e, inside), _all(plain, lambda v: 0 < v < 1)
        exponents = {s for e in _sides(claim) if isinstance(e, sp.Basic)
                     for p in e.atoms(sp.Pow, sp.floor) for s in (p.exp if isinstance(p, sp.Pow) else p).free_symbols
                     if s in free}
        if exponents:
            shown = ", ".join(sorted(spelled(s.name, spelling) for s in exponents))
            yield (f"{shown} is a positive integer", _retyped(claim, exponents, integer=True, positive=True),
                   _all({s.name for s in exponents}, lambda v: v >= 1 and float(v).is_integer()))
    if isinstance(claim, Property):
        return
    yield from _sequence_conditions(claim, free, spelling)
    for what, changed in _sums_to_one(claim, spelling):
        yield what, changed, _unknown
    fixed = set(getattr(claim, "wrt", ()))  # the variable of a derivative is not a value to choose
    for what, changed in _numbers_in_place(claim, _free(claim, integers=True) - fixed, spelling):
        yield what, changed, _unknown
    yield from _matrix_conditions(claim, spelling)


def _matrix_conditions(claim: Any, spelling: dict[str, str]) -> Iterator[Condition]:
    """A square matrix A that is symmetric (∇ wᵀAw = 2Aw): A replaced by (B + Bᵀ)/2, which is
    every symmetric matrix as B ranges over the matrices."""
    square = sorted({m for e in _sides(claim) if isinstance(e, sp.Basic) for m in e.atoms(sp.MatrixSymbol)
                     if m.shape[0] == m.shape[1] and m.shape != (1, 1)}, key=lambda m: m.name)
    for m in square:
        symmetric = (m + m.T) / 2
        yield (f"{spelled(m.name, spelling)} is symmetric",
               _rebuild(claim, lambda e, m=m, s=symmetric: e.xreplace({m: s}) if isinstance(e, sp.Basic) else e),
               _unknown)


def _sequence_conditions(claim: Any, free: set[sp.Symbol], spelling: dict[str, str]) -> Iterator[Condition]:
    """Start values of zero (``v_0 = 0``), inputs that do not change (a constant gradient g),
    and both: what notes about optimisers state in prose."""
    starts = {x for x in free if x.name.endswith("_0")} - set(getattr(claim, "wrt", ()))
    entries = {e for side in _sides(claim) if isinstance(side, sp.Basic) for e in side.atoms(sp.Indexed)}
    labels = sorted({str(e.base.label) for e in entries})
    plain = {x.name: x for x in free}
    constant = {e: plain.get(str(e.base.label), sp.Symbol(str(e.base.label), real=True)) for e in entries}

    def zero(e: Any) -> Any:
        return e.xreplace({x: sp.Integer(0) for x in starts}) if isinstance(e, sp.Basic) else e

    def still(e: Any) -> Any:
        return e.xreplace(constant) if isinstance(e, sp.Basic) else e

    zeros = ", ".join(f"{spelled(x.name, spelling)} = 0" for x in sorted(starts, key=lambda x: x.name))
    constants = " and ".join(f"{spelled(label, spelling)} is constant" for label in labels)
    if starts:
        yield zeros, _rebuild(claim, zero), _all({x.name for x in starts}, lambda v: v == 0)
    if entries:
        yield constants, _rebuild(claim, still), _unknown
    if starts and entries:
        yield f"{zeros} and {constants}", _rebuild(claim, lambda e: still(zero(e))), _unknown


def normalised(claim: Any, labels: set[str]) -> Any:
    """The claim with the vectors of `labels` summing to one (``assume \\sum_j y_j = 1``)."""
    for what, changed in _sums_to_one(claim, {}, only=labels):
        claim = changed
    return claim


def _sums_to_one(claim: Any, spelling: dict[str, str], only: set[str] | None = None) -> Iterator[tuple[str, Any]]:
    """A vector summed over in the claim, normalised to sum to one (a label or probability vector)."""
    seen: set[Any] = set()
    for e in _sides(claim):
        if not isinstance(e, sp.Basic):
            continue
        for s in e.atoms(sp.Sum):
            if len(s.limits) != 1:
                continue
            index, lo, hi = s.limits[0]
            for entry in s.function.atoms(sp.Indexed):
                base = entry.base
                if base in seen or entry.indices != (index,) or (only is not None and str(base.label) not in only):
                    continue
                seen.add(base)
                k = sp.Dummy("k", integer=True)
                label = sp.Symbol(str(base.label), positive=True)
                positive = sp.IndexedBase(label)
                total = sp.Sum(positive[k], (k, lo, hi))

                def normalise(x: Any, base: Any = base, positive: Any = positive, total: Any = total) -> Any:
                    if not isinstance(x, sp.Basic):
                        return x
                    return x.replace(lambda a: isinstance(a, sp.Indexed) and a.base == base,
                                     lambda a: positive[a.indices] / total)

                name = spelled(str(base.label), spelling)
                yield f"the entries of {name} are positive and sum to 1", _rebuild(claim, normalise)


def _numbers_in_place(claim: Any, free: set[sp.Symbol], spelling: dict[str, str]) -> Iterator[tuple[str, Any]]:
    """A symbol on one side only, where the other side has a number instead (``\\hat y - 1``
    for ``\\hat y - y``: a positive example, y = 1)."""
    sides = _sides(claim)
    if len(sides) != 2 or not all(isinstance(e, sp.Basic) for e in sides):
        return
    a, b = sides
    for one, other in ((a, b), (b, a)):
        only = sorted((s for s in one.free_symbols & free if s not in other.free_symbols), key=lambda s: s.name)
        numbers = sorted({m for n in other.atoms(sp.Number) if n.is_rational and 0 < abs(n) <= 100 for m in (n, -n)},
                         key=lambda n: (abs(n), n))
        for s in only[:4]:
            for n in numbers[:6]:
                yield f"{spelled(s.name, spelling)} = {n}", _rebuild(claim, lambda e, s=s, n=n: e.xreplace({s: n})
                                                                     if isinstance(e, sp.Basic) else e)


__all__ = ["PLACEHOLDER", "normalised", "unclear_sum_extent", "DEFINES_ANEW", "fault_hook", "hypothesis", "internal_error", "recursive", "side_conditions", "side_texts",
           "spelled"]
