"""Distributions (`dist.*`) and information theory (`info.*`).

Normalisation, means and variances are shown symbolically with derivations that keep the
integrals easy: densities are standardised (x = μ + σt) so that SymPy integrates
e^(−t²/2) times a polynomial, rather than the raw Gaussian with symbolic parameters.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from checker import operators as ops
from checker.claims import CodeClaim, Identity, Property
from checker.relations import Eq, Ge, Le
from formulas._model import AsWritten, Check, Formula

# Plain names for the displayed statements; the checks use symbols with assumptions.
sym, idx = sp.Symbol, sp.IndexedBase

TOPIC_DIST = "Distributions"
TOPIC_INFO = "Information theory"

t = sp.Symbol("t", real=True)
x = sp.Symbol("x", real=True)
xp = sp.Symbol("x", positive=True)
mu = sp.Symbol("mu", real=True)
sg = sp.Symbol("sigma", positive=True)
p = sp.Symbol("p", positive=True)
lam = sp.Symbol("lambda", positive=True)
al, be = sp.Symbol("alpha", positive=True), sp.Symbol("beta", positive=True)
k = sp.Symbol("k", integer=True, nonnegative=True)
n = sp.Symbol("n", integer=True, positive=True)
PR = (p < 1,)

_phi = sp.exp(-t**2 / 2) / sp.sqrt(2 * sp.pi)          # standard normal density
_std = lambda e: sp.Integral(e * _phi, (t, -sp.oo, sp.oo))  # noqa: E731 - E[e(T)] for T ~ N(0, 1)
NORMAL = sp.exp(-(x - mu) ** 2 / (2 * sg**2)) / (sg * sp.sqrt(2 * sp.pi))


normal = Formula(
    id="dist.normal", title="Normal density", topic=TOPIC_DIST, sources=("000 Probability Distributions", "004 Common Probability Distributions"),
    statement=Eq(ops.named("pdf", x), sp.Mul(sp.Pow(sg * sp.Pow(2 * sp.pi, sp.Rational(1, 2), evaluate=False), -1, evaluate=False),
                                                sp.exp(-(x - mu) ** 2 / (2 * sg**2)), evaluate=False)),
    checks=(
        Check(name="standardised", claim=Identity(lhs=NORMAL.subs(x, mu + sg * t) * sg, rhs=_phi),
              note="with x = μ + σt, f(x) dx = φ(t) dt: the substitution behind the next three checks"),
        Check(name="integrates-to-one", claim=Property(statement=Eq(_std(1), 1)), note="∫ f = ∫ φ = 1"),
        Check(name="mean", claim=Property(statement=Eq(_std(mu + sg * t), mu)), note="E[X] = E[μ + σT] = μ"),
        Check(name="variance", claim=Property(statement=Eq(_std((sg * t) ** 2), sg**2)), note="Var X = σ²E[T²] = σ²"),
    ),
)

_bern = lambda y: p**y * (1 - p) ** (1 - y)  # noqa: E731

bernoulli = Formula(
    id="dist.bernoulli", title="Bernoulli distribution", topic=TOPIC_DIST, sources=("000 Probability Distributions", "004"),
    statement=Eq(ops.Prob(Eq(sym("Y"), sym("y"))), _bern(sym("y"))),
    checks=(
        Check(name="sums-to-one", claim=Identity(lhs=_bern(0) + _bern(1), rhs=sp.Integer(1), assumptions=PR)),
        Check(name="mean", claim=Identity(lhs=0 * _bern(0) + 1 * _bern(1), rhs=p, assumptions=PR)),
        Check(name="variance", claim=Identity(lhs=(0 - p) ** 2 * _bern(0) + (1 - p) ** 2 * _bern(1), rhs=p * (1 - p), assumptions=PR)),
    ),
)

_binom = sp.binomial(n, k) * p**k * (1 - p) ** (n - k)
_bsum = lambda f: sp.Sum(f * _binom, (k, 0, n))  # noqa: E731
SN = ((n, (1, 2, 3, 4, 5)),)

binomial = Formula(
    id="dist.binomial", title="Binomial distribution", topic=TOPIC_DIST, sources=("004 Common Probability Distributions",),
    statement=Eq(ops.Prob(Eq(sym("X"), k)), _binom),
    checks=(
        Check(name="sums-to-one", claim=Identity(lhs=_bsum(1), rhs=sp.Integer(1), sizes=SN, assumptions=PR)),
        Check(name="mean", claim=Identity(lhs=_bsum(k), rhs=n * p, sizes=SN, assumptions=PR)),
        Check(name="variance", claim=Identity(lhs=_bsum((k - n * p) ** 2), rhs=n * p * (1 - p), sizes=SN, assumptions=PR)),
    ),
)

_pois = lam**k * sp.exp(-lam) / sp.factorial(k)

poisson = Formula(
    id="dist.poisson", title="Poisson distribution", topic=TOPIC_DIST, sources=("004 Common Probability Distributions",),
    statement=Eq(ops.Prob(Eq(sym("X"), k)), _pois),
    checks=(
        Check(name="sums-to-one", claim=Property(statement=Eq(sp.Sum(_pois, (k, 0, sp.oo)), 1)),
              note="Σ λᵏe^(−λ)/k! = e^λ e^(−λ) = 1"),
        Check(name="mean", claim=Property(statement=Eq(sp.Sum(k * _pois, (k, 0, sp.oo)), lam))),
        Check(name="factorial-moment", claim=Property(statement=Eq(
            sp.Sum(lam ** (k + 2) * sp.exp(-lam) / sp.factorial(k), (k, 0, sp.oo)), lam**2)),
            note="E[K(K−1)] = Σ_{k≥2} λᵏe^(−λ)/(k−2)! = λ² (k(k−1)/k! = 1/(k−2)!, then shift k → k + 2)"),
        Check(name="variance", claim=Identity(lhs=lam**2 + lam - lam**2, rhs=lam),
              note="Var = E[K(K−1)] + E[K] − E[K]² = λ² + λ − λ² = λ"),
        Check(name="shift", claim=Identity(lhs=k * (k - 1) / sp.factorial(k), rhs=1 / sp.factorial(k - 2),
                                           assumptions=(k >= 2,)), note="k(k − 1)/k! = 1/(k − 2)! for k ≥ 2"),
    ),
)

_expo = lam * sp.exp(-lam * xp)

exponential = Formula(
    id="dist.exponential", title="Exponential distribution", topic=TOPIC_DIST, sources=("004 Common Probability Distributions",),
    statement=Eq(ops.named("pdf", xp), _expo),
    checks=(
        Check(name="integrates-to-one", claim=Property(statement=Eq(sp.Integral(_expo, (xp, 0, sp.oo)), 1))),
        Check(name="mean", claim=Property(statement=Eq(sp.Integral(xp * _expo, (xp, 0, sp.oo)), 1 / lam))),
        Check(name="variance", claim=Property(statement=Eq(sp.Integral((xp - 1 / lam) ** 2 * _expo, (xp, 0, sp.oo)), 1 / lam**2))),
    ),
)

u = sp.Symbol("u", positive=True)
_beta_pdf = u ** (al - 1) * (1 - u) ** (be - 1) / sp.beta(al, be)

A_, B_ = sp.Symbol("A", integer=True, positive=True), sp.Symbol("B", integer=True, positive=True)
_beta_int = u ** (A_ - 1) * (1 - u) ** (B_ - 1) * sp.gamma(A_ + B_) / (sp.gamma(A_) * sp.gamma(B_))
_SAB = ((A_, (1, 2, 3, 5)), (B_, (1, 2, 4)))

beta = Formula(
    id="dist.beta", title="Beta distribution", topic=TOPIC_DIST, sources=("004 Common Probability Distributions",),
    statement=Eq(ops.named("pdf", u), _beta_pdf),
    checks=(
        Check(name="integrates-to-one", claim=Property(statement=Eq(sp.Integral(_beta_int, (u, 0, 1)), 1), sizes=_SAB),
              note="at integer α, β (several) the integral is a polynomial one; B(α, β) = Γ(α)Γ(β)/Γ(α + β)"),
        Check(name="integrates-to-one-real", claim=Property(statement=Eq(
            sp.Integral(u ** (al - 1) * (1 - u) ** (be - 1), (u, 0, 1)), sp.gamma(al) * sp.gamma(be) / sp.gamma(al + be)),
            assumptions=(al > 0.5, be > 0.5), symbolic=False), note="for real α, β > ½, by quadrature at sampled parameters"),
        Check(name="mean-by-beta-functions", claim=Identity(
            lhs=sp.gamma(al + 1) * sp.gamma(be) / sp.gamma(al + be + 1) / (sp.gamma(al) * sp.gamma(be) / sp.gamma(al + be)),
            rhs=al / (al + be)), note="E[X] = B(α + 1, β)/B(α, β) = α/(α + β)"),
        Check(name="mean", claim=Property(statement=Eq(sp.Integral(u * _beta_int, (u, 0, 1)), A_ / (A_ + B_)), sizes=_SAB)),
    ),
)

a1, a2, a3 = sp.symbols("a_1 a_2 a_3", positive=True)


def _dirichlet_mc(pr: dict) -> np.ndarray:
    rng = np.random.default_rng(int(pr["seed"]))
    return rng.dirichlet(pr["alpha"], size=400000).mean(axis=0)


dirichlet = Formula(
    id="dist.dirichlet", title="Dirichlet distribution", topic=TOPIC_DIST, sources=("004 Common Probability Distributions",),
    statement=Eq(ops.named("pdf", sym("x")), sp.gamma(sp.Sum(idx("alpha")[sym("i")], (sym("i"), 1, sym("K")))) / sp.Product(sp.gamma(idx("alpha")[sym("i")]), (sym("i"), 1, sym("K"))) * sp.Product(idx("x")[sym("i")] ** (idx("alpha")[sym("i")] - 1), (sym("i"), 1, sym("K")))),
    checks=(
        Check(name="k-equals-2-is-beta", claim=Identity(
            lhs=sp.gamma(a1 + a2) / (sp.gamma(a1) * sp.gamma(a2)) * u ** (a1 - 1) * (1 - u) ** (a2 - 1),
            rhs=u ** (a1 - 1) * (1 - u) ** (a2 - 1) / sp.beta(a1, a2), assumptions=(u < 1,)),
            note="for K = 2, Γ(α₁ + α₂)/(Γ(α₁)Γ(α₂)) x^(α₁−1)(1−x)^(α₂−1) is the Beta density"),
        Check(name="mean-k3", claim=Identity(
            lhs=sp.gamma(a1 + a2 + a3) / (sp.gamma(a1) * sp.gamma(a2) * sp.gamma(a3))
            * sp.gamma(a1 + 1) * sp.gamma(a2) * sp.gamma(a3) / sp.gamma(a1 + a2 + a3 + 1),
            rhs=a1 / (a1 + a2 + a3)), note="E[X₁] = α₁/Σα (K = 3), through the normalising constant"),
        Check(name="mean-monte-carlo", claim=CodeClaim(
            program=_dirichlet_mc, reference=lambda pr: np.asarray(pr["alpha"]) / np.sum(pr["alpha"]),
            sample=lambda rng: {"alpha": rng.uniform(0.5, 4, size=int(rng.integers(2, 5))), "seed": int(rng.integers(1 << 30))},
            n_samples=2, rtol=0.02, atol=0.003), note="sample means of NumPy's Dirichlet draws agree within sampling error"),
    ),
)

# --- information theory --------------------------------------------------------------------------

K = sp.Symbol("K", integer=True, positive=True)
i, j = sp.symbols("i j", integer=True)
w = sp.IndexedBase("w", positive=True)
v = sp.IndexedBase("v", positive=True)
W2 = sp.IndexedBase("u", positive=True)
L = sp.Symbol("L", integer=True, positive=True)
_Pi = lambda r: w[r] / sp.Sum(w[j], (j, 1, K))  # noqa: E731
_Qi = lambda r: v[r] / sp.Sum(v[j], (j, 1, K))  # noqa: E731
SK = ((K, (1, 2, 3, 4)),)
_H = -sp.Sum(_Pi(i) * sp.log(_Pi(i)), (i, 1, K))
_CE = -sp.Sum(_Pi(i) * sp.log(_Qi(i)), (i, 1, K))
_KL = sp.Sum(_Pi(i) * sp.log(_Pi(i) / _Qi(i)), (i, 1, K))


def _entropy_code(pr: dict) -> float:
    """000's and 004's `entropy`, transcribed."""
    pp = np.array(pr["p"])
    pp = pp[pp > 0]
    return float(-np.sum(pp * np.log2(pp)))


def _entropy_ref(pr: dict) -> float:
    return float(-sum(q * math.log(q, 2) for q in pr["p"] if q > 0))


def _pmf(rng: np.random.Generator) -> dict:
    q = rng.uniform(0, 1, size=int(rng.integers(1, 7)))
    if rng.uniform() < 0.5:
        q[rng.integers(len(q))] = 0.0
    if q.sum() == 0:
        q[0] = 1.0
    return {"p": (q / q.sum()).tolist()}


entropy = Formula(
    id="info.entropy", title="Entropy", topic=TOPIC_INFO, sources=("000 Entropy (code)", "001 Entropy", "003 §10", "004 (code)"),
    statement=Eq(ops.Entropy(sym("X")), -sp.Sum(idx("p")[i] * ops.LogBase(idx("p")[i], 2), (i, 1, K))),
    checks=(
        Check(name="nonnegative", claim=Property(statement=Ge(_H, 0), sizes=SK), note="H ≥ 0"),
        Check(name="at-most-log-k", claim=Property(statement=Le(_H, sp.log(K)), sizes=SK),
              note="H ≤ log K, with equality for the uniform law (maximal)"),
        Check(name="fair-coin", claim=Identity(lhs=-2 * sp.Rational(1, 2) * sp.log(sp.Rational(1, 2), 2), rhs=sp.Integer(1)),
              note="000: a fair coin has 1 bit"),
        Check(name="biased-coin", claim=CodeClaim(program=lambda _: _entropy_code({"p": [0.9, 0.1]}),
                                                  reference=-(sp.Rational(9, 10) * sp.log(sp.Rational(9, 10), 2) + sp.Rational(1, 10) * sp.log(sp.Rational(1, 10), 2))),
              note="000: the 0.9/0.1 coin has ≈ 0.469 bits"),
    ),
    as_written=(AsWritten(name="code-000-004", source="000, 004 code",
                          claim=CodeClaim(program=_entropy_code, reference=_entropy_ref, sample=_pmf),
                          description="entropy(p) = -np.sum(p * np.log2(p)) over p > 0", correct="H = −Σ p log₂ p, 0 log 0 = 0"),),
)

cross_entropy = Formula(
    id="info.cross_entropy", title="Cross-entropy", topic=TOPIC_INFO, sources=("003 §10 Cross-Entropy",),
    statement=Eq(ops.CrossEntropy(sym("p"), sym("q")), -sp.Sum(idx("p")[i] * sp.log(idx("q")[i]), (i, 1, K))),
    checks=(Check(name="entropy-plus-kl", claim=Identity(lhs=_CE, rhs=_H + _KL, sizes=SK), note="H(P, Q) = H(P) + KL(P‖Q)"),),
)


def _kl_001(pr: dict) -> float:
    """001's kl_divergence: np.sum(p * np.log(p / q))."""
    pp, qq = np.asarray(pr["p"]), np.asarray(pr["q"])
    return float(np.sum(pp * np.log(pp / qq)))


def _kl_ref(pr: dict) -> float:
    return float(sum(a * math.log(a / b) for a, b in zip(pr["p"], pr["q"]) if a > 0))


def _two_pmfs(rng: np.random.Generator) -> dict:
    size = int(rng.integers(1, 6))
    a, b = rng.uniform(0.05, 1, size=size), rng.uniform(0.05, 1, size=size)
    return {"p": (a / a.sum()).tolist(), "q": (b / b.sum()).tolist()}


kl = Formula(
    id="info.kl", title="Kullback-Leibler divergence", topic=TOPIC_INFO, sources=("001 KL Divergence (code)", "003 §10"),
    statement=Eq(ops.KL(sym("P"), sym("Q")), sp.Sum(idx("p")[i] * sp.log(idx("p")[i] / idx("q")[i]), (i, 1, K))),
    checks=(
        Check(name="nonnegative", claim=Property(statement=Ge(_KL, 0), sizes=SK), note="Gibbs' inequality: KL ≥ 0"),
        Check(name="zero-when-equal", claim=Identity(lhs=_KL.xreplace({v: w}), rhs=sp.Integer(0), sizes=SK), note="KL(P‖P) = 0"),
    ),
    as_written=(AsWritten(name="code-001", source="001 code",
                          claim=CodeClaim(program=_kl_001, reference=_kl_ref, sample=_two_pmfs),
                          description="kl_divergence(p, q) = np.sum(p * np.log(p / q))",
                          correct="Σ p log(p/q) (defined for q > 0 where p > 0; the code gives nan if some pᵢ = 0)"),),
)

m1, m2 = sp.Symbol("mu_1", real=True), sp.Symbol("mu_2", real=True)
s1, s2 = sp.Symbol("sigma_1", positive=True), sp.Symbol("sigma_2", positive=True)
_N1 = sp.exp(-(x - m1) ** 2 / (2 * s1**2)) / (s1 * sp.sqrt(2 * sp.pi))
_N2 = sp.exp(-(x - m2) ** 2 / (2 * s2**2)) / (s2 * sp.sqrt(2 * sp.pi))
_KLG = sp.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - sp.Rational(1, 2)
_logratio = sp.log(s2 / s1) - (x - m1) ** 2 / (2 * s1**2) + (x - m2) ** 2 / (2 * s2**2)

_c = sp.Poly(sp.expand(_logratio.subs(x, m1 + s1 * t)), t).all_coeffs()[::-1]
_PLAIN = {m1: sp.Symbol("mu_1"), m2: sp.Symbol("mu_2"), s1: sp.Symbol("sigma_1"), s2: sp.Symbol("sigma_2")}


def _kl_quad(pr: dict) -> float:
    """∫ N₁ log(N₁/N₂) by the trapezoidal rule over μ₁ ± 14σ₁.

    For a smooth integrand that decays like a Gaussian the trapezoidal rule converges
    geometrically in the step; with 4000 steps it is exact to round-off, and what lies
    beyond 14σ₁ is below e^(−98).
    """
    m1, s1, m2, s2 = pr["mu_1"], pr["sigma_1"], pr["mu_2"], pr["sigma_2"]
    z = np.linspace(m1 - 14 * s1, m1 + 14 * s1, 4001)
    log_n1 = -0.5 * ((z - m1) / s1) ** 2 - np.log(s1 * math.sqrt(2 * math.pi))
    log_n2 = -0.5 * ((z - m2) / s2) ** 2 - np.log(s2 * math.sqrt(2 * math.pi))
    f = np.exp(log_n1) * (log_n1 - log_n2)
    return float((z[1] - z[0]) * (f.sum() - (f[0] + f[-1]) / 2))


def _kl_params(rng: np.random.Generator) -> dict:
    return {"mu_1": float(rng.normal()), "mu_2": float(rng.normal()), "sigma_1": float(rng.uniform(0.5, 2)),
            "sigma_2": float(rng.uniform(0.5, 2))}


kl_gaussian = Formula(
    id="info.kl_gaussian", title="KL divergence between two Gaussians", topic=TOPIC_INFO, sources=("001 KL Divergence (VAE)",),
    statement=Eq(ops.KL(sym("N_1"), sym("N_2")), _KLG),
    checks=(
        Check(name="log-ratio", claim=Identity(lhs=sp.expand_log(sp.log(_N1 / _N2), force=True), rhs=_logratio),
              note="log(N₁/N₂) = log(σ₂/σ₁) − (x − μ₁)²/(2σ₁²) + (x − μ₂)²/(2σ₂²)"),
        Check(name="polynomial-in-t", claim=Identity(
            lhs=_logratio.subs(x, m1 + s1 * t),
            rhs=_c[0] + _c[1] * t + _c[2] * t**2),
            note="with x = μ₁ + σ₁t the log-ratio is c₀ + c₁t + c₂t²"),
        Check(name="moments", claim=Property(statement=Eq(_std(t**2) - _std(t), 1)),
              note="E[t²] = 1 and E[t] = 0 for t ~ N(0, 1)"),
        Check(name="closed-form", claim=Identity(lhs=_c[0] + _c[1] * 0 + _c[2] * 1, rhs=_KLG),
              note="so KL = c₀ + c₂ = log(σ₂/σ₁) + (σ₁² + (μ₁ − μ₂)²)/(2σ₂²) − ½"),
        Check(name="definition-numeric", claim=CodeClaim(program=_kl_quad, reference=_KLG.xreplace(_PLAIN), sample=_kl_params),
              note="the defining integral ∫ N₁ log(N₁/N₂), by quadrature at sampled parameters"),
    ),
)

_PJ = lambda r, c: W2[r, c] / sp.Sum(sp.Sum(W2[i, j], (j, 1, L)), (i, 1, K))  # noqa: E731
_px = lambda r: sp.Sum(_PJ(r, j), (j, 1, L))  # noqa: E731
_py = lambda c: sp.Sum(_PJ(i, c), (i, 1, K))  # noqa: E731
SKL = ((K, (1, 2)), (L, (2, 3)))
_HX = -sp.Sum(_px(i) * sp.log(_px(i)), (i, 1, K))
_HY = -sp.Sum(_py(j) * sp.log(_py(j)), (j, 1, L))
_HXY = -sp.Sum(sp.Sum(_PJ(i, j) * sp.log(_PJ(i, j)), (j, 1, L)), (i, 1, K))
_HY_X = -sp.Sum(sp.Sum(_PJ(i, j) * sp.log(_PJ(i, j) / _px(i)), (j, 1, L)), (i, 1, K))
_HX_Y = -sp.Sum(sp.Sum(_PJ(i, j) * sp.log(_PJ(i, j) / _py(j)), (j, 1, L)), (i, 1, K))
_MI = sp.Sum(sp.Sum(_PJ(i, j) * sp.log(_PJ(i, j) / (_px(i) * _py(j))), (j, 1, L)), (i, 1, K))


def _joint(rng: np.random.Generator) -> dict:
    a, b = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    pxy = rng.uniform(0, 1, size=(a, b))
    if rng.uniform() < 0.5 and pxy.size > 1:
        pxy[rng.integers(a), rng.integers(b)] = 0.0
    return {"p_xy": (pxy / pxy.sum())}


def _H_ref(q) -> float:
    return float(-sum(t_ * math.log2(t_) for t_ in np.ravel(q) if t_ > 0))


def _joint_entropy_004(pr: dict) -> float:
    p_xy = pr["p_xy"]
    p_xy = p_xy[p_xy > 0]
    return float(-np.sum(p_xy * np.log2(p_xy)))


def _conditional_entropy_004(pr: dict) -> float:
    """004's conditional_entropy(p_xy, p_x), transcribed, with p_x = p_xy.sum(axis=1)."""
    p_xy = pr["p_xy"]
    p_x = p_xy.sum(axis=1)
    p_y_given_x = p_xy.T / (p_x + 1e-10)
    return float(-np.sum(p_x * np.sum(p_y_given_x * np.log2(p_y_given_x + 1e-10), axis=1)))


def _conditional_entropy_004_fixed(pr: dict) -> float:
    """004's conditional_entropy with p(y|x) = p_xy[x, y]/p_x[x]: rows divided, no transpose."""
    p_xy = pr["p_xy"]
    p_x = p_xy.sum(axis=1)
    p_y_given_x = p_xy / (p_x[:, None] + 1e-10)
    return float(-np.sum(p_x * np.sum(p_y_given_x * np.log2(p_y_given_x + 1e-10), axis=1)))


def _conditional_entropy_ref(pr: dict) -> float:
    """H(Y|X) = H(X, Y) − H(X)."""
    return _H_ref(pr["p_xy"]) - _H_ref(pr["p_xy"].sum(axis=1))


def _mi_004(pr: dict) -> float:
    """004's mutual_information(p_xy, p_x, p_y) with its smoothing, transcribed."""
    p_xy = pr["p_xy"]
    p_x, p_y = p_xy.sum(axis=1), p_xy.sum(axis=0)
    p_xy = p_xy + 1e-10
    return _entropy_code({"p": p_x}) + _entropy_code({"p": p_y}) - _joint_entropy_004({"p_xy": p_xy})


def _mi_ref(pr: dict) -> float:
    q = pr["p_xy"]
    px, py = q.sum(axis=1), q.sum(axis=0)
    return float(sum(q[r, c] * math.log2(q[r, c] / (px[r] * py[c])) for r in range(q.shape[0]) for c in range(q.shape[1]) if q[r, c] > 0))


def _small_joint(rng: np.random.Generator) -> dict:
    """A 2×2 joint pmf in tenths, so a finding's evidence can be recomputed by hand."""
    while True:
        cells = rng.integers(0, 5, size=(2, 2)).astype(float)
        if cells.sum() > 0 and np.all(cells.sum(axis=1) > 0):
            return {"p_xy": cells / cells.sum()}


mutual_information = Formula(
    id="info.mutual_information", title="Mutual information", topic=TOPIC_INFO, sources=("003 §10", "004 (code)"),
    statement=Eq(ops.MutualInformation(sym("X"), sym("Y")), ops.Entropy(sym("X")) - ops.CondEntropy(sym("X"), sym("Y"))),
    checks=(
        Check(name="h-x-minus-h-x-given-y", claim=Identity(lhs=_MI, rhs=_HX - _HX_Y, sizes=SKL)),
        Check(name="h-y-minus-h-y-given-x", claim=Identity(lhs=_MI, rhs=_HY - _HY_X, sizes=SKL)),
        Check(name="sum-of-entropies", claim=Identity(lhs=_MI, rhs=_HX + _HY - _HXY, sizes=SKL), note="= H(X) + H(Y) − H(X, Y) (004)"),
        Check(name="nonnegative", claim=Property(statement=Ge(_MI, 0), sizes=((K, (2,)), (L, (2, 3)))),
              note="I ≥ 0: it is KL(p(x, y)‖p(x)p(y))"),
    ),
)

joint_entropy = Formula(
    id="info.joint_entropy", title="Joint entropy", topic=TOPIC_INFO, sources=("004 Entropy and Mutual Information (code)",),
    statement=Eq(ops.Entropy(sym("X"), sym("Y")), -sp.Sum(sp.Sum(idx("p")[i, j] * ops.LogBase(idx("p")[i, j], 2), (j, 1, L)), (i, 1, K))),
    checks=(Check(name="independent-adds", claim=Identity(
        lhs=_HXY.xreplace({W2: sp.IndexedBase("u", positive=True)}),
        rhs=_HX + _HY, sizes=((K, (1,)), (L, (1, 2, 3)))), note="with one value of X, H(X, Y) = H(X) + H(Y) = H(Y)"),),
    as_written=(AsWritten(name="code-004", source="004 code",
                          claim=CodeClaim(program=_joint_entropy_004, reference=lambda pr: _H_ref(pr["p_xy"]), sample=_joint),
                          description="joint_entropy(p_xy) = -np.sum(p_xy * np.log2(p_xy)) over p_xy > 0",
                          correct="H(X, Y) = −Σ p(x, y) log₂ p(x, y)"),),
)

conditional_entropy = Formula(
    id="info.conditional_entropy", title="Conditional entropy", topic=TOPIC_INFO, sources=("004 Entropy and Mutual Information (code)",),
    statement=Eq(ops.CondEntropy(sym("Y"), sym("X")), ops.Entropy(sym("X"), sym("Y")) - ops.Entropy(sym("X"))),
    checks=(Check(name="chain-rule", claim=Identity(lhs=_HY_X, rhs=_HXY - _HX, sizes=SKL), note="H(Y|X) = H(X, Y) − H(X)"),),
    as_written=(AsWritten(name="code-004", source="004 code",
                          claim=CodeClaim(program=_conditional_entropy_004, reference=_conditional_entropy_ref, sample=_small_joint,
                                          rtol=1e-6, atol=1e-6),
                          fixed=CodeClaim(program=_conditional_entropy_004_fixed, reference=_conditional_entropy_ref,
                                          sample=_small_joint, rtol=1e-6, atol=1e-6),
                          description="p_y_given_x = p_xy.T / (p_x + 1e-10); -np.sum(p_x * np.sum(p_y_given_x * np.log2(...), axis=1))",
                          correct="H(Y|X) = −Σₓ p(x) Σᵧ p(y|x) log₂ p(y|x), with p(y|x) = p_xy[x, y]/p_x[x] "
                                  "(p_xy / p_x[:, None], summed over axis 1); the transpose pairs p(x) with the wrong rows"),),
)

mutual_information_as_written = Formula(
    id="info.mutual_information_as_written", title="Mutual information helper (004 code)", topic=TOPIC_INFO,
    sources=("004 Entropy and Mutual Information (code)",),
    statement=Eq(ops.MutualInformation(sym("X"), sym("Y")), ops.Entropy(sym("X")) + ops.Entropy(sym("Y")) - ops.Entropy(sym("X"), sym("Y"))),
    checks=(Check(name="reference", claim=CodeClaim(program=lambda pr: _H_ref(pr["p_xy"].sum(axis=1)) + _H_ref(pr["p_xy"].sum(axis=0)) - _H_ref(pr["p_xy"]),
                                                    reference=_mi_ref, sample=_joint),
                  note="H(X) + H(Y) − H(X, Y) equals Σ p log(p/(p_x p_y)) on joint pmfs with zeros too"),),
    as_written=(AsWritten(name="code-004", source="004 code",
                          claim=CodeClaim(program=_mi_004, reference=_mi_ref, sample=_joint, rtol=1e-6, atol=1e-6),
                          description="mutual_information = entropy(p_x) + entropy(p_y) - joint_entropy(p_xy + 1e-10)",
                          correct="I = H(X) + H(Y) − H(X, Y); the 1e-10 smoothing changes the value by about 1e-9 per cell"),),
)

FORMULAS_DIST = (normal, bernoulli, binomial, poisson, exponential, beta, dirichlet)
FORMULAS_INFO = (entropy, cross_entropy, kl, kl_gaussian, mutual_information, joint_entropy, conditional_entropy,
                 mutual_information_as_written)
FORMULAS = FORMULAS_DIST + FORMULAS_INFO
