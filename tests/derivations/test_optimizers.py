"""Derivations of the optimisation formulas: every step verified; one broken step is reported alone."""

from __future__ import annotations

import pytest
import sympy as sp

from checker.cli import main
from checker.derivation import DerivationResult, check_derivation
from derivations import optimizers as opt
from tests.derivations._breaking import (
    assert_align_block, assert_all_verified, assert_only_wrong, assert_wrong_from, broken, broken_claim, check_all,
    claim_steps,
)

IDS = [d.id for d in opt.DERIVATIONS]


@pytest.fixture(scope="module")
def results() -> dict[str, DerivationResult]:
    return check_all(opt.DERIVATIONS)


# One slip per derivation, in a middle line: (derivation, line, wrong expression).
BREAKS = {
    # reindexing j = t − i with the wrong range: Σ_{j=1}^{t} β₁^j
    "adam_bias_correction": (opt.adam_bias_correction, 3,
                             sp.Mul(1 - opt.b1, opt.g, sp.Sum(opt.b1**opt.r, (opt.r, 1, opt.t)), evaluate=False)),
    "gd_quadratic_iterate": (opt.gd_quadratic_iterate, 2, (1 - 2 * opt.alpha) * opt.xk + 2 * opt.alpha),  # sign of 2α
}
CLAIMS = claim_steps(opt.DERIVATIONS)


def test_the_module_has_its_derivations():
    """The module declares Adam's bias correction and the gradient-descent iterates."""
    assert {d.id: d.supports for d in opt.DERIVATIONS} == {
        "adam_bias_correction": ("opt.adam",), "gd_quadratic_iterate": ("opt.gd_quadratic_run",)}
    assert all(len(d.steps) >= 5 for d in opt.DERIVATIONS)


@pytest.mark.parametrize("did", IDS)
def test_every_step_is_verified_with_its_method(results, did):
    """Every line after the first is verified, and the verdict names its method."""
    assert_all_verified(results[did])


def test_adam_sums_are_checked_at_several_t(results):
    """The lines with sums over i = 1..t are proved at more than one t."""
    sized = [s.verdict.evidence.sizes for s in results["adam_bias_correction"].steps[1:5]]
    assert all(sizes and len(sizes) >= 2 for sizes in sized)


@pytest.mark.parametrize("did", IDS)
def test_a_broken_middle_step_is_reported_alone(did):
    """A slip in one middle line makes that line, and only that line, wrong with a counterexample."""
    derivation, index, expr = BREAKS[did]
    assert_only_wrong(check_derivation(broken(derivation, index, expr)), index)


@pytest.mark.parametrize("derivation,index", CLAIMS, ids=[f"{d.id}-{k}" for d, k in CLAIMS])
def test_a_wrong_claim_is_reported_alone(derivation, index):
    """A line justified by its own claim (a substitution, an induction, a run) is wrong when the claim is."""
    assert_wrong_from(check_derivation(broken_claim(derivation, index)), index)


def test_the_run_is_checked_against_the_loop():
    """The closed form at k = 20 equals 000's loop run exactly, and differs from a run of 19 steps."""
    x20 = opt._iterate(sp.Integer(5), sp.Rational(1, 10), 20)
    assert x20 == opt._x20 and x20 != opt._iterate(sp.Integer(5), sp.Rational(1, 10), 19)
    assert abs(float(x20) - (-0.9308)) < 1e-4


@pytest.mark.parametrize("did", IDS)
def test_to_latex_is_an_align_block(results, did):
    """The LaTeX is one align* block with a row per line and each rule as text."""
    assert_align_block(results[did])


def test_derive_prints_each_step_with_its_verdict(capsys):
    """`mathcheck derive gd_quadratic_iterate` lists each line with its verdict, and exits 0."""
    assert main(["derive", "gd_quadratic_iterate"]) == 0
    out = capsys.readouterr().out
    assert "supports: opt.gd_quadratic_run" in out and "5 of 5 steps verified" in out
    assert main(["derive", "adam_bias_correction", "--latex"]) == 0
    tex = capsys.readouterr().out
    assert tex.startswith("\\begin{align*}") and "\\hat m_t" in tex
