"""Activation functions (inventory: `act.*`): sigmoid, tanh, ReLU, leaky ReLU, softmax."""

from __future__ import annotations

import numpy as np
import sympy as sp

from checker import operators as ops
from checker.claims import CodeGradientClaim, DerivativeClaim, GradientClaim, Identity, Property
from checker.claims import CodeClaim
from checker.functions import relu, sigmoid
from checker.relations import Eq, Ne
from formulas._model import AsWritten, Check, Formula

# Plain names for the displayed statements; the checks use symbols with assumptions.
sym, idx = sp.Symbol, sp.IndexedBase

TOPIC = "Activation functions"

x = sp.Symbol("x", real=True)
z = sp.Symbol("z", real=True)
xp = sp.Symbol("x", positive=True)
xn = sp.Symbol("x", negative=True)
h = sp.Symbol("h", real=True)
alpha = sp.Symbol("alpha", real=True)
K = sp.Symbol("K", integer=True, positive=True)
i, j = sp.symbols("i j", integer=True)
xs = sp.IndexedBase("x", real=True)
c = sp.Symbol("c", real=True)

SIGMOID_ELEMENTARY = 1 / (1 + sp.exp(-z))


def _np_sigmoid(v: np.ndarray) -> np.ndarray:
    """`sigmoid` as 000 and 004 write it: ``1 / (1 + np.exp(-x))``."""
    return 1 / (1 + np.exp(-v))


def _np_sigmoid_derivative(v: np.ndarray) -> np.ndarray:
    """`sigmoid_derivative` as 000 writes it: ``s = sigmoid(x); s * (1 - s)``."""
    s = _np_sigmoid(v)
    return s * (1 - s)


def _scalar_x(rng: np.random.Generator) -> dict[str, float]:
    return {"x": float(rng.uniform(-8, 8))}


sigmoid_formula = Formula(
    id="act.sigmoid",
    title="Sigmoid",
    topic=TOPIC,
    sources=("000 Chain Rule and Backpropagation (code)", "003 §6 Logistic Regression, §7 Sigmoid",
             "004 Logistic Regression from Scratch (code)"),
    statement=Eq(sigmoid(z), SIGMOID_ELEMENTARY),
    checks=(
        Check(name="symmetry", claim=Identity(lhs=sigmoid(-z), rhs=1 - sigmoid(z)),
              note="σ(−z) = 1 − σ(z)"),
        Check(name="logistic-form", claim=Identity(lhs=SIGMOID_ELEMENTARY, rhs=sp.exp(z) / (1 + sp.exp(z))),
              note="1/(1+e^(−z)) = e^z/(1+e^z)"),
    ),
    as_written=(
        AsWritten(name="code-000-004", source="000, 004 code",
                  claim=CodeClaim(program=lambda inp: _np_sigmoid(np.asarray(inp["x"])),
                                  reference=sigmoid(sp.Symbol("x")), sample=_scalar_x),
                  description="sigmoid(x) = 1 / (1 + np.exp(-x))",
                  correct="σ(x) = 1/(1 + e^(−x))"),
    ),
)

sigmoid_derivative = Formula(
    id="act.sigmoid_derivative",
    title="Derivative of the sigmoid",
    topic=TOPIC,
    sources=("000 Chain Rule and Backpropagation (code)", "003 §7 Sigmoid (derivation)"),
    statement=Eq(sp.Derivative(sigmoid(x), x), sigmoid(x) * (1 - sigmoid(x))),
    checks=(
        Check(name="derivative", claim=DerivativeClaim(
            function=1 / (1 + sp.exp(-x)), wrt=(x,), claimed=sigmoid(x) * (1 - sigmoid(x))),
            note="d/dx 1/(1+e^(−x)) = σ(x)(1−σ(x))"),
        Check(name="quotient-form", claim=DerivativeClaim(
            function=1 / (1 + sp.exp(-x)), wrt=(x,), claimed=sp.exp(-x) / (1 + sp.exp(-x)) ** 2),
            note="the intermediate form of 003's derivation, e^(−x)/(1+e^(−x))²"),
    ),
    as_written=(
        AsWritten(name="code-000", source="000 code",
                  claim=CodeGradientClaim(loss=lambda p: float(_np_sigmoid(p["x"])),
                                          gradient=lambda p: {"x": _np_sigmoid_derivative(p["x"])},
                                          sample=lambda rng: {"x": np.asarray(rng.uniform(-8, 8))}),
                  description="sigmoid_derivative(x) = s * (1 - s)",
                  correct="σ'(x) = σ(x)(1 − σ(x))"),
    ),
)

tanh_formula = Formula(
    id="act.tanh",
    title="Hyperbolic tangent",
    topic=TOPIC,
    sources=("003 §7 Tanh",),
    statement=Eq(sp.tanh(x), (sp.exp(x) - sp.exp(-x)) / (sp.exp(x) + sp.exp(-x))),
    checks=(
        Check(name="exp-form", claim=Identity(lhs=sp.tanh(x), rhs=(sp.exp(x) - sp.exp(-x)) / (sp.exp(x) + sp.exp(-x)))),
        Check(name="sigmoid-relation", claim=Identity(lhs=sp.tanh(x), rhs=2 * sigmoid(2 * x) - 1),
              note="tanh(x) = 2σ(2x) − 1"),
    ),
)

tanh_derivative = Formula(
    id="act.tanh_derivative",
    title="Derivative of tanh",
    topic=TOPIC,
    sources=("003 §7 Tanh",),
    statement=Eq(sp.Derivative(sp.tanh(x), x), 1 - sp.tanh(x) ** 2),
    checks=(
        Check(name="derivative", claim=DerivativeClaim(
            function=(sp.exp(x) - sp.exp(-x)) / (sp.exp(x) + sp.exp(-x)), wrt=(x,), claimed=1 - sp.tanh(x) ** 2)),
    ),
)

RELU_PIECEWISE = sp.Piecewise((x, x > 0), (0, True))

relu_formula = Formula(
    id="act.relu",
    title="ReLU",
    topic=TOPIC,
    sources=("003 §7 ReLU",),
    statement=Eq(relu(x), RELU_PIECEWISE),
    checks=(
        Check(name="max-equals-piecewise", claim=Identity(lhs=sp.Max(0, x), rhs=RELU_PIECEWISE),
              note="max(0, x) = {x if x > 0, 0 if x ≤ 0}"),
    ),
)

relu_derivative = Formula(
    id="act.relu_derivative",
    title="Derivative of ReLU",
    topic=TOPIC,
    sources=("003 §7 ReLU",),
    statement=Eq(sp.Derivative(relu(x), x), sp.Piecewise((1, x > 0), (0, True))),
    checks=(
        Check(name="derivative-positive", claim=DerivativeClaim(function=sp.Max(0, xp), wrt=(xp,), claimed=sp.Integer(1)),
              note="for x > 0"),
        Check(name="derivative-negative", claim=DerivativeClaim(function=sp.Max(0, xn), wrt=(xn,), claimed=sp.Integer(0)),
              note="for x < 0"),
        Check(name="subgradient-at-0", claim=Property(
            statement=Eq(sp.Limit(sp.Max(0, h) / h, h, 0, "+") - sp.Limit(sp.Max(0, h) / h, h, 0, "-"), 1)),
            note="at 0 the one-sided derivatives are 1 and 0: ReLU is not differentiable there, and "
                 "the value 0 that 003 gives is a convention (a subgradient, any value in [0, 1])"),
    ),
    notes="The value at x = 0 is a convention (subgradient), not a derivative.",
)

LEAKY_PIECEWISE = sp.Piecewise((x, x > 0), (alpha * x, True))
_alpha_01 = (alpha >= 0, alpha <= 1)

leaky_relu = Formula(
    id="act.leaky_relu",
    title="Leaky ReLU",
    topic=TOPIC,
    sources=("003 §7 Leaky ReLU",),
    statement=Eq(ops.named("LeakyReLU", x), LEAKY_PIECEWISE),
    checks=(
        Check(name="max-equals-piecewise", claim=Identity(lhs=sp.Max(alpha * x, x), rhs=LEAKY_PIECEWISE,
                                                          assumptions=_alpha_01),
              note="holds for 0 ≤ α ≤ 1"),
        Check(name="fails-for-alpha-above-1", claim=Property(
            statement=Ne(sp.Max(alpha * x, x), LEAKY_PIECEWISE), quantifier="exists",
            assumptions=(alpha > 1, alpha < 3)),
            note="the condition matters: for α > 1 the max form is not the piecewise form"),
        Check(name="derivative", claim=DerivativeClaim(function=LEAKY_PIECEWISE, wrt=(x,),
                                                       claimed=sp.Piecewise((1, x > 0), (alpha, True)),
                                                       assumptions=_alpha_01),
              note="{1 if x > 0, α if x < 0}"),
    ),
)

_softmax_i = sp.exp(xs[i]) / sp.Sum(sp.exp(xs[j]), (j, 1, K))
_xvec = sp.MatrixSymbol("x", K, 1)
_s = sp.Lambda((i, j), sp.exp(_xvec[i, 0]) / sp.Sum(sp.exp(_xvec[sp.Symbol("k", integer=True), 0]),
                                                    (sp.Symbol("k", integer=True), 0, K - 1)))
_softmax_vec = sp.FunctionMatrix(K, 1, sp.Lambda((i, j), _s(i, 0)))
_jacobian = sp.FunctionMatrix(K, K, sp.Lambda((i, j), _s(i, 0) * (sp.KroneckerDelta(i, j) - _s(j, 0))))
_sizes = ((K, (1, 2, 3, 4)),)

softmax = Formula(
    id="act.softmax",
    title="Softmax",
    topic=TOPIC,
    sources=("003 §7 Softmax",),
    statement=Eq(ops.Softmax(sym("x"), i), sp.exp(xs[i]) / sp.Sum(sp.exp(xs[j]), (j, 1, K))),
    checks=(
        Check(name="sums-to-one", claim=Identity(lhs=sp.Sum(_softmax_i, (i, 1, K)), rhs=sp.Integer(1), sizes=_sizes),
              note="Σᵢ softmax(x)ᵢ = 1"),
        Check(name="shift-invariance", claim=Identity(
            lhs=sp.exp(xs[i] + c) / sp.Sum(sp.exp(xs[j] + c), (j, 1, K)), rhs=_softmax_i,
            sizes=((K, (1, 2, 3, 4)), (i, (1, 2, 3, 4))), assumptions=(i <= K,)),
            note="softmax(x + c) = softmax(x)"),
        Check(name="jacobian", claim=GradientClaim(function=_softmax_vec, wrt=_xvec, claimed=_jacobian, sizes=_sizes),
              note="∂sᵢ/∂xⱼ = sᵢ(δᵢⱼ − sⱼ)"),
    ),
)

FORMULAS = (sigmoid_formula, sigmoid_derivative, tanh_formula, tanh_derivative, relu_formula,
            relu_derivative, leaky_relu, softmax)
