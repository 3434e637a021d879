"""Derivations of the activations formulas of the catalog: tanh' and the softmax Jacobian."""

from __future__ import annotations

import sympy as sp

from derivations._model import Derivation, Step
from derivations._unevaluated import add as _add, frac as _frac, mul as _mul, sq as _sq

x = sp.Symbol("x", real=True)
EP, EM = sp.exp(x), sp.exp(-x)
NUM = EP - EM  # u, the numerator of tanh
DEN = EP + EM  # v, the denominator


tanh_derivative = Derivation(
    id="tanh_derivative",
    title="Derivative of tanh (quotient rule)",
    supports=("act.tanh_derivative",),
    steps=(
        Step(expr=sp.Derivative(NUM / DEN, x),
             rule="definition of tanh, as u/v with $u = e^x - e^{-x}$, $v = e^x + e^{-x}$",
             latex=r"\frac{d}{dx}\tanh x &= \frac{d}{dx}\,\frac{e^{x}-e^{-x}}{e^{x}+e^{-x}}"),
        Step(expr=_frac(_add(_mul(DEN, DEN), -_mul(NUM, NUM)), _sq(DEN)),
             rule="quotient rule $(u'v - uv')/v^2$ with $u' = v$, $v' = u$",
             latex=r"\frac{(e^{x}+e^{-x})(e^{x}+e^{-x}) - (e^{x}-e^{-x})(e^{x}-e^{-x})}{(e^{x}+e^{-x})^2}"),
        Step(expr=_add(_frac(_sq(DEN), _sq(DEN)), -_frac(_sq(NUM), _sq(DEN))),
             rule="split the fraction",
             latex=r"\frac{(e^{x}+e^{-x})^2}{(e^{x}+e^{-x})^2} - \frac{(e^{x}-e^{-x})^2}{(e^{x}+e^{-x})^2}"),
        Step(expr=_add(1, -_sq(_frac(NUM, DEN))),
             rule="cancel the first fraction; write the second as a square",
             latex=r"1 - \left(\frac{e^{x}-e^{-x}}{e^{x}+e^{-x}}\right)^2"),
        Step(expr=1 - sp.tanh(x) ** 2, rule="definition of tanh",
             latex=r"1 - \tanh^2 x"),
    ),
)

# --- softmax Jacobian ------------------------------------------------------------------------
# The Jacobian is a K×K matrix of entries (i, j); each line is one entry formula, so the check
# instantiates the whole matrix at every size K (0-based indices, printed 1-based).

K = sp.Symbol("K", integer=True, positive=True)
i, j, k = sp.symbols("i j k", integer=True)
z = sp.MatrixSymbol("x", K, 1)
SUM = sp.Sum(sp.exp(z[k, 0]), (k, 0, K - 1))


def _s(a: sp.Expr) -> sp.Expr:
    """Softmax entry a: e^{x_a} / Σ_k e^{x_k}."""
    return sp.exp(z[a, 0]) / SUM


def _entrywise(body: sp.Expr) -> sp.FunctionMatrix:
    return sp.FunctionMatrix(K, K, sp.Lambda((i, j), body))


_delta = sp.KroneckerDelta(i, j)
_dnum = _delta * sp.exp(z[i, 0])  # ∂e^{x_i}/∂x_j
_dden = sp.exp(z[j, 0])           # ∂Σ_k e^{x_k}/∂x_j

softmax_jacobian = Derivation(
    id="softmax_jacobian",
    title="Jacobian of the softmax (quotient rule)",
    supports=("act.softmax",),
    sizes=((K, (2, 3, 4)),),
    steps=(
        Step(expr=_entrywise(sp.Derivative(_s(i), z[j, 0])),
             rule=r"definition of $s_i$, as u/v with $u = e^{x_i}$, $v = \sum_k e^{x_k}$",
             latex=r"\frac{\partial s_i}{\partial x_j} &= \frac{\partial}{\partial x_j}\,"
                   r"\frac{e^{x_i}}{\sum_{k=1}^{K} e^{x_k}}"),
        Step(expr=_entrywise(_frac(_add(_mul(_dnum, SUM), -_mul(sp.exp(z[i, 0]), _dden)), _sq(SUM))),
             rule=r"quotient rule with $\partial u/\partial x_j = \delta_{ij} e^{x_i}$, "
                  r"$\partial v/\partial x_j = e^{x_j}$",
             latex=r"\frac{\delta_{ij}\, e^{x_i} \sum_{k} e^{x_k} - e^{x_i} e^{x_j}}{\bigl(\sum_{k} e^{x_k}\bigr)^2}"),
        Step(expr=_entrywise(_add(_mul(_delta, _frac(sp.exp(z[i, 0]), SUM)),
                                  -_mul(_frac(sp.exp(z[i, 0]), SUM), _frac(sp.exp(z[j, 0]), SUM)))),
             rule="split the fraction",
             latex=r"\delta_{ij}\,\frac{e^{x_i}}{\sum_{k} e^{x_k}}"
                   r" - \frac{e^{x_i}}{\sum_{k} e^{x_k}}\cdot\frac{e^{x_j}}{\sum_{k} e^{x_k}}"),
        Step(expr=_entrywise(_add(_mul(_delta, _s(i)), -_mul(_s(i), _s(j)))),
             rule="definition of $s_i$ and $s_j$",
             latex=r"\delta_{ij}\, s_i - s_i s_j"),
        Step(expr=_entrywise(_s(i) * (_delta - _s(j))), rule="factor out $s_i$",
             latex=r"s_i\,(\delta_{ij} - s_j)"),
    ),
    notes="Checked as the whole K×K Jacobian at K = 2, 3, 4.",
)

DERIVATIONS: tuple[Derivation, ...] = (tanh_derivative, softmax_jacobian)
