"""Derivations of the statistics formulas of the catalog.

Random variables are the catalog's finite pmfs (`formulas.probability`): values x[i] with
probabilities w[i]/Σw, or a joint pmf u[i, j], of symbolic size instantiated at several
sizes. So "linearity of expectation" is a step between two sums that the engine checks at
each size, rather than a rule taken on trust.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from checker.claims import DerivativeClaim, Identity, Property
from checker.relations import Eq
from derivations._model import Derivation, Step
from formulas.probability import (
    _PA as _pA, _PAB as _pAB, _PB as _pB, EJ, SK, E, K, L, P, PJ, _Efh, _lik, _ll, _mean, _post, _prior, _sum_log_pdf,
    _tot, _var_mle, al as alpha, be as beta, f0 as f, fh, i, j, kk as k, mu, n, nn, p00, p01, p10, p11, pp as theta,
    s2 as sigma, xs, ys,
)

# --- variance ----------------------------------------------------------------------------------

_mu = E(lambda r: xs[r])
_sum_p = sp.Sum(P(i), (i, 1, K))

variance_identity = Derivation(
    id="variance_identity",
    title="Variance: E[(X − μ)²] = E[X²] − μ²",
    supports=("stat.variance",),
    sizes=SK,
    notes="X takes the value x_i with probability p_i = w_i/Σw (K values, checked at K = 1..4).",
    steps=(
        Step(expr=sp.Sum((xs[i] - _mu) ** 2 * P(i), (i, 1, K)), rule="definition of the variance, with $\\mu = E[X]$",
             latex=r"\operatorname{Var}X &= \mathbb{E}\bigl[(X-\mu)^2\bigr] = \sum_i (x_i-\mu)^2\,p_i"),
        Step(expr=sp.Sum((xs[i] ** 2 - 2 * _mu * xs[i] + _mu**2) * P(i), (i, 1, K)), rule="expand the square",
             latex=r"\sum_i \bigl(x_i^2 - 2\mu x_i + \mu^2\bigr)\,p_i"),
        Step(expr=E(lambda r: xs[r] ** 2) - 2 * _mu * E(lambda r: xs[r]) + _mu**2 * _sum_p,
             rule="linearity of expectation ($\\mu$ is a constant)",
             latex=r"\sum_i x_i^2 p_i - 2\mu\sum_i x_i p_i + \mu^2\sum_i p_i"),
        Step(expr=E(lambda r: xs[r] ** 2) - 2 * _mu * _mu + _mu**2 * 1,
             rule="$\\sum_i x_i p_i = \\mu$ and $\\sum_i p_i = 1$",
             latex=r"\mathbb{E}[X^2] - 2\mu\cdot\mu + \mu^2\cdot 1"),
        Step(expr=E(lambda r: xs[r] ** 2) - _mu**2, rule="collect the terms in $\\mu^2$",
             latex=r"\mathbb{E}[X^2] - \mu^2"),
    ),
)

# --- covariance and the variance of a sum (joint pmf of X and Y) ------------------------------

_mx = EJ(lambda r, c: xs[r])
_my = EJ(lambda r, c: ys[c])
_sum_pj = sp.Sum(sp.Sum(PJ(i, j), (j, 1, L)), (i, 1, K))
# Tables of 2×2, 2×1, 3×2 and 3×1 cells; the symbolic proofs are tried on the first two, the
# numeric checks on all four.
_SXY = ((K, (2, 3)), (L, (2, 1)))

covariance_identity = Derivation(
    id="covariance_identity",
    title="Covariance: E[(X − μ_X)(Y − μ_Y)] = E[XY] − μ_X μ_Y",
    supports=("stat.covariance",),
    sizes=_SXY,
    notes="(X, Y) = (x_i, y_j) with probability p_ij = u_ij/Σu (joint pmfs of 2..3 × 1..2 values).",
    steps=(
        Step(expr=EJ(lambda r, c: (xs[r] - _mx) * (ys[c] - _my)), rule="definition of the covariance",
             latex=r"\operatorname{Cov}(X,Y) &= \mathbb{E}\bigl[(X-\mu_X)(Y-\mu_Y)\bigr]"),
        Step(expr=EJ(lambda r, c: xs[r] * ys[c] - _my * xs[r] - _mx * ys[c] + _mx * _my), rule="expand the product",
             latex=r"\mathbb{E}\bigl[XY - \mu_Y X - \mu_X Y + \mu_X\mu_Y\bigr]"),
        Step(expr=EJ(lambda r, c: xs[r] * ys[c]) - _my * _mx - _mx * _my + _mx * _my * _sum_pj,
             rule="linearity of expectation ($\\mu_X$, $\\mu_Y$ are constants, $E[1] = 1$)",
             latex=r"\mathbb{E}[XY] - \mu_Y\,\mathbb{E}[X] - \mu_X\,\mathbb{E}[Y] + \mu_X\mu_Y"),
        Step(expr=EJ(lambda r, c: xs[r] * ys[c]) - _my * _mx - _mx * _my + _mx * _my,
             rule="$E[X] = \\mu_X$, $E[Y] = \\mu_Y$",
             latex=r"\mathbb{E}[XY] - \mu_Y\mu_X - \mu_X\mu_Y + \mu_X\mu_Y"),
        Step(expr=EJ(lambda r, c: xs[r] * ys[c]) - _mx * _my, rule="collect the terms in $\\mu_X\\mu_Y$",
             latex=r"\mathbb{E}[XY] - \mu_X\mu_Y"),
    ),
)

variance_of_sum = Derivation(
    id="variance_of_sum",
    title="Variance of a sum: Var(X + Y) = Var X + Var Y + 2 Cov(X, Y)",
    supports=("stat.variance_sum",),
    sizes=_SXY,
    notes="(X, Y) = (x_i, y_j) with probability p_ij = u_ij/Σu, dependent in general.",
    steps=(
        Step(expr=EJ(lambda r, c: (xs[r] + ys[c] - EJ(lambda q, d: xs[q] + ys[d])) ** 2),
             rule="definition of the variance",
             latex=r"\operatorname{Var}(X+Y) &= \mathbb{E}\bigl[(X+Y-\mathbb{E}[X+Y])^2\bigr]"),
        Step(expr=EJ(lambda r, c: ((xs[r] - _mx) + (ys[c] - _my)) ** 2),
             rule="linearity of expectation: $E[X + Y] = \\mu_X + \\mu_Y$; regroup",
             latex=r"\mathbb{E}\bigl[\bigl((X-\mu_X)+(Y-\mu_Y)\bigr)^2\bigr]"),
        Step(expr=EJ(lambda r, c: (xs[r] - _mx) ** 2 + 2 * (xs[r] - _mx) * (ys[c] - _my) + (ys[c] - _my) ** 2),
             rule="expand the square $(a + b)^2 = a^2 + 2ab + b^2$",
             latex=r"\mathbb{E}\bigl[(X-\mu_X)^2 + 2(X-\mu_X)(Y-\mu_Y) + (Y-\mu_Y)^2\bigr]"),
        Step(expr=EJ(lambda r, c: (xs[r] - _mx) ** 2) + 2 * EJ(lambda r, c: (xs[r] - _mx) * (ys[c] - _my))
             + EJ(lambda r, c: (ys[c] - _my) ** 2),
             rule="linearity of expectation",
             latex=r"\mathbb{E}\bigl[(X-\mu_X)^2\bigr] + 2\,\mathbb{E}\bigl[(X-\mu_X)(Y-\mu_Y)\bigr]"
                   r" + \mathbb{E}\bigl[(Y-\mu_Y)^2\bigr]"),
        Step(expr=EJ(lambda r, c: (xs[r] - _mx) ** 2) + EJ(lambda r, c: (ys[c] - _my) ** 2)
             + 2 * EJ(lambda r, c: xs[r] * ys[c] - _mx * _my),
             rule="definitions of Var, and $\\operatorname{Cov}(X, Y) = E[XY] - \\mu_X\\mu_Y$",
             latex=r"\operatorname{Var}X + \operatorname{Var}Y + 2\operatorname{Cov}(X,Y)"),
    ),
)

# --- maximum likelihood for the normal (seed 000) ----------------------------------------------


def _S(body: sp.Expr) -> sp.Sum:
    """Σ_{i=1}^{n} body: a sum over the n observations."""
    return sp.Sum(body, (i, 1, n))


_loglik = _ll  # 000's ℓ(μ, σ), as the catalog states it
_dl_dmu = (_S(xs[i]) - n * mu) / sigma**2
_dl_dsigma = (_S((xs[i] - mu) ** 2) - n * sigma**2) / sigma**3
_mu_hat, _var_hat = _mean, _var_mle
_SN = ((n, (1, 2, 3, 4)),)
_SN2 = ((n, (2, 3, 4)),)  # σ̂ > 0 needs two observations (that differ)

_ell, _mu_hat_sym, _var_hat_sym = sp.symbols("ell mu_hat sigma_hat_sq")

normal_mle = Derivation(
    id="normal_mle",
    title="Maximum likelihood for the normal: μ̂ = mean, σ̂² = (1/n)Σ(xᵢ − μ̂)²",
    supports=("stat.normal_mle",),
    sizes=_SN,
    notes="n observations x_1..x_n of N(μ, σ²), checked at n = 1..4 (σ̂ at n = 2..4).",
    steps=(
        Step(expr=_sum_log_pdf, rule="log-likelihood of n independent observations",
             latex=r"\ell(\mu,\sigma) &= \sum_{i=1}^n \log\frac{e^{-(x_i-\mu)^2/(2\sigma^2)}}{\sqrt{2\pi\sigma^2}}"),
        Step(expr=_S(-sp.log(2 * sp.pi * sigma**2) / 2 - (xs[i] - mu) ** 2 / (2 * sigma**2)),
             rule="$\\log(a/b) = \\log a - \\log b$, $\\log e^u = u$, $\\log\\sqrt{c} = \\frac12\\log c$",
             latex=r"\sum_{i=1}^n \Bigl(-\tfrac12\log(2\pi\sigma^2) - \frac{(x_i-\mu)^2}{2\sigma^2}\Bigr)"),
        Step(expr=_loglik, rule="the first term does not depend on $i$: $n$ equal terms",
             latex=r"-\frac{n}{2}\log(2\pi\sigma^2) - \frac{1}{2\sigma^2}\sum_{i=1}^n (x_i-\mu)^2"),
        Step(expr=Eq(sp.Derivative(_ell, mu), _S(xs[i] - mu) / sigma**2),
             rule="differentiate in $\\mu$: $\\partial(x_i - \\mu)^2/\\partial\\mu = -2(x_i - \\mu)$",
             claim=DerivativeClaim(function=_loglik, wrt=(mu,), claimed=_S(xs[i] - mu) / sigma**2, sizes=_SN),
             latex=r"\frac{\partial\ell}{\partial\mu} &= \frac{1}{\sigma^2}\sum_{i=1}^n (x_i-\mu)"),
        Step(expr=_dl_dmu, rule="linearity of the sum: $\\sum_i \\mu = n\\mu$",
             latex=r"\frac{1}{\sigma^2}\Bigl(\sum_{i=1}^n x_i - n\mu\Bigr)"),
        Step(expr=Eq(_mu_hat_sym, _mu_hat), rule="set $\\partial\\ell/\\partial\\mu = 0$ and solve for $\\mu$",
             claim=Identity(lhs=_dl_dmu.subs(mu, _mu_hat), rhs=sp.Integer(0), sizes=_SN),
             latex=r"\hat\mu &= \frac1n\sum_{i=1}^n x_i"),
        Step(expr=Eq(sp.Derivative(_ell, sigma), -n / sigma + _S((xs[i] - mu) ** 2) / sigma**3),
             rule="differentiate in $\\sigma$: $\\partial\\log\\sigma^2/\\partial\\sigma = 2/\\sigma$, "
                  "$\\partial\\sigma^{-2}/\\partial\\sigma = -2\\sigma^{-3}$",
             claim=DerivativeClaim(function=_loglik, wrt=(sigma,), claimed=-n / sigma + _S((xs[i] - mu) ** 2) / sigma**3,
                                   sizes=_SN),
             latex=r"\frac{\partial\ell}{\partial\sigma} &= -\frac{n}{\sigma} + \frac{1}{\sigma^3}\sum_{i=1}^n (x_i-\mu)^2"),
        Step(expr=_dl_dsigma, rule="common denominator $\\sigma^3$",
             latex=r"\frac{1}{\sigma^3}\Bigl(\sum_{i=1}^n (x_i-\mu)^2 - n\sigma^2\Bigr)"),
        Step(expr=Eq(_var_hat_sym, _var_hat),
             rule="set $\\partial\\ell/\\partial\\sigma = 0$ at $\\mu = \\hat\\mu$ and solve for $\\sigma^2$",
             claim=Identity(lhs=_dl_dsigma.subs(mu, _mu_hat).subs(sigma, sp.sqrt(_var_hat)), rhs=sp.Integer(0), sizes=_SN2),
             latex=r"\hat\sigma^2 &= \frac1n\sum_{i=1}^n (x_i-\hat\mu)^2"),
    ),
)

# --- Beta-binomial posterior (004) -------------------------------------------------------------

# The catalog's model: θ (its `p`) ~ Beta(α, β), k successes in N trials (written n in the lines).
n_trials = nn
a_, b_ = sp.Symbol("a", integer=True, positive=True), sp.Symbol("b", integer=True, positive=True)
_kernel = theta ** (alpha + k - 1) * (1 - theta) ** (beta + n_trials - k - 1)
_B_post = sp.beta(alpha + k, beta + n_trials - k)


def _beta_mean(p: sp.Expr, q: sp.Expr) -> sp.Expr:
    """E[θ] for θ ~ Beta(p, q): B(p + 1, q)/B(p, q), with B(p, q) = Γ(p)Γ(q)/Γ(p + q)."""
    return sp.gamma(p + 1) * sp.gamma(p + q) / (sp.gamma(p) * sp.gamma(p + q + 1))


_posterior_sym, _mean_sym = sp.symbols("posterior posterior_mean")
_BB = (theta < 1, k <= n_trials)

beta_binomial_posterior = Derivation(
    id="beta_binomial_posterior",
    title="Beta-binomial posterior: Beta(α + k, β + n − k), mean (α + k)/(α + β + n)",
    supports=("stat.beta_binomial",),
    assumptions=_BB,
    notes="Prior Beta(α, β) on θ; k successes in n Bernoulli(θ) trials.",
    steps=(
        Step(expr=sp.Mul(_prior, _lik, evaluate=False), rule="prior × likelihood",
             latex=r"p(\theta)\,p(k\mid\theta) &= \frac{\theta^{\alpha-1}(1-\theta)^{\beta-1}}{B(\alpha,\beta)}"
                   r"\binom{n}{k}\theta^k(1-\theta)^{n-k}"),
        Step(expr=sp.binomial(n_trials, k) / sp.beta(alpha, beta) * _kernel,
             rule="collect the powers of $\\theta$ and of $1 - \\theta$",
             latex=r"\frac{\binom{n}{k}}{B(\alpha,\beta)}\,\theta^{\alpha+k-1}(1-\theta)^{\beta+n-k-1}"),
        Step(expr=sp.Mul(sp.binomial(n_trials, k) * _B_post / sp.beta(alpha, beta), _post, evaluate=False),
             rule="multiply and divide by $B(\\alpha + k, \\beta + n - k)$",
             latex=r"\frac{\binom{n}{k}B(\alpha+k,\beta+n-k)}{B(\alpha,\beta)}\cdot"
                   r"\frac{\theta^{\alpha+k-1}(1-\theta)^{\beta+n-k-1}}{B(\alpha+k,\beta+n-k)}"),
        Step(expr=Eq(_posterior_sym, _post),
             rule="Bayes: $p(\\theta \\mid k) \\propto p(\\theta)p(k \\mid \\theta)$, and both densities "
                  "integrate to 1",
             claim=Identity(lhs=_post / (_prior * _lik), rhs=(_post / (_prior * _lik)).subs(theta, sp.Rational(1, 3)),
                            assumptions=_BB),
             latex=r"p(\theta\mid k) &= \frac{\theta^{\alpha+k-1}(1-\theta)^{\beta+n-k-1}}{B(\alpha+k,\beta+n-k)}"),
        Step(expr=Eq(_mean_sym, _beta_mean(alpha + k, beta + n_trials - k)),
             rule="mean of Beta($a$, $b$): $B(a + 1, b)/B(a, b)$, $B(a, b) = \\Gamma(a)\\Gamma(b)/\\Gamma(a + b)$",
             claim=Property(statement=Eq(
                 sp.Integral(theta * theta ** (a_ - 1) * (1 - theta) ** (b_ - 1), (theta, 0, 1))
                 * sp.gamma(a_ + b_) / (sp.gamma(a_) * sp.gamma(b_)), _beta_mean(a_, b_), evaluate=False),
                 sizes=((a_, (1, 2, 3, 5)), (b_, (1, 2, 4)))),
             latex=r"\mathbb{E}[\theta\mid k] &= \frac{B(\alpha+k+1,\beta+n-k)}{B(\alpha+k,\beta+n-k)}"
                   r" = \frac{\Gamma(\alpha+k+1)\,\Gamma(\alpha+\beta+n)}{\Gamma(\alpha+k)\,\Gamma(\alpha+\beta+n+1)}"),
        Step(expr=(alpha + k) / (alpha + beta + n_trials), rule="$\\Gamma(z + 1) = z\\,\\Gamma(z)$, twice",
             latex=r"\frac{\alpha+k}{\alpha+\beta+n}"),
    ),
)

# --- bias-variance (001) -----------------------------------------------------------------------

J = sp.Symbol("J", integer=True, positive=True)
l_ = sp.Symbol("l", integer=True)
es = sp.IndexedBase("e", real=True)      # noise values before centring
vs = sp.IndexedBase("v", positive=True)  # noise weights


def _q(r: sp.Expr) -> sp.Expr:
    """Probability of the noise value number r."""
    return vs[r] / sp.Sum(vs[l_], (l_, 1, J))


def _eps(r: sp.Expr) -> sp.Expr:
    """The noise values, centred so that E[ε] = 0 holds for every pmf, not only sampled ones."""
    return es[r] - sp.Sum(es[l_] * _q(l_), (l_, 1, J))


def _Eeps(g: Callable[[sp.Expr], sp.Expr]) -> sp.Expr:
    """E[g(ε)] over the noise."""
    return sp.Sum(g(j) * _q(j), (j, 1, J))


def _Eboth(g: Callable[[sp.Expr, sp.Expr], sp.Expr]) -> sp.Expr:
    """E[g(f̂, ε)] with f̂ (the training set) and ε independent: p_i q_j."""
    return E(lambda r: _Eeps(lambda c: g(r, c)))


_bias = f - _Efh
_noise_var = _Eeps(lambda c: _eps(c) ** 2)

bias_variance = Derivation(
    id="bias_variance",
    title="Bias-variance decomposition: E[(y − f̂)²] = (f − E f̂)² + Var f̂ + σ²",
    supports=("stat.bias_variance",),
    sizes=((J, (2, 3)), (K, (2, 1))),
    notes="y = f + ε; f̂ = fhat_i with probability p_i over training sets; ε = ε_j with probability q_j, "
          "independent of f̂, centred (E[ε] = 0), σ² = E[ε²].",
    steps=(
        Step(expr=_Eboth(lambda r, c: (f + _eps(c) - fh[r]) ** 2), rule="$y = f + \\varepsilon$",
             latex=r"\mathbb{E}\bigl[(y-\hat f)^2\bigr] &= \mathbb{E}\bigl[(f+\varepsilon-\hat f)^2\bigr]"),
        Step(expr=_Eboth(lambda r, c: ((f - _Efh) + (_Efh - fh[r]) + _eps(c)) ** 2),
             rule="add and subtract $E\\hat f$",
             latex=r"\mathbb{E}\bigl[\bigl((f-\mathbb{E}\hat f) + (\mathbb{E}\hat f-\hat f) + \varepsilon\bigr)^2\bigr]"),
        Step(expr=_Eboth(lambda r, c: _bias**2 + (_Efh - fh[r]) ** 2 + _eps(c) ** 2 + 2 * _bias * (_Efh - fh[r])
                         + 2 * _bias * _eps(c) + 2 * (_Efh - fh[r]) * _eps(c)),
             rule="expand the square",
             latex=r"\mathbb{E}\bigl[(f-\mathbb{E}\hat f)^2 + (\mathbb{E}\hat f-\hat f)^2 + \varepsilon^2"
                   r" + 2(f-\mathbb{E}\hat f)(\mathbb{E}\hat f-\hat f) + 2(f-\mathbb{E}\hat f)\varepsilon"
                   r" + 2(\mathbb{E}\hat f-\hat f)\varepsilon\bigr]"),
        Step(expr=_bias**2 + E(lambda r: (_Efh - fh[r]) ** 2) + _noise_var + 2 * _bias * E(lambda r: _Efh - fh[r])
             + 2 * _bias * _Eeps(_eps) + 2 * E(lambda r: _Efh - fh[r]) * _Eeps(_eps),
             rule="linearity of expectation; $\\varepsilon$ independent of $\\hat f$: "
                  "$E[(E\\hat f - \\hat f)\\varepsilon] = E[E\\hat f - \\hat f]\\,E[\\varepsilon]$",
             latex=r"(f-\mathbb{E}\hat f)^2 + \mathbb{E}\bigl[(\mathbb{E}\hat f-\hat f)^2\bigr] + \mathbb{E}[\varepsilon^2]"
                   r" + 2(f-\mathbb{E}\hat f)\,\mathbb{E}[\mathbb{E}\hat f-\hat f] + 2(f-\mathbb{E}\hat f)\,\mathbb{E}[\varepsilon]"
                   r" + 2\,\mathbb{E}[\mathbb{E}\hat f-\hat f]\,\mathbb{E}[\varepsilon]"),
        Step(expr=_bias**2 + E(lambda r: (fh[r] - _Efh) ** 2) + _noise_var,
             rule="$E[E\\hat f - \\hat f] = 0$, $E[\\varepsilon] = 0$, $E[\\varepsilon^2] = \\sigma^2$",
             latex=r"\underbrace{(f-\mathbb{E}\hat f)^2}_{\text{bias}^2} + \underbrace{\operatorname{Var}\hat f}_{\text{variance}}"
                   r" + \underbrace{\sigma^2}_{\text{noise}}"),
    ),
)

# --- Bayes' theorem, on a 2×2 table of the events A and B ----------------------------------------

_pnotA = (p01 + p00) / _tot
_pA_given_B = p11 / (p11 + p01)       # the share of A within B
_pB_given_A = p11 / (p11 + p10)       # the share of B within A
_pB_given_notA = p01 / (p01 + p00)
_lhs_sym = sp.Symbol("P_A_given_B")

bayes_theorem = Derivation(
    id="bayes_theorem",
    title="Bayes' theorem from the two ways of writing P(A ∩ B)",
    supports=("prob.bayes",),
    notes="A 2×2 table of the events A, B with cell weights p_11, p_10, p_01, p_00.",
    steps=(
        Step(expr=_pAB, rule="the joint probability", latex=r"P(A\cap B) &"),
        Step(expr=sp.Mul(_pA_given_B, _pB, evaluate=False), rule="conditioning on $B$: $P(A | B) = P(A\\cap B)/P(B)$",
             latex=r"P(A\mid B)\,P(B)"),
        Step(expr=sp.Mul(_pB_given_A, _pA, evaluate=False), rule="conditioning on $A$: $P(B | A) = P(A\\cap B)/P(A)$",
             latex=r"P(B\mid A)\,P(A)"),
        Step(expr=Eq(_lhs_sym, _pB_given_A * _pA / _pB), rule="divide $P(A | B)P(B) = P(B | A)P(A)$ by $P(B) > 0$",
             claim=Identity(lhs=_pA_given_B, rhs=_pB_given_A * _pA / _pB),
             latex=r"P(A\mid B) &= \frac{P(B\mid A)\,P(A)}{P(B)}"),
        Step(expr=_pB_given_A * _pA / (_pB_given_A * _pA + _pB_given_notA * _pnotA),
             rule="total probability: $P(B) = P(B | A)P(A) + P(B | \\neg A)P(\\neg A)$",
             latex=r"\frac{P(B\mid A)\,P(A)}{P(B\mid A)\,P(A) + P(B\mid\neg A)\,P(\neg A)}"),
    ),
)

DERIVATIONS: tuple[Derivation, ...] = (
    variance_identity, covariance_identity, variance_of_sum, normal_mle, beta_binomial_posterior, bias_variance,
    bayes_theorem,
)
