"""Finite differences of the undifferentiated function, independent of SymPy's ``diff``.

Two estimators:

- **complex step** for first derivatives of analytic functions: f'(x) ≈ Im f(x + ih)/h.
  No subtraction, so no cancellation: accurate to round-off with a tiny h.
- **central differences with Richardson extrapolation** (Ridders' method) for everything
  else: a Neville tableau over the steps h, h/2, h/4, …, each column removing the next
  even power of h from the error; the entry whose neighbours agree best is kept, and that
  disagreement is the error estimate (as in numdifftools and Numerical Recipes' `dfridr`).

Higher orders use the central stencils of order 2–4; mixed partials nest the one-dimensional
estimator. Every estimate comes with an error estimate, so a caller can tell a wrong
derivative from a noisy estimate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Central-difference stencils: order → (offsets in units of h, weights); divide by h**order.
_STENCILS: dict[int, tuple[tuple[int, ...], tuple[float, ...]]] = {
    1: ((-1, 1), (-0.5, 0.5)),
    2: ((-1, 0, 1), (1.0, -2.0, 1.0)),
    3: ((-2, -1, 1, 2), (-0.5, 1.0, -1.0, 0.5)),
    4: ((-2, -1, 0, 1, 2), (1.0, -4.0, 6.0, -4.0, 1.0)),
}
#: Rows of the Richardson tableau and the step shrink factor.
_ROWS = 10
_SHRINK = 2.0
#: Complex step (relative to max(1, |x|)).
_COMPLEX_STEP = 1e-20


@dataclass(frozen=True, slots=True)
class Estimate:
    """A derivative estimate with its estimated absolute error.

    Attributes:
        value: the estimate (a 0-d array for a scalar).
        error: estimated absolute error, same shape as `value`.
        method: ``"complex-step"`` or ``"central-richardson"``.
    """

    value: np.ndarray
    error: np.ndarray
    method: str


def _richardson(f: Callable[[float], Any], x: float, order: int, h0: float) -> tuple[complex, float]:
    """Ridders' extrapolation of the central difference of `order` at `x`.

    Rows whose stencil leaves the domain (a non-finite value) restart the tableau with a
    smaller step, so a point near a boundary (log near 0) still gets an estimate.
    """
    offsets, weights = _STENCILS[order]
    table: list[list[complex]] = []
    best, best_err = complex("nan"), float("inf")
    h = h0
    for _ in range(_ROWS + 8):
        try:
            vals = [complex(f(x + k * h)) for k in offsets]
            d0 = sum(w * v for w, v in zip(weights, vals)) / h**order
        except (ValueError, TypeError, ZeroDivisionError, OverflowError, ArithmeticError):
            d0 = complex("nan")
        h /= _SHRINK
        if not np.isfinite(d0):
            table.clear()
            continue
        row = [d0]
        factor = _SHRINK**2
        for j in range(1, len(table) + 1):
            row.append((factor * row[j - 1] - table[-1][j - 1]) / (factor - 1))
            factor *= _SHRINK**2
            err = max(abs(row[j] - row[j - 1]), abs(row[j] - table[-1][j - 1]))
            if err <= best_err:
                best, best_err = row[j], err
        if table and len(table) > 3 and abs(row[-1] - table[-1][-1]) >= 2 * best_err:
            break  # higher orders now diverge: round-off dominates
        table.append(row)
        if len(table) >= _ROWS:
            break
    if not np.isfinite(best) and table:
        return table[-1][-1], float("inf")
    return best, best_err


def derivative(f: Callable[[Any], Any], x: float, *, order: int = 1, analytic: bool = False,
               step: float | None = None) -> Estimate:
    """The `order`-th derivative of a scalar function at `x`.

    Args:
        f: a function of one real variable (of a complex one when `analytic`).
        x: the point.
        order: 1 to 4.
        analytic: whether f is analytic near x (allows the complex step for order 1).
        step: the initial step of the Richardson tableau (default 0.1·max(1, |x|)).

    Returns:
        The estimate, its error estimate, and the method used.

    Examples:
        >>> est = derivative(np.sin, 1.0)
        >>> bool(abs(est.value - np.cos(1.0)) < 1e-11)
        True
        >>> est = derivative(np.exp, 0.5, analytic=True)
        >>> est.method, bool(abs(est.value - np.exp(0.5)) < 1e-15)
        ('complex-step', True)
    """
    if order not in _STENCILS:
        raise ValueError(f"derivative(order={order}): 1 to 4")
    scale = max(1.0, abs(float(x)))
    if analytic and order == 1:
        h = _COMPLEX_STEP * scale
        try:
            with np.errstate(all="ignore"):
                v1 = complex(f(complex(x, h))).imag / h
                v2 = complex(f(complex(x, 2 * h))).imag / (2 * h)
        except (TypeError, ValueError, ZeroDivisionError, OverflowError, ArithmeticError):
            v1 = v2 = float("nan")
        if np.isfinite(v1) and np.isfinite(v2):
            err = abs(v1 - v2) + 4 * np.finfo(float).eps * abs(v1)
            return Estimate(np.asarray(v1), np.asarray(err), "complex-step")
    h0 = step if step is not None else 0.1 * scale * (1 + order / 4)
    with np.errstate(all="ignore"):
        value, err = _richardson(lambda t: f(t), float(x), order, h0)
    real = value.real if abs(value.imag) <= 1e-12 * max(1.0, abs(value)) else value
    return Estimate(np.asarray(real), np.asarray(err), "central-richardson")


def partial(f: Callable[[np.ndarray], Any], x: np.ndarray, index: Sequence[int], *,
            analytic: bool = False) -> Estimate:
    """A repeated or mixed partial derivative of f: Rⁿ → R at `x`.

    `index` lists the variables differentiated: ``(0,)`` is ∂f/∂x₀, ``(0, 1)`` is ∂²f/∂x₀∂x₁,
    ``(1, 1)`` is ∂²f/∂x₁².

    Examples:
        >>> g = lambda v: v[0] ** 2 * v[1] + 3 * v[0] * v[1] ** 2
        >>> round(float(partial(g, np.array([1.0, 2.0]), (0, 1)).value), 8)
        14.0
    """
    x = np.asarray(x, dtype=float)
    if not index:
        raise ValueError("partial(index=()): differentiate along at least one variable")
    counts: dict[int, int] = {}
    for i in index:
        if not 0 <= i < x.size:
            raise ValueError(f"partial(index={tuple(index)}): variable {i} out of range for {x.size} variables")
        counts[i] = counts.get(i, 0) + 1
    variables = sorted(counts)
    return _nested(f, x, [(i, counts[i]) for i in variables], analytic)


def _nested(f: Callable[[np.ndarray], Any], x: np.ndarray, plan: list[tuple[int, int]], analytic: bool) -> Estimate:
    """Differentiate along plan[0], where the inner function is the derivative along plan[1:]."""
    (var, order), rest = plan[0], plan[1:]
    errors: list[float] = []

    def along(t: Any) -> Any:
        y = x.astype(complex if isinstance(t, complex) else float)
        y[var] = t
        if not rest:
            return f(y)
        inner = _nested(f, y.real, rest, analytic=False)
        errors.append(float(inner.error))
        return complex(inner.value)

    est = derivative(along, float(x[var]), order=order, analytic=analytic and not rest)
    inner_err = max(errors) if errors else 0.0
    return Estimate(est.value, np.asarray(float(est.error) + inner_err), est.method)


def gradient(f: Callable[[np.ndarray], Any], x: np.ndarray, *, analytic: bool = False) -> Estimate:
    """The gradient of f: Rⁿ (any array shape) → R at `x`; the value has x's shape."""
    x = np.asarray(x, dtype=float)
    flat = x.reshape(-1)
    values, errors, methods = [], [], set()

    for i in range(flat.size):
        def along(t: Any, i: int = i) -> Any:
            y = flat.astype(complex if isinstance(t, complex) else float)
            y[i] = t
            return f(y.reshape(x.shape))

        est = derivative(along, float(flat[i]), analytic=analytic)
        values.append(complex(est.value))
        errors.append(float(est.error))
        methods.add(est.method)
    value = np.asarray(values)
    if np.all(np.abs(value.imag) <= 1e-12 * np.maximum(1.0, np.abs(value))):
        value = value.real
    method = "complex-step" if methods == {"complex-step"} else "central-richardson"
    return Estimate(value.reshape(x.shape), np.asarray(errors).reshape(x.shape), method)


def jacobian(f: Callable[[np.ndarray], Any], x: np.ndarray, *, analytic: bool = False) -> Estimate:
    """The Jacobian of f: array → array at `x`; the value has shape f(x).shape + x.shape."""
    x = np.asarray(x, dtype=float)
    out_shape = np.shape(f(x))
    n_out = int(np.prod(out_shape)) if out_shape else 1
    rows, errs, methods = [], [], set()
    for k in range(n_out):
        def component(y: np.ndarray, k: int = k) -> Any:
            return np.asarray(f(y)).reshape(-1)[k] if out_shape else f(y)

        est = gradient(component, x, analytic=analytic)
        rows.append(np.asarray(est.value, dtype=complex).reshape(-1))
        errs.append(np.asarray(est.error).reshape(-1))
        methods.add(est.method)
    value = np.asarray(rows)
    if np.all(np.abs(value.imag) <= 1e-12 * np.maximum(1.0, np.abs(value))):
        value = value.real
    shape = tuple(out_shape) + x.shape
    method = "complex-step" if methods == {"complex-step"} else "central-richardson"
    return Estimate(value.reshape(shape), np.asarray(errs).reshape(shape), method)


def plain_central(f: Callable[[np.ndarray], Any], x: np.ndarray, *, step: float = 1e-6) -> np.ndarray:
    """The naive gradient-checker baseline: (f(x + h e_i) − f(x − h e_i)) / 2h with h = 1e-6."""
    x = np.asarray(x, dtype=float)
    flat = x.reshape(-1)
    out = np.empty(flat.size)
    for i in range(flat.size):
        e = np.zeros_like(flat)
        e[i] = step
        out[i] = (float(f((flat + e).reshape(x.shape))) - float(f((flat - e).reshape(x.shape)))) / (2 * step)
    return out.reshape(x.shape)


__all__ = ["Estimate", "derivative", "gradient", "jacobian", "partial", "plain_central"]
