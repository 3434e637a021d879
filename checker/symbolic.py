"""Symbolic checks: prove ``lhs − rhs = 0`` within a time budget.

Cheap canonical forms come first (a common denominator, `expand`, rewriting in
exponentials), in the checking process, guarded by the size of the expression; `simplify`
comes last, in a worker process that is stopped when the budget is spent. A residual that
no step brings to zero makes the check inconclusive (never wrong: SymPy failing to
simplify is not a counterexample), and the verdict carries the residual.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import sympy as sp

from checker.budget import WorkerError, call_with_budget
from checker.claims import Sizes
from checker.errors import BudgetSpent
from checker.evaluate import derivative_done, instantiate, scalarize
from checker.functions import unfold
from checker.numeric import as_basic, size_combinations
from checker.verdict import Counterexample, Evidence, Method, Verdict

#: Expressions with more operations than this skip the in-process steps.
CHEAP_OPS_LIMIT = 400
#: Integer exponents above this make `expand` explode; such expressions go to the worker.
MAX_EXPAND_EXPONENT = 24

Step = tuple[str, Callable[[Any], Any]]
T = TypeVar("T")


def _numerator(e: Any) -> Any:
    """The numerator of `e` over a common denominator, expanded.

    It is 0 exactly when `e` is (a denominator is never identically 0). This is the zero
    test `cancel` makes, without dividing out the common factors of numerator and
    denominator, which cost `cancel` a tenth of the catalog's symbolic time.
    """
    return sp.expand(sp.numer(sp.together(e)))


def _rewrite_exp(e: Any) -> Any:
    return _numerator(sp.expand(e.rewrite(sp.exp)))


def _logs(e: Any) -> Any:
    return sp.simplify(sp.expand_log(e, force=False))


def _matrix_doit(e: Any) -> Any:
    return e.doit().expand() if isinstance(e, sp.MatrixExpr) else e


def _fold(e: Any) -> Any:
    """Piecewise expressions folded into one, each piece expanded."""
    if not e.has(sp.Piecewise):
        return e
    folded = sp.piecewise_fold(e)
    if isinstance(folded, sp.Piecewise):
        pieces = [(sp.expand(v), c) for v, c in folded.args]
        if all(v == 0 for v, _ in pieces):
            return sp.Integer(0)
        return sp.Piecewise(*pieces)
    return sp.expand(folded)


#: The common denominator comes before `expand`: for a polynomial it is `expand` itself, and
#: for a rational function it spares the expansion that would fail first.
CHEAP_STEPS: tuple[Step, ...] = (
    ("matrix-algebra", _matrix_doit),
    ("common-denominator", _numerator),
    ("expand", sp.expand),
    ("piecewise-fold", _fold),
    ("exp-rewrite", _rewrite_exp),
)
def _piecewise(e: Any) -> Any:
    return sp.simplify(sp.piecewise_fold(e.rewrite(sp.Piecewise)))


HEAVY_STEPS: tuple[Step, ...] = (
    ("piecewise", _piecewise),
    ("simplify", sp.simplify),
    ("log-expand", _logs),
    ("trig", lambda e: sp.simplify(sp.trigsimp(e.rewrite(sp.exp)))),
)


def _warm_simplify() -> None:
    import sympy.physics.units  # noqa: F401 - what simplify imports on its first call


def _warm_integrals() -> None:
    t = sp.Dummy("t", real=True)
    sp.integrate(sp.exp(-t**2), (t, -sp.oo, sp.oo))  # builds the Meijer G-function table


def _warm_sums() -> None:
    t, j = sp.Dummy("t", real=True), sp.Dummy("j", integer=True, nonnegative=True)
    sp.Sum(t**j / sp.factorial(j), (j, 0, sp.oo)).doit()


_WARM_UPS = {"simplify": _warm_simplify, "integrals": _warm_integrals, "sums": _warm_sums}


@functools.cache
def warm_up(what: str) -> None:
    """Load, once in this process, what SymPy loads on first use of `what` (call before forking).

    `simplify` imports sympy.physics.units on its first call, the first definite integral
    builds the Meijer G-function table, and the first infinite sum sets up the summation
    machinery: about 0.1 s each. A budget worker is a fork that ends after one computation,
    so without this every worker paid for them again.
    """
    _WARM_UPS[what]()


def needs_of(e: Any) -> tuple[str, ...]:
    """What evaluating the integrals and sums of `e` will load (see `warm_up`)."""
    kinds: tuple[str, ...] = ("simplify",)
    if isinstance(e, sp.Basic) and e.has(sp.Integral):
        kinds += ("integrals",)
    if isinstance(e, sp.Basic) and e.has(sp.Sum):
        kinds += ("sums",)
    return kinds


def budgeted(fn: Callable[..., T], *args: Any, timeout: float, what: str,
             needs: Sequence[str] = ("simplify",)) -> T:
    """`call_with_budget` for SymPy work, in a worker forked after `warm_up` of its `needs`."""
    for kind in needs:
        warm_up(kind)
    return call_with_budget(fn, *args, timeout=timeout, what=what)


def _entries(e: Any) -> list[Any]:
    return list(e) if isinstance(e, sp.MatrixBase) else [e]


def _is_zero(e: Any) -> bool:
    if isinstance(e, sp.ZeroMatrix):
        return True
    if isinstance(e, sp.MatrixExpr) and not isinstance(e, sp.MatrixBase):
        return False
    return all(x == 0 or (_small(x) and getattr(x, "is_zero", None) is True) for x in _entries(e))


#: Above this many nodes, SymPy's assumption query `is_zero` costs more than it ever decides
#: (on the catalog it never decided one), so only a structural zero counts.
IS_ZERO_NODES = 60


def _small(x: Any) -> bool:
    if not isinstance(x, sp.Basic):
        return False
    for n, _ in enumerate(sp.preorder_traversal(x)):
        if n > IS_ZERO_NODES:
            return False
    return True


def _safe_for_cheap(e: Any) -> bool:
    for x in _entries(e):
        if not isinstance(x, sp.Basic):
            return False
        if sp.count_ops(x, visual=False) > CHEAP_OPS_LIMIT:
            return False
        for p in x.atoms(sp.Pow):
            if p.exp.is_Integer and abs(int(p.exp)) > MAX_EXPAND_EXPONENT:
                return False
    return True


def _apply(step: Callable[[Any], Any], e: Any) -> Any:
    if isinstance(e, sp.MatrixBase):
        return e.applyfunc(step)
    return step(e)


#: Heavy steps that only apply to expressions holding one of these.
_RELEVANT = {
    "piecewise": (sp.Piecewise, sp.Max, sp.Min, sp.Abs, sp.Heaviside, sp.sign),
    "log-expand": (sp.log,),
    "trig": (sp.sin, sp.cos, sp.tan, sp.sinh, sp.cosh, sp.tanh),
}


#: Steps that work entry by entry: a matrix expression of symbolic shape has no entries to
#: work on (SymPy raises TypeError, after walking the whole expression).
_ENTRYWISE = {"piecewise-fold", "common-denominator", "exp-rewrite"}


def _relevant(name: str, e: Any) -> bool:
    if name in _ENTRYWISE and isinstance(e, sp.MatrixExpr) and not isinstance(e, sp.MatrixBase):
        return False
    kinds = _RELEVANT.get(name)
    if kinds is None:
        return True
    return any(isinstance(x, sp.Basic) and x.has(*kinds) for x in _entries(e))


def _run_steps(e: Any, steps: Sequence[Step]) -> tuple[str | None, str]:
    """The name of the first step that brings `e` to zero, else None and the residual."""
    residual = e
    for name, step in steps:
        if not _relevant(name, e):
            continue
        try:
            out = _apply(step, e)
        except (TypeError, ValueError, NotImplementedError, AttributeError, RecursionError,
                ZeroDivisionError, sp.PolynomialError):
            continue
        if _is_zero(out):
            return name, ""
        residual = out
    text = str(residual)
    return None, text if len(text) <= 200 else text[:197] + "..."


def _derivatives_done(e: Any) -> Any:
    """`e` with its unevaluated derivatives (and `Subs` of them) carried out by SymPy."""
    if isinstance(e, sp.Basic) and e.has(sp.Derivative, sp.Subs):
        return e.replace(lambda a: isinstance(a, (sp.Derivative, sp.Subs)),
                         lambda a: derivative_done(a) if isinstance(a, sp.Derivative) else a.doit())
    if isinstance(e, sp.MatrixBase):
        return e.applyfunc(_derivatives_done)
    return e


#: Size combinations at which symbolic proofs are attempted (numeric checks use them all).
SYMBOLIC_COMBOS = 2


def symbolic_sizes(sizes: Sizes, assumptions: Sequence[sp.Basic] = ()) -> list[dict[sp.Symbol, int]]:
    """The size combinations for symbolic proofs: the first two beyond the trivial size 1.

    A proof at every size would repeat the same algebra on larger expressions; numeric and
    finite-difference checks cover every size of the claim.
    """
    combos = size_combinations(sizes, assumptions)
    nontrivial = [c for c in combos if any(v > 1 for v in c.values())] or combos
    return nontrivial[:SYMBOLIC_COMBOS]


def prove_zero_cheap(expr: Any) -> str | None:
    """The cheap in-process steps only (no worker): the step's name if one proves zero."""
    e = _derivatives_done(unfold(as_basic(expr)))
    if _is_zero(e):
        return "identical"
    if _safe_for_cheap(e):
        step, _ = _run_steps(e, CHEAP_STEPS)
        return step
    return None


def prove_zero(expr: Any, *, timeout: float) -> tuple[bool | None, str]:
    """Try to prove `expr` (a scalar or a matrix) identically zero.

    Returns:
        ``(True, step)`` when a step proved it; ``(None, reason)`` otherwise (the residual,
        or that the budget was spent).
    """
    e = _derivatives_done(unfold(as_basic(expr)))
    if _is_zero(e):
        return True, "identical"
    if _safe_for_cheap(e):
        step, residual = _run_steps(e, CHEAP_STEPS)
        if step:
            return True, step
    try:
        step, residual = budgeted(_run_steps, e, CHEAP_STEPS + HEAVY_STEPS,
                                  timeout=timeout, what="symbolic simplification")
    except BudgetSpent as exc:
        return None, str(exc)
    except WorkerError as exc:
        return None, f"SymPy failed: {str(exc).splitlines()[0]}"
    if step:
        return True, step
    return None, f"SymPy did not reduce lhs − rhs to 0; residual: {residual}"


def check_all_sizes(lhs: Any, rhs: Any) -> Verdict | None:
    """A symbolic proof for every size by matrix algebra (the cheap steps only); else None.

    Only pure matrix expressions are tried: with sums or entry formulas of symbolic length
    the canonical forms are slow and rarely succeed, and the sizes are instantiated instead.
    """
    for side in (lhs, rhs):
        if isinstance(side, sp.Basic) and side.has(sp.Sum, sp.Product, sp.FunctionMatrix):
            return None
    try:
        how = prove_zero_cheap(_difference(as_basic(lhs), as_basic(rhs)))
    except (TypeError, ValueError, sp.ShapeError, AttributeError):
        return None
    if how:
        return Verdict.verified(Method.SYMBOLIC, Evidence(detail=f"proved for all sizes ({how})"))
    return None


def check_identity(
    lhs: Any,
    rhs: Any,
    *,
    sizes: Sizes = (),
    assumptions: Sequence[sp.Basic] = (),
    timeout: float = 5.0,
) -> Verdict:
    """Prove ``lhs = rhs`` symbolically: for all sizes if SymPy can, else at each size tried."""
    lhs, rhs = as_basic(lhs), as_basic(rhs)
    if sizes:
        proof = check_all_sizes(lhs, rhs)
        if proof is not None:
            return proof
    tried: list[int] = []
    steps: list[str] = []
    for combo in symbolic_sizes(sizes, assumptions):
        a, b = _in_plain_symbols(instantiate(lhs, combo)), _in_plain_symbols(instantiate(rhs, combo))
        try:
            diff = _difference(a, b)
        except (TypeError, ValueError, sp.ShapeError) as exc:
            return Verdict.inconclusive(f"cannot subtract the two sides: {exc}", method=Method.SYMBOLIC)
        proved, how = prove_zero(diff, timeout=timeout)
        if not proved:
            differs = _constant_difference(a, b)
            if differs is not None:
                return differs
            return Verdict.inconclusive(how, method=Method.SYMBOLIC)
        tried.extend(combo.values())
        steps.append(how)
    if sizes:
        detail = f"proved at each size tried ({', '.join(sorted(set(steps)))})"
        return Verdict.verified(Method.SYMBOLIC, Evidence(sizes=tuple(sorted(set(tried))), detail=detail))
    return Verdict.verified(Method.SYMBOLIC, Evidence(detail=f"lhs − rhs = 0 by {steps[0]}"))


def _in_plain_symbols(e: Any) -> Any:
    """`e` with its entries x[2], W[0, 1] as plain symbols (`scalarize`), when it binds no variable.

    SymPy compares indexed atoms by their sorted assumptions, which made them a tenth of the
    cost of expanding; plain symbols compare at once. The numeric screen has scalarized the
    same instantiated sides already, so this is a lookup. An expression that still has sums,
    integrals or lambdas is kept: x[i] under Σ_i is not one symbol.
    """
    if not isinstance(e, (sp.Basic, sp.MatrixBase)) or e.has(sp.Sum, sp.Product, sp.Integral, sp.Lambda):
        return e
    return scalarize(e)[0]


def _constant_difference(a: Any, b: Any) -> Verdict | None:
    """A `wrong` verdict when both sides are constants that differ at high precision."""
    for side in (a, b):
        if not isinstance(side, sp.Basic) or side.free_symbols or isinstance(side, sp.MatrixBase):
            return None
        if side.has(sp.Integral, sp.Limit) or any(not (lo.is_finite and hi.is_finite)
                                                  for x in side.atoms(sp.Sum, sp.Product) for _, lo, hi in x.limits):
            return None  # may diverge: decided by the numeric check, which looks at two precisions
    va, vb = a.evalf(50), b.evalf(50)
    if not (va.is_number and vb.is_number):
        return None
    try:
        differ = abs(complex(va - vb)) > 1e-30 * (1 + max(abs(complex(va)), abs(complex(vb))))
    except (TypeError, ValueError):  # an integral of an undefined density has no value
        return None
    if differ:
        ce = Counterexample(point=(), lhs=complex(va), rhs=complex(vb), digits=50,
                            note="both sides are constants")
        return Verdict.wrong(Method.NUMERIC, ce, reason="the two sides are different constants")
    return None


def _difference(a: Any, b: Any) -> Any:
    if isinstance(a, sp.MatrixBase) != isinstance(b, sp.MatrixBase):
        raise sp.ShapeError("one side is a matrix, the other a scalar")
    if isinstance(a, sp.MatrixBase) and a.shape != b.shape:
        raise sp.ShapeError(f"shapes {a.shape} and {b.shape}")
    return a - b


__all__ = ["check_all_sizes", "check_identity", "prove_zero", "prove_zero_cheap", "symbolic_sizes"]
