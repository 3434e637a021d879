"""Linear and logistic regression (inventory: `lin.*`, `log.*`)."""

from __future__ import annotations

import numpy as np
import sympy as sp

from checker import operators as ops
from checker.claims import CodeClaim, CodeGradientClaim, DerivativeClaim, GradientClaim, Identity
from checker.functions import sigmoid
from checker.relations import Eq
from formulas._model import AsWritten, Check, Formula

# Plain names for the displayed statements; the checks use symbols with assumptions.
sym, idx = sp.Symbol, sp.IndexedBase

TOPIC = "Linear and logistic regression"

m = sp.Symbol("m", integer=True, positive=True)
n = sp.Symbol("n", integer=True, positive=True)
i, j, k = sp.symbols("i j k", integer=True)
b = sp.Symbol("b", real=True)
X = sp.MatrixSymbol("X", m, n)
w = sp.MatrixSymbol("w", n, 1)
y = sp.MatrixSymbol("y", m, 1)
xv = sp.MatrixSymbol("x", n, 1)
_sizes = ((m, (1, 2, 3)), (n, (1, 2)))

# h(x_i) = Σ_k X[i,k] w_k + b
_h = lambda row: sp.Sum(X[row, k] * w[k, 0], (k, 0, n - 1)) + b  # noqa: E731
_J_lin = sp.Sum((_h(i) - y[i, 0]) ** 2, (i, 0, m - 1)) / (2 * m)

hypothesis_lin = Formula(
    id="lin.hypothesis", title="Linear hypothesis", topic=TOPIC, sources=("003 §6 Linear Regression",),
    statement=Eq(sp.Function("h")(sym("x")), ops.Dot(sym("w"), sym("x")) + b),
    checks=(Check(name="sum-equals-dot", claim=Identity(
        lhs=sp.Sum(w[k, 0] * xv[k, 0], (k, 0, n - 1)) + b, rhs=(w.T * xv)[0, 0] + b, sizes=((n, (1, 2, 3, 4)),)),
        note="w₀ + w₁x₁ + … + wₙxₙ = wᵀx + b (with w₀ = b)"),),
)


def _cost_numpy(inputs: dict) -> float:
    Xa, wa, ya = inputs["X"], inputs["w"], inputs["y"]
    return float(np.sum((Xa @ wa + inputs["b"] - ya) ** 2) / (2 * len(ya)))


def _cost_sample(rng: np.random.Generator) -> dict:
    mm, nn = int(rng.integers(1, 6)), int(rng.integers(1, 4))
    return {"X": rng.normal(size=(mm, nn)), "w": rng.normal(size=nn), "y": rng.normal(size=mm), "b": float(rng.normal())}


def _cost_reference(inputs: dict) -> float:
    """The definition summed term by term, independently of NumPy's matrix product."""
    Xa, wa, ya, bb = inputs["X"], inputs["w"], inputs["y"], inputs["b"]
    total = 0.0
    for r in range(len(ya)):
        h = bb + sum(Xa[r, c] * wa[c] for c in range(len(wa)))
        total += (h - ya[r]) ** 2
    return total / (2 * len(ya))


cost_lin = Formula(
    id="lin.cost", title="Linear regression cost", topic=TOPIC, sources=("003 §6 Linear Regression",),
    statement=Eq(sp.Function("J")(sym("w"), b), sp.Sum((ops.Dot(sym("w"), idx("x")[i]) + b - idx("y")[i]) ** 2, (i, 1, m)) / (2 * m)),
    checks=(
        Check(name="vector-form", claim=Identity(
            lhs=_J_lin, rhs=((X * w + b * sp.OneMatrix(m, 1) - y).T * (X * w + b * sp.OneMatrix(m, 1) - y))[0, 0]
            / (2 * m), sizes=_sizes),
            note="(1/2m)Σ(h(xᵢ) − yᵢ)² = ‖Xw + b − y‖²/(2m)"),
        Check(name="numpy", claim=CodeClaim(program=_cost_numpy, reference=_cost_reference, sample=_cost_sample),
              note="the definition agrees with a NumPy computation"),
    ),
)

gradient_lin = Formula(
    id="lin.gradient", title="Linear regression gradient", topic=TOPIC, sources=("003 §6 Linear Regression",),
    statement=Eq(ops.PartialRatio(sym("J"), idx("w")[j]), sp.Sum((ops.Dot(sym("w"), idx("x")[i]) + b - idx("y")[i]) * idx("x")[i, j], (i, 1, m)) / m),
    checks=(
        Check(name="gradient", claim=GradientClaim(
            function=_J_lin, wrt=w,
            claimed=sp.FunctionMatrix(n, 1, sp.Lambda((j, k), sp.Sum((_h(i) - y[i, 0]) * X[i, j], (i, 0, m - 1)) / m)),
            sizes=_sizes), note="∂J/∂wⱼ = (1/m)Σ(h(xᵢ) − yᵢ)xᵢⱼ at several m, n"),
        Check(name="vector-form", claim=GradientClaim(function=_J_lin, wrt=w,
                                                      claimed=X.T * (X * w + b * sp.OneMatrix(m, 1) - y) / m, sizes=_sizes),
              note="∇J = Xᵀ(Xw + b − y)/m"),
    ),
)

# --- normal equations and QR ------------------------------------------------------------------

_rss = ((X * w - y).T * (X * w - y))[0, 0]


def _normal_eq(inputs: dict) -> np.ndarray:
    """004's code: beta = np.linalg.inv(X.T @ X) @ X.T @ y."""
    Xa, ya = inputs["X"], inputs["y"]
    return np.linalg.inv(Xa.T @ Xa) @ Xa.T @ ya


def _lstsq(inputs: dict) -> np.ndarray:
    return np.linalg.lstsq(inputs["X"], inputs["y"], rcond=None)[0]


def _qr_004(inputs: dict) -> np.ndarray:
    """004's code: Q, R = np.linalg.qr(X); beta = np.linalg.solve(R, Q.T @ y)."""
    Q, R = np.linalg.qr(inputs["X"])
    return np.linalg.solve(R, Q.T @ inputs["y"])


def _ls_sample(rng: np.random.Generator) -> dict:
    mm = int(rng.integers(6, 30))
    nn = int(rng.integers(1, 6))
    return {"X": rng.normal(size=(mm, nn)), "y": rng.normal(size=mm)}


normal_equations = Formula(
    id="lin.normal_equations", title="Normal equations", topic=TOPIC, sources=("004 Matrix Operations for ML (code)",),
    statement=Eq(sym("w"), (X.T * X).inverse() * X.T * y, evaluate=False),
    checks=(
        Check(name="gradient-of-rss", claim=GradientClaim(function=_rss, wrt=w, claimed=2 * X.T * (X * w - y),
                                                          sizes=((m, (2, 3)), (n, (1, 2)))),
              note="∇‖Xβ − y‖² = 2Xᵀ(Xβ − y)"),
        Check(name="stationary", claim=Identity(lhs=X.T * (X * ((X.T * X).inverse() * X.T * y) - y),
                                                rhs=sp.ZeroMatrix(n, 1), sizes=((m, (2, 3)), (n, (1, 2)))),
              note="β = (XᵀX)⁻¹Xᵀy makes the gradient zero"),
        Check(name="least-squares", claim=CodeClaim(program=_normal_eq, reference=_lstsq, sample=_ls_sample, rtol=1e-7,
                                                    atol=1e-9),
              note="004's code agrees with numpy.linalg.lstsq on full-rank data"),
    ),
)

qr_least_squares = Formula(
    id="lin.qr_least_squares", title="Least squares by QR", topic=TOPIC, sources=("004 Matrix Operations for ML (code)",),
    statement=Eq(sym("w"), sp.MatrixSymbol("R", n, n).inverse() * sp.MatrixSymbol("Q", m, n).T * y, evaluate=False),
    checks=(Check(name="equals-normal-equations", claim=CodeClaim(program=_qr_004, reference=_normal_eq, sample=_ls_sample,
                                                                  rtol=1e-7, atol=1e-9),
                  note="R⁻¹Qᵀy equals (XᵀX)⁻¹Xᵀy: XᵀX = RᵀR and Xᵀy = RᵀQᵀy"),),
)

# --- logistic regression --------------------------------------------------------------------

z = sp.Symbol("z", real=True)
_p = lambda row: 1 / (1 + sp.exp(-_h(row)))  # noqa: E731
_J_log = -sp.Sum(y[i, 0] * sp.log(_p(i)) + (1 - y[i, 0]) * sp.log(1 - _p(i)), (i, 0, m - 1)) / m

hypothesis_log = Formula(
    id="log.hypothesis", title="Logistic hypothesis", topic=TOPIC, sources=("003 §6 Logistic Regression", "004 Logistic Regression from Scratch"),
    statement=Eq(sp.Function("h")(sym("x")), sigmoid(ops.Dot(sym("w"), sym("x")) + b)),
    checks=(Check(name="sigmoid-of-score", claim=Identity(
        lhs=sigmoid(sp.Sum(w[k, 0] * xv[k, 0], (k, 0, n - 1)) + b),
        rhs=1 / (1 + sp.exp(-((w.T * xv)[0, 0] + b))), sizes=((n, (1, 2, 3)),)),
        note="σ(wᵀx + b) = 1/(1 + e^(−(wᵀx + b)))"),),
)


def _logcost_numpy(inputs: dict) -> float:
    p = 1 / (1 + np.exp(-(inputs["X"] @ inputs["w"] + inputs["b"])))
    ya = inputs["y"]
    return float(-np.mean(ya * np.log(p) + (1 - ya) * np.log(1 - p)))


def _logcost_reference(inputs: dict) -> float:
    Xa, wa, ya, bb = inputs["X"], inputs["w"], inputs["y"], inputs["b"]
    import math
    total = 0.0
    for r in range(len(ya)):
        s = bb + sum(Xa[r, c] * wa[c] for c in range(len(wa)))
        total += ya[r] * math.log(1 / (1 + math.exp(-s))) + (1 - ya[r]) * math.log(1 - 1 / (1 + math.exp(-s)))
    return -total / len(ya)


def _log_sample(rng: np.random.Generator) -> dict:
    d = _cost_sample(rng)
    d["y"] = rng.integers(0, 2, size=len(d["y"])).astype(float)
    return d


cost_log = Formula(
    id="log.cost", title="Logistic regression cost", topic=TOPIC, sources=("003 §6 Logistic Regression",),
    statement=Eq(sp.Function("J")(sym("w"), b), -sp.Sum(idx("y")[i] * sp.log(idx("y_hat")[i]) + (1 - idx("y")[i]) * sp.log(1 - idx("y_hat")[i]), (i, 1, m)) / m),
    checks=(
        Check(name="numpy", claim=CodeClaim(program=_logcost_numpy, reference=_logcost_reference, sample=_log_sample),
              note="the definition agrees with a term-by-term computation"),
    ),
)

gradient_log = Formula(
    id="log.gradient", title="Logistic regression gradient", topic=TOPIC, sources=("003 §6 Logistic Regression",),
    statement=Eq(ops.PartialRatio(sym("J"), idx("w")[j]), sp.Sum((idx("y_hat")[i] - idx("y")[i]) * idx("x")[i, j], (i, 1, m)) / m),
    checks=(
        Check(name="gradient", claim=GradientClaim(
            function=_J_log, wrt=w,
            claimed=sp.FunctionMatrix(n, 1, sp.Lambda((j, k), sp.Sum((_p(i) - y[i, 0]) * X[i, j], (i, 0, m - 1)) / m)),
            sizes=_sizes), note="∂J/∂wⱼ = (1/m)Σ(h(xᵢ) − yᵢ)xᵢⱼ"),
        Check(name="bias", claim=DerivativeClaim(function=_J_log, wrt=(b,), claimed=sp.Sum(_p(i) - y[i, 0], (i, 0, m - 1)) / m,
                                                 sizes=_sizes), note="∂J/∂b = (1/m)Σ(h(xᵢ) − yᵢ)"),
    ),
)


def _log_grad_004(p: dict) -> dict:
    """004's LogisticRegression.fit: dw = (1/n) * X.T @ (p - y); db = (1/n) * sum(p - y)."""
    Xa, ya = p["X"], p["y"]
    n_samples = Xa.shape[0]
    predictions = 1 / (1 + np.exp(-(np.dot(Xa, p["weights"]) + p["bias"])))
    dw = (1 / n_samples) * np.dot(Xa.T, (predictions - ya))
    db = (1 / n_samples) * np.sum(predictions - ya)
    return {"weights": dw, "bias": db}


def _log_loss(p: dict) -> float:
    s = p["X"] @ p["weights"] + p["bias"]
    return float(np.mean(np.logaddexp(0, -s) + (1 - p["y"]) * s))


def _log_grad_sample(rng: np.random.Generator) -> dict:
    mm, nn = int(rng.integers(2, 8)), int(rng.integers(1, 4))
    return {"X": rng.normal(size=(mm, nn)), "y": rng.integers(0, 2, size=mm).astype(float),
            "weights": rng.normal(size=nn), "bias": np.asarray(rng.normal())}


gradient_as_written = Formula(
    id="log.gradient_as_written", title="Logistic regression gradient (004 code)", topic=TOPIC,
    sources=("004 Logistic Regression from Scratch (code)",),
    statement=Eq(ops.Grad(sym("J"), sym("w")), X.T * (sp.MatrixSymbol("y_hat", m, 1) - y) / m, evaluate=False),
    checks=(Check(name="vector-form", claim=GradientClaim(
        function=_J_log, wrt=w,
        claimed=X.T * (sp.FunctionMatrix(m, 1, sp.Lambda((i, j), _p(i))) - y) / m, sizes=_sizes),
        note="∇J = (1/m)Xᵀ(p − y)"),),
    as_written=(AsWritten(
        name="code-004", source="004 code",
        claim=CodeGradientClaim(loss=_log_loss, gradient=_log_grad_004, sample=_log_grad_sample, params=("weights", "bias")),
        description="dw = (1/n_samples) * np.dot(X.T, predictions - y); db = (1/n_samples) * np.sum(predictions - y)",
        correct="dw = (1/n)Xᵀ(p − y), db = (1/n)Σ(p − y), the gradient of the mean binary cross-entropy"),),
)

FORMULAS = (hypothesis_lin, cost_lin, gradient_lin, normal_equations, qr_least_squares, hypothesis_log, cost_log,
            gradient_log, gradient_as_written)
