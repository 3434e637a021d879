"""Derivations of the losses: every step verified; one broken step is reported alone; Σy = 1 is used."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from checker.cli import main
from checker.derivation import DerivationResult, check_derivation
from checker.verdict import Status
from derivations import losses as L
from tests.derivations._breaking import assert_align_block, assert_all_verified, assert_only_wrong, broken, check_all

IDS = [d.id for d in L.DERIVATIONS]


@pytest.fixture(scope="module")
def results() -> dict[str, DerivationResult]:
    return check_all(L.DERIVATIONS)


_sum_y = sp.Sum(L.target(L.k), (L.k, 0, L.K - 1))
# One realistic slip per derivation, in a middle line: (derivation, line, wrong expression).
BREAKS = {
    # −[y(1−σ) + (1−y)σ]: the minus sign of the second term lost
    "bce_sigmoid_gradient": (L.bce_sigmoid_gradient, 3, -(L.y * (1 - L.S) + (1 - L.y) * L.S)),
    # the factor Σ y_k dropped from the second term
    "cce_softmax_gradient": (L.cce_softmax_gradient, 3,
                             L._column(-L.target(L.j) + 2 * _sum_y * L._yhat(L.j))),
}


def test_the_module_has_its_derivations():
    """The module declares the BCE and CCE gradients, supporting their catalog ids."""
    assert {d.id: d.supports for d in L.DERIVATIONS} == {
        "bce_sigmoid_gradient": ("loss.bce",), "cce_softmax_gradient": ("loss.cce",)}
    assert all(len(d.steps) >= 4 for d in L.DERIVATIONS)


@pytest.mark.parametrize("did", IDS)
def test_every_step_is_verified_with_its_method(results, did):
    """Every line after the first is verified, and the verdict names its method."""
    assert_all_verified(results[did])


def test_cce_gradient_is_checked_at_several_sizes(results):
    """The CCE lines are checked as whole gradient columns at more than one K."""
    proof = results["cce_softmax_gradient"].steps[4].result.checks[0].verdict
    assert proof.evidence is not None and proof.evidence.sizes is not None and len(proof.evidence.sizes) >= 2


def test_sum_of_targets_is_one_is_really_used():
    """With free targets (Σy ≠ 1) the line that uses Σy = 1 alone is wrong, with a counterexample."""
    free = dataclasses.replace(L.cce_softmax_gradient, steps=L.cce_steps(probability=False))
    r = check_derivation(free)
    assert r.wrong_steps == [4]
    assert r.steps[4].verdict.counterexample is not None
    assert all(s.verdict.status is Status.VERIFIED for s in r.steps[1:4])


def test_targets_sum_to_one_at_concrete_sizes():
    """The last target is one minus the others: Σ_k y_k is exactly 1 once K is a number."""
    from checker.evaluate import instantiate

    for size in (2, 3, 4):
        assert sp.expand(instantiate(_sum_y, {L.K: size})) == 1


@pytest.mark.parametrize("did", IDS)
def test_a_broken_middle_step_is_reported_alone(did):
    """A slip in one middle line makes that line, and only that line, wrong with a counterexample."""
    derivation, index, expr = BREAKS[did]
    assert_only_wrong(check_derivation(broken(derivation, index, expr)), index)


@pytest.mark.parametrize("did", IDS)
def test_to_latex_is_an_align_block(results, did):
    """The LaTeX is one align* block with a row per line and each rule as text."""
    assert_align_block(results[did])


def test_derive_cli_prints_each_step_and_the_latex(capsys):
    """`mathcheck derive bce_sigmoid_gradient` lists verified steps; `--latex` prints the align* block."""
    assert main(["derive", "bce_sigmoid_gradient"]) == 0
    out = capsys.readouterr().out
    assert "by chain rule" in out and "5 of 5 steps verified" in out
    assert main(["derive", "cce_softmax_gradient", "--latex"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\\begin{align*}") and "\\hat{y}_j - y_j" in out
