"""Turning claims' expressions into numbers: instantiation, safe lambdify, high precision.

- `instantiate` gives symbolic sizes concrete values: sums and products with numeric
  bounds are written out, matrix expressions become explicit matrices, and undefined
  functions (``f(x)`` in the chain rule) are replaced by concrete instances.
- `scalarize` replaces ``x[i]`` and ``W[i, j]`` by plain symbols, so every expression
  ends up in scalar symbols only.
- `lambdify_safe` compiles with NumPy after checking every name (SymPy's lambdify
  generates Python source from names, so a name must never be code).
- `mp_value` evaluates in high precision with SymPy's ``evalf`` (mpmath underneath).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import sympy as sp
from sympy.core.function import UndefinedFunction
from sympy.matrices.expressions.matexpr import MatrixElement, MatrixExpr

from checker.errors import UnsafeNameError
from checker.functions import unfold

_SAFE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

#: Concrete smooth functions that stand in for an undefined function f(x) in numeric checks.
#: They are analytic, real on the real line, and differ in shape (odd, even, growing, bounded).
INSTANCES: tuple[Callable[[sp.Expr], sp.Expr], ...] = (
    lambda u: sp.sin(u) + u**2 / 3,
    lambda u: sp.exp(u / 2) - u,
    lambda u: u**3 / 5 - u + 2,
    lambda u: sp.atan(u) + sp.cos(u),
)


def check_names(expr: Any) -> None:
    """Raise `UnsafeNameError` if a symbol or function name of `expr` is not an identifier."""
    if not isinstance(expr, sp.Basic):
        return
    for s in expr.free_symbols:
        name = s.name if isinstance(s, sp.Symbol) else None
        if name is not None and not _SAFE_NAME.match(name):
            raise UnsafeNameError(name)
    for f in expr.atoms(sp.Function):
        name = type(f).__name__
        if not _SAFE_NAME.match(name):
            raise UnsafeNameError(name)


def _has_symbolic_bound(obj: sp.Basic) -> bool:
    return any(not (lo.is_number and hi.is_number) for _, lo, hi in obj.limits)


def instantiate(
    expr: Any,
    sizes: Mapping[sp.Symbol, int] | None = None,
    functions: Mapping[UndefinedFunction, Callable[[sp.Expr], sp.Expr]] | None = None,
) -> Any:
    """Give sizes concrete values and write out what they make finite.

    Sums and products whose bounds become numbers are expanded; matrix expressions of
    concrete shape become explicit matrices; derivatives are evaluated once undefined
    functions have been replaced by `functions`.
    """
    if not isinstance(expr, sp.Basic):
        return expr
    if not functions:
        # numeric screens and symbolic proofs instantiate the same expressions at the same sizes
        try:
            return _instantiated(expr, tuple(sorted((sizes or {}).items(), key=lambda kv: kv[0].sort_key())))
        except TypeError:  # an unhashable part: no reuse
            pass
    return _instantiate(expr, sizes, functions)


@functools.lru_cache(maxsize=2048)
def _instantiated(expr: sp.Basic, sizes: tuple[tuple[sp.Symbol, int], ...]) -> Any:
    e = _instantiate(expr, dict(sizes), None)
    # what is kept is shared: an explicit matrix is kept immutable
    return sp.ImmutableMatrix(e) if isinstance(e, sp.MatrixBase) and not isinstance(e, sp.ImmutableMatrix) else e


def _instantiate(
    expr: sp.Basic,
    sizes: Mapping[sp.Symbol, int] | None,
    functions: Mapping[UndefinedFunction, Callable[[sp.Expr], sp.Expr]] | None,
) -> Any:
    e = _substituted(unfold(expr), {k: sp.Integer(v) for k, v in (sizes or {}).items()})
    if functions:
        u = sp.Dummy("u")
        try:
            e = e.subs({f: sp.Lambda(u, inst(u)) for f, inst in functions.items()})
        except TypeError:  # SymPy's Sum._eval_subs cannot take a function class: replace calls instead
            e = e.replace(lambda a: type(a) in functions and isinstance(a, sp.Function),
                          lambda a: functions[type(a)](*a.args))
        e = e.doit()  # derivatives and Subs of the instances
    if e.has(sp.Derivative):
        e = e.replace(lambda a: isinstance(a, sp.Derivative), derivative_done)
    e = _write_out_sums(e)
    if e.has(sp.Limit):
        e = e.replace(lambda a: isinstance(a, sp.Limit), limit_done)
    e = _explicit(e)
    return e


def limit_done(a: sp.Limit) -> Any:
    """A limit of an expression without sums, integrals or undefined functions, taken by SymPy;
    kept as it is when SymPy gives no finite value free of conditions (a limit of a recursively
    defined sequence, μ^t without |μ| < 1)."""
    expr, var, point = a.args[0], a.args[1], a.args[2]
    if expr.has(sp.Sum, sp.Product, sp.Integral, sp.Derivative, sp.core.function.AppliedUndef, sp.Limit):
        return a
    try:
        value = sp.limit(expr, var, point, dir=str(a.args[3]) if len(a.args) > 3 else "+")
    except (NotImplementedError, ValueError, TypeError, RecursionError, ZeroDivisionError):
        return a
    if not isinstance(value, sp.Basic) or value.has(sp.oo, -sp.oo, sp.zoo, sp.nan, sp.AccumBounds, sp.Limit,
                                                     sp.sign, sp.Order):
        return a
    return value


def derivative_done(d: sp.Derivative) -> Any:
    """An unevaluated derivative carried out.

    The gradient of a scalar with respect to a `MatrixSymbol` of concrete shape is taken
    entry by entry (entry (i, j) is ∂f/∂W[i, j], W's shape), independently of SymPy's
    matrix calculus; at symbolic shapes `sympy.diff` does the matrix calculus.
    `Derivative.doit` is not used for matrices: it applies the scalar product rule to
    matrix products and returns misshapen results (SymPy 1.14).
    """
    if not any(isinstance(v, MatrixExpr) for v, _ in d.variable_count):
        if d.expr.has(sp.Sum, sp.Product):  # written out first: SymPy's Sum.doit looks for closed forms
            return sp.Derivative(_write_out_sums(d.expr), *d.variable_count).doit()
        return d.doit()
    (v, count), *rest = d.variable_count
    f = d.expr
    if not rest and count == 1 and isinstance(v, sp.MatrixSymbol) and _concrete_shape(v):
        if isinstance(f, MatrixExpr | sp.MatrixBase) and _concrete_shape(f) and f.shape == (1, 1):
            f = _explicit(f)[0, 0]
        if not isinstance(f, MatrixExpr | sp.MatrixBase):
            f = _explicit(_write_out_sums(f))
            return sp.ImmutableMatrix(v.rows, v.cols, [sp.diff(f, x) for x in v.as_explicit()])
    return sp.diff(f.doit(), *d.variable_count)


def _concrete_shape(e: Any) -> bool:
    return all(isinstance(k, (int, sp.Integer)) for k in e.shape)


#: Marks a subexpression that holds a sum or product (see `_substituted`).
_HAS_SUM = sp.Dummy("has_sum")


def _substituted(e: sp.Basic, values: Mapping[sp.Symbol, sp.Integer]) -> sp.Basic:
    """`e` with `values` substituted and the sums and products that this makes finite
    written out, in one walk.

    Substituting the sizes first and writing out the sums after built every term twice:
    once with the sizes in and the index still symbolic, once per value of the index.
    Here each subexpression is built once for each assignment of the symbols it holds:
    a mean μ inside the terms of a variance is built once, not once per term. A bound
    variable hides the value of a size of the same name, as it should.
    """
    if not values and not e.has(sp.Sum, sp.Product):
        return e
    watch = set(values) | {v for a in e.atoms(sp.Sum, sp.Product) for v, *_ in a.limits}
    holds: dict[sp.Basic, frozenset[sp.Symbol]] = {}

    def deps(x: sp.Basic) -> frozenset[sp.Symbol]:
        """The watched symbols of `x` (with `_HAS_SUM` if it holds a sum or product)."""
        got = holds.get(x)
        if got is None:
            if isinstance(x, sp.Symbol):
                got = frozenset((x,)) if x in watch else frozenset()
            else:
                got = frozenset().union(*(deps(a) for a in x.args if isinstance(a, sp.Basic)))
                if isinstance(x, (sp.Sum, sp.Product)):
                    got |= {_HAS_SUM}
            holds[x] = got
        return got

    done: dict[tuple[sp.Basic, tuple[tuple[sp.Symbol, sp.Integer], ...]], sp.Basic] = {}

    def walk(x: sp.Basic, env: Mapping[sp.Symbol, sp.Integer]) -> sp.Basic:
        d = deps(x)
        seen = tuple(sorted(((v, env[v]) for v in d if v in env), key=lambda kv: kv[0].name))
        if not seen and _HAS_SUM not in d:
            return x
        key = (x, seen)
        if key not in done:
            done[key] = rebuild(x, env)
        return done[key]

    def rebuild(x: sp.Basic, env: Mapping[sp.Symbol, sp.Integer]) -> sp.Basic:
        if isinstance(x, sp.Symbol):
            return env.get(x, x)
        if isinstance(x, (sp.Sum, sp.Product)):
            return over(x, len(x.limits) - 1, env)
        if isinstance(x, (sp.Lambda, sp.Integral)):  # their variables are bound: hide them
            env = {k: v for k, v in env.items() if k not in _bound(x)}
        args = [walk(a, env) if isinstance(a, sp.Basic) else a for a in x.args]
        if all(a is b for a, b in zip(args, x.args)):
            return x
        return x.func(*args)

    def over(a: sp.Sum | sp.Product, k: int, env: Mapping[sp.Symbol, sp.Integer]) -> sp.Basic:
        """Σ (or Π) of `a` over limits[k] and those inside it (limits[0] is the innermost),
        the outer ones having their values in `env`."""
        free = {key: v for key, v in env.items() if key not in {lim[0] for lim in a.limits[: k + 1]}}
        var, lo, hi = a.limits[k]
        lo, hi = walk(lo, free), walk(hi, free)
        if not (lo.is_Integer and hi.is_Integer and hi - lo <= 1000):
            # not finite here: kept, with what it holds substituted
            rest = [sp.Tuple(v, walk(l, free), walk(h, free)) for v, l, h in a.limits[:k]]
            return a.func(walk(a.function, free), *rest, sp.Tuple(var, lo, hi))
        terms = []
        for value in range(int(lo), int(hi) + 1):
            inner = {**free, var: sp.Integer(value)}
            terms.append(walk(a.function, inner) if k == 0 else over(a, k - 1, inner))
        return sp.Add(*terms) if isinstance(a, sp.Sum) else sp.Mul(*terms)

    return walk(e, values)


def _bound(x: sp.Lambda | sp.Integral) -> set[sp.Basic]:
    if isinstance(x, sp.Lambda):
        return set(x.variables)
    return {lim[0] for lim in x.limits}


def _write_out_sums(e: Any) -> Any:
    if not e.has(sp.Sum, sp.Product):  # `replace` walks and rebuilds even when nothing matches
        return e
    return e.replace(
        lambda a: isinstance(a, (sp.Sum, sp.Product)) and not _has_symbolic_bound(a)
        and all(_is_finite_limit(lim) for lim in a.limits),
        _write_out,
    )


def _write_out(a: sp.Sum | sp.Product) -> sp.Expr:
    """A sum or product with numeric bounds, written out term by term.

    (SymPy's ``doit`` first looks for a closed form, which is slow and not wanted here.)
    """
    term = a.function
    for var, lo, hi in reversed(a.limits):
        values = range(int(lo), int(hi) + 1)
        terms = [term.xreplace({var: sp.Integer(k)}) for k in values]
        if isinstance(a, sp.Sum):
            term = sp.Add(*terms)
        else:
            term = sp.Mul(*terms)
    return term


def _is_finite_limit(limit: tuple[Any, ...]) -> bool:
    _, lo, hi = limit
    return bool(lo.is_finite and hi.is_finite and (hi - lo) <= 1000)


def _explicit(e: Any) -> Any:
    """Matrix expressions of concrete shape → explicit matrices (recursively)."""
    if isinstance(e, MatrixExpr):
        if not all(isinstance(d, (int, sp.Integer)) for d in e.shape):
            return e
        if isinstance(e, sp.MatrixSymbol):
            return e.as_explicit()
        built = _explicit_from_args(e)
        if built is not None:
            return built
        explicit = e.as_explicit()
        return sp.ImmutableMatrix(explicit.shape[0], explicit.shape[1],
                                  [_explicit(x) for x in explicit])
    if isinstance(e, sp.MatrixBase):
        return e.applyfunc(_explicit)
    if not isinstance(e, sp.Basic) or not e.has(MatrixExpr):
        return e

    def explicit_element(a: MatrixElement) -> Any:
        parent = a.parent
        if isinstance(parent, sp.MatrixSymbol):
            return a
        return _explicit(parent)[a.i, a.j]

    e = e.replace(lambda a: isinstance(a, MatrixElement) and not isinstance(a.parent, sp.MatrixSymbol),
                  explicit_element)
    e = e.replace(lambda a: isinstance(a, sp.Trace), lambda a: _explicit(a.arg).trace())
    e = e.replace(lambda a: isinstance(a, sp.Determinant), lambda a: _explicit(a.arg).det())
    return e


def _explicit_from_args(e: MatrixExpr) -> sp.ImmutableMatrix | None:
    """The common matrix operations done on explicit operands, bottom up; None for others.

    SymPy's `as_explicit` of a nested product writes each entry as a `Sum` and evaluates
    it, which takes seconds for a small network; multiplying explicit matrices does not.
    """
    from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
    from sympy.matrices.expressions.diagonal import DiagMatrix

    if isinstance(e, sp.MatMul):
        out: Any = sp.Integer(1)
        for a in e.args:
            out = out * _explicit(a)
        return sp.ImmutableMatrix(out)
    if isinstance(e, sp.MatAdd):
        parts = [_explicit(a) for a in e.args]
        total = parts[0]
        for p in parts[1:]:
            total = total + p
        return sp.ImmutableMatrix(total)
    if isinstance(e, sp.Transpose):
        return sp.ImmutableMatrix(_explicit(e.arg).T)
    if isinstance(e, sp.HadamardProduct):
        parts = [_explicit(a) for a in e.args]
        total = parts[0]
        for p in parts[1:]:
            total = total.multiply_elementwise(p)
        return sp.ImmutableMatrix(total)
    if isinstance(e, ElementwiseApplyFunction):
        return sp.ImmutableMatrix(_explicit(e.expr).applyfunc(e.function))
    if isinstance(e, DiagMatrix):
        v = _explicit(e.args[0])
        return sp.ImmutableMatrix(sp.diag(*list(v)))
    return None


def scalarize(expr: Any) -> tuple[Any, dict[sp.Symbol, str]]:
    """Replace indexed and matrix-element atoms by plain symbols.

    The symbol of an atom depends on the atom alone, so the sides of a claim can be
    scalarized apart, and a side met again (each line of a chain is the right side of one
    step and the left side of the next) is not scalarized twice.

    Returns:
        The new expression and, for each new symbol, the name to show (``x[2]``, ``W[0, 1]``).
    """
    try:
        out, display = _scalarized(expr)
    except TypeError:  # not hashable (a mutable matrix)
        out, display = _scalarize(expr)
    return out, dict(display)


@functools.lru_cache(maxsize=1024)
def _scalarized(expr: Any) -> tuple[Any, tuple[tuple[sp.Symbol, str], ...]]:
    out, display = _scalarize(expr)
    return out, tuple(display.items())


def _scalarize(expr: Any) -> tuple[Any, dict[sp.Symbol, str]]:
    mapping: dict[sp.Basic, sp.Symbol] = {}
    display: dict[sp.Symbol, str] = {}

    def atoms(e: Any) -> set[sp.Basic]:
        if isinstance(e, sp.MatrixBase):
            out: set[sp.Basic] = set()
            for x in e:
                out |= atoms(x)
            return out
        if not isinstance(e, sp.Basic):
            return set()
        return set(e.atoms(sp.Indexed, MatrixElement))  # one walk for both kinds

    for a in sorted(atoms(expr), key=sp.default_sort_key):
        if isinstance(a, sp.Indexed):
            base = a.base.label
            label = f"{base}[{', '.join(str(i) for i in a.indices)}]"
            assumptions = base.assumptions0 if isinstance(base, sp.Symbol) else {}
        else:
            base = a.parent
            label = f"{base}[{a.i}, {a.j}]"
            assumptions = {"real": True}
        safe = re.sub(r"\W+", "_", label).strip("_")
        sym = sp.Symbol(safe, **{k: v for k, v in assumptions.items() if k in _ASSUMPTION_KEYS})
        mapping[a] = sym
        display[sym] = label
    if not mapping:
        return expr, display
    if isinstance(expr, sp.MatrixBase):
        return expr.xreplace(mapping), display
    return expr.xreplace(mapping), display


_ASSUMPTION_KEYS = {"real", "positive", "negative", "nonnegative", "nonpositive", "integer"}


def lambdify_safe(args: Sequence[sp.Symbol], expr: Any, modules: str = "numpy") -> Callable[..., Any]:
    """`sympy.lambdify` after checking that every name is a plain identifier.

    Compiled functions are kept (bounded): a chain checks each line against the line before,
    so every line but the ends is compiled twice otherwise, and lambdify costs milliseconds.
    The generated docstring is left without the expression: printing it took a third of
    lambdify's time.
    """
    check_names(expr if not isinstance(expr, sp.MatrixBase) else sp.Tuple(*expr))
    for a in args:
        if not _SAFE_NAME.match(a.name):
            raise UnsafeNameError(a.name)
    key_expr = sp.ImmutableMatrix(expr) if isinstance(expr, sp.MatrixBase) else expr
    try:
        return _lambdified(tuple(args), key_expr, modules)
    except TypeError:  # not hashable: compile without keeping it
        return _compile(args, expr, modules)


@functools.lru_cache(maxsize=1024)
def _lambdified(args: tuple[sp.Symbol, ...], expr: Any, modules: str) -> Callable[..., Any]:
    return _compile(args, expr, modules)


def _compile(args: Sequence[sp.Symbol], expr: Any, modules: str) -> Callable[..., Any]:
    return sp.lambdify(list(args), expr, modules=modules, printer=_printer(modules), docstring_limit=0)


def _printer(modules: str) -> Any:
    """lambdify's own printer for `modules`, printing sums in the order of their terms.

    By default the printer sorts the terms of every sum for display, which was a third of
    the time lambdify took on the catalog; the generated code needs no order.
    """
    from sympy.printing.numpy import NumPyPrinter
    from sympy.printing.pycode import MpmathPrinter

    printer = {"numpy": NumPyPrinter, "mpmath": MpmathPrinter}[modules]
    return printer({"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True,
                    "user_functions": {}, "order": "none"})


def float_values(fn: Callable[..., Any], args: Sequence[sp.Symbol],
                 points: Sequence[Mapping[sp.Symbol, float]]) -> list[Any]:
    """Evaluate a lambdified function at each point; a failure gives NaN for that point."""
    out: list[Any] = []
    with np.errstate(all="ignore"):
        for p in points:
            try:
                v = fn(*[p[a] for a in args])
                v = np.asarray(v, dtype=complex)
            except (ValueError, TypeError, ZeroDivisionError, OverflowError, ArithmeticError):
                v = np.asarray(np.nan, dtype=complex)
            out.append(v)
    return out


def _has_infinite_limit(e: sp.Basic) -> bool:
    return any(not (lo.is_finite and hi.is_finite) for a in e.atoms(sp.Sum, sp.Product) for _, lo, hi in a.limits)


def mp_value(expr: Any, point: Mapping[sp.Symbol, float], dps: int = 50) -> Any:
    """`expr` at `point` with `dps` significant digits, as a SymPy number (or matrix).

    Returns None when the value is not a finite number (outside the domain, a pole, an
    integral that does not converge).
    """
    subs = {s: sp.Float(v, dps) if not isinstance(v, int) else sp.Integer(v)
            for s, v in point.items()}
    if isinstance(expr, sp.MatrixBase):
        vals = [mp_value(x, point, dps) for x in expr]
        if any(v is None for v in vals):
            return None
        return sp.ImmutableMatrix(expr.rows, expr.cols, vals)
    try:
        e = unfold(expr)
        if e.has(sp.Integral):
            e = _integrals_done(e, point, subs, dps)
        if _has_infinite_limit(e):
            # SymPy sums a series of Float terms wrongly (Σ 0.2^k for k ≥ 0 gives 1.0): the
            # point's exact binary values instead
            subs = {s: sp.Rational(v) for s, v in point.items()}
        value = e.xreplace(subs).evalf(dps)
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError, RecursionError,
            NotImplementedError, AttributeError):
        return None
    if not value.is_number or value.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        return None
    return value


def _integrals_done(e: sp.Basic, point: Mapping[sp.Symbol, float], subs: Mapping[sp.Symbol, sp.Number],
                    dps: int) -> sp.Basic:
    """Definite integrals with bounds that are numbers at `point` → their values there, by
    mpmath's quadrature.

    Calling mpmath directly on a compiled integrand is far faster than SymPy's evalf of an
    Integral. The integrand is compiled with the point's symbols as arguments, so one
    compiled function serves every point. An integral whose integrand holds another
    integral (not matched), or symbols the point does not give, is left to evalf.
    """
    import mpmath

    def one(integral: sp.Integral) -> sp.Basic:
        if len(integral.limits) != 1 or len(integral.limits[0]) != 3:
            return integral
        var, lo, hi = integral.limits[0]
        inner = integral.function
        params = tuple(sorted(inner.free_symbols - {var}, key=sp.default_sort_key))
        lo, hi = lo.xreplace(subs), hi.xreplace(subs)
        if lo.free_symbols or hi.free_symbols or any(p not in point for p in params):
            return integral
        f = lambdify_safe((var, *params), inner, modules="mpmath")
        with mpmath.workdps(dps + 5):
            values = [mpmath.mpf(point[p]) if not isinstance(point[p], int) else point[p] for p in params]
            bounds = [mpmath.mpf(float(b)) if b.is_finite else (mpmath.inf if b > 0 else -mpmath.inf)
                      for b in (lo, hi)]
            value = mpmath.quad(lambda v: f(v, *values), bounds)
        return sp.Float(value.real, dps) + (sp.I * sp.Float(value.imag, dps) if value.imag else 0)

    return e.replace(lambda a: isinstance(a, sp.Integral) and not a.function.has(sp.Integral), one)


def mp_close(a: Any, b: Any, *, rtol: float = 1e-25, atol: float = 1e-30) -> bool:
    """Whether two high-precision values agree (entrywise for matrices)."""
    if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
        if not (isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase)) or a.shape != b.shape:
            return False
        return all(mp_close(x, y, rtol=rtol, atol=atol) for x, y in zip(a, b))
    diff = abs(sp.N(a - b, 60))
    scale = max(abs(sp.N(a, 60)), abs(sp.N(b, 60)))
    return bool(diff <= atol + rtol * scale)


def is_real_value(v: Any, *, tol: float = 1e-20) -> bool:
    """Whether a high-precision value (or every entry) is real."""
    if isinstance(v, sp.MatrixBase):
        return all(is_real_value(x, tol=tol) for x in v)
    re_, im_ = v.as_real_imag()
    return bool(abs(im_) <= tol * (1 + abs(re_)))


def close(a: np.ndarray, b: np.ndarray, *, rtol: float, atol: float) -> np.ndarray:
    """Elementwise |a − b| ≤ atol + rtol·max(|a|, |b|)."""
    return np.abs(a - b) <= atol + rtol * np.maximum(np.abs(a), np.abs(b))


__all__ = [
    "INSTANCES", "check_names", "close", "derivative_done", "float_values", "instantiate", "is_real_value",
    "lambdify_safe", "mp_close", "mp_value", "scalarize",
]
