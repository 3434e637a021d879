"""Derivations of the losses formulas of the catalog: BCE through a sigmoid, CCE through a softmax."""

from __future__ import annotations

import sympy as sp

from checker.functions import sigmoid
from checker.relations import Eq
from derivations._model import Derivation, Step
from derivations._unevaluated import add as _add, frac as _frac, mul as _mul, neg as _neg

z = sp.Symbol("z", real=True)
y = sp.Symbol("y", real=True)
S = sigmoid(z)
DS = sp.Derivative(sigmoid(z), z)  # σ'(z), left unevaluated until the next line names it


bce_sigmoid_gradient = Derivation(
    id="bce_sigmoid_gradient",
    title="Gradient of binary cross-entropy in the logit (chain rule through the sigmoid)",
    supports=("loss.bce",),
    assumptions=(y >= 0, y <= 1),
    steps=(
        Step(expr=sp.Derivative(_neg(_add(y * sp.log(S), (1 - y) * sp.log(1 - S))), z),
             rule=r"definition of $L$ with $\hat{y} = \sigma(z)$",
             latex=r"\frac{\partial L}{\partial z} &= -\frac{d}{dz}\Bigl[y\log\sigma(z) + (1-y)\log\bigl(1-\sigma(z)\bigr)\Bigr]"),
        Step(expr=_neg(_add(_mul(y, _frac(DS, S)), _mul(1 - y, _frac(-DS, 1 - S)))),
             rule=r"chain rule, $(\log u)' = u'/u$",
             latex=r"-\left[y\,\frac{\sigma'(z)}{\sigma(z)} + (1-y)\,\frac{-\sigma'(z)}{1-\sigma(z)}\right]"),
        Step(expr=_neg(_add(_mul(y, _frac(_mul(S, 1 - S), S)), -_mul(1 - y, _frac(_mul(S, 1 - S), 1 - S)))),
             rule=r"$\sigma'(z) = \sigma(z)\bigl(1-\sigma(z)\bigr)$",
             latex=r"-\left[y\,\frac{\sigma(z)(1-\sigma(z))}{\sigma(z)} - (1-y)\,\frac{\sigma(z)(1-\sigma(z))}{1-\sigma(z)}\right]"),
        Step(expr=_neg(_add(_mul(y, 1 - S), -_mul(1 - y, S))), rule="cancel",
             latex=r"-\bigl[y\,(1-\sigma(z)) - (1-y)\,\sigma(z)\bigr]"),
        Step(expr=_neg(_add(y, -_mul(y, S), -S, _mul(y, S))), rule="multiply out",
             latex=r"-\bigl[y - y\,\sigma(z) - \sigma(z) + y\,\sigma(z)\bigr]"),
        Step(expr=S - y, rule=r"the $y\,\sigma(z)$ terms cancel",
             latex=r"\sigma(z) - y"),
    ),
)

# --- categorical cross-entropy through a softmax ---------------------------------------------
# The gradient is a column of K entries; each line is the formula of entry j (0-based indices,
# printed 1-based). Σ y = 1 is built in: y_K = 1 − Σ_{k<K} y_k, so the sampled targets always
# sum to one and the line that uses it is checked with it, not assumed.

K = sp.Symbol("K", integer=True, positive=True)
j, k, m, c = sp.symbols("j k m c", integer=True)
Z = sp.MatrixSymbol("z", K, 1)
Y = sp.MatrixSymbol("y", K, 1)
SUM_EZ = sp.Sum(sp.exp(Z[m, 0]), (m, 0, K - 1))


def target(a: sp.Expr, probability: bool = True) -> sp.Expr:
    """y_a; with `probability`, the last entry is 1 minus the others, so that Σ y = 1."""
    if not probability:
        return Y[a, 0]
    return sp.Piecewise((1 - sp.Sum(Y[m, 0], (m, 0, K - 2)), Eq(a, K - 1)), (Y[a, 0], True))


def _column(body: sp.Expr) -> sp.FunctionMatrix:
    return sp.FunctionMatrix(K, 1, sp.Lambda((j, c), body))


def _yhat(a: sp.Expr) -> sp.Expr:
    return sp.exp(Z[a, 0]) / SUM_EZ


def cce_steps(probability: bool = True) -> tuple[Step, ...]:
    """The lines of the derivation; without `probability` the targets are free (Σ y ≠ 1)."""
    yk, yj = target(k, probability), target(j, probability)
    sum_y = sp.Sum(yk, (k, 0, K - 1))
    return (
        Step(expr=_column(sp.Derivative(-sp.Sum(yk * sp.log(sp.exp(Z[k, 0]) / SUM_EZ), (k, 0, K - 1)), Z[j, 0])),
             rule=r"definition of $L$ with $\hat{y} = \operatorname{softmax}(z)$",
             latex=r"\frac{\partial L}{\partial z_j} &= -\frac{\partial}{\partial z_j}\sum_{k=1}^{K} y_k"
                   r"\log\frac{e^{z_k}}{\sum_{m} e^{z_m}}"),
        Step(expr=_column(sp.Derivative(-sp.Sum(yk * (Z[k, 0] - sp.log(SUM_EZ)), (k, 0, K - 1)), Z[j, 0])),
             rule=r"$\log(e^{a}/b) = a - \log b$",
             latex=r"-\frac{\partial}{\partial z_j}\sum_{k} y_k\Bigl(z_k - \log\sum_{m} e^{z_m}\Bigr)"),
        Step(expr=_column(_add(-sp.Sum(yk * sp.KroneckerDelta(k, j), (k, 0, K - 1)),
                               _mul(sum_y, _frac(sp.exp(Z[j, 0]), SUM_EZ)))),
             rule=r"linearity; $\partial z_k/\partial z_j = \delta_{kj}$ and, by the chain rule, "
                  r"$\partial_j \log\sum_m e^{z_m} = e^{z_j}/\sum_m e^{z_m}$",
             latex=r"-\sum_{k} y_k\,\delta_{kj} + \Bigl(\sum_{k} y_k\Bigr)\frac{e^{z_j}}{\sum_{m} e^{z_m}}"),
        Step(expr=_column(_add(-yj, _mul(sum_y, _yhat(j)))),
             rule=r"sum out the $\delta_{kj}$; definition of $\hat{y}_j$",
             latex=r"-y_j + \Bigl(\sum_{k} y_k\Bigr)\hat{y}_j"),
        Step(expr=_column(_yhat(j) - yj),
             rule=r"$y$ is a probability vector: $\sum_k y_k = 1$ (here $y_K = 1 - \sum_{k<K} y_k$)",
             latex=r"\hat{y}_j - y_j"),
    )


cce_softmax_gradient = Derivation(
    id="cce_softmax_gradient",
    title="Gradient of categorical cross-entropy in the logits (through the softmax)",
    supports=("loss.cce",),
    sizes=((K, (2, 3, 4)),),
    steps=cce_steps(),
    notes="Checked as the whole gradient column at K = 2, 3, 4, with y_K = 1 − Σ_{k<K} y_k.",
)

DERIVATIONS: tuple[Derivation, ...] = (bce_sigmoid_gradient, cce_softmax_gradient)
