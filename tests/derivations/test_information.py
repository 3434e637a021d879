"""Derivations of the information formulas: every step verified; one broken step is reported alone."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import sympy as sp

from checker.cli import main
from checker.derivation import DerivationResult, check_derivation
from checker.engine import check
from checker.verdict import Method, Status
from derivations import information as inf
from formulas.information import _H, _KLG, _Pi, _Qi, i, K, m1, m2, s1, s2, x
from tests.derivations._breaking import assert_align_block, assert_only_wrong, broken

IDS = [d.id for d in inf.DERIVATIONS]
BY_ID = {d.id: d for d in inf.DERIVATIONS}
_cache: dict[str, DerivationResult] = {}


def result(did: str) -> DerivationResult:
    """The check of one derivation, computed once per test session."""
    if did not in _cache:
        _cache[did] = check_derivation(BY_ID[did])
    return _cache[did]


_Ep = inf._Ep
# One realistic slip per derivation, in a middle line: (line, wrong expression).
BREAKS: dict[str, tuple[int, Any]] = {
    # (μ₁ + μ₂)² for (μ₁ − μ₂)² when expanding E_p[(x − μ₂)²]
    "kl_gaussians": (3, sp.log(s2 / s1) - _Ep((x - m1) ** 2) / (2 * s1**2)
                     + (_Ep((x - m1) ** 2) + 2 * (m1 - m2) * _Ep(x - m1) + (m1 + m2) ** 2) / (2 * s2**2)),
    # the joint term with the wrong sign: H(X) + H(Y) + H(X, Y)
    "mutual_information_identities": (2, inf.mutual_information_identities.steps[2].expr
                                      - 2 * inf._sum_xy(inf._PJ(inf.i, inf.j) * sp.log(inf._PJ(inf.i, inf.j)))),
    # log(q/p) = +log(p/q)
    "cross_entropy_decomposition": (2, -sp.Sum(_Pi(i) * (sp.log(_Pi(i)) + sp.log(_Pi(i) / _Qi(i))), (i, 1, K))),
}


def test_the_module_has_its_derivations():
    """The module declares its three derivations with the catalog ids they support, each of 4+ lines."""
    assert {d.id: d.supports for d in inf.DERIVATIONS} == {
        "kl_gaussians": ("info.kl_gaussian",), "mutual_information_identities": ("info.mutual_information",),
        "cross_entropy_decomposition": ("info.cross_entropy",)}
    assert all(len(d.steps) >= 4 for d in inf.DERIVATIONS)
    assert set(BREAKS) == set(IDS)


@pytest.mark.parametrize("did", IDS)
def test_every_step_is_verified_with_its_method(did):
    """Every line after the first is verified, and the verdict names its method."""
    r = result(did)
    for s in r.steps[1:]:
        assert s.verdict is not None and s.verdict.status is Status.VERIFIED, (s.index, s.verdict)
        assert s.verdict.method in (Method.SYMBOLIC, Method.NUMERIC, Method.FINITE_DIFFERENCE)
    assert r.ok


@pytest.mark.parametrize("did", ["mutual_information_identities", "cross_entropy_decomposition"])
def test_entropies_are_proved_at_several_sizes(did):
    """Lines that are sums over pmfs are proved symbolically at more than one concrete size."""
    for s in result(did).steps[1:]:
        proof = s.result.checks[0].verdict
        assert proof.method is Method.SYMBOLIC and proof.evidence is not None
        assert proof.evidence.sizes is not None and len(proof.evidence.sizes) >= 2, (s.index, proof.evidence)


def test_kl_linearity_lines_hold_whatever_the_moments():
    """Before the moment line, the KL lines keep E[t] and E[t²] as free symbols and still verify."""
    steps = inf.kl_gaussians.steps
    assert {inf.T1, inf.T2} <= steps[3].expr.free_symbols
    assert not steps[4].expr.free_symbols & {inf.T1, inf.T2}
    assert result("kl_gaussians").steps[3].verdict.status is Status.VERIFIED


def test_kl_moment_line_is_checked_against_the_gaussian_integrals():
    """The moment line's claim integrates against φ: a wrong E[t²] (σ₁²/2 for σ₁²) is caught."""
    claim = inf.kl_gaussians.steps[4].claim
    assert claim.statement.lhs.has(sp.Integral)
    wrong = sp.log(s2 / s1) - sp.Rational(1, 4) + (s1**2 / 2 + (m1 - m2) ** 2) / (2 * s2**2)
    verdict = check(dataclasses.replace(claim, statement=sp.Eq(claim.statement.lhs, wrong, evaluate=False))).verdict
    assert verdict.status is Status.WRONG and verdict.counterexample is not None


def test_kl_log_density_claim_catches_a_wrong_log_ratio():
    """The log-density line's claim fails when the log-ratio has log(σ₁/σ₂) for log(σ₂/σ₁)."""
    claim = inf.kl_gaussians.steps[1].claim
    verdict = check(dataclasses.replace(claim, rhs=claim.rhs - 2 * sp.log(s2 / s1))).verdict
    assert verdict.status is Status.WRONG and verdict.counterexample is not None


def test_kl_ends_at_the_catalog_closed_form():
    """The last KL line is the catalog's closed form; the cross-entropy ends at H(P) + KL(P‖Q)."""
    assert inf.kl_gaussians.steps[-1].expr == _KLG
    assert inf.cross_entropy_decomposition.steps[-1].expr.has(_H)


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
    """`mathcheck derive kl_gaussians` lists verified steps; `--latex` prints the align* block."""
    assert main(["derive", "kl_gaussians"]) == 0
    out = capsys.readouterr().out
    assert "by linearity of expectation" in out and "5 of 5 steps verified" in out
    assert main(["derive", "cross_entropy_decomposition", "--latex"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\\begin{align*}") and r"H(P) + \operatorname{KL}(P\,\|\,Q)" in out


def test_only_the_kl_log_density_and_moment_lines_carry_their_own_claim():
    """The two KL lines with their own claims (tested above) are the only ones; the rest follow the chain."""
    with_claims = {(d.id, k) for d in inf.DERIVATIONS for k, s in enumerate(d.steps) if s.claim is not None}
    assert with_claims == {("kl_gaussians", 1), ("kl_gaussians", 4)}
