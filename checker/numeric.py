"""Numeric checks: sample the domain, compare in double precision, confirm in high precision.

A point where the double-precision values differ (or are not finite) is re-evaluated at
50 significant digits, and again at 80. Only a difference that survives both is a
counterexample; a point where either side is not a finite real number at high precision
lies outside the domain and is dropped. So round-off is never called an error, and an
error is never hidden by round-off.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef

from checker.claims import Sizes
from checker.errors import UnsafeNameError
from checker.evaluate import (
    INSTANCES, close, float_values, instantiate, is_real_value, lambdify_safe, mp_close,
    mp_value, scalarize,
)
from checker.sampling import draw_points
from checker.verdict import Counterexample, Evidence, Method, Verdict

#: Double-precision tolerances: agreement within these needs no high-precision look.
RTOL = 1e-9
ATOL = 1e-12
#: Working precisions (decimal digits) of the confirmation of a difference.
DIGITS = (50, 80)
#: The most size combinations tried for one claim.
MAX_SIZE_COMBOS = 8


def as_basic(value: Any) -> Any:
    """Numbers of our own code → SymPy numbers; SymPy objects and matrices unchanged."""
    if isinstance(value, bool):
        raise TypeError("a truth value is not an expression")
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, float):
        return sp.Float(value)
    return value


def size_combinations(sizes: Sizes, assumptions: Sequence[sp.Basic] = ()) -> list[dict[sp.Symbol, int]]:
    """The concrete size assignments to try (all combinations, at most MAX_SIZE_COMBOS).

    Relations among size symbols only (``i <= n`` for a free index i) filter the
    combinations.
    """
    if not sizes:
        return [{}]
    names = [s for s, _ in sizes]
    combos = [dict(zip(names, values)) for values in itertools.product(*(v for _, v in sizes))]
    among = [a for a in assumptions if a.free_symbols and a.free_symbols <= set(names)]
    combos = [c for c in combos if all(bool(a.subs(c)) for a in among)]
    if len(combos) > MAX_SIZE_COMBOS:  # keep the smallest and an even spread of the rest
        step = len(combos) / MAX_SIZE_COMBOS
        combos = [combos[int(i * step)] for i in range(MAX_SIZE_COMBOS)]
    return combos


def sized(assumptions: Sequence[sp.Basic], combo: Mapping[sp.Symbol, int]) -> tuple[sp.Basic, ...]:
    """The assumptions at concrete sizes, without those that became trivially true."""
    if not combo:
        return tuple(assumptions)
    out = []
    for a in assumptions:
        b = a.subs(combo)
        if b is not sp.true:
            out.append(b)
    return tuple(out)


def undefined_functions(*exprs: Any) -> list[Any]:
    out: set[Any] = set()
    for e in exprs:
        if isinstance(e, sp.MatrixBase):
            for x in e:
                out |= {type(a) for a in x.atoms(AppliedUndef)}
        elif isinstance(e, sp.Basic):
            out |= {type(a) for a in e.atoms(AppliedUndef)}
    return sorted(out, key=lambda f: f.__name__)


def function_instances(funcs: Sequence[Any], rng: np.random.Generator, rounds: int = 2) -> Iterator[dict[Any, Any]]:
    """Assignments of concrete functions to undefined ones (one per round)."""
    if not funcs:
        yield {}
        return
    for _ in range(rounds):
        yield {f: INSTANCES[int(rng.integers(len(INSTANCES)))] for f in funcs}


@dataclass(frozen=True, slots=True)
class Instance:
    """A claim's sides at concrete sizes, in plain scalar symbols."""

    lhs: Any
    rhs: Any
    symbols: tuple[sp.Symbol, ...]
    display: Mapping[sp.Symbol, str]
    sizes: Mapping[sp.Symbol, int]


def instances(lhs: Any, rhs: Any, sizes: Sizes, rng: np.random.Generator,
              assumptions: Sequence[sp.Basic] = ()) -> Iterator[Instance]:
    """The claim at each size combination (and each choice of function instances)."""
    funcs = undefined_functions(lhs, rhs)
    for combo in size_combinations(sizes, assumptions):
        for fmap in function_instances(funcs, rng):
            a, shown = scalarize(instantiate(lhs, combo, fmap))
            b, shown_b = scalarize(instantiate(rhs, combo, fmap))
            display = {**shown, **shown_b}
            syms = set()
            for side in (a, b):
                syms |= side.free_symbols if isinstance(side, (sp.Basic, sp.MatrixBase)) else set()
            yield Instance(a, b, tuple(sorted(syms, key=sp.default_sort_key)), display, combo)


def _shape(v: Any) -> tuple[int, ...]:
    return tuple(v.shape) if isinstance(v, sp.MatrixBase) else ()


def _name(inst: Instance, s: sp.Symbol) -> str:
    return inst.display.get(s, s.name)


def _plain_number(v: Any) -> Any:
    if isinstance(v, sp.MatrixBase):
        return [_plain_number(x) for x in v]
    c = complex(v)
    return c.real if c.imag == 0 else c


def _counterexample(inst: Instance, point: Mapping[sp.Symbol, float], a: Any, b: Any, digits: int) -> Counterexample:
    pt = tuple((_name(inst, s), point[s]) for s in inst.symbols)
    pt += tuple((str(k), v) for k, v in inst.sizes.items())
    return Counterexample(point=pt, lhs=_plain_number(a), rhs=_plain_number(b), digits=digits)


def _free(*exprs: Any) -> set[Any]:
    out: set[Any] = set()
    for e in exprs:
        if isinstance(e, (sp.Basic, sp.MatrixBase)):
            out |= e.free_symbols
    return out


def _has_integral(*exprs: Any) -> bool:
    return any(isinstance(e, sp.Basic) and e.has(sp.Integral) for e in exprs)


def _agree_at(lhs: Any, rhs: Any, point: Mapping[sp.Symbol, float], digits: int) -> bool:
    """Whether both sides agree within the double-precision tolerances, evaluated at `digits`."""
    a, b = mp_value(lhs, point, digits), mp_value(rhs, point, digits)
    if a is None or b is None or not is_real_value(a) or not is_real_value(b):
        return False
    return mp_close(a, b, rtol=RTOL, atol=ATOL)


def confirm_difference(lhs: Any, rhs: Any, point: Mapping[sp.Symbol, float]) -> tuple[str, Any, Any]:
    """Evaluate both sides in high precision at one point.

    Returns:
        ``("differ", a, b)`` when the sides differ at every working precision,
        ``("agree", a, b)`` when they agree at some precision (the float difference was
        round-off), ``("invalid", None, None)`` when a side is not a finite real there.
    """
    a = b = None
    values: list[tuple[Any, Any]] = []
    for digits in DIGITS:
        a, b = mp_value(lhs, point, digits), mp_value(rhs, point, digits)
        if a is None or b is None or not is_real_value(a) or not is_real_value(b):
            return ("invalid", None, None)
        values.append((a, b))
        if mp_close(a, b):
            # agreement relative to values so large that a difference of 1 hides below the
            # tolerance ((x+y)^4000 against (x+y)^4000 + 1) shows nothing: not judged there
            return ("agree", a, b) if _magnitude(a, b) < HIDDEN else ("invalid", None, None)
    if _improper(lhs, rhs) and len(values) > 1:
        # an integral or series over an infinite range may diverge: quadrature then gives a value
        # that moves with the precision, and such a value is no counterexample
        (a1, b1), (a2, b2) = values[0], values[-1]
        if not (mp_close(a1, a2, rtol=1e-12, atol=1e-15) and mp_close(b1, b2, rtol=1e-12, atol=1e-15)):
            return ("invalid", None, None)
    return ("differ", a, b)


def _improper(*sides: Any) -> bool:
    """Whether a side has an integral, sum or product over an infinite range."""
    for side in sides:
        if isinstance(side, sp.Basic):
            for x in side.atoms(sp.Integral, sp.Sum, sp.Product):
                if any(not (lim[1].is_finite and lim[2].is_finite) for lim in x.limits if len(lim) == 3):
                    return True
    return False


#: Above this magnitude, agreement in high precision no longer shows that an absolute difference
#: of order 1e-6 is absent; such a point is left out instead of counted as agreeing.
HIDDEN = 1e19


def _magnitude(a: Any, b: Any) -> float:
    values = list(a) + list(b) if isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase) else [a, b]
    try:
        return max(float(abs(sp.N(v, 20))) for v in values)
    except (TypeError, ValueError, OverflowError):
        return float("inf")


def _side_values(side: Any, points: Sequence[Mapping[sp.Symbol, float]]) -> list[Any]:
    """One side's values at the points, compiled in its own free symbols only.

    So the function compiled for a side is reused wherever that side appears again (each
    line of a chain is the right side of one step and the left side of the next).
    """
    args = tuple(sorted(side.free_symbols, key=sp.default_sort_key)) if isinstance(side, (sp.Basic, sp.MatrixBase)) else ()
    return float_values(lambdify_safe(args, side), args, points)


def relative_error(a: Any, b: Any, *, floor: float = ATOL / RTOL) -> float:
    """The worst elementwise |a − b| / max(|a|, |b|), over the entries larger than `floor`.

    Entries that agree only through the absolute tolerance (both sides within round-off of
    0) carry no relative information: 1e-17 against 0 is not a 100 % error.
    """
    a, b = np.asarray(a), np.asarray(b)
    scale = np.maximum(np.abs(a), np.abs(b))
    big = scale > floor
    if not np.any(big):
        return 0.0
    return float(np.max(np.abs(a - b)[big] / scale[big]))


def check_identity(
    lhs: Any,
    rhs: Any,
    *,
    assumptions: Sequence[sp.Basic] = (),
    sizes: Sizes = (),
    rng: np.random.Generator,
    seed: int = 0,
    n_points: int = 16,
) -> Verdict:
    """Compare both sides at sampled points of the domain (every size combination)."""
    lhs, rhs = as_basic(lhs), as_basic(rhs)
    n_valid = n_dropped = 0
    max_abs = max_rel = 0.0
    tried_sizes: list[int] = []
    tried_symbols = False
    for inst in instances(lhs, rhs, sizes, rng, assumptions):
        if _shape(inst.lhs) != _shape(inst.rhs):
            ce = Counterexample(point=tuple((str(k), v) for k, v in inst.sizes.items()),
                                lhs=f"shape {_shape(inst.lhs)}", rhs=f"shape {_shape(inst.rhs)}",
                                note="the two sides have different shapes")
            return Verdict.wrong(Method.NUMERIC, ce, reason="the two sides have different shapes")
        tried_sizes.extend(inst.sizes.values())
        tried_symbols = tried_symbols or bool(inst.symbols)
        local = sized(assumptions, inst.sizes)
        points = draw_points(inst.symbols, rng, n=n_points, assumptions=local) if inst.symbols else [{}]
        try:
            va, vb = _side_values(inst.lhs, points), _side_values(inst.rhs, points)
        except UnsafeNameError:
            raise
        except Exception:  # lambdify cannot print it (integrals, special functions): go high precision
            va = vb = [np.asarray(np.nan, dtype=complex)] * len(points)
        for p, a, b in zip(points, va, vb):
            finite = bool(np.all(np.isfinite(a)) and np.all(np.isfinite(b)))
            if finite and a.shape == b.shape and bool(np.all(close(a, b, rtol=RTOL, atol=ATOL))):
                n_valid += 1
                err = np.abs(a - b)
                max_abs = max(max_abs, float(np.max(err, initial=0.0)))
                max_rel = max(max_rel, relative_error(a, b))
                continue
            if not finite and _has_integral(inst.lhs, inst.rhs) and _agree_at(inst.lhs, inst.rhs, p, 20):
                n_valid += 1  # the double-precision screen, done by quadrature at 20 digits
                continue
            outcome, ma, mb = confirm_difference(inst.lhs, inst.rhs, p)
            if outcome == "invalid":
                n_dropped += 1
            elif outcome == "agree":
                n_valid += 1
            else:
                ce = _counterexample(inst, p, ma, mb, DIGITS[-1])
                return Verdict.wrong(Method.NUMERIC, ce, reason="the two sides differ at a sampled point",
                                     evidence=Evidence(n_points=n_valid, seed=seed))
    evidence = Evidence(n_points=n_valid, seed=seed, max_abs_err=max_abs, max_rel_err=max_rel,
                        sizes=tuple(sorted(set(tried_sizes))) or None)
    free = bool(sizes) or tried_symbols or bool(_free(lhs, rhs))  # the cheap tests first
    needed = max(3, n_points // 4) if free else 1
    if n_valid < needed:
        return Verdict.inconclusive(
            f"too few valid points in the domain ({n_valid} valid, {n_dropped} outside it)",
            method=Method.NUMERIC, evidence=evidence)
    return Verdict.verified(Method.NUMERIC, evidence)


def find_witness(
    lhs: Any,
    rhs: Any,
    *,
    assumptions: Sequence[sp.Basic] = (),
    sizes: Sizes = (),
    rng: np.random.Generator,
    seed: int = 0,
    n_points: int = 16,
) -> Verdict:
    """Look for a point where ``lhs ≠ rhs`` (an existential claim such as AB ≠ BA)."""
    verdict = check_identity(lhs, rhs, assumptions=assumptions, sizes=sizes, rng=rng,
                             seed=seed, n_points=n_points)
    if verdict.counterexample is not None:
        return Verdict.verified(Method.NUMERIC, Evidence(
            seed=seed, detail=f"witness: {verdict.counterexample.describe()}"))
    return Verdict.inconclusive("no point found where the two sides differ", method=Method.NUMERIC,
                                evidence=verdict.evidence)


def check_inequality(
    statement: sp.Rel,
    *,
    assumptions: Sequence[sp.Basic] = (),
    sizes: Sizes = (),
    rng: np.random.Generator,
    seed: int = 0,
    n_points: int = 32,
) -> Verdict:
    """Sample ``lhs OP rhs`` over the domain; a violation confirmed at 50 digits is a counterexample."""
    op = type(statement)
    n_valid = 0
    for inst in instances(statement.lhs, statement.rhs, sizes, rng, assumptions):
        local = sized(assumptions, inst.sizes)
        points = draw_points(inst.symbols, rng, n=n_points, assumptions=local) if inst.symbols else [{}]
        try:
            va, vb = _side_values(inst.lhs, points), _side_values(inst.rhs, points)
        except UnsafeNameError:
            raise
        except Exception:
            va = vb = [np.asarray(np.nan, dtype=complex)] * len(points)
        for p, fa_v, fb_v in zip(points, va, vb):
            if np.all(np.isfinite(fa_v)) and np.all(np.isfinite(fb_v)) and not np.any(np.abs(fa_v.imag) + np.abs(fb_v.imag)):
                ra_f, rb_f = float(np.real(fa_v)), float(np.real(fb_v))
                margin = 1e-9 * (1 + max(abs(ra_f), abs(rb_f)))
                clear = {sp.GreaterThan: ra_f >= rb_f + margin, sp.StrictGreaterThan: ra_f > rb_f + margin,
                         sp.LessThan: ra_f <= rb_f - margin, sp.StrictLessThan: ra_f < rb_f - margin}[op]
                if clear:  # holds with room to spare in double precision
                    n_valid += 1
                    continue
            a, b = mp_value(inst.lhs, p, DIGITS[0]), mp_value(inst.rhs, p, DIGITS[0])
            if a is None or b is None or not is_real_value(a) or not is_real_value(b):
                continue
            n_valid += 1
            ra, rb = sp.re(a), sp.re(b)
            slack = sp.Float(10) ** (-DIGITS[0] // 2) * (1 + max(abs(ra), abs(rb)))
            holds = {
                sp.GreaterThan: ra >= rb - slack, sp.StrictGreaterThan: ra > rb - slack,
                sp.LessThan: ra <= rb + slack, sp.StrictLessThan: ra < rb + slack,
            }[op]
            if not bool(holds):
                return Verdict.wrong(Method.NUMERIC, _counterexample(inst, p, a, b, DIGITS[0]),
                                     reason="the inequality fails at a sampled point")
    if n_valid < 3:
        return Verdict.inconclusive(f"too few valid points in the domain ({n_valid})", method=Method.NUMERIC)
    return Verdict.verified(Method.NUMERIC, Evidence(n_points=n_valid, seed=seed))


__all__ = [
    "ATOL", "DIGITS", "RTOL", "as_basic", "check_identity", "check_inequality",
    "confirm_difference", "find_witness", "instances", "relative_error", "size_combinations",
]
