"""Losses (inventory: `loss.*`): MSE, MAE, binary and categorical cross-entropy, hinge."""

from __future__ import annotations

import numpy as np
import sympy as sp

from checker import operators as ops
from checker.claims import CodeClaim, DerivativeClaim, GradientClaim, Identity
from checker.functions import sigmoid
from checker.relations import Eq
from formulas._model import AsWritten, Check, Formula

# Plain names for the displayed statements; the checks use symbols with assumptions.
sym, idx = sp.Symbol, sp.IndexedBase

TOPIC = "Losses"

y = sp.Symbol("y", real=True)
y_hat = sp.Symbol("y_hat", real=True)
p_hat = sp.Symbol("y_hat", positive=True)  # a predicted probability; bounded by assumptions
z = sp.Symbol("z", real=True)
b = sp.Symbol("b", real=True)
n = sp.Symbol("n", integer=True, positive=True)
i, j = sp.symbols("i j", integer=True)
k = sp.Symbol("k", integer=True)

_prob = (p_hat > 0, p_hat < 1, y >= 0, y <= 1)
_sizes = ((n, (1, 2, 3, 4)),)

Y = sp.MatrixSymbol("y", n, 1)
Yh = sp.MatrixSymbol("y_hat", n, 1)


def _column(expr_of_i: sp.Expr) -> sp.FunctionMatrix:
    """The n×1 column whose entry i (0-based) is `expr_of_i`."""
    return sp.FunctionMatrix(n, 1, sp.Lambda((i, j), expr_of_i))


# --- MSE -------------------------------------------------------------------------------

MSE = sp.Sum((Y[k, 0] - Yh[k, 0]) ** 2, (k, 0, n - 1)) / n

mse = Formula(
    id="loss.mse",
    title="Mean squared error",
    topic=TOPIC,
    sources=("001 Loss Functions (table)", "003 §5 Cost Functions"),
    statement=Eq(ops.named("MSE"), sp.Sum((idx("y")[i] - idx("y_hat")[i]) ** 2, (i, 1, n)) / n),
    checks=(
        Check(name="per-sample-gradient", claim=DerivativeClaim(function=(y - y_hat) ** 2, wrt=(y_hat,),
                                                                claimed=-2 * (y - y_hat)),
              note="∂(y − ŷ)²/∂ŷ = −2(y − ŷ)"),
        Check(name="gradient", claim=GradientClaim(function=MSE, wrt=Yh,
                                                   claimed=_column(-2 * (Y[i, 0] - Yh[i, 0]) / n), sizes=_sizes),
              note="∂MSE/∂ŷᵢ = −(2/n)(yᵢ − ŷᵢ)"),
    ),
)

# --- MAE -------------------------------------------------------------------------------

MAE = sp.Sum(sp.Abs(Y[k, 0] - Yh[k, 0]), (k, 0, n - 1)) / n

mae = Formula(
    id="loss.mae",
    title="Mean absolute error",
    topic=TOPIC,
    sources=("003 §5 Cost Functions",),
    statement=Eq(ops.named("MAE"), sp.Sum(sp.Abs(idx("y")[i] - idx("y_hat")[i]), (i, 1, n)) / n),
    checks=(
        Check(name="per-sample-gradient", claim=DerivativeClaim(function=sp.Abs(y - y_hat), wrt=(y_hat,),
                                                                claimed=-sp.sign(y - y_hat)),
              note="∂|y − ŷ|/∂ŷ = −sign(y − ŷ), away from ŷ = y"),
        Check(name="gradient", claim=GradientClaim(function=MAE, wrt=Yh,
                                                   claimed=_column(-sp.sign(Y[i, 0] - Yh[i, 0]) / n), sizes=_sizes),
              note="∂MAE/∂ŷᵢ = −sign(yᵢ − ŷᵢ)/n, away from the kinks"),
    ),
)

# --- binary cross-entropy ---------------------------------------------------------------

BCE = -(y * sp.log(p_hat) + (1 - y) * sp.log(1 - p_hat))

bce = Formula(
    id="loss.bce",
    title="Binary cross-entropy",
    topic=TOPIC,
    sources=("001 Loss Functions (table)", "003 §5 Cost Functions", "004 Logistic Regression from Scratch"),
    statement=Eq(sp.Symbol("L"), BCE),
    checks=(
        Check(name="gradient-in-prediction", claim=DerivativeClaim(
            function=BCE, wrt=(p_hat,), claimed=(p_hat - y) / (p_hat * (1 - p_hat)), assumptions=_prob),
            note="∂L/∂ŷ = (ŷ − y)/(ŷ(1 − ŷ))"),
        Check(name="gradient-through-sigmoid", claim=DerivativeClaim(
            function=-(y * sp.log(1 / (1 + sp.exp(-z))) + (1 - y) * sp.log(1 - 1 / (1 + sp.exp(-z)))),
            wrt=(z,), claimed=sigmoid(z) - y, assumptions=(y >= 0, y <= 1)),
            note="∂L(σ(z))/∂z = ŷ − y"),
    ),
)

# --- BCE summed over samples --------------------------------------------------------------

P = sp.MatrixSymbol("y_hat", n, 1)
_yh_k = 1 / (1 + sp.exp(-sp.MatrixSymbol("a", n, 1)[k, 0]))  # ŷ_k in (0, 1) for any real a_k
_yk = Y[k, 0]
BCE_SUM = -sp.Sum(_yk * sp.log(_yh_k) + (1 - _yk) * sp.log(1 - _yh_k), (k, 0, n - 1))

bce_sum = Formula(
    id="loss.bce_sum",
    title="Binary cross-entropy summed over samples",
    topic=TOPIC,
    sources=("003 §5 Cost Functions",),
    statement=Eq(sym("L"), -sp.Sum(idx("y")[i] * sp.log(idx("y_hat")[i]) + (1 - idx("y")[i]) * sp.log(1 - idx("y_hat")[i]), (i, 1, n))),
    checks=(
        Check(name="sum-of-per-sample", claim=Identity(
            lhs=BCE_SUM,
            rhs=sp.Sum(-_yk * sp.log(_yh_k), (k, 0, n - 1)) + sp.Sum(-(1 - _yk) * sp.log(1 - _yh_k), (k, 0, n - 1)),
            sizes=_sizes),
            note="L is the sum over samples of the per-sample BCE (ŷ written σ(aₖ) so it stays in (0, 1))"),
        Check(name="gradient-in-logits", claim=GradientClaim(
            function=BCE_SUM, wrt=sp.MatrixSymbol("a", n, 1),
            claimed=_column(1 / (1 + sp.exp(-sp.MatrixSymbol("a", n, 1)[i, 0])) - Y[i, 0]), sizes=_sizes),
            note="∂L/∂aᵢ = ŷᵢ − yᵢ when ŷᵢ = σ(aᵢ)"),
    ),
)

# --- categorical cross-entropy -------------------------------------------------------------

Zl = sp.MatrixSymbol("z", n, 1)
U = sp.MatrixSymbol("u", n, 1)  # positive weights; y_i = u_i / Σ u makes Σ y = 1
_sum_u = sp.Sum(sp.exp(U[k, 0]), (k, 0, n - 1))
_y_i = lambda idx: sp.exp(U[idx, 0]) / _sum_u  # noqa: E731 - a probability vector
_sum_ez = sp.Sum(sp.exp(Zl[k, 0]), (k, 0, n - 1))
_s_i = lambda idx: sp.exp(Zl[idx, 0]) / _sum_ez  # noqa: E731 - softmax of the logits
m = sp.Symbol("m", integer=True)
CCE_SOFTMAX = -sp.Sum(_y_i(m) * sp.log(_s_i(m)), (m, 0, n - 1))

cce = Formula(
    id="loss.cce",
    title="Categorical cross-entropy",
    topic=TOPIC,
    sources=("001 Loss Functions (table)",),
    statement=Eq(sym("L"), -sp.Sum(idx("y")[i] * sp.log(idx("y_hat")[i]), (i, 1, sym("K")))),
    checks=(
        Check(name="gradient-in-prediction", claim=DerivativeClaim(
            function=-y * sp.log(p_hat), wrt=(p_hat,), claimed=-y / p_hat, assumptions=(p_hat < 1,)),
            note="∂L/∂ŷᵢ = −yᵢ/ŷᵢ"),
        Check(name="gradient-in-logits", claim=GradientClaim(
            function=CCE_SOFTMAX, wrt=Zl, claimed=_column(_s_i(i) - _y_i(i)), sizes=_sizes),
            note="with ŷ = softmax(z) and Σy = 1: ∂L/∂zᵢ = ŷᵢ − yᵢ"),
    ),
)

# --- log-likelihood (001 code) ----------------------------------------------------------

LOG_LIK = y * sp.log(p_hat) + (1 - y) * sp.log(1 - p_hat)


def _log_likelihood_001(inputs: dict) -> float:
    """001's `log_likelihood`, transcribed: clip, then sum y log ŷ + (1−y) log(1−ŷ)."""
    y_true, y_pred = np.asarray(inputs["y"]), np.asarray(inputs["y_hat"])
    epsilon = 1e-15
    y_pred = np.clip(y_pred, epsilon, 1 - epsilon)
    return float(np.sum(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred)))


def _ll_sample(rng: np.random.Generator) -> dict[str, float]:
    return {"y": float(rng.integers(0, 2)), "y_hat": float(rng.uniform(0.01, 0.99))}


binary_log_likelihood = Formula(
    id="loss.binary_log_likelihood",
    title="Binary log-likelihood",
    topic=TOPIC,
    sources=("001 Maximum Likelihood Estimation (code)",),
    statement=Eq(sp.Symbol("ell"), LOG_LIK),
    checks=(
        Check(name="minus-bce", claim=Identity(lhs=LOG_LIK, rhs=-BCE, assumptions=_prob),
              note="the log-likelihood is minus the binary cross-entropy"),
    ),
    as_written=(
        AsWritten(name="code-001", source="001 code",
                  claim=CodeClaim(program=_log_likelihood_001, reference=LOG_LIK, sample=_ll_sample),
                  description="log_likelihood(y_true, y_pred) with y_pred clipped to [1e-15, 1 − 1e-15]",
                  correct="Σ y log ŷ + (1 − y) log(1 − ŷ); the clipping changes the value only for ŷ "
                          "within 1e-15 of 0 or 1"),
    ),
    notes="The clipping in 001's code bounds the loss where ŷ is 0 or 1; elsewhere the code is the formula.",
)

# --- hinge --------------------------------------------------------------------------------

d = sp.Symbol("d", integer=True, positive=True)
W = sp.MatrixSymbol("w", d, 1)
X = sp.MatrixSymbol("x", d, 1)
y_pm = sp.Symbol("y", real=True)
_margin = y_pm * ((W.T * X)[0, 0] + b)
HINGE = sp.Max(0, 1 - _margin)

hinge = Formula(
    id="loss.hinge",
    title="Hinge loss",
    topic=TOPIC,
    sources=("003 §5 Cost Functions",),
    statement=Eq(sym("L"), sp.Max(0, 1 - y_pm * (ops.Dot(sym("w"), sym("x")) + b))),
    checks=(
        Check(name="subgradient-w", claim=GradientClaim(
            function=HINGE, wrt=W,
            claimed=sp.FunctionMatrix(d, 1, sp.Lambda((i, j), sp.Piecewise((-y_pm * X[i, 0], _margin < 1), (0, True)))),
            sizes=((d, (1, 2, 3)),)),
            note="∂L/∂w = −y x where y(wᵀx + b) < 1, else 0 (away from the kink)"),
        Check(name="subgradient-b", claim=DerivativeClaim(
            function=sp.Max(0, 1 - y_pm * (sp.Symbol("s", real=True) + b)), wrt=(b,),
            claimed=sp.Piecewise((-y_pm, y_pm * (sp.Symbol("s", real=True) + b) < 1), (0, True))),
            note="∂L/∂b = −y where the margin is below 1, else 0"),
    ),
)

FORMULAS = (mse, mae, bce, bce_sum, cce, binary_log_likelihood, hinge)
