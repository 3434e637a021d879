"""Derivative, gradient and Jacobian claims, checked two independent ways.

- symbolically: SymPy differentiates the function and `symbolic.prove_zero` compares;
- by finite differences of the undifferentiated function (`finite_diff`), which never
  calls SymPy's `diff`. A disagreement beyond the estimate's error is confirmed with a
  high-precision finite difference (mpmath at 50 digits) before it is called wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from checker import finite_diff
from checker.claims import CodeGradientClaim, DerivativeClaim, GradientClaim
from checker.evaluate import instantiate, lambdify_safe, mp_value, scalarize
from checker.numeric import as_basic, size_combinations, sized
from checker.sampling import draw_points
from checker.symbolic import prove_zero, symbolic_sizes
from checker.verdict import Counterexample, Evidence, Method, Verdict

#: Relative tolerance between a claimed derivative and a finite-difference estimate,
#: on top of the estimate's own error.
FD_RTOL = 1e-7
FD_ATOL = 1e-13
#: Points per size at which finite differences are taken.
FD_POINTS = 6
#: Digits of the high-precision confirmation.
HP_DIGITS = 50

_NON_ANALYTIC = (sp.Abs, sp.Max, sp.Min, sp.Piecewise, sp.sign, sp.Heaviside, sp.floor,
                 sp.ceiling, sp.re, sp.im, sp.conjugate)


def is_analytic(expr: Any) -> bool:
    """Whether `expr` is built from analytic functions only (so a complex step applies)."""
    entries = list(expr) if isinstance(expr, sp.MatrixBase) else [expr]
    return not any(isinstance(e, sp.Basic) and e.has(*_NON_ANALYTIC) for e in entries)


def _wrt_entries(wrt: Any, combo: dict[sp.Symbol, int]) -> list[Any]:
    if isinstance(wrt, sp.MatrixSymbol):
        return list(instantiate(wrt, combo))
    return [instantiate(w, combo) for w in wrt]


def _instance(function: Any, claimed: Any, wrt: Sequence[Any], combo: dict[sp.Symbol, int]):
    display: dict[sp.Symbol, str] = {}

    def plain(e: Any) -> Any:  # scalarized part by part: each part is looked up again at every check
        out, shown = scalarize(sp.ImmutableMatrix(e) if isinstance(e, sp.MatrixBase) else e)
        display.update(shown)
        return out

    f = plain(instantiate(as_basic(function), combo))
    c = plain(instantiate(as_basic(claimed), combo))
    return f, c, tuple(plain(w) for w in wrt), display


# --- symbolic ---------------------------------------------------------------------------

def _ae(derivative: Any) -> Any:
    """A derivative as it holds almost everywhere: the step function of a kink is written as
    the piecewise 1 / 0 away from the kink (its value at the kink is a convention, and the
    claims about kinks say "away from the kink")."""
    if isinstance(derivative, sp.Basic) and derivative.has(sp.Heaviside):
        return derivative.replace(lambda a: isinstance(a, sp.Heaviside),
                                  lambda a: sp.Piecewise((1, a.args[0] > 0), (0, True)))
    return derivative


def check_derivative_symbolic(claim: DerivativeClaim, *, timeout: float) -> Verdict:
    """``diff(function, *wrt) − claimed`` proved zero (at each size tried)."""
    tried: list[int] = []
    how = ""
    for combo in symbolic_sizes(claim.sizes, claim.assumptions):
        f, c, wrt, _ = _instance(claim.function, claim.claimed, claim.wrt, combo)
        try:
            derivative = _ae(sp.diff(f, *wrt))
        except (ValueError, TypeError) as exc:
            return Verdict.inconclusive(f"SymPy cannot differentiate: {exc}", method=Method.SYMBOLIC)
        proved, how = prove_zero(derivative - c, timeout=timeout)
        if not proved:
            return Verdict.inconclusive(how, method=Method.SYMBOLIC)
        tried.extend(combo.values())
    return Verdict.verified(Method.SYMBOLIC, Evidence(
        sizes=tuple(sorted(set(tried))) or None, detail=f"d/d{','.join(map(str, claim.wrt))} by {how}"))


def _jacobian_parts(claim: GradientClaim, combo: dict[sp.Symbol, int]):
    wrt = _wrt_entries(claim.wrt, combo)
    f, c, wrt_s, display = _instance(claim.function, claim.claimed, wrt, combo)
    outputs = list(f) if isinstance(f, sp.MatrixBase) else [f]
    claimed = list(c) if isinstance(c, sp.MatrixBase) else [c]
    if len(claimed) != len(outputs) * len(wrt_s):
        raise sp.ShapeError(f"claimed has {len(claimed)} entries; expected {len(outputs)}×{len(wrt_s)}")
    rows = [claimed[i * len(wrt_s):(i + 1) * len(wrt_s)] for i in range(len(outputs))]
    return outputs, rows, wrt_s, display


def check_gradient_symbolic(claim: GradientClaim, *, timeout: float) -> Verdict:
    """Every entry ``∂f_i/∂w_j − claimed_ij`` proved zero, at each size tried."""
    tried: list[int] = []
    for combo in symbolic_sizes(claim.sizes, claim.assumptions):
        try:
            outputs, rows, wrt, _ = _jacobian_parts(claim, combo)
        except sp.ShapeError as exc:
            return Verdict.inconclusive(str(exc), method=Method.SYMBOLIC)
        diff = sp.ImmutableMatrix([[_ae(sp.diff(f, w)) - c for w, c in zip(wrt, row)]
                                   for f, row in zip(outputs, rows)])
        proved, how = prove_zero(diff, timeout=timeout)
        if not proved:
            return Verdict.inconclusive(how, method=Method.SYMBOLIC)
        tried.extend(combo.values())
    return Verdict.verified(Method.SYMBOLIC, Evidence(sizes=tuple(sorted(set(tried))) or None,
                                                      detail="every entry of the Jacobian"))


# --- finite differences ------------------------------------------------------------------

def _tolerance(claimed: float, estimate: float, error: float) -> float:
    return 20 * error + FD_RTOL * max(abs(claimed), abs(estimate)) + FD_ATOL


def _hp_partial(expr: Any, symbols: Sequence[sp.Symbol], point: dict[sp.Symbol, float],
                index: Sequence[int], wrt: Sequence[sp.Symbol]) -> Any:
    """∂ of `expr` along `wrt` at `point`, by mpmath's high-precision finite differences."""
    fn = lambdify_safe(symbols, expr, modules="mpmath")
    with mpmath.workdps(HP_DIGITS):
        base = [mpmath.mpf(point[s]) for s in symbols]
        pos = {s: k for k, s in enumerate(symbols)}
        var_pos = sorted({pos[w] for w in wrt})
        orders = [sum(1 for w in wrt if pos[w] == p) for p in var_pos]

        def f(*xs: Any) -> Any:
            args = list(base)
            for p, x in zip(var_pos, xs):
                args[p] = x
            return fn(*args)

        value = mpmath.diff(f, [base[p] for p in var_pos], orders)
        return complex(value)


def _fd_failure(display: dict, symbols: Sequence[sp.Symbol], point: dict, claimed_hp: Any,
                estimate_hp: complex, label: str) -> Verdict:
    pt = tuple((display.get(s, s.name), point[s]) for s in symbols)
    ce = Counterexample(point=pt, lhs=complex(claimed_hp), rhs=estimate_hp, digits=HP_DIGITS,
                        note=f"lhs: the claimed {label}; rhs: a finite-difference estimate "
                             f"at {HP_DIGITS} digits")
    return Verdict.wrong(Method.FINITE_DIFFERENCE, ce,
                         reason=f"the claimed {label} disagrees with finite differences")


def check_derivative_fd(claim: DerivativeClaim, *, rng: np.random.Generator, seed: int = 0) -> Verdict:
    """Compare the claimed derivative with finite differences at sampled points."""
    worst = 0.0
    n = 0
    errors: list[float] = []
    for combo in size_combinations(claim.sizes, claim.assumptions):
        f, c, wrt, display = _instance(claim.function, claim.claimed, claim.wrt, combo)
        symbols = tuple(sorted((f.free_symbols | c.free_symbols | set(wrt)), key=sp.default_sort_key))
        fn = lambdify_safe(symbols, f)
        cn = lambdify_safe(symbols, c)
        analytic = is_analytic(f) and len(wrt) == 1
        var_syms = sorted(set(wrt), key=sp.default_sort_key)
        index = tuple(var_syms.index(w) for w in wrt)
        for point in draw_points(symbols, rng, n=FD_POINTS, assumptions=sized(claim.assumptions, combo)):
            def g(x: np.ndarray, point: dict = point) -> Any:
                args = dict(point)
                for s, v in zip(var_syms, np.atleast_1d(x)):
                    args[s] = v
                return fn(*[args[s] for s in symbols])

            x0 = np.array([point[s] for s in var_syms], dtype=float)
            with np.errstate(all="ignore"):
                est = finite_diff.partial(g, x0, index, analytic=analytic)
                claimed = complex(cn(*[point[s] for s in symbols]))
            estimate, error = complex(est.value), float(est.error)
            if not (np.isfinite(estimate) and np.isfinite(error) and np.isfinite(claimed)):
                continue
            n += 1
            rel = abs(claimed - estimate) / max(abs(estimate), FD_ATOL)
            errors.append(rel)
            worst = max(worst, rel)
            if abs(claimed - estimate) > _tolerance(abs(claimed), abs(estimate), error):
                claimed_hp = mp_value(c, point, HP_DIGITS)
                estimate_hp = _hp_partial(f, symbols, point, index, wrt)
                if claimed_hp is None:
                    continue
                diff = abs(complex(claimed_hp) - estimate_hp)
                if diff > 1e-12 * max(abs(estimate_hp), 1e-300) + 1e-30:
                    return _fd_failure(display, symbols, point, claimed_hp, estimate_hp, "derivative")
    if n < 3:
        return Verdict.inconclusive(f"finite differences were finite at only {n} points",
                                    method=Method.FINITE_DIFFERENCE)
    return Verdict.verified(Method.FINITE_DIFFERENCE, Evidence(
        n_points=n, seed=seed, fd_error=worst, detail=_per_point(errors)))


def _per_point(errors: Sequence[float]) -> str:
    return "relative error at each point: " + ", ".join(f"{e:.1e}" for e in errors[:12])


def check_gradient_fd(claim: GradientClaim, *, rng: np.random.Generator, seed: int = 0) -> Verdict:
    """Compare every entry of the claimed gradient/Jacobian with finite differences."""
    worst = 0.0
    n = 0
    errors: list[float] = []
    tried: list[int] = []
    for combo in size_combinations(claim.sizes, claim.assumptions):
        outputs, rows, wrt, display = _jacobian_parts(claim, combo)
        tried.extend(combo.values())
        flat_claimed = [c for row in rows for c in row]
        symbols = set(wrt)
        for e in outputs + flat_claimed:
            symbols |= e.free_symbols
        symbols_t = tuple(sorted(symbols, key=sp.default_sort_key))
        fn = lambdify_safe(symbols_t, sp.ImmutableMatrix(outputs))
        cn = lambdify_safe(symbols_t, sp.ImmutableMatrix(len(outputs), len(wrt), flat_claimed))
        analytic = all(is_analytic(o) for o in outputs)
        for point in draw_points(symbols_t, rng, n=max(2, FD_POINTS // 2), assumptions=sized(claim.assumptions, combo)):
            def g(x: np.ndarray, point: dict = point) -> np.ndarray:
                args = dict(point)
                for s, v in zip(wrt, x):
                    args[s] = v
                return np.asarray(fn(*[args[s] for s in symbols_t])).reshape(-1)

            x0 = np.array([point[s] for s in wrt], dtype=float)
            with np.errstate(all="ignore"):
                est = finite_diff.jacobian(g, x0, analytic=analytic)
                claimed = np.asarray(cn(*[point[s] for s in symbols_t]), dtype=complex).reshape(len(outputs), len(wrt))
            value = np.asarray(est.value, dtype=complex).reshape(claimed.shape)
            error = np.asarray(est.error, dtype=float).reshape(claimed.shape)
            if not (np.all(np.isfinite(value)) and np.all(np.isfinite(claimed))):
                continue
            n += 1
            scale = max(float(np.max(np.abs(value))), FD_ATOL)
            rel = float(np.max(np.abs(claimed - value))) / scale
            errors.append(rel)
            worst = max(worst, rel)
            bad = np.abs(claimed - value) > 20 * error + FD_RTOL * scale + FD_ATOL
            if np.any(bad):
                i, j = (int(k) for k in np.argwhere(bad)[0])
                c_hp = mp_value(flat_claimed[i * len(wrt) + j], point, HP_DIGITS)
                e_hp = _hp_partial(outputs[i], symbols_t, point, [symbols_t.index(wrt[j])], [wrt[j]])
                if c_hp is None:
                    continue
                if abs(complex(c_hp) - e_hp) > 1e-12 * max(abs(e_hp), scale) + 1e-30:
                    label = f"entry ({i}, {j}) of the derivative (∂/∂{display.get(wrt[j], wrt[j].name)})"
                    return _fd_failure(display, symbols_t, point, c_hp, e_hp, label)
    if n < 2:
        return Verdict.inconclusive(f"finite differences were finite at only {n} points",
                                    method=Method.FINITE_DIFFERENCE)
    return Verdict.verified(Method.FINITE_DIFFERENCE, Evidence(
        n_points=n, seed=seed, fd_error=worst, sizes=tuple(sorted(set(tried))) or None,
        detail=_per_point(errors)))


def check_code_gradient(claim: CodeGradientClaim, *, rng: np.random.Generator, seed: int = 0) -> Verdict:
    """Compare a hand-written gradient (code) with finite differences of its loss."""
    worst = 0.0
    errors: list[float] = []
    for _ in range(claim.n_samples):
        params = {k: np.asarray(v, dtype=float) for k, v in claim.sample(rng).items()}
        keys = sorted(claim.params) if claim.params else sorted(params)
        shapes = [params[k].shape for k in keys]
        sizes = [int(np.prod(s)) for s in shapes]
        x0 = np.concatenate([params[k].reshape(-1) for k in keys])

        def unpack(x: np.ndarray) -> dict[str, np.ndarray]:
            out, at = {}, 0
            for k, s, m in zip(keys, shapes, sizes):
                out[k] = np.asarray(x[at:at + m]).reshape(s)
                at += m
            return {**params, **out}

        loss: Callable[[np.ndarray], float] = lambda x: float(claim.loss(unpack(x)))  # noqa: E731
        est = finite_diff.gradient(loss, x0, analytic=False)
        grads = claim.gradient(params)
        code = np.concatenate([np.asarray(grads[k], dtype=float).reshape(-1) for k in keys])
        value, error = np.asarray(est.value).reshape(-1), np.asarray(est.error).reshape(-1)
        scale = max(float(np.max(np.abs(value))), 1e-12)
        rel = float(np.max(np.abs(code - value))) / scale
        errors.append(rel)
        worst = max(worst, rel)
        bad = np.abs(code - value) > 20 * error + 1e-6 * scale + 1e-10
        if np.any(bad):
            k = int(np.argmax(np.abs(code - value) - (20 * error + 1e-6 * scale)))
            name = _entry_name(keys, shapes, sizes, k)
            pt = ((name, float(x0[k])),)
            ce = Counterexample(point=pt, lhs=float(code[k]), rhs=float(value[k]), digits=16,
                                note=f"lhs: ∂loss/∂{name} as the code computes it; rhs: finite "
                                     f"differences of the loss (estimated error {float(error[k]):.1e})")
            return Verdict.wrong(Method.FINITE_DIFFERENCE, ce,
                                 reason=f"the code's gradient for {name} disagrees with finite differences",
                                 evidence=Evidence(seed=seed, fd_error=rel))
    return Verdict.verified(Method.FINITE_DIFFERENCE, Evidence(
        n_points=claim.n_samples, seed=seed, fd_error=worst, detail=_per_point(errors)))


def _entry_name(keys: Sequence[str], shapes: Sequence[tuple[int, ...]], sizes: Sequence[int], k: int) -> str:
    for key, shape, m in zip(keys, shapes, sizes):
        if k < m:
            idx = np.unravel_index(k, shape) if shape else ()
            return f"{key}[{', '.join(str(int(i)) for i in idx)}]" if shape else key
        k -= m
    return f"parameter {k}"


__all__ = [
    "check_code_gradient", "check_derivative_fd", "check_derivative_symbolic",
    "check_gradient_fd", "check_gradient_symbolic", "is_analytic",
]
