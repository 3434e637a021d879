"""Derivations of the activations: every step verified; one broken step is reported alone."""

from __future__ import annotations


import pytest
import sympy as sp

from checker.cli import main
from checker.derivation import DerivationResult, check_derivation
from derivations import activations as act
from tests.derivations._breaking import assert_align_block, assert_all_verified, assert_only_wrong, broken, check_all

IDS = [d.id for d in act.DERIVATIONS]


@pytest.fixture(scope="module")
def results() -> dict[str, DerivationResult]:
    return check_all(act.DERIVATIONS)


# One realistic slip per derivation, in a middle line: (derivation, line, wrong expression).
_s = act._s
BREAKS = {
    "tanh_derivative": (act.tanh_derivative, 3, 1 + (act.NUM / act.DEN) ** 2),  # sign of the square
    "softmax_jacobian": (act.softmax_jacobian, 3,
                         act._entrywise(act._delta * _s(act.i) + _s(act.i) * _s(act.j))),  # sign of s_i s_j
}


def test_the_module_has_its_derivations():
    """The module declares tanh' and the softmax Jacobian, supporting their catalog ids."""
    assert {d.id: d.supports for d in act.DERIVATIONS} == {
        "tanh_derivative": ("act.tanh_derivative",), "softmax_jacobian": ("act.softmax",)}
    assert all(len(d.steps) >= 4 for d in act.DERIVATIONS)


@pytest.mark.parametrize("did", IDS)
def test_every_step_is_verified_with_its_method(results, did):
    """Every line after the first is verified, and the verdict names its method."""
    assert_all_verified(results[did])


def test_softmax_jacobian_is_checked_at_several_sizes(results):
    """The Jacobian lines are checked as whole matrices at more than one K."""
    proof = results["softmax_jacobian"].steps[1].result.checks[0].verdict
    assert proof.evidence is not None and proof.evidence.sizes is not None and len(proof.evidence.sizes) >= 2


@pytest.mark.parametrize("did", IDS)
def test_a_broken_middle_step_is_reported_alone(did):
    """A sign slip in one middle line makes that line, and only that line, wrong with a counterexample."""
    derivation, index, expr = BREAKS[did]
    assert_only_wrong(check_derivation(broken(derivation, index, expr)), index)


@pytest.mark.parametrize("did", IDS)
def test_to_latex_is_an_align_block(results, did):
    """The LaTeX is one align* block with a row per line and each rule as text."""
    assert_align_block(results[did])


def test_derive_cli_prints_each_step_and_the_latex(capsys):
    """`mathcheck derive tanh_derivative` lists verified steps; `--latex` prints the align* block."""
    assert main(["derive", "tanh_derivative"]) == 0
    out = capsys.readouterr().out
    assert "by quotient rule" in out and "4 of 4 steps verified" in out
    assert main(["derive", "softmax_jacobian", "--latex"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\\begin{align*}") and "\\text{factor out $s_i$}" in out


def test_the_tanh_starting_point_is_the_exponential_definition():
    """The first line differentiates (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ), not tanh itself."""
    first = act.tanh_derivative.steps[0].expr
    assert isinstance(first, sp.Derivative) and not first.has(sp.tanh)
