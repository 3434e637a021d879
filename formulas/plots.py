"""Plots for the cheat sheet: each activation with its derivative, each loss against the prediction.

The curves are the catalog's own expressions (the ones its checks verify), and the
derivatives are SymPy's `diff` of them, so the pictures show the checked formulas.
"""

from __future__ import annotations

import sympy as sp

from checker.sheet import Plot
from formulas import activations, losses

x = sp.Symbol("x", real=True)


def _in_x(expr: sp.Expr, var: sp.Symbol) -> sp.Expr:
    return expr.xreplace({var: x})


_sig = _in_x(activations.SIGMOID_ELEMENTARY, activations.z)
_relu = _in_x(activations.RELU_PIECEWISE, activations.x)
_leaky = _in_x(activations.LEAKY_PIECEWISE.xreplace({activations.alpha: sp.Rational(1, 10)}), activations.x)
#: the per-sample losses at the label y = 1, as functions of the prediction ŷ
_bce = _in_x(losses.BCE.xreplace({losses.y: 1}), losses.p_hat)
_squared = _in_x(((losses.y - losses.y_hat) ** 2).xreplace({losses.y: 1}), losses.y_hat)
_absolute = _in_x(sp.Abs(losses.y - losses.y_hat).xreplace({losses.y: 1}), losses.y_hat)
_hinge = sp.Max(0, 1 - x)  # the hinge loss max(0, 1 − m) of the margin m = y(wᵀx + b)


def _with_derivative(title: str, f: sp.Expr, label: str, domain: tuple[float, float] = (-5, 5)) -> Plot:
    return Plot(title=title, var=x, domain=domain,
                curves=((label, f), (label.replace("(x)", "'(x)"), sp.diff(f, x))))


PLOTS: tuple[tuple[str, Plot], ...] = (
    ("Activation functions", _with_derivative("sigmoid and its derivative", _sig, r"\sigma(x)")),
    ("Activation functions", _with_derivative("tanh and its derivative", sp.tanh(x), r"\tanh(x)", (-3, 3))),
    ("Activation functions", Plot(title="ReLU and leaky ReLU ($\\alpha = 0.1$)", var=x, domain=(-3, 3),
                                  curves=((r"\mathrm{ReLU}(x)", _relu), (r"\mathrm{LeakyReLU}(x)", _leaky),
                                          (r"\mathrm{ReLU}'(x)", sp.diff(_relu, x))))),
    ("Losses", Plot(title="losses for the label $y = 1$, against the prediction $\\hat y$", var=x, domain=(0.02, 1.5),
                    ymin=0, ymax=4,
                    curves=((r"(1-\hat y)^2", _squared), (r"-\log\hat y", _bce), (r"|1-\hat y|", _absolute)))),
    ("Losses", Plot(title="hinge loss against the margin $m = y(w^\\top x + b)$", var=x, domain=(-2, 3),
                    curves=((r"\max(0, 1 - m)", _hinge),))),
)
