"""Probability and statistics (`prob.*`, `stat.*`).

Random variables are modelled concretely: finite discrete distributions with symbolic
values and probabilities (weights normalised to sum to 1), instantiated at several sizes,
so that identities about E, Var and Cov are checked as identities of sums.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from checker import operators as ops
from checker.claims import CodeClaim, DerivativeClaim, Identity, Property
from checker.relations import Eq, Le
from formulas._model import AsWritten, Check, Formula

# Plain names for the displayed statements; the checks use symbols with assumptions.
sym, idx = sp.Symbol, sp.IndexedBase

TOPIC = "Probability and statistics"

K = sp.Symbol("K", integer=True, positive=True)
L = sp.Symbol("L", integer=True, positive=True)
i, j, k = sp.symbols("i j k", integer=True)
a, b = sp.symbols("a b", real=True)
xs = sp.IndexedBase("x", real=True)
ys = sp.IndexedBase("y", real=True)
ws = sp.IndexedBase("w", positive=True)          # unnormalised weights of a pmf
wj = sp.IndexedBase("u", positive=True)          # weights of a joint pmf, u[i, j]
SK = ((K, (1, 2, 3, 4)),)
SKL = ((K, (1, 2, 3)), (L, (1, 2, 3)))

_Z = sp.Sum(ws[k], (k, 1, K))
P = lambda idx: ws[idx] / _Z  # noqa: E731 - p_i
E = lambda f: sp.Sum(f(i) * P(i), (i, 1, K))  # noqa: E731 - E[f(X)] for X = x_i with prob p_i

_ZJ = sp.Sum(sp.Sum(wj[i, j], (j, 1, L)), (i, 1, K))
PJ = lambda r, c: wj[r, c] / _ZJ  # noqa: E731
EJ = lambda f: sp.Sum(sp.Sum(f(i, j) * PJ(i, j), (j, 1, L)), (i, 1, K))  # noqa: E731 - E[f(X, Y)]

pA, pB, pBA = sp.Symbol("P_A", positive=True), sp.Symbol("P_B", positive=True), sp.Symbol("P_B_given_A", positive=True)
p11, p10, p01, p00 = sp.symbols("p_11 p_10 p_01 p_00", positive=True)
_tot = p11 + p10 + p01 + p00
_PA, _PB, _PAB = (p11 + p10) / _tot, (p11 + p01) / _tot, p11 / _tot   # a 2×2 table of events A, B

classical = Formula(
    id="prob.classical", title="Classical probability", topic=TOPIC, sources=("003 §4 Probability Basics",),
    statement=Eq(ops.Prob(sym("A")), sp.Abs(sym("A")) / sp.Abs(sym("Omega"))),
    checks=(Check(name="two-dice", claim=CodeClaim(
        program=lambda _: sum(1 for d1 in range(1, 7) for d2 in range(1, 7) if d1 + d2 == 7) / 36,
        reference=sp.Rational(6, 36)), note="P(sum of two dice = 7) = 6/36 by counting"),
            Check(name="simulation", claim=CodeClaim(
                program=lambda p: float(np.mean(np.random.default_rng(int(p["s"])).integers(1, 7, size=(200000, 2)).sum(axis=1) == 7)),
                reference=lambda _: 6 / 36, sample=lambda rng: {"s": int(rng.integers(1 << 30))}, n_samples=2, rtol=0.03, atol=0.005),
                note="the frequency in 200 000 simulated throws agrees within sampling error")),
)

conditional = Formula(
    id="prob.conditional", title="Conditional probability", topic=TOPIC, sources=("002 Independence and Conditional Probability", "003 §4"),
    statement=Eq(ops.CondProb(sym("A"), sym("B")), ops.Prob(sym("A"), sym("B")) / ops.Prob(sym("B"))),
    checks=(Check(name="restricted-table", claim=Identity(lhs=p11 / (p11 + p01), rhs=_PAB / _PB),
                  note="P(A|B) is the share of A within B: p₁₁/(p₁₁ + p₀₁) = P(A∩B)/P(B)"),),
)

q_, r_ = sp.Symbol("q", positive=True), sp.Symbol("r", positive=True)
_indep = {(1, 1): q_ * r_, (1, 0): q_ * (1 - r_), (0, 1): (1 - q_) * r_, (0, 0): (1 - q_) * (1 - r_)}

independence = Formula(
    id="prob.independence", title="Independence", topic=TOPIC, sources=("002 Independence and Conditional Probability", "003 §4"),
    statement=Eq(ops.Prob(sym("A"), sym("B")), ops.Prob(sym("A")) * ops.Prob(sym("B"))),
    checks=(Check(name="then-conditional-equals-marginal", claim=Identity(lhs=(pA * pB) / pB, rhs=pA),
                  note="if P(A∩B) = P(A)P(B) then P(A|B) = P(A∩B)/P(B) = P(A)"),
            Check(name="product-table", claim=Identity(
                lhs=_indep[1, 1], rhs=(_indep[1, 1] + _indep[1, 0]) * (_indep[1, 1] + _indep[0, 1]),
                assumptions=(q_ < 1, r_ < 1)),
                note="in the table p(a, b) = q^a(1−q)^(1−a)·r^b(1−r)^(1−b), P(A∩B) = P(A)P(B)")),
)

bayes = Formula(
    id="prob.bayes", title="Bayes' theorem", topic=TOPIC, sources=("000 Bayes' Theorem", "001 Bayes' Theorem", "003 §4"),
    statement=Eq(ops.CondProb(sym("A"), sym("B")), ops.CondProb(sym("B"), sym("A")) * ops.Prob(sym("A")) / ops.Prob(sym("B"))),
    checks=(Check(name="from-the-definition", claim=Identity(lhs=_PAB / _PB, rhs=(_PAB / _PA) * _PA / _PB),
                  note="P(A|B) = P(A∩B)/P(B) and P(B|A)P(A) = P(A∩B), on a 2×2 table"),),
)

pH, pEH, pEnH = sp.Symbol("P_H", positive=True), sp.Symbol("P_E_given_H", positive=True), sp.Symbol("P_E_given_notH", positive=True)

total_probability = Formula(
    id="prob.total_probability", title="Total probability", topic=TOPIC, sources=("000 Bayes' Theorem (code)",),
    statement=Eq(ops.Prob(sym("E")), ops.CondProb(sym("E"), sym("H")) * ops.Prob(sym("H")) + ops.CondProb(sym("E"), sym("H_bar")) * ops.Prob(sym("H_bar"))),
    checks=(Check(name="table", claim=Identity(lhs=(p11 + p01) / _tot,
                                               rhs=(p11 / (p11 + p10)) * ((p11 + p10) / _tot) + (p01 / (p01 + p00)) * ((p01 + p00) / _tot)),
                  note="P(E) = P(E|H)P(H) + P(E|¬H)P(¬H) on a 2×2 table of H and E"),),
)


def _coin_000(_: dict) -> float:
    """000's code: posterior that the coin is fair after 10 heads."""
    prior_fair = 0.5
    likelihood_10_heads = 0.5**10
    likelihood_10_heads_biased = 0.9**10
    evidence = likelihood_10_heads * prior_fair + likelihood_10_heads_biased * (1 - prior_fair)
    return (likelihood_10_heads * prior_fair) / evidence


_coin_exact = (sp.Rational(1, 2) ** 10 * sp.Rational(1, 2)) / (sp.Rational(1, 2) ** 10 * sp.Rational(1, 2) + sp.Rational(9, 10) ** 10 * sp.Rational(1, 2))

bayes_coin = Formula(
    id="prob.bayes_coin", title="Bayesian coin: posterior that the coin is fair", topic=TOPIC, sources=("000 Bayes' Theorem (code)",),
    statement=Eq(ops.CondProb(sym("fair"), sym("H_10")), _coin_exact),
    checks=(Check(name="exact", claim=Identity(lhs=_coin_exact, rhs=sp.Integer(1) / (1 + sp.Rational(9, 5) ** 10)),
                  note="P(fair | 10 heads) = 1/(1 + 1.8¹⁰) ≈ 0.0028"),),
    as_written=(AsWritten(name="code-000", source="000 code", claim=CodeClaim(program=_coin_000, reference=_coin_exact),
                          description="posterior_fair = likelihood * prior / evidence",
                          correct="1/(1 + 1.8¹⁰) ≈ 0.00280"),),
)

expectation = Formula(
    id="stat.expectation", title="Expected value", topic=TOPIC, sources=("002 Expectation and Variance", "003 §4 Expected Value"),
    statement=Eq(ops.Expectation(sym("X")), sp.Sum(xs[i] * idx("p")[i], (i, 1, K))),
    checks=(
        Check(name="discrete-die", claim=Identity(lhs=sp.Sum(i * sp.Rational(1, 6), (i, 1, 6)), rhs=sp.Rational(7, 2)),
              note="E of a fair die = Σ x P(x) = 7/2"),
        Check(name="continuous-uniform", claim=Property(statement=Eq(
            sp.Integral(sp.Symbol("t") / (b - a) * 1, (sp.Symbol("t"), a, b)), (a + b) / 2, evaluate=False),
            assumptions=(b > a + 0.1,)), note="E = ∫ x f(x) dx = (a + b)/2 for the uniform density on [a, b]"),
    ),
)

expectation_linear = Formula(
    id="stat.expectation_linear", title="Linearity of expectation", topic=TOPIC, sources=("003 §4 Expected Value",),
    statement=Eq(ops.Expectation(a * sym("X") + b), a * ops.Expectation(sym("X")) + b),
    checks=(
        Check(name="affine", claim=Identity(lhs=E(lambda r: a * xs[r] + b), rhs=a * E(lambda r: xs[r]) + b, sizes=SK)),
        Check(name="sum", claim=Identity(lhs=EJ(lambda r, c: xs[r] + ys[c]),
                                         rhs=EJ(lambda r, c: xs[r]) + EJ(lambda r, c: ys[c]), sizes=SKL),
              note="E[X + Y] = E[X] + E[Y] for any joint distribution (dependent too)"),
    ),
)

_mu = E(lambda r: xs[r])

variance = Formula(
    id="stat.variance", title="Variance", topic=TOPIC, sources=("002 Expectation and Variance", "003 §4 Variance"),
    statement=Eq(ops.Variance(sym("X")), ops.Expectation(sym("X") ** 2) - ops.Expectation(sym("X")) ** 2),
    checks=(Check(name="two-forms", claim=Identity(lhs=E(lambda r: (xs[r] - _mu) ** 2), rhs=E(lambda r: xs[r] ** 2) - _mu**2,
                                                   sizes=SK), note="E[(X − E[X])²] = E[X²] − (E[X])²"),),
)

std = Formula(
    id="stat.std", title="Standard deviation", topic=TOPIC, sources=("002 Expectation and Variance", "003 §4"),
    statement=Eq(sym("sigma_X"), sp.sqrt(ops.Variance(sym("X")))),
    checks=(Check(name="numpy", claim=CodeClaim(program=lambda p: float(np.std(p["x"])),
                                                reference=lambda p: float(np.sqrt(np.mean((p["x"] - np.mean(p["x"])) ** 2))),
                                                sample=lambda rng: {"x": rng.normal(size=int(rng.integers(2, 20)))}),
                  note="σ = √Var: NumPy's std is the square root of the mean squared deviation"),
            Check(name="scales", claim=Identity(lhs=sp.sqrt(E(lambda r: (a * xs[r] - a * _mu) ** 2)),
                                                rhs=sp.Abs(a) * sp.sqrt(E(lambda r: (xs[r] - _mu) ** 2)), sizes=((K, (1, 2, 3)),)),
                  note="σ(aX) = |a|σ(X)")),
)

x_ = sp.Symbol("x", real=True)
lam_ = sp.Symbol("lambda", positive=True)
mu_ = sp.Symbol("mu", real=True)
sig_ = sp.Symbol("sigma", positive=True)

median = Formula(
    id="stat.median", title="Median", topic=TOPIC, sources=("002 Expectation and Variance",),
    statement=Eq(ops.Prob(Le(sym("X"), sym("m"))), sp.Rational(1, 2)),
    checks=(
        Check(name="normal", claim=Identity(lhs=(1 + sp.erf((mu_ - mu_) / (sig_ * sp.sqrt(2)))) / 2, rhs=sp.Rational(1, 2)),
              note="the normal CDF at m = μ is ½"),
        Check(name="exponential", claim=Property(statement=Eq(
            sp.Integral(lam_ * sp.exp(-lam_ * x_), (x_, 0, sp.log(2) / lam_)), sp.Rational(1, 2), evaluate=False)),
            note="for the exponential law, P(X ≤ ln 2/λ) = ½"),
    ),
)

variance_affine = Formula(
    id="stat.variance_affine", title="Variance of aX + b", topic=TOPIC, sources=("003 §4 Variance",),
    statement=Eq(ops.Variance(a * sym("X") + b), a**2 * ops.Variance(sym("X"))),
    checks=(Check(name="discrete", claim=Identity(
        lhs=E(lambda r: (a * xs[r] + b - E(lambda q: a * xs[q] + b)) ** 2), rhs=a**2 * E(lambda r: (xs[r] - _mu) ** 2),
        sizes=SK)),),
)

_mx = EJ(lambda r, c: xs[r])
_my = EJ(lambda r, c: ys[c])
_cov = EJ(lambda r, c: (xs[r] - _mx) * (ys[c] - _my))
_varx = EJ(lambda r, c: (xs[r] - _mx) ** 2)
_vary = EJ(lambda r, c: (ys[c] - _my) ** 2)

variance_sum = Formula(
    id="stat.variance_sum", title="Variance of a sum", topic=TOPIC, sources=("003 §4 Variance",),
    statement=Eq(ops.Variance(sym("X") + sym("Y")), ops.Variance(sym("X")) + ops.Variance(sym("Y")) + 2 * ops.Covariance(sym("X"), sym("Y"))),
    checks=(Check(name="joint-pmf", claim=Identity(lhs=EJ(lambda r, c: (xs[r] + ys[c] - _mx - _my) ** 2),
                                                   rhs=_varx + _vary + 2 * _cov, sizes=SKL)),),
)

covariance = Formula(
    id="stat.covariance", title="Covariance", topic=TOPIC, sources=("003 §4 Covariance and Correlation",),
    statement=Eq(ops.Covariance(sym("X"), sym("Y")), ops.Expectation(sym("X") * sym("Y")) - ops.Expectation(sym("X")) * ops.Expectation(sym("Y"))),
    checks=(Check(name="two-forms", claim=Identity(lhs=_cov, rhs=EJ(lambda r, c: xs[r] * ys[c]) - _mx * _my, sizes=SKL)),),
)

correlation = Formula(
    id="stat.correlation", title="Correlation coefficient", topic=TOPIC, sources=("003 §4 Covariance and Correlation",),
    statement=Eq(sym("rho_XY"), ops.Covariance(sym("X"), sym("Y")) / (sym("sigma_X") * sym("sigma_Y"))),
    checks=(Check(name="bounded", claim=Property(statement=Le(_cov**2, _varx * _vary), sizes=((K, (1, 2)), (L, (1, 2)))),
                  note="Cov² ≤ Var(X)Var(Y), so −1 ≤ ρ ≤ 1"),
            Check(name="numpy", claim=CodeClaim(
                program=lambda p: float(np.corrcoef(p["x"], p["y"])[0, 1]),
                reference=lambda p: float(np.mean((p["x"] - p["x"].mean()) * (p["y"] - p["y"].mean())) / (p["x"].std() * p["y"].std())),
                sample=lambda rng: (lambda v: {"x": v, "y": v * rng.normal() + rng.normal(size=len(v))})(rng.normal(size=int(rng.integers(3, 30))))),
                note="ρ = Cov/(σₓσᵧ) is NumPy's correlation")),
)

# --- MLE of the normal ---------------------------------------------------------------------------------

n = sp.Symbol("n", integer=True, positive=True)
mu, s2 = sp.Symbol("mu", real=True), sp.Symbol("s", positive=True)  # s = σ
_ll = -n / 2 * sp.log(2 * sp.pi * s2**2) - sp.Sum((xs[i] - mu) ** 2, (i, 1, n)) / (2 * s2**2)
_sum_log_pdf = sp.Sum(sp.log(sp.exp(-(xs[i] - mu) ** 2 / (2 * s2**2)) / sp.sqrt(2 * sp.pi * s2**2)), (i, 1, n))
_mean = sp.Sum(xs[i], (i, 1, n)) / n
_var_mle = sp.Sum((xs[i] - _mean) ** 2, (i, 1, n)) / n


def _ll_000(p: dict) -> float:
    """000's log_likelihood_normal, transcribed."""
    data, m_, sg = p["data"], p["mu"], p["sigma"]
    nn = len(data)
    ll = -nn / 2 * np.log(2 * np.pi * sg**2)
    ll -= np.sum((data - m_) ** 2) / (2 * sg**2)
    return float(ll)


def _ll_ref(p: dict) -> float:
    import math
    return float(sum(math.log(math.exp(-(t - p["mu"]) ** 2 / (2 * p["sigma"] ** 2)) / math.sqrt(2 * math.pi * p["sigma"] ** 2))
                     for t in p["data"]))


def _mle_000(p: dict) -> np.ndarray:
    """000: mle_mu = np.mean(data); mle_sigma = np.std(data, ddof=0)."""
    return np.array([np.mean(p["data"]), np.std(p["data"], ddof=0)])


def _argmax(f, lo: float, hi: float) -> float:
    """Ternary search for the maximum of a unimodal function on [lo, hi]."""
    for _ in range(200):
        m1, m2 = lo + (hi - lo) / 3, hi - (hi - lo) / 3
        if f(m1) < f(m2):
            lo = m1
        else:
            hi = m2
    return (lo + hi) / 2


def _mle_numeric(p: dict) -> np.ndarray:
    """Maximise the log-likelihood numerically (μ first, then σ), independently of the closed form."""
    data = p["data"]
    ll = lambda m_, sg: _ll_ref({"data": data, "mu": m_, "sigma": sg})  # noqa: E731
    m = _argmax(lambda t: ll(t, 1.0), float(data.min()) - 1, float(data.max()) + 1)
    sg = _argmax(lambda t: ll(m, t), 1e-3, float(np.ptp(data)) + 1)
    return np.array([m, sg])


normal_mle = Formula(
    id="stat.normal_mle", title="Maximum likelihood for the normal", topic=TOPIC, sources=("000 Maximum Likelihood Estimation (code)",),
    statement=Eq(sp.Symbol("ell"), _ll),
    checks=(
        Check(name="log-likelihood", claim=Identity(lhs=_ll, rhs=_sum_log_pdf, sizes=((n, (1, 2, 3)),)),
              note="ℓ = Σ log N(xᵢ; μ, σ²)"),
        Check(name="stationary-mu", claim=Identity(lhs=sp.diff(_ll, mu).subs(mu, _mean), rhs=sp.Integer(0), sizes=((n, (1, 2, 3, 4)),)),
              note="∂ℓ/∂μ = 0 at μ̂ = mean"),
        Check(name="stationary-sigma", claim=Identity(
            lhs=sp.diff(_ll, s2).subs(mu, _mean).subs(s2, sp.sqrt(_var_mle)), rhs=sp.Integer(0), sizes=((n, (2, 3)),)),
            note="∂ℓ/∂σ = 0 at σ̂² = (1/n)Σ(xᵢ − x̄)² (ddof = 0)"),
        Check(name="code-000", claim=CodeClaim(program=_ll_000, reference=_ll_ref,
                                               sample=lambda rng: {"data": rng.normal(3, 1.5, size=int(rng.integers(1, 40))),
                                                                   "mu": float(rng.normal(3)), "sigma": float(rng.uniform(0.5, 3))}),
              note="000's log_likelihood_normal computes ℓ"),
    ),
    as_written=(AsWritten(name="estimates-000", source="000 code",
                          claim=CodeClaim(program=_mle_000, reference=_mle_numeric, rtol=1e-7, atol=1e-7,
                                          sample=lambda rng: {"data": rng.normal(3, 1.5, size=int(rng.integers(2, 40)))}),
                          description="mle_mu = np.mean(data), mle_sigma = np.std(data, ddof=0)",
                          correct="μ̂ = mean, σ̂ = √((1/n)Σ(xᵢ − μ̂)²), i.e. ddof = 0"),),
)

# --- Beta-binomial -----------------------------------------------------------------------------

al, be = sp.Symbol("alpha", positive=True), sp.Symbol("beta", positive=True)
pp = sp.Symbol("p", positive=True)
kk, nn = sp.Symbol("k", integer=True, nonnegative=True), sp.Symbol("N", integer=True, positive=True)
_prior = pp ** (al - 1) * (1 - pp) ** (be - 1) / sp.beta(al, be)
_lik = sp.binomial(nn, kk) * pp**kk * (1 - pp) ** (nn - kk)
_post = pp ** (al + kk - 1) * (1 - pp) ** (be + nn - kk - 1) / sp.beta(al + kk, be + nn - kk)


def _bb_004(p: dict) -> np.ndarray:
    """004's code: posterior_alpha = prior_alpha + n_successes; posterior_beta = prior_beta + (n_trials − n_successes)."""
    data = p["data"]
    prior_alpha, prior_beta = p["alpha"], p["beta"]
    n_successes = data.sum()
    n_trials = len(data)
    posterior_alpha = prior_alpha + n_successes
    posterior_beta = prior_beta + (n_trials - n_successes)
    return np.array([posterior_alpha, posterior_beta, posterior_alpha / (posterior_alpha + posterior_beta)])


def _bb_reference(p: dict) -> np.ndarray:
    """Posterior by numerical normalisation of prior × likelihood on a grid, then its moments."""
    grid = np.linspace(1e-6, 1 - 1e-6, 200001)
    k_, n_ = float(p["data"].sum()), float(len(p["data"]))
    log_post = (p["alpha"] - 1 + k_) * np.log(grid) + (p["beta"] - 1 + n_ - k_) * np.log(1 - grid)
    w = np.exp(log_post - log_post.max())
    mean = float(np.sum(grid * w) / np.sum(w))
    var = float(np.sum((grid - mean) ** 2 * w) / np.sum(w))
    common = mean * (1 - mean) / var - 1          # method of moments of a Beta
    return np.array([mean * common, (1 - mean) * common, mean])


beta_binomial = Formula(
    id="stat.beta_binomial", title="Beta-binomial posterior", topic=TOPIC, sources=("004 Bayesian Inference (code)",),
    statement=Eq(ops.CondProb(sym("theta"), sym("k")), ops.named("Beta", sym("theta"), sym("alpha") + sym("k"), sym("beta") + sym("n") - sym("k"))),
    checks=(
        Check(name="conjugate", claim=Identity(
            lhs=_post / (_prior * _lik), rhs=(_post / (_prior * _lik)).subs(pp, sp.Rational(1, 3)),
            assumptions=(pp < 1, kk <= nn)),
            note="posterior/(prior × likelihood) does not depend on p: the posterior is Beta(α + k, β + n − k)"),
        Check(name="mean", claim=Identity(lhs=(al + kk) / (al + kk + be + nn - kk), rhs=(al + kk) / (al + be + nn)),
              note="its mean is (α + k)/(α + β + n)"),
    ),
    as_written=(AsWritten(name="code-004", source="004 code", claim=CodeClaim(
        program=_bb_004, reference=_bb_reference, rtol=1e-4, atol=1e-6,
        sample=lambda rng: {"data": rng.integers(0, 2, size=int(rng.integers(1, 12))).astype(float),
                            "alpha": float(rng.uniform(0.5, 3)), "beta": float(rng.uniform(0.5, 3))}),
        description="posterior_alpha = prior_alpha + n_successes; posterior_beta = prior_beta + (n_trials - n_successes)",
        correct="Beta(α + k, β + n − k), mean (α + k)/(α + β + n)"),),
)

# --- bias-variance ---------------------------------------------------------------------------------

f0, eps_v = sp.Symbol("f", real=True), sp.Symbol("sigma_eps", positive=True)
fh = sp.IndexedBase("fhat", real=True)  # the model's prediction over training sets, fhat[r] with prob P(r)
_Efh = E(lambda r: fh[r])
# y = f + ε with E[ε] = 0, E[ε²] = σ², ε independent of the training set: E over both of (y − f̂)²
_expected_error = E(lambda r: (f0 - fh[r]) ** 2) + eps_v**2

bias_variance = Formula(
    id="stat.bias_variance", title="Bias-variance decomposition", topic=TOPIC, sources=("001 The Bias-Variance Tradeoff",),
    statement=Eq(ops.Expectation((sym("y") - sym("y_hat")) ** 2), ops.named("Bias", sym("y_hat")) ** 2 + ops.Variance(sym("y_hat")) + sym("sigma") ** 2),
    checks=(
        Check(name="decomposition", claim=Identity(
            lhs=_expected_error, rhs=(f0 - _Efh) ** 2 + E(lambda r: (fh[r] - _Efh) ** 2) + eps_v**2, sizes=SK),
            note="E[(y − f̂)²] = (f − E f̂)² + E[(f̂ − E f̂)²] + σ² for y = f + ε"),
        Check(name="noise-term", claim=Identity(
            lhs=sp.Rational(1, 2) * ((f0 + eps_v - sp.Symbol("g", real=True)) ** 2 + (f0 - eps_v - sp.Symbol("g", real=True)) ** 2),
            rhs=(f0 - sp.Symbol("g", real=True)) ** 2 + eps_v**2),
            note="with ε = ±σ equally likely, E[(f + ε − g)²] = (f − g)² + σ²: the cross term vanishes"),
    ),
)

FORMULAS = (classical, conditional, independence, bayes, total_probability, bayes_coin, expectation, expectation_linear,
            variance, std, median, variance_affine, variance_sum, covariance, correlation, normal_mle, beta_binomial,
            bias_variance)
