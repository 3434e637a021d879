"""Derivations of the optimisation formulas: Adam's bias correction, and the iterates of
gradient descent on a quadratic."""

from __future__ import annotations

import sympy as sp

from checker.claims import Identity
from checker.relations import Eq
from derivations._model import Derivation, Step
from derivations._unevaluated import mul as _mul


# --- Adam: why m̂ₜ = mₜ/(1 − β₁ᵗ) -------------------------------------------------------------------

t = sp.Symbol("t", integer=True, positive=True)
i, r = sp.symbols("i j", integer=True)
b1 = sp.Symbol("beta_1", positive=True)
g = sp.Symbol("g", real=True)
gs, ms = sp.IndexedBase("g", real=True), sp.IndexedBase("m", real=True)
_unrolled = _mul(1 - b1, sp.Sum(b1 ** (t - i) * gs[i], (i, 1, t)))
_constant = _mul(1 - b1, g, sp.Sum(b1 ** (t - i), (i, 1, t)))
_corrected_numerator = (1 - b1**t) * g  # mₜ for a constant gradient

adam_bias_correction = Derivation(
    id="adam_bias_correction",
    title="Adam's bias correction: for a constant gradient, mₜ = (1 − β₁ᵗ)g",
    supports=("opt.adam",),
    steps=(
        Step(expr=b1 * ms[t - 1] + (1 - b1) * gs[t], rule=r"Adam's first moment, with $m_0 = 0$",
             latex=r"m_t &= \beta_1 m_{t-1} + (1-\beta_1)\,g_t"),
        Step(expr=Eq(b1 * _mul(1 - b1, sp.Sum(b1 ** (t - 1 - i) * gs[i], (i, 1, t - 1))) + (1 - b1) * gs[t],
                        _unrolled, evaluate=False),
             rule=r"unrolling (induction on $t$): $m_{t-1} = (1-\beta_1)\sum_{i=1}^{t-1}\beta_1^{t-1-i}g_i$; "
                  r"$g_t$ is the term $i = t$",
             latex=r"\beta_1(1-\beta_1)\sum_{i=1}^{t-1}\beta_1^{t-1-i}g_i + (1-\beta_1)\,g_t "
                   r"&= (1-\beta_1)\sum_{i=1}^{t}\beta_1^{t-i}g_i"),
        Step(expr=_constant, rule=r"a constant gradient, $g_i = g$ for every $i$",
             claim=Identity(lhs=_unrolled.xreplace({gs[i]: g}), rhs=_constant, sizes=((t, (1, 2, 3, 4, 5, 6)),)),
             latex=r"m_t &= (1-\beta_1)\,g\sum_{i=1}^{t}\beta_1^{t-i}"),
        Step(expr=_mul(1 - b1, g, sp.Sum(b1**r, (r, 0, t - 1))), rule=r"reindex $j = t - i$",
             latex=r"(1-\beta_1)\,g\sum_{j=0}^{t-1}\beta_1^{j}"),
        Step(expr=_mul(1 - b1, g, (1 - b1**t) / (1 - b1)),
             rule=r"geometric sum $\sum_{j=0}^{t-1}q^j = (1 - q^t)/(1 - q)$, $q = \beta_1 \ne 1$",
             latex=r"(1-\beta_1)\,g\,\frac{1-\beta_1^t}{1-\beta_1}"),
        Step(expr=_corrected_numerator, rule=r"cancel $1 - \beta_1$", latex=r"(1-\beta_1^t)\,g"),
        Step(expr=g, rule=r"divide by $1 - \beta_1^t$: the corrected moment is unbiased",
             claim=Identity(lhs=_mul(_corrected_numerator, sp.Pow(1 - b1**t, -1, evaluate=False)), rhs=g,
                            assumptions=(b1 < 1,),
                            sizes=((t, (1, 2, 3, 4, 5, 6)),)),
             latex=r"\hat m_t = \frac{m_t}{1-\beta_1^t} &= g"),
    ),
    assumptions=(b1 < 1,),
    sizes=((t, (1, 2, 3, 4, 5, 6)),),
    notes="Without the correction, m₁ = (1 − β₁)g = 0.1g for β₁ = 0.9: the first steps are scaled down.",
)

# --- gradient descent on f(x) = x² + 2x + 1 (000) ----------------------------------------------------

k = sp.Symbol("k", integer=True, nonnegative=True)
alpha = sp.Symbol("alpha", positive=True)
xk, x0 = sp.Symbol("x_k", real=True), sp.Symbol("x_0", real=True)
_closed = lambda step: -1 + (1 - 2 * alpha) ** step * (x0 + 1)  # noqa: E731 - x_k in closed form
_contraction = -1 + (1 - 2 * alpha) * (xk + 1)


def _iterate(x: sp.Expr, rate: sp.Expr, steps: int) -> sp.Expr:
    """000's loop, `x -= learning_rate * (2x + 2)`, run exactly in rationals."""
    for _ in range(steps):
        x = x - rate * (2 * x + 2)
    return x


_x20 = _closed(20).xreplace({x0: 5, alpha: sp.Rational(1, 10)})

gd_quadratic_iterate = Derivation(
    id="gd_quadratic_iterate",
    title="Gradient descent on x² + 2x + 1: the iterates in closed form",
    supports=("opt.gd_quadratic_run",),
    steps=(
        Step(expr=xk - alpha * sp.Derivative(xk**2 + 2 * xk + 1, xk),
             rule=r"a gradient-descent step $x_{k+1} = x_k - \alpha f'(x_k)$ on $f(x) = x^2 + 2x + 1$",
             latex=r"x_{k+1} &= x_k - \alpha\,\frac{d}{dx}\bigl(x^2 + 2x + 1\bigr)\Big|_{x = x_k}"),
        Step(expr=xk - alpha * (2 * xk + 2), rule=r"$f'(x) = 2x + 2$", latex=r"x_k - \alpha(2x_k + 2)"),
        Step(expr=(1 - 2 * alpha) * xk - 2 * alpha, rule=r"collect $x_k$", latex=r"(1 - 2\alpha)\,x_k - 2\alpha"),
        Step(expr=_contraction,
             rule=r"write $-2\alpha = (1 - 2\alpha) - 1$: the distance to the minimum $x^* = -1$ shrinks by $1 - 2\alpha$",
             latex=r"-1 + (1 - 2\alpha)(x_k + 1)"),
        Step(expr=Eq(sp.IndexedBase("x")[k + 1], _closed(k + 1), evaluate=False),
             rule=r"induction on $k$: $x_k = -1 + (1 - 2\alpha)^k(x_0 + 1)$ holds at $k = 0$, "
                  r"and the line above carries it from $k$ to $k + 1$",
             claim=Identity(lhs=sp.ImmutableMatrix([_closed(0), _contraction.xreplace({xk: _closed(k)})]),
                            rhs=sp.ImmutableMatrix([x0, _closed(k + 1)])),
             latex=r"x_{k+1} &= -1 + (1 - 2\alpha)^{k+1}(x_0 + 1)"),
        Step(expr=_x20, rule=r"000's run: $x_0 = 5$, $\alpha = 0.1$, 20 steps (checked against the loop run exactly)",
             claim=Identity(lhs=_iterate(sp.Integer(5), sp.Rational(1, 10), 20), rhs=_x20),
             latex=r"x_{20} &= -1 + 6\cdot 0.8^{20} \approx -0.9308"),
    ),
    notes="000 prints x ≈ −0.9308 after 20 steps: the iterates approach the minimum x* = −1 geometrically.",
)

DERIVATIONS: tuple[Derivation, ...] = (adam_bias_correction, gd_quadratic_iterate)
