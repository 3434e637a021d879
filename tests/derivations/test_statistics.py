"""Derivations of the statistics formulas: every step verified; one broken step is reported alone."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import sympy as sp

from checker.cli import main
from checker.derivation import DerivationResult, check_derivation, to_latex
from checker.engine import check
from checker.verdict import Method, Status
from derivations import statistics as st
from formulas.probability import EJ, E, i, xs, ys

IDS = [d.id for d in st.DERIVATIONS]
#: Derivations whose check takes more than a few seconds on a loaded machine.
SLOW = {"variance_of_sum", "bias_variance"}
PARAMS = [pytest.param(did, marks=pytest.mark.slow) if did in SLOW else did for did in IDS]
BY_ID = {d.id: d for d in st.DERIVATIONS}
_cache: dict[str, DerivationResult] = {}


def result(did: str) -> DerivationResult:
    """The check of one derivation, computed once per test session."""
    if did not in _cache:
        _cache[did] = check_derivation(BY_ID[did])
    return _cache[did]


def broken(derivation: Any, index: int, expr: Any) -> Any:
    """The derivation with the expression of one line replaced."""
    steps = list(derivation.steps)
    steps[index] = dataclasses.replace(steps[index], expr=expr)
    return dataclasses.replace(derivation, steps=tuple(steps))


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
    "beta_binomial_posterior": (1, sp.binomial(st.n, st.k) / sp.beta(st.alpha, st.beta)
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


@pytest.mark.parametrize("did", PARAMS)
def test_every_step_is_verified_with_its_method(did):
    """Every line after the first is verified, and the verdict names its method."""
    r = result(did)
    for s in r.steps[1:]:
        assert s.verdict is not None and s.verdict.status is Status.VERIFIED, (s.index, s.verdict)
        assert s.verdict.method in (Method.SYMBOLIC, Method.NUMERIC, Method.FINITE_DIFFERENCE)
    assert r.ok


@pytest.mark.parametrize("did", ["variance_identity", "covariance_identity",
                                 pytest.param("variance_of_sum", marks=pytest.mark.slow),
                                 pytest.param("bias_variance", marks=pytest.mark.slow)])
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


def test_the_stationary_points_are_wrong_for_the_ddof_1_variance():
    """Setting ∂ℓ/∂σ = 0 does not give the n − 1 divisor: that claim is wrong, with a counterexample."""
    claim = st.normal_mle.steps[8].claim
    ddof1 = st._S((xs[i] - st._mu_hat) ** 2) / (st.n - 1)
    bad = dataclasses.replace(claim, lhs=st._dl_dsigma.subs(st.mu, st._mu_hat).subs(st.sigma, sp.sqrt(ddof1)))
    r = check_derivation(dataclasses.replace(st.normal_mle, steps=st.normal_mle.steps[:8]
                                             + (dataclasses.replace(st.normal_mle.steps[8], claim=bad),)))
    assert r.wrong_steps == [8] and r.steps[8].verdict.counterexample is not None


def test_the_beta_mean_rule_is_caught_when_wrong():
    """The Beta-mean line's claim fails for Γ(a + 2) in place of Γ(a + 1), with a counterexample."""
    claim = st.beta_binomial_posterior.steps[4].claim
    a, b = st.a_, st.b_
    wrong = sp.gamma(a + 2) * sp.gamma(a + b) / (sp.gamma(a) * sp.gamma(a + b + 1))
    verdict = check(dataclasses.replace(claim, statement=sp.Eq(claim.statement.lhs, wrong, evaluate=False))).verdict
    assert verdict.status is Status.WRONG and verdict.counterexample is not None


@pytest.mark.parametrize("did", PARAMS)
def test_a_broken_middle_step_is_reported_alone(did):
    """A slip in one middle line makes that line, and only that line, wrong with a counterexample."""
    index, expr = BREAKS[did]
    assert 0 < index < len(BY_ID[did].steps) - 1
    r = check_derivation(broken(BY_ID[did], index, expr))
    assert r.wrong_steps == [index]
    assert r.steps[index].verdict.counterexample is not None
    others = [s for s in r.steps[1:] if s.index != index]
    assert all(s.verdict.status is Status.VERIFIED for s in others)


@pytest.mark.parametrize("did", PARAMS)
def test_to_latex_is_an_align_block(did):
    """The LaTeX is one align* block with a row per line and each rule as text."""
    r = result(did)
    tex = to_latex(r)
    assert tex.startswith("\\begin{align*}\n") and tex.rstrip().endswith("\\end{align*}")
    rows = tex.split(" \\\\\n")
    assert len(rows) == len(r.steps)
    assert all("&" in row and "\\text{" in row for row in rows)
    assert "not verified" not in tex


def test_derive_cli_prints_each_step_and_the_latex(capsys):
    """`mathcheck derive bayes_theorem` lists verified steps; `--latex` prints the align* block."""
    assert main(["derive", "bayes_theorem"]) == 0
    out = capsys.readouterr().out
    assert "by total probability" in out and "4 of 4 steps verified" in out
    assert main(["derive", "variance_identity", "--latex"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\\begin{align*}") and "\\text{linearity of expectation" in out
    assert r"\mathbb{E}[X^2] - \mu^2" in out

