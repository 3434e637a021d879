"""Derivations of the regression formulas: every step verified; one broken step is reported alone."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from checker.cli import main
from checker.derivation import DerivationResult, check_derivation
from derivations import regression as reg
from tests.derivations._breaking import (
    assert_align_block, assert_all_verified, assert_only_wrong, assert_wrong_from, broken, broken_claim, check_all,
    claim_steps,
)

IDS = [d.id for d in reg.DERIVATIONS]


@pytest.fixture(scope="module")
def results() -> dict[str, DerivationResult]:
    return check_all(reg.DERIVATIONS)


def _line(d, k):
    return d.steps[k].expr


# One slip per derivation, in a middle line: (derivation, line, wrong expression).
BREAKS = {
    "linreg_gradient": (reg.linreg_gradient, 3, -_line(reg.linreg_gradient, 3)),  # ∂ŷ/∂w = +x
    "logreg_gradient": (reg.logreg_gradient, 2, -reg.yv * (1 - reg.sigmoid(reg.z)) - (1 - reg.yv) * reg.sigmoid(reg.z)),
    "normal_equations": (reg.normal_equations, 2, 2 * reg.A.T * reg.A * reg.beta + 2 * reg.A.T * reg.yy),
    "ridge_closed_form": (reg.ridge_closed_form, 2,
                          2 * reg.A.T * reg.A * reg.beta - 2 * reg.A.T * reg.yy + reg.lam * reg.beta),  # λβ, not 2λβ
}
CLAIMS = claim_steps(reg.DERIVATIONS)


def test_the_module_has_its_derivations():
    """The module declares the four derivations, supporting their catalog ids."""
    assert {d.id: d.supports for d in reg.DERIVATIONS} == {
        "linreg_gradient": ("opt.linreg_gd_as_written", "lin.gradient"),
        "logreg_gradient": ("log.gradient_as_written", "log.gradient"),
        "normal_equations": ("lin.normal_equations",),
        "ridge_closed_form": ("reg.l2",),
    }
    assert all(len(d.steps) >= 5 for d in reg.DERIVATIONS)


@pytest.mark.parametrize("did", IDS)
def test_every_step_is_verified_with_its_method(results, did):
    """Every line after the first is verified, and the verdict names its method."""
    assert_all_verified(results[did])


@pytest.mark.parametrize("did", ["linreg_gradient", "logreg_gradient"])
def test_sums_are_checked_at_several_lengths(results, did):
    """The lines with sums of symbolic length are proved at more than one length."""
    sized = [s.verdict.evidence.sizes for s in results[did].steps[1:] if s.verdict.evidence.sizes]
    assert sized and all(len(sizes) >= 2 for sizes in sized)


@pytest.mark.parametrize("did", IDS)
def test_a_broken_middle_step_is_reported_alone(did):
    """A slip in one middle line makes that line, and only that line, wrong with a counterexample."""
    derivation, index, expr = BREAKS[did]
    assert_only_wrong(check_derivation(broken(derivation, index, expr)), index)


@pytest.mark.parametrize("derivation,index", CLAIMS, ids=[f"{d.id}-{k}" for d, k in CLAIMS])
def test_a_wrong_claim_is_reported_alone(derivation, index):
    """A line justified by its own claim ("set the gradient to zero") is wrong when the claim is."""
    assert_wrong_from(check_derivation(broken_claim(derivation, index)), index)


def test_a_wrong_normal_equation_is_caught():
    """Setting the gradient to zero in the wrong equation, XᵀXβ = −Xᵀy, is wrong."""
    wrong = sp.Eq(reg.A.T * reg.A * reg.beta, -reg.A.T * reg.yy, evaluate=False)
    d = reg.normal_equations
    steps = list(d.steps)
    steps[4] = dataclasses.replace(steps[4], expr=wrong, claim=reg._stationary(reg._ne_grad, wrong, 2))
    r = check_derivation(dataclasses.replace(d, steps=tuple(steps)))
    assert r.wrong_steps == [4]


@pytest.mark.parametrize("did", IDS)
def test_to_latex_is_an_align_block(results, did):
    """The LaTeX is one align* block with a row per line and each rule as text."""
    assert_align_block(results[did])


def test_derive_prints_each_step_with_its_verdict(capsys):
    """`mathcheck derive normal_equations` lists each line with its rule and verdict, and exits 0."""
    assert main(["derive", "normal_equations"]) == 0
    out = capsys.readouterr().out
    assert "supports: lin.normal_equations" in out and "5 of 5 steps verified" in out
    assert "set the gradient to zero" in out and "verified (symbolic)" in out
    assert main(["derive", "normal_equations", "--latex"]) == 0
    assert capsys.readouterr().out.startswith("\\begin{align*}")
