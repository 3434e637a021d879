"""Optimisation (inventory: `opt.*`): gradient descent and its variants, Adam, quadratic forms,
positive semidefiniteness, convexity."""

from __future__ import annotations

import numpy as np
import sympy as sp

from checker import operators as ops
from checker.claims import CodeClaim, CodeGradientClaim, DerivativeClaim, GradientClaim, Identity, Property
from checker.relations import Eq, Ge, Le, Ne
from formulas._model import AsWritten, Check, Formula

# Plain names for the displayed statements; the checks use symbols with assumptions.
sym, idx = sp.Symbol, sp.IndexedBase

TOPIC = "Optimisation"

x, y, th = sp.symbols("x y theta", real=True)
alpha = sp.Symbol("alpha", positive=True)
lam = sp.Symbol("lambda", real=True)
g = sp.Symbol("g", real=True)
b1, b2 = sp.Symbol("beta_1", positive=True), sp.Symbol("beta_2", positive=True)
eps = sp.Symbol("epsilon", positive=True)
t = sp.Symbol("t", integer=True, positive=True)
k = sp.Symbol("k", integer=True, nonnegative=True)
i = sp.Symbol("i", integer=True)
m = sp.Symbol("m", integer=True, positive=True)
n = sp.Symbol("n", integer=True, positive=True)
bsz = sp.Symbol("b", integer=True, positive=True)
X = sp.IndexedBase("x", real=True)
Y = sp.IndexedBase("y", real=True)

# A smooth per-example loss J(θ; xᵢ, yᵢ) = (θxᵢ − yᵢ)² and its gradient in θ
_Ji = (th * X[i] - Y[i]) ** 2
_gi = 2 * (th * X[i] - Y[i]) * X[i]

gradient_descent = Formula(
    id="opt.gradient_descent", title="Gradient descent", topic=TOPIC,
    sources=("000 Gradients and Derivatives", "001 The Gradient", "003 §3 Gradient Descent", "004 Gradient Descent"),
    statement=Eq(sym("theta_new"), th - alpha * ops.Grad(sp.Function("J")(th), th)),
    checks=(
        Check(name="small-step-decreases", claim=Property(
            statement=Le(((th - alpha * 2 * (th - 3)) - 3) ** 2, (th - 3) ** 2),
            assumptions=(alpha < 1,)),
            note="for J = (θ − 3)² and 0 < α < 1, one step never increases J"),
        Check(name="fixed-point", claim=Identity(lhs=(th - alpha * sp.diff((th - 3) ** 2, th)).subs(th, 3), rhs=sp.Integer(3)),
              note="where ∇J = 0 (θ = 3), the update leaves θ unchanged"),
        Check(name="too-large-step", claim=Property(
            statement=Ne(sp.Max(((th - alpha * 2 * (th - 3)) - 3) ** 2, (th - 3) ** 2), (th - 3) ** 2),
            quantifier="exists", assumptions=(alpha > 1, alpha < 2)),
            note="a step α > 1 can increase J: the condition 'small enough' matters"),
    ),
)


def _gd_run_000(_: dict) -> float:
    """000's loop: x = 5, learning_rate = 0.1, 20 steps of x -= lr * (2x + 2)."""
    xv = 5.0
    for _ in range(20):
        xv = xv - 0.1 * (2 * xv + 2)
    return xv


gd_quadratic_run = Formula(
    id="opt.gd_quadratic_run", title="Gradient descent on x² + 2x + 1 (20 steps)", topic=TOPIC,
    sources=("000 Gradients and Derivatives (code)",),
    statement=Eq(idx("x")[k], -1 + (1 - 2 * alpha) ** k * (idx("x")[0] + 1)),
    checks=(
        Check(name="closed-form-step", claim=Identity(
            lhs=(-1 + (1 - 2 * alpha) ** k * (x + 1)) - alpha * (2 * (-1 + (1 - 2 * alpha) ** k * (x + 1)) + 2),
            rhs=-1 + (1 - 2 * alpha) ** (k + 1) * (x + 1)),
            note="x_k = −1 + (1 − 2α)^k (x₀ + 1) satisfies x_{k+1} = x_k − α(2x_k + 2)"),
        Check(name="value", claim=CodeClaim(program=_gd_run_000, reference=sp.Integer(-1) + sp.Rational(4, 5) ** 20 * 6),
              note="000's run ends at x₂₀ = −1 + 0.8²⁰·6 ≈ −0.9308 (f ≈ 0.0048)"),
    ),
)

batch_gd = Formula(
    id="opt.batch_gd", title="Batch gradient descent", topic=TOPIC, sources=("003 §5 Gradient Descent Variants",),
    statement=Eq(sym("theta_new"), th - alpha / m * sp.Sum(ops.Grad(idx("J")[i], th), (i, 1, m))),
    checks=(Check(name="mean-gradient", claim=Identity(
        lhs=sp.Sum(_gi, (i, 1, m)) / m, rhs=sp.diff(sp.Sum(_Ji, (i, 1, m)) / m, th), sizes=((m, (1, 2, 3, 4)),)),
        note="(1/m) Σ ∇J(θ; xᵢ, yᵢ) is the gradient of the mean loss"),),
)

sgd = Formula(
    id="opt.sgd", title="Stochastic gradient descent", topic=TOPIC, sources=("003 §5 Gradient Descent Variants",),
    statement=Eq(sym("theta_new"), th - alpha * ops.Grad(idx("J")[i], th)),
    checks=(Check(name="unbiased", claim=Identity(
        lhs=sp.Sum(_gi * sp.Rational(1, 1) / m, (i, 1, m)), rhs=sp.diff(sp.Sum(_Ji, (i, 1, m)) / m, th),
        sizes=((m, (1, 2, 3, 4)),)),
        note="with i uniform on 1..m, E[∇J(θ; xᵢ, yᵢ)] = Σ (1/m)∇Jᵢ is the batch gradient"),),
)

minibatch_gd = Formula(
    id="opt.minibatch_gd", title="Mini-batch gradient descent", topic=TOPIC, sources=("003 §5 Gradient Descent Variants",),
    statement=Eq(sym("theta_new"), th - alpha / bsz * sp.Sum(ops.Grad(idx("J")[i], th), (i, 1, bsz))),
    checks=(
        Check(name="b-equals-1-is-sgd", claim=Identity(lhs=(sp.Sum(_gi, (i, 1, bsz)) / bsz).subs(bsz, 1), rhs=_gi.subs(i, 1)),
              note="b = 1 is SGD on example 1"),
        Check(name="b-equals-m-is-batch", claim=Identity(lhs=sp.Sum(_gi, (i, 1, bsz)) / bsz,
                                                         rhs=sp.diff(sp.Sum(_Ji, (i, 1, bsz)) / bsz, th),
                                                         sizes=((bsz, (1, 2, 3, 4)),)),
              note="b = m is batch gradient descent"),
    ),
)

# --- Adam ---------------------------------------------------------------------------------


def _adam_003(inputs: dict) -> float:
    """003's Adam, as written: no bias correction. First step from θ₀ = 0, m₀ = v₀ = 0."""
    gv, a, be1, be2, e = inputs["g"], inputs["alpha"], inputs["beta_1"], inputs["beta_2"], inputs["epsilon"]
    m_t = be1 * 0 + (1 - be1) * gv
    v_t = be2 * 0 + (1 - be2) * gv**2
    return 0 - a * m_t / (np.sqrt(v_t) + e)


def _adam_003_fixed(inputs: dict) -> float:
    """003's Adam with the correction its text omits: m̂ₜ = mₜ/(1 − β₁ᵗ), v̂ₜ = vₜ/(1 − β₂ᵗ), at t = 1."""
    gv, a, be1, be2, e = inputs["g"], inputs["alpha"], inputs["beta_1"], inputs["beta_2"], inputs["epsilon"]
    t_ = 1
    m_t = be1 * 0 + (1 - be1) * gv
    v_t = be2 * 0 + (1 - be2) * gv**2
    return 0 - a * (m_t / (1 - be1**t_)) / (np.sqrt(v_t / (1 - be2**t_)) + e)


def _adam_published(inputs: dict) -> float:
    """Kingma & Ba (2015), Algorithm 1: the first step with bias-corrected moments."""
    gv, a, be1, be2, e = inputs["g"], inputs["alpha"], inputs["beta_1"], inputs["beta_2"], inputs["epsilon"]
    m_t = (1 - be1) * gv
    v_t = (1 - be2) * gv**2
    m_hat, v_hat = m_t / (1 - be1), v_t / (1 - be2)
    return 0 - a * m_hat / (np.sqrt(v_hat) + e)


def _adam_sample(rng: np.random.Generator) -> dict:
    return {"g": float(rng.uniform(0.2, 3.0)), "alpha": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8}


_m_t = (1 - b1) * sp.Sum(b1 ** (t - i) * g, (i, 1, t))

adam_as_written = Formula(
    id="opt.adam_as_written", title="Adam as 003 writes it (no bias correction)", topic=TOPIC,
    sources=("003 §5 Learning Rate (Adam)",),
    statement=Eq(idx("theta")[t], idx("theta")[t - 1] - alpha * idx("m")[t] / (sp.sqrt(idx("v")[t]) + eps)),
    checks=(
        Check(name="published-first-step", claim=CodeClaim(
            program=_adam_published, reference=-alpha * sp.sign(g) * sp.Abs(g) / (sp.Abs(g) + eps),
            sample=_adam_sample),
            note="the published update's first step is ≈ −α·sign(g): the bias-corrected moments are g and g²"),
        Check(name="moment-recursions", claim=Identity(
            lhs=b1 * ((1 - b1) * sp.Sum(b1 ** (t - 1 - i) * g, (i, 1, t - 1))) + (1 - b1) * g, rhs=_m_t,
            sizes=((t, (1, 2, 3, 4, 5)),)),
            note="mₜ = β₁mₜ₋₁ + (1 − β₁)gₜ unrolls to (1 − β₁)Σβ₁^(t−i)gᵢ, as in both versions"),
    ),
    as_written=(AsWritten(
        name="update-without-bias-correction", source="003 §5",
        claim=CodeClaim(program=_adam_003, reference=_adam_published, sample=_adam_sample),
        fixed=CodeClaim(program=_adam_003_fixed, reference=_adam_published, sample=_adam_sample),
        description="θₜ = θₜ₋₁ − α·mₜ/(√vₜ + ε) with the raw moments mₜ, vₜ",
        correct="θₜ = θₜ₋₁ − α·m̂ₜ/(√v̂ₜ + ε) with m̂ₜ = mₜ/(1 − β₁ᵗ), v̂ₜ = vₜ/(1 − β₂ᵗ) (Kingma & Ba 2015); "
                "without them the first steps are scaled by (1 − β₁)/√(1 − β₂) ≈ 3.16"),),
)

adam = Formula(
    id="opt.adam", title="Adam with bias correction", topic=TOPIC, sources=("003 §5 Learning Rate (Adam), corrected",),
    statement=Eq(idx("m_hat")[t], idx("m")[t] / (1 - b1**t)),
    checks=(
        Check(name="constant-gradient", claim=Identity(lhs=_m_t, rhs=(1 - b1**t) * g, sizes=((t, (1, 2, 3, 4, 5, 6)),)),
              note="for a constant gradient g, mₜ = (1 − β₁ᵗ)g"),
        Check(name="unbiased", claim=Identity(lhs=_m_t / (1 - b1**t), rhs=g, sizes=((t, (1, 2, 3, 4, 5, 6)),),
                                              assumptions=(b1 < 1,)),
              note="so m̂ₜ = mₜ/(1 − β₁ᵗ) = g"),
    ),
)

# --- linear regression by gradient descent (001) -----------------------------------------------

w, b = sp.symbols("w b", real=True)
_res = Y[i] - (w * X[i] + b)
_mse = sp.Sum(_res**2, (i, 1, n)) / n


def _linreg_001(p: dict) -> dict:
    """001's gradients: dw = -(2/n) * sum(x * (y - y_pred)); db = -(2/n) * sum(y - y_pred)."""
    xs, ys = p["x"], p["y"]
    y_pred = p["w"] * xs + p["b"]
    nn = len(xs)
    return {"w": -(2 / nn) * np.sum(xs * (ys - y_pred)), "b": -(2 / nn) * np.sum(ys - y_pred)}


def _linreg_sample(rng: np.random.Generator) -> dict:
    size = int(rng.integers(2, 7))
    return {"w": np.asarray(rng.normal()), "b": np.asarray(rng.normal()), "x": rng.normal(size=size), "y": rng.normal(size=size)}


linreg_gd_as_written = Formula(
    id="opt.linreg_gd_as_written", title="Linear regression gradients (001 code)", topic=TOPIC,
    sources=("001 The Gradient (code)",),
    statement=Eq(ops.PartialRatio(ops.named("MSE"), w), -2 / n * sp.Sum(X[i] * (Y[i] - (w * X[i] + b)), (i, 1, n))),
    checks=(
        Check(name="dw", claim=DerivativeClaim(function=_mse, wrt=(w,), claimed=-2 * sp.Sum(X[i] * _res, (i, 1, n)) / n,
                                               sizes=((n, (1, 2, 3, 4)),))),
        Check(name="db", claim=DerivativeClaim(function=_mse, wrt=(b,), claimed=-2 * sp.Sum(_res, (i, 1, n)) / n,
                                               sizes=((n, (1, 2, 3, 4)),))),
    ),
    as_written=(AsWritten(
        name="code-001", source="001 code",
        claim=CodeGradientClaim(
            loss=lambda p: float(np.mean((p["y"] - (p["w"] * p["x"] + p["b"])) ** 2)),
            gradient=_linreg_001, sample=_linreg_sample, params=("w", "b")),
        description="dw = -(2/n) * sum(x * (y - y_pred)), db = -(2/n) * sum(y - y_pred)",
        correct="∂MSE/∂w = −(2/n)Σx(y − ŷ), ∂MSE/∂b = −(2/n)Σ(y − ŷ)"),),
)

# --- quadratic forms, PSD, convexity ---------------------------------------------------------

d = sp.Symbol("d", integer=True, positive=True)
A = sp.MatrixSymbol("A", d, d)
xv = sp.MatrixSymbol("x", d, 1)
bv = sp.MatrixSymbol("b", d, 1)
c = sp.Symbol("c", real=True)
_q = (xv.T * A * xv)[0, 0] + (bv.T * xv)[0, 0] + c
_sizes = ((d, (1, 2, 3)),)

quadratic_form = Formula(
    id="opt.quadratic_form", title="Quadratic form: gradient and Hessian", topic=TOPIC, sources=("002 Optimization Theory",),
    statement=Eq(sp.Function("f")(sym("x")), ops.Dot(sym("x"), sym("A", commutative=False) * sym("x", commutative=False)) + ops.Dot(sym("b"), sym("x")) + c),
    checks=(
        Check(name="gradient", claim=GradientClaim(function=_q, wrt=xv, claimed=(A + A.T) * xv + bv, sizes=_sizes),
              note="∇f = (A + Aᵀ)x + b"),
        Check(name="hessian", claim=GradientClaim(function=(A + A.T) * xv + bv, wrt=xv, claimed=A + A.T, sizes=_sizes),
              note="∇²f = A + Aᵀ (the Jacobian of the gradient)"),
    ),
)

a11, a12, a22, u1, u2 = sp.symbols("a_11 a_12 a_22 u_1 u_2", real=True)
_S = sp.Matrix([[a11, a12], [a12, a22]])
_u = sp.Matrix([u1, u2])


def _psd_code(inputs: dict) -> float:
    """x^T A x for A = BᵀB and random x: never negative; its eigenvalues are never negative."""
    rng = np.random.default_rng(int(inputs["seed"]))
    B = rng.normal(size=(4, 4))
    S = B.T @ B
    xs = rng.normal(size=(4, 50))
    return float(min(np.min(np.einsum("ij,ik,kj->j", xs, S, xs)), np.min(np.linalg.eigvalsh(S))) >= -1e-12)


psd = Formula(
    id="opt.psd", title="Positive semidefinite matrices", topic=TOPIC, sources=("002 Optimization Theory",),
    statement=Ge(ops.Dot(sym("x"), sym("A", commutative=False) * sym("x", commutative=False)), 0, evaluate=False),
    checks=(
        Check(name="gram-matrix", claim=Property(statement=Ge((_u.T * (_S.T * _S) * _u)[0, 0], 0)),
              note="xᵀ(BᵀB)x = ‖Bx‖² ≥ 0 for every x (2×2, symbolic entries)"),
        Check(name="eigenvalues", claim=Property(statement=Ge(
            ((a11 + a22) - sp.sqrt((a11 - a22) ** 2 + 4 * a12**2)) / 2, 0),
            assumptions=(a11 > 0, a22 > 0, a11 * a22 - a12**2 > 0)),
            note="a symmetric 2×2 matrix with positive leading minors has both eigenvalues ≥ 0"),
        Check(name="numeric", claim=CodeClaim(program=_psd_code, reference=lambda _: 1.0,
                                              sample=lambda rng: {"seed": int(rng.integers(1 << 30))}),
              note="random Gram matrices: xᵀAx ≥ 0 at 50 random x and eigenvalues ≥ 0"),
    ),
)

lam01 = (lam >= 0, lam <= 1)
y2 = sp.Symbol("y", real=True)


def _convex(fun) -> Property:
    return Property(statement=Le(fun(lam * x + (1 - lam) * y2), lam * fun(x) + (1 - lam) * fun(y2)), assumptions=lam01)


p_ = sp.Symbol("p", real=True)

convexity = Formula(
    id="opt.convexity", title="Convexity", topic=TOPIC, sources=("002 Optimization Theory", "001 Convex vs Non-Convex"),
    statement=Le(sp.Function("f")(lam * x + (1 - lam) * y2), lam * sp.Function("f")(x) + (1 - lam) * sp.Function("f")(y2)),
    checks=(
        Check(name="square", claim=_convex(lambda v: v**2), note="x² is convex"),
        Check(name="exp", claim=_convex(sp.exp), note="eˣ is convex"),
        Check(name="mse", claim=_convex(lambda v: (v - 2) ** 2 + (3 * v + 1) ** 2 / 4), note="an MSE in one weight is convex"),
        Check(name="bce", claim=_convex(lambda v: sp.log(1 + sp.exp(-v))), note="BCE in the logit, log(1 + e^(−z)), is convex"),
        Check(name="non-convex-sin", claim=Property(
            statement=Ne(sp.Max(sp.sin(lam * x + (1 - lam) * y2), lam * sp.sin(x) + (1 - lam) * sp.sin(y2)),
                            lam * sp.sin(x) + (1 - lam) * sp.sin(y2)),
            quantifier="exists", assumptions=lam01),
            note="sin is not convex: some λ, x, y violate the inequality"),
    ),
)

FORMULAS = (gradient_descent, gd_quadratic_run, batch_gd, sgd, minibatch_gd, adam_as_written, adam,
            linreg_gd_as_written, quadratic_form, psd, convexity)
