"""Derivations of the statistics formulas: every step verified; one broken step is reported alone."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import sympy as sp

from checker.cli import main
from checker.derivation import DerivationResult, check_derivation
from checker.engine import check
from checker.verdict import Method, Status
from derivations import statistics as st
from formulas.probability import EJ, E, i, xs, ys
from tests.derivations._breaking import assert_align_block, assert_only_wrong, broken

IDS = [d.id for d in st.DERIVATIONS]
BY_ID = {d.id: d for d in st.DERIVATIONS}
_cache: dict[str, DerivationResult] = {}


def result(did: str) -> DerivationResult:
    """The check of one derivation, computed once per test session."""
    if did not in _cache:
        _cache[did] = check_derivation(BY_ID[did])
    return _cache[did]


_mx, _my = st._mx, st._my
# One realistic slip per derivation, in a middle line: (line, wrong expression).
BREAKS: dict[str, tuple[int, Any]] = {
    # + 2μ E[X] for − 2μ E[X]
    "variance_identity": (2, E(lambda r: xs[r] ** 2) + 2 * st._mu * E(lambda r: xs[r]) + st._mu**2 * st._sum_p),
    # − μ_X μ_Y for + μ_X μ_Y when expanding the product
    "covariance_identity": (1, EJ(lambda r, c: xs[r] * ys[c] - _my * xs[r] - _mx * ys[c] - _mx * _my)),
    # the cross term without its factor 2
    "variance_of_sum": (3, EJ(lambda r, c: (xs[r] - _mx) ** 2) + EJ(lambda r, c: (xs[r] - _mx) * (ys[c] - _my))
                        + EJ(lambda r, c: (ys[c] - _my) ** 2)),
    # Σ μ written as μ instead of nμ
    "normal_mle": (4, (st._S(xs[i]) - st.mu) / st.sigma**2),
    # the exponent of 1 − θ collects k instead of n − k
    "beta_binomial_posterior": (1, sp.binomial(st.n_trials, st.k) / sp.beta(st.alpha, st.beta)
                                * st.theta ** (st.alpha + st.k - 1) * (1 - st.theta) ** (st.beta + st.k - 1)),
    # the noise term forgotten
    "bias_variance": (3, st._bias**2 + E(lambda r: (st._Efh - st.fh[r]) ** 2) + 2 * st._bias * E(lambda r: st._Efh - st.fh[r])),
    # P(B|A) P(B) for P(B|A) P(A)
    "bayes_theorem": (2, sp.Mul(st._pB_given_A, st._pB, evaluate=False)),
}


def test_the_module_has_its_derivations():
    """The module declares its seven derivations with the catalog ids they support, each of 4+ lines."""
    assert {d.id: d.supports for d in st.DERIVATIONS} == {
        "variance_identity": ("stat.variance",), "covariance_identity": ("stat.covariance",),
        "variance_of_sum": ("stat.variance_sum",), "normal_mle": ("stat.normal_mle",),
        "beta_binomial_posterior": ("stat.beta_binomial",), "bias_variance": ("stat.bias_variance",),
        "bayes_theorem": ("prob.bayes",)}
    assert all(len(d.steps) >= 4 for d in st.DERIVATIONS)
    assert set(BREAKS) == set(IDS)


@pytest.mark.parametrize("did", IDS)
def test_every_step_is_verified_with_its_method(did):
    """Every line after the first is verified, and the verdict names its method."""
    r = result(did)
    for s in r.steps[1:]:
        assert s.verdict is not None and s.verdict.status is Status.VERIFIED, (s.index, s.verdict)
        assert s.verdict.method in (Method.SYMBOLIC, Method.NUMERIC, Method.FINITE_DIFFERENCE)
    assert r.ok


@pytest.mark.parametrize("did", ["variance_identity", "covariance_identity", "variance_of_sum", "bias_variance"])
def test_expectations_are_proved_at_several_sizes(did):
    """Lines that are sums over a pmf are proved symbolically at more than one concrete size."""
    for s in result(did).steps[1:]:
        proof = s.result.checks[0].verdict
        assert proof.method is Method.SYMBOLIC and proof.evidence is not None
        assert proof.evidence.sizes is not None and len(proof.evidence.sizes) >= 2, (s.index, proof.evidence)


def test_normal_mle_differentiates_by_sympy_and_by_finite_differences():
    """The two derivative lines of the MLE are checked symbolically and against finite differences."""
    r = result("normal_mle")
    for index in (3, 6):
        names = {c.name: c.verdict.status for c in r.steps[index].result.checks}
        assert names == {"symbolic": Status.VERIFIED, "finite-difference": Status.VERIFIED}


def _claim(derivation: Any, index: int, **changes: Any) -> Any:
    """The claim of one line of a derivation, with some fields changed."""
    return dataclasses.replace(derivation.steps[index].claim, **changes)


_S, _n, _mu, _sigma = st._S, st.n, st.mu, st.sigma
_ddof1 = _S((xs[i] - st._mu_hat) ** 2) / (_n - 1)
_a, _b = st.a_, st.b_
# Each line that carries its own claim, with a realistic slip in that claim: (name, derivation, line, wrong claim).
WRONG_CLAIMS = [
    ("mle-dmu-half", st.normal_mle, 3, dict(claimed=_S(xs[i] - _mu) / (2 * _sigma**2))),
    ("mle-mu-hat-n-plus-1", st.normal_mle, 5, dict(lhs=st._dl_dmu.subs(_mu, _S(xs[i]) / (_n + 1)))),
    ("mle-dsigma-without-n", st.normal_mle, 6, dict(claimed=-1 / _sigma + _S((xs[i] - _mu) ** 2) / _sigma**3)),
    ("mle-ddof-1", st.normal_mle, 8, dict(lhs=st._dl_dsigma.subs(_mu, st._mu_hat).subs(_sigma, sp.sqrt(_ddof1)))),
    ("posterior-kernel", st.beta_binomial_posterior, 3, dict(
        lhs=(st.theta ** (st.alpha + st.k - 1) * (1 - st.theta) ** (st.beta + st.k - 1)) / (st._prior * st._lik),
        rhs=((st.theta ** (st.alpha + st.k - 1) * (1 - st.theta) ** (st.beta + st.k - 1))
             / (st._prior * st._lik)).subs(st.theta, sp.Rational(1, 3)))),
    ("beta-mean-gamma", st.beta_binomial_posterior, 4, dict(statement=sp.Eq(
        st.beta_binomial_posterior.steps[4].claim.statement.lhs,
        sp.gamma(_a + 2) * sp.gamma(_a + _b) / (sp.gamma(_a) * sp.gamma(_a + _b + 1)), evaluate=False))),
    ("bayes-swapped", st.bayes_theorem, 3, dict(rhs=st._pB_given_A * st._pB / st._pA)),
]


@pytest.mark.parametrize("derivation,index,changes", [w[1:] for w in WRONG_CLAIMS], ids=[w[0] for w in WRONG_CLAIMS])
def test_a_line_claim_catches_a_slip_in_it(derivation, index, changes):
    """The claim that justifies a line (a derivative, a stationary point, a rule) is wrong for a slip."""
    verdict = check(_claim(derivation, index, **changes)).verdict
    assert verdict.status is Status.WRONG and verdict.counterexample is not None, verdict


def test_every_line_with_its_own_claim_has_a_slip_tested():
    """Every line of the module that carries a claim appears in the table of wrong claims."""
    with_claims = {(d.id, k) for d in st.DERIVATIONS for k, s in enumerate(d.steps) if s.claim is not None}
    assert with_claims == {(d.id, k) for _, d, k, _ in WRONG_CLAIMS}


@pytest.mark.parametrize("did", IDS)
def test_a_broken_middle_step_is_reported_alone(did):
    """A slip in one middle line makes that line, and only that line, wrong with a counterexample."""
    index, expr = BREAKS[did]
    assert 0 < index < len(BY_ID[did].steps) - 1
    r = check_derivation(broken(BY_ID[did], index, expr))
    assert_only_wrong(r, index)


@pytest.mark.parametrize("did", IDS)
def test_to_latex_is_an_align_block(did):
    """The LaTeX is one align* block with a row per line and each rule as text."""
    assert_align_block(result(did))


def test_derive_cli_prints_each_step_and_the_latex(capsys):
    """`mathcheck derive bayes_theorem` lists verified steps; `--latex` prints the align* block."""
    assert main(["derive", "bayes_theorem"]) == 0
    out = capsys.readouterr().out
    assert "by total probability" in out and "4 of 4 steps verified" in out
    assert main(["derive", "variance_identity", "--latex"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\\begin{align*}") and "\\text{linearity of expectation" in out
    assert r"\mathbb{E}[X^2] - \mu^2" in out

