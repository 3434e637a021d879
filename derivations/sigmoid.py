"""The derivative of the sigmoid, by the quotient rule, as 003 derives it."""

from __future__ import annotations

import sympy as sp

from checker.functions import sigmoid
from derivations._model import Derivation, Step
from derivations._unevaluated import add as _add, frac as _frac, mul as _mul

x = sp.Symbol("x", real=True)
E = sp.exp(-x)
V = 1 + E


sigmoid_derivative = Derivation(
    id="sigmoid_derivative",
    title="Derivative of the sigmoid (quotient rule)",
    supports=("act.sigmoid_derivative",),
    steps=(
        Step(expr=sp.Derivative(1 / V, x), rule="definition of σ, as u/v with $u = 1$, $v = 1 + e^{-x}$",
             latex=r"\sigma'(x) &= \frac{d}{dx}\,\frac{1}{1+e^{-x}}"),
        Step(expr=_frac(_add(_mul(0, V), -_mul(1, -E)), V**2),
             rule="quotient rule $(u'v - uv')/v^2$ with $u' = 0$, $v' = -e^{-x}$",
             latex=r"\frac{0\cdot(1+e^{-x}) - 1\cdot(-e^{-x})}{(1+e^{-x})^2}"),
        Step(expr=E / V**2, rule="simplify the numerator",
             latex=r"\frac{e^{-x}}{(1+e^{-x})^2}"),
        Step(expr=_mul(1 / V, _frac(E, V)), rule="factor out $1/(1 + e^{-x})$",
             latex=r"\frac{1}{1+e^{-x}}\cdot\frac{e^{-x}}{1+e^{-x}}"),
        Step(expr=_mul(sigmoid(x), _frac(E, V)), rule="definition of σ",
             latex=r"\sigma(x)\cdot\frac{e^{-x}}{1+e^{-x}}"),
        Step(expr=_mul(sigmoid(x), _frac(_add(V, -1), V)), rule="add and subtract 1 in the numerator",
             latex=r"\sigma(x)\cdot\frac{1+e^{-x}-1}{1+e^{-x}}"),
        Step(expr=_mul(sigmoid(x), _add(1, -_frac(1, V))), rule="split the fraction",
             latex=r"\sigma(x)\left(1-\frac{1}{1+e^{-x}}\right)"),
        Step(expr=sigmoid(x) * (1 - sigmoid(x)), rule="definition of σ",
             latex=r"\sigma(x)\,\bigl(1-\sigma(x)\bigr)"),
    ),
)

DERIVATIONS = (sigmoid_derivative,)
