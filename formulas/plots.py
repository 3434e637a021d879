"""Plots for the cheat sheet: each activation with its derivative, each loss against the prediction.

The curves are SymPy expressions; the derivatives are SymPy's `diff` of the same functions
the catalog checks, so the pictures show the checked formulas.
"""

from __future__ import annotations

import sympy as sp

from checker.sheet import Plot

x = sp.Symbol("x", real=True)
_sig = 1 / (1 + sp.exp(-x))
_leaky = sp.Piecewise((x, x > 0), (sp.Rational(1, 10) * x, True))


def _with_derivative(title: str, f: sp.Expr, label: str, domain: tuple[float, float] = (-5, 5)) -> Plot:
    return Plot(title=title, var=x, domain=domain,
                curves=((label, f), (label.replace("(x)", "'(x)"), sp.diff(f, x))))


PLOTS: tuple[tuple[str, Plot], ...] = (
    ("Activation functions", _with_derivative("sigmoid and its derivative", _sig, r"\sigma(x)")),
    ("Activation functions", _with_derivative("tanh and its derivative", sp.tanh(x), r"\tanh(x)", (-3, 3))),
    ("Activation functions", Plot(title="ReLU and leaky ReLU ($\\alpha = 0.1$)", var=x, domain=(-3, 3),
                                  curves=((r"\mathrm{ReLU}(x)", sp.Max(0, x)), (r"\mathrm{LeakyReLU}(x)", _leaky),
                                          (r"\mathrm{ReLU}'(x)", sp.Piecewise((1, x > 0), (0, True)))))),
    ("Losses", Plot(title="losses for the label $y = 1$, against the prediction $\\hat y$", var=x, domain=(0.02, 1.5),
                    ymin=0, ymax=4,
                    curves=((r"(1-\hat y)^2", (1 - x) ** 2), (r"-\log\hat y", -sp.log(x)), (r"|1-\hat y|", sp.Abs(1 - x))))),
    ("Losses", Plot(title="hinge loss against the margin $m = y(w^\\top x + b)$", var=x, domain=(-2, 3),
                    curves=((r"\max(0, 1 - m)", sp.Max(0, 1 - x)),))),
)
