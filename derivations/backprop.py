"""Derivations of the backpropagation formulas: the deltas and the parameter gradients of a
network with one hidden layer, by the chain rule.

The network is z^[1] = W^[1]x + b^[1], a^[1] = σ(z^[1]), z^[2] = W^[2]a^[1] + b^[2],
a^[2] = σ(z^[2]), with the loss J = ½‖a^[2] − y‖² (as the catalog's networks), and σ
applied entry by entry. Every line is checked at several widths, each derivative taken
entry by entry at concrete sizes. The output layer's lines differentiate the loss itself;
the lines through a hidden layer differentiate δᵀz with δ = ∂J/∂z free (`_through`), which
is exact by the chain rule and keeps one layer of σ per line.
"""

from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.diagonal import DiagMatrix

from checker.functions import sigmoid
from checker.relations import Eq
from derivations._model import Derivation, Step

d, h, o = (sp.Symbol(s, integer=True, positive=True) for s in ("d", "h", "o"))  # input, hidden, output widths
x, y = sp.MatrixSymbol("x", d, 1), sp.MatrixSymbol("y", o, 1)
W1, b1 = sp.MatrixSymbol("W1", h, d), sp.MatrixSymbol("b1", h, 1)
W2, b2 = sp.MatrixSymbol("W2", o, h), sp.MatrixSymbol("b2", o, 1)
z1, a1, z2 = sp.MatrixSymbol("z1", h, 1), sp.MatrixSymbol("a1", h, 1), sp.MatrixSymbol("z2", o, 1)


def _sig(v: sp.MatrixExpr) -> sp.MatrixExpr:
    """σ applied entry by entry."""
    return v.applyfunc(sigmoid)


def _dsig(v: sp.MatrixExpr) -> sp.MatrixExpr:
    """σ′(v) = σ(v) ⊙ (1 − σ(v)), entry by entry."""
    return sp.HadamardProduct(_sig(v), sp.OneMatrix(*v.shape) - _sig(v))


def _loss(z_out: sp.MatrixExpr) -> sp.MatrixExpr:
    """J = ½‖σ(z^[2]) − y‖² as a function of the output pre-activation."""
    r = _sig(z_out) - y
    return sp.Rational(1, 2) * r.T * r


def _delta2(z_out: sp.MatrixExpr) -> sp.MatrixExpr:
    """δ^[2] = (a^[2] − y) ⊙ σ′(z^[2])."""
    return sp.HadamardProduct(_sig(z_out) - y, _dsig(z_out))


delta2, delta1 = sp.MatrixSymbol("delta2", o, 1), sp.MatrixSymbol("delta1", h, 1)


def _through(delta: sp.MatrixSymbol, z: sp.MatrixExpr) -> sp.MatrixExpr:
    """δᵀz: J to first order in the pre-activation z it depends on, δ = ∂J/∂z held fixed.

    By the chain rule ∂J/∂θ = (∂z/∂θ)ᵀ δ for every J that depends on θ only through z,
    so the gradient of δᵀz(θ) for a free δ is ∂J/∂θ.
    """
    return delta.T * z


_z2_of_z1 = W2 * _sig(z1) + b2
_z2_of_a1 = W2 * a1 + b2
_z1_of_x = W1 * x + b1

backprop_deltas = Derivation(
    id="backprop_deltas",
    title="Backpropagation: the deltas and the gradients of the weights and biases",
    supports=("nn.delta_output", "nn.delta_hidden", "nn.grad_weights", "nn.grad_bias"),
    steps=(
        Step(expr=sp.Derivative(_loss(z2), z2),
             rule=r"$\delta^{[2]} = \partial J/\partial z^{[2]}$, with $J = \tfrac12\|\sigma(z^{[2]}) - y\|^2$",
             latex=r"\delta^{[2]} = \frac{\partial}{\partial z^{[2]}}\,\tfrac12\bigl\|\sigma(z^{[2]}) - y\bigr\|^2 &"),
        Step(expr=_delta2(z2),
             rule=r"chain rule: $\nabla_a J = a - y$, and $a_i = \sigma(z_i)$ depends on $z_i$ alone",
             latex=r"(a^{[2]} - y)\odot\sigma'(z^{[2]})"),
        Step(expr=Eq(sp.Derivative(_through(delta2, _z2_of_z1), z1), (W2 * DiagMatrix(_dsig(z1))).T * delta2),
             rule=r"chain rule through $z^{[2]} = W^{[2]}\sigma(z^{[1]}) + b^{[2]}$, "
                  r"whose Jacobian is $W^{[2]}\operatorname{diag}\sigma'(z^{[1]})$",
             latex=r"\delta^{[1]} = \frac{\partial J}{\partial z^{[1]}} "
                   r"&= \bigl(W^{[2]}\operatorname{diag}\sigma'(z^{[1]})\bigr)^\top\delta^{[2]}"),
        Step(expr=DiagMatrix(_dsig(z1)) * W2.T * delta2,
             rule=r"$(AB)^\top = B^\top A^\top$, and a diagonal matrix is symmetric",
             latex=r"\operatorname{diag}\sigma'(z^{[1]})\,(W^{[2]})^\top\delta^{[2]}"),
        Step(expr=sp.HadamardProduct(W2.T * delta2, _dsig(z1)), rule=r"$\operatorname{diag}(v)\,u = u \odot v$",
             latex=r"(W^{[2]})^\top\delta^{[2]}\odot\sigma'(z^{[1]})"),
        Step(expr=Eq(sp.Derivative(_loss(_z2_of_a1), W2), _delta2(_z2_of_a1) * a1.T),
             rule=r"chain rule through $z^{[2]}_i = \sum_j W^{[2]}_{ij}a^{[1]}_j + b^{[2]}_i$: "
                  r"$\partial J/\partial W^{[2]}_{ij} = \delta^{[2]}_i a^{[1]}_j$",
             latex=r"\frac{\partial J}{\partial W^{[2]}} &= \delta^{[2]}(a^{[1]})^\top"),
        Step(expr=Eq(sp.Derivative(_loss(_z2_of_a1), b2), _delta2(_z2_of_a1)),
             rule=r"the chain rule in $b^{[2]}$, with $\partial z^{[2]}_i/\partial b^{[2]}_i = 1$",
             latex=r"\frac{\partial J}{\partial b^{[2]}} &= \delta^{[2]}"),
        Step(expr=Eq(sp.Derivative(_through(delta1, _z1_of_x), W1), delta1 * x.T),
             rule=r"the chain rule through $z^{[1]} = W^{[1]}x + b^{[1]}$, as for $W^{[2]}$",
             latex=r"\frac{\partial J}{\partial W^{[1]}} &= \delta^{[1]}x^\top"),
        Step(expr=Eq(sp.Derivative(_through(delta1, _z1_of_x), b1), delta1),
             rule=r"the chain rule in $b^{[1]}$, with $\partial z^{[1]}_i/\partial b^{[1]}_i = 1$",
             latex=r"\frac{\partial J}{\partial b^{[1]}} &= \delta^{[1]}"),
    ),
    sizes=((d, (2,)), (h, (2, 3)), (o, (1, 2))),
    notes="Lines 2, 7 and 8 are checked as the gradient of δᵀz (δ = ∂J/∂z held fixed), which is "
          "∂J/∂θ for every J that depends on θ only through z. Deeper layers repeat lines 2-4 with "
          "(l, l + 1) for (1, 2); a^[0] = x.",
)

DERIVATIONS: tuple[Derivation, ...] = (backprop_deltas,)
