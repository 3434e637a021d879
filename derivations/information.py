"""Derivations of the information formulas of the catalog.

Entropies are the catalog's (`formulas.information`): pmfs p_i = w_i/Σw, q_i = v_i/Σv and
joint pmfs u_ij/Σu of symbolic size, instantiated at several sizes.

The KL divergence of two normals never integrates a Gaussian with symbolic parameters.
Under p = N(μ₁, σ₁²), write x = μ₁ + σ₁t with t ~ N(0, 1); by linearity, the expectation of
a polynomial in x is a combination of E[t] and E[t²], kept as the symbols T₁, T₂ until the
step that uses their values. That step alone is checked against the Gaussian integrals
(∫ t φ = 0, ∫ t² φ = 1); every other step holds whatever T₁ and T₂ are.
"""

from __future__ import annotations

import sympy as sp

from checker.claims import Identity, Property
from checker.relations import Eq
from derivations._model import Derivation, Step
from formulas.information import (
    _CE, _H, _HX, _HX_Y, _HXY, _HY, _HY_X, _KL, _KLG, _MI, SK, K, L, _N1, _N2, _Pi, _PJ, _px, _py, _Qi, _logratio,
    _std, i, j, m1, m2, s1, s2, t, x,
)

# --- KL divergence of two normals --------------------------------------------------------------

T1, T2 = sp.symbols("T_1 T_2", real=True)  # E[t], E[t²] for t ~ N(0, 1), values not yet used
_MOMENTS = {1: T1, 2: T2}


def _Ep(g: sp.Expr) -> sp.Expr:
    """E_p[g(x)] for a polynomial g: expand g(μ₁ + σ₁t) = Σ c_k t^k, then Σ c_k E[t^k] (E[1] = 1)."""
    poly = sp.Poly(sp.expand(g.subs(x, m1 + s1 * t)), t)
    if poly.degree() > 2:
        raise ValueError("_Ep: only polynomials of degree <= 2 in x are needed here")
    return sp.Add(*[c * (_MOMENTS[k] if k else 1) for (k,), c in poly.terms()])


def _with_gaussian_moments(e: sp.Expr) -> sp.Expr:
    """`e`, affine in T₁ and T₂, with c₁T₁ + c₂T₂ written as the integral E[c₁t + c₂t²]."""
    e = sp.expand(e)
    c0, c1, c2 = e.subs({T1: 0, T2: 0}), e.coeff(T1), e.coeff(T2)
    if sp.expand(e - c0 - c1 * T1 - c2 * T2) != 0 or (c1.free_symbols | c2.free_symbols) & {T1, T2}:
        raise ValueError("_with_gaussian_moments: the line is not affine in E[t] and E[t²]")
    return c0 + _std(c1 * t + c2 * t**2)


_line3 = (sp.log(s2 / s1) - _Ep((x - m1) ** 2) / (2 * s1**2)
          + (_Ep((x - m1) ** 2) + 2 * (m1 - m2) * _Ep(x - m1) + (m1 - m2) ** 2) / (2 * s2**2))
_line4 = sp.log(s2 / s1) - s1**2 / (2 * s1**2) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2)

kl_gaussians = Derivation(
    id="kl_gaussians",
    title="KL divergence of two normals: log(σ₂/σ₁) + (σ₁² + (μ₁ − μ₂)²)/(2σ₂²) − ½",
    supports=("info.kl_gaussian",),
    notes="p = N(μ₁, σ₁²), q = N(μ₂, σ₂²); under p, x = μ₁ + σ₁t with t ~ N(0, 1).",
    steps=(
        Step(expr=sp.Integral(_N1 * (sp.log(_N1) - sp.log(_N2)), (x, -sp.oo, sp.oo)),
             rule="definition: $\\operatorname{KL}(p\\|q) = E_p[\\log p - \\log q]$",
             latex=r"\operatorname{KL}(p\,\|\,q) &= \mathbb{E}_p\bigl[\log p(x) - \log q(x)\bigr]"),
        Step(expr=_Ep(_logratio),
             rule="$\\log N(x; \\mu, \\sigma^2) = -\\log\\sigma - \\frac12\\log 2\\pi - (x - \\mu)^2/(2\\sigma^2)$",
             claim=Identity(lhs=sp.log(_N1) - sp.log(_N2), rhs=_logratio),
             latex=r"\mathbb{E}_p\Bigl[\log\frac{\sigma_2}{\sigma_1} - \frac{(x-\mu_1)^2}{2\sigma_1^2}"
                   r" + \frac{(x-\mu_2)^2}{2\sigma_2^2}\Bigr]"),
        Step(expr=sp.log(s2 / s1) - _Ep((x - m1) ** 2) / (2 * s1**2) + _Ep((x - m2) ** 2) / (2 * s2**2),
             rule="linearity of expectation, $E_p[1] = 1$",
             latex=r"\log\frac{\sigma_2}{\sigma_1} - \frac{\mathbb{E}_p[(x-\mu_1)^2]}{2\sigma_1^2}"
                   r" + \frac{\mathbb{E}_p[(x-\mu_2)^2]}{2\sigma_2^2}"),
        Step(expr=_line3,
             rule="$x - \\mu_2 = (x - \\mu_1) + (\\mu_1 - \\mu_2)$: expand the square, linearity",
             latex=r"\log\frac{\sigma_2}{\sigma_1} - \frac{\mathbb{E}_p[(x-\mu_1)^2]}{2\sigma_1^2}"
                   r" + \frac{\mathbb{E}_p[(x-\mu_1)^2] + 2(\mu_1-\mu_2)\,\mathbb{E}_p[x-\mu_1] + (\mu_1-\mu_2)^2}{2\sigma_2^2}"),
        Step(expr=_line4,
             rule="$E_p[x - \\mu_1] = \\sigma_1 E[t] = 0$, $E_p[(x - \\mu_1)^2] = \\sigma_1^2 E[t^2] = \\sigma_1^2$ "
                  "for $t \\sim N(0, 1)$",
             claim=Property(statement=Eq(_with_gaussian_moments(_line3), _line4, evaluate=False)),
             latex=r"\log\frac{\sigma_2}{\sigma_1} - \frac{\sigma_1^2}{2\sigma_1^2}"
                   r" + \frac{\sigma_1^2 + (\mu_1-\mu_2)^2}{2\sigma_2^2}"),
        Step(expr=_KLG, rule="$\\sigma_1^2/(2\\sigma_1^2) = 1/2$",
             latex=r"\log\frac{\sigma_2}{\sigma_1} + \frac{\sigma_1^2 + (\mu_1-\mu_2)^2}{2\sigma_2^2} - \frac12"),
    ),
)

# --- mutual information (joint pmf of X and Y) -------------------------------------------------

_SXY = ((K, (2, 1)), (L, (2, 3)))  # 2×2 and 2×3 tables first: the symbolic proofs are tried there


def _sum_xy(body: sp.Expr) -> sp.Expr:
    return sp.Sum(sp.Sum(body, (j, 1, L)), (i, 1, K))


mutual_information_identities = Derivation(
    id="mutual_information_identities",
    title="Mutual information: H(X) + H(Y) − H(X, Y) = H(X) − H(X|Y) = H(Y) − H(Y|X)",
    supports=("info.mutual_information",),
    sizes=_SXY,
    notes="(X, Y) = (i, j) with probability p(i, j) = u_ij/Σu, on tables of 1..2 × 2..3 cells.",
    steps=(
        Step(expr=_MI, rule="definition of the mutual information",
             latex=r"I(X;Y) &= \sum_{x,y} p(x,y)\log\frac{p(x,y)}{p(x)\,p(y)}"),
        Step(expr=_sum_xy(_PJ(i, j) * (sp.log(_PJ(i, j)) - sp.log(_px(i)) - sp.log(_py(j)))),
             rule="$\\log(a/(bc)) = \\log a - \\log b - \\log c$",
             latex=r"\sum_{x,y} p(x,y)\bigl(\log p(x,y) - \log p(x) - \log p(y)\bigr)"),
        Step(expr=-sp.Sum(_px(i) * sp.log(_px(i)), (i, 1, K)) - sp.Sum(_py(j) * sp.log(_py(j)), (j, 1, L))
             + _sum_xy(_PJ(i, j) * sp.log(_PJ(i, j))),
             rule="marginals: $\\sum_y p(x, y) = p(x)$, $\\sum_x p(x, y) = p(y)$",
             latex=r"-\sum_x p(x)\log p(x) - \sum_y p(y)\log p(y) + \sum_{x,y} p(x,y)\log p(x,y)"),
        Step(expr=_HX + _HY - _HXY, rule="definitions of $H(X)$, $H(Y)$, $H(X, Y)$ (004's form)",
             latex=r"H(X) + H(Y) - H(X,Y)"),
        Step(expr=_HX - _HX_Y, rule="chain rule of entropy: $H(X|Y) = H(X, Y) - H(Y)$ (003's form)",
             latex=r"H(X) - H(X\mid Y)"),
        Step(expr=_HY - _HY_X, rule="chain rule the other way: $H(X, Y) = H(X) + H(Y|X)$",
             latex=r"H(Y) - H(Y\mid X)"),
    ),
)

# --- cross-entropy -----------------------------------------------------------------------------

cross_entropy_decomposition = Derivation(
    id="cross_entropy_decomposition",
    title="Cross-entropy: H(P, Q) = H(P) + KL(P‖Q)",
    supports=("info.cross_entropy",),
    sizes=SK,
    notes="P = (p_i), Q = (q_i) on K outcomes (checked at K = 1..4).",
    steps=(
        Step(expr=_CE, rule="definition of the cross-entropy",
             latex=r"H(P,Q) &= -\sum_i p_i\log q_i"),
        Step(expr=-sp.Sum(_Pi(i) * sp.log(sp.Mul(_Pi(i), _Qi(i) / _Pi(i), evaluate=False)), (i, 1, K)),
             rule="multiply and divide by $p_i$ inside the logarithm",
             latex=r"-\sum_i p_i\log\Bigl(p_i\cdot\frac{q_i}{p_i}\Bigr)"),
        Step(expr=-sp.Sum(_Pi(i) * (sp.log(_Pi(i)) - sp.log(_Pi(i) / _Qi(i))), (i, 1, K)),
             rule="$\\log(ab) = \\log a + \\log b$ and $\\log(q/p) = -\\log(p/q)$",
             latex=r"-\sum_i p_i\Bigl(\log p_i - \log\frac{p_i}{q_i}\Bigr)"),
        Step(expr=-sp.Sum(_Pi(i) * sp.log(_Pi(i)), (i, 1, K)) + sp.Sum(_Pi(i) * sp.log(_Pi(i) / _Qi(i)), (i, 1, K)),
             rule="linearity of the sum",
             latex=r"-\sum_i p_i\log p_i + \sum_i p_i\log\frac{p_i}{q_i}"),
        Step(expr=_H + _KL, rule="definitions of $H(P)$ and $\\operatorname{KL}(P\\|Q)$",
             latex=r"H(P) + \operatorname{KL}(P\,\|\,Q)"),
    ),
)

DERIVATIONS: tuple[Derivation, ...] = (kl_gaussians, mutual_information_identities, cross_entropy_decomposition)
