"""Support vector machines (`svm.*`) and regularisation (`reg.*`)."""

from __future__ import annotations

import numpy as np
import sympy as sp

from checker import operators as ops
from checker.claims import CodeClaim, CodeGradientClaim, GradientClaim, Identity, Property
from checker.relations import Eq, Ge
from formulas._model import AsWritten, Check, Formula

# Plain names for the displayed statements; the checks use symbols with assumptions.
sym, idx = sp.Symbol, sp.IndexedBase

TOPIC_SVM = "Support vector machines"
TOPIC_REG = "Regularisation"

m = sp.Symbol("m", integer=True, positive=True)
d = sp.Symbol("d", integer=True, positive=True)
i, j, k = sp.symbols("i j k", integer=True)
b, C = sp.Symbol("b", real=True), sp.Symbol("C", positive=True)
w = sp.MatrixSymbol("w", d, 1)
x = sp.MatrixSymbol("x", d, 1)
y = sp.Symbol("y", real=True)
xi = sp.Symbol("xi", real=True)
margin = y * ((w.T * x)[0, 0] + b)


def _primal_slack(inputs: dict) -> float:
    """The smallest feasible slack: min ξ subject to y(wᵀx + b) ≥ 1 − ξ and ξ ≥ 0, by search."""
    mgn = inputs["y"] * (inputs["w"] @ inputs["x"] + inputs["b"])
    candidates = np.linspace(0, 10, 100001)
    feasible = candidates[(mgn >= 1 - candidates)]
    return float(feasible.min())


def _hinge(inputs: dict) -> float:
    return float(max(0.0, 1 - inputs["y"] * (inputs["w"] @ inputs["x"] + inputs["b"])))


def _svm_sample(rng: np.random.Generator) -> dict:
    dd = int(rng.integers(1, 4))
    return {"w": rng.normal(size=dd), "x": rng.normal(size=dd), "b": float(rng.normal()),
            "y": float(rng.choice([-1.0, 1.0]))}


svm_primal = Formula(
    id="svm.primal", title="SVM primal objective", topic=TOPIC_SVM, sources=("003 §6 Support Vector Machine",),
    statement=ops.SubjectTo(
        Eq(sp.Function("J")(sym("w"), b, sym("xi")), ops.Norm(sym("w"), 2) ** 2 / 2 + C * sp.Sum(idx("xi")[i], (i, 1, m))),
        Ge(idx("y")[i] * (ops.Dot(sym("w"), idx("x")[i]) + b), 1 - idx("xi")[i], evaluate=False),
        Ge(idx("xi")[i], 0, evaluate=False)),
    checks=(
        Check(name="optimal-slack-is-hinge", claim=Property(
            statement=Ge(sp.Max(0, 1 - margin) - (1 - margin), 0), sizes=((d, (1, 2, 3)),)),
            note="max(0, 1 − y(wᵀx + b)) satisfies the margin constraint ξ ≥ 1 − y(wᵀx + b)"),
        Check(name="smallest-feasible-slack", claim=CodeClaim(program=_primal_slack, reference=_hinge, sample=_svm_sample,
                                                              rtol=1e-3, atol=2e-4),
              note="the least ξ meeting both constraints is the hinge loss, so the objective is ½‖w‖² + CΣ hinge"),
    ),
)


def _decision(inputs: dict) -> float:
    return float(np.sign(inputs["w"] @ inputs["x"] + inputs["b"]))


svm_decision = Formula(
    id="svm.decision", title="SVM decision function", topic=TOPIC_SVM, sources=("003 §6 Support Vector Machine",),
    statement=Eq(sp.Function("f")(sym("x")), sp.sign(ops.Dot(sym("w"), sym("x")) + b)),
    checks=(
        Check(name="sign-form", claim=Identity(lhs=sp.sign(sp.Sum(w[k, 0] * x[k, 0], (k, 0, d - 1)) + b),
                                               rhs=sp.sign((w.T * x)[0, 0] + b), sizes=((d, (1, 2, 3)),)),
              note="sign(Σwₖxₖ + b) = sign(wᵀx + b)"),
        Check(name="separates", claim=CodeClaim(
            program=lambda inp: _decision(inp) * (inp["w"] @ inp["x"] + inp["b"]),
            reference=lambda inp: abs(inp["w"] @ inp["x"] + inp["b"]), sample=_svm_sample),
            note="f(x)·(wᵀx + b) = |wᵀx + b| ≥ 0: the sign puts each point on its side of the hyperplane"),
    ),
)

# --- regularisation -------------------------------------------------------------------------

n = sp.Symbol("n", integer=True, positive=True)
W = sp.MatrixSymbol("w", n, 1)
X = sp.MatrixSymbol("X", m, n)
Y = sp.MatrixSymbol("y", m, 1)
lam, lam1, lam2 = sp.Symbol("lambda", positive=True), sp.Symbol("lambda_1", positive=True), sp.Symbol("lambda_2", positive=True)
_mse = sp.Sum((sp.Sum(X[i, k] * W[k, 0], (k, 0, n - 1)) - Y[i, 0]) ** 2, (i, 0, m - 1)) / m
_dmse = sp.FunctionMatrix(n, 1, sp.Lambda((j, k), sp.Sum(
    2 * (sp.Sum(X[i, k] * W[k, 0], (k, 0, n - 1)) - Y[i, 0]) * X[i, j], (i, 0, m - 1)) / m))
_sizes = ((m, (1, 2, 3)), (n, (1, 2)))
_l2 = sp.Sum(W[k, 0] ** 2, (k, 0, n - 1))
_l1 = sp.Sum(sp.Abs(W[k, 0]), (k, 0, n - 1))


def _col(f) -> sp.FunctionMatrix:
    return sp.FunctionMatrix(n, 1, sp.Lambda((j, k), f(j)))


def _ridge_code_001(p: dict) -> float:
    """001's code: loss = mse_loss + λ * sum(w²)."""
    mse_loss = np.mean((p["X"] @ p["w"] - p["y"]) ** 2)
    return float(mse_loss + p["lam"] * np.sum(p["w"] ** 2))


def _lasso_code_001(p: dict) -> float:
    """001's code: loss = mse_loss + λ * sum(|w|)."""
    mse_loss = np.mean((p["X"] @ p["w"] - p["y"]) ** 2)
    return float(mse_loss + p["lam"] * np.sum(np.abs(p["w"])))


def _reg_sample(rng: np.random.Generator) -> dict:
    mm, nn = int(rng.integers(2, 6)), int(rng.integers(1, 4))
    return {"X": rng.normal(size=(mm, nn)), "w": rng.normal(size=nn), "y": rng.normal(size=mm), "lam": float(rng.uniform(0.1, 2))}


def _mse_grad(p: dict) -> np.ndarray:
    return 2 * p["X"].T @ (p["X"] @ p["w"] - p["y"]) / len(p["y"])


l2 = Formula(
    id="reg.l2", title="L2 regularisation (ridge)", topic=TOPIC_REG, sources=("001 Regularization (code)", "003 §8 L2 Regularization"),
    statement=Eq(sym("J"), ops.named("MSE") + lam * sp.Sum(idx("w")[j] ** 2, (j, 1, n))),
    checks=(Check(name="gradient", claim=GradientClaim(function=_mse + lam * _l2, wrt=W,
                                                       claimed=sp.MatAdd(_dmse, 2 * lam * W), sizes=_sizes),
                  note="∂J/∂wᵢ = ∂MSE/∂wᵢ + 2λwᵢ"),),
    as_written=(AsWritten(name="code-001", source="001 code",
                          claim=CodeGradientClaim(loss=_ridge_code_001,
                                                  gradient=lambda p: {"w": _mse_grad(p) + 2 * p["lam"] * p["w"]},
                                                  sample=_reg_sample, params=("w",)),
                          description="loss = mse_loss + λ * sum(w²), with the gradient 003 gives",
                          correct="∂J/∂w = ∂MSE/∂w + 2λw"),),
)

l1 = Formula(
    id="reg.l1", title="L1 regularisation (lasso)", topic=TOPIC_REG, sources=("001 Regularization (code)", "003 §8 L1 Regularization"),
    statement=Eq(sym("J"), ops.named("MSE") + lam * sp.Sum(sp.Abs(idx("w")[j]), (j, 1, n))),
    checks=(Check(name="gradient", claim=GradientClaim(function=_mse + lam * _l1, wrt=W,
                                                       claimed=sp.MatAdd(_dmse, lam * _col(lambda r: sp.sign(W[r, 0]))), sizes=_sizes),
                  note="∂J/∂wᵢ = ∂MSE/∂wᵢ + λ sign(wᵢ), away from wᵢ = 0"),),
    as_written=(AsWritten(name="code-001", source="001 code",
                          claim=CodeGradientClaim(loss=_lasso_code_001,
                                                  gradient=lambda p: {"w": _mse_grad(p) + p["lam"] * np.sign(p["w"])},
                                                  sample=_reg_sample, params=("w",)),
                          description="loss = mse_loss + λ * sum(|w|), with the gradient 003 gives",
                          correct="∂J/∂w = ∂MSE/∂w + λ sign(w)"),),
)

elastic_net = Formula(
    id="reg.elastic_net", title="Elastic net", topic=TOPIC_REG, sources=("003 §8 Elastic Net",),
    statement=Eq(sym("J"), ops.named("MSE") + lam1 * sp.Sum(sp.Abs(idx("w")[j]), (j, 1, n)) + lam2 * sp.Sum(idx("w")[j] ** 2, (j, 1, n))),
    checks=(Check(name="gradient", claim=GradientClaim(
        function=_mse + lam1 * _l1 + lam2 * _l2, wrt=W,
        claimed=sp.MatAdd(_dmse, lam1 * _col(lambda r: sp.sign(W[r, 0])), 2 * lam2 * W), sizes=_sizes),
        note="∂J/∂wᵢ = ∂MSE/∂wᵢ + λ₁ sign(wᵢ) + 2λ₂wᵢ (derived)"),),
)

FORMULAS_SVM = (svm_primal, svm_decision)
FORMULAS_REG = (l2, l1, elastic_net)
FORMULAS = FORMULAS_SVM + FORMULAS_REG
