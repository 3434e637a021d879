"""Derivation of the backpropagation formulas: every step verified; one broken step is reported alone."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from checker.cli import main
from checker.derivation import DerivationResult, check_derivation
from derivations import backprop as bp
from tests.derivations._breaking import (
    assert_align_block, assert_all_verified, assert_only_wrong, broken, check_all,
)

IDS = [d.id for d in bp.DERIVATIONS]


@pytest.fixture(scope="module")
def results() -> dict[str, DerivationResult]:
    return check_all(bp.DERIVATIONS)


# One slip per derivation, in a middle line: (derivation, line, wrong expression).
BREAKS = {
    # δ^[1] with σ(z^[1]) where σ′(z^[1]) belongs
    "backprop_deltas": (bp.backprop_deltas, 4, sp.HadamardProduct(bp.W2.T * bp.delta2, bp._sig(bp.z1))),
}


def test_the_module_has_its_derivation():
    """The module declares the backprop derivation, supporting the four delta and gradient ids."""
    assert {d.id: d.supports for d in bp.DERIVATIONS} == {
        "backprop_deltas": ("nn.delta_output", "nn.delta_hidden", "nn.grad_weights", "nn.grad_bias")}
    assert len(bp.backprop_deltas.steps) >= 8


@pytest.mark.parametrize("did", IDS)
def test_every_step_is_verified_with_its_method(results, did):
    """Every line after the first is verified, and the verdict names its method."""
    assert_all_verified(results[did])


def test_every_line_is_checked_at_several_widths(results):
    """Each line is proved for every width by matrix algebra, or at more than one width."""
    for s in results["backprop_deltas"].steps[1:]:
        evidence = s.verdict.evidence
        if evidence.detail and evidence.detail.startswith("proved for all sizes"):
            assert s.verdict.method.value == "symbolic"
            continue
        assert evidence.sizes is not None and len(set(evidence.sizes)) >= 2, (s.index, evidence)


def test_a_function_applied_entrywise_cancels_itself():
    """σ(z) − σ(z), each σ applied by its own `applyfunc`, is zero (SymPy gives each a new variable)."""
    import sympy as sp

    from checker.functions import sigmoid, unfold
    from checker.symbolic import check_all_sizes

    z = sp.MatrixSymbol("z", sp.Symbol("h", integer=True, positive=True), 1)
    assert z.applyfunc(sigmoid) != z.applyfunc(sigmoid)
    assert unfold(z.applyfunc(sigmoid)) == unfold(z.applyfunc(sigmoid))
    assert check_all_sizes(z.applyfunc(sigmoid), z.applyfunc(sigmoid)) is not None
    assert check_all_sizes(z.applyfunc(sigmoid), 2 * z.applyfunc(sigmoid)) is None


@pytest.mark.slow
@pytest.mark.parametrize("did", IDS)
def test_a_broken_middle_step_is_reported_alone(did):
    """A slip in one middle line makes that line, and only that line, wrong with a counterexample."""
    derivation, index, expr = BREAKS[did]
    assert_only_wrong(check_derivation(broken(derivation, index, expr)), index)


@pytest.mark.slow
def test_a_transposed_weight_gradient_is_caught():
    """∂J/∂W^[2] written as a^[1](δ^[2])ᵀ is wrong, even at widths where the shapes agree (h = o)."""
    d = bp.backprop_deltas
    steps = list(d.steps)
    wrong = sp.Eq(steps[5].expr.lhs, bp.a1 * bp._delta2(bp._z2_of_a1).T, evaluate=False)
    steps[5] = dataclasses.replace(steps[5], expr=wrong)
    square = dataclasses.replace(d, steps=tuple(steps), sizes=((bp.d, (2,)), (bp.h, (2,)), (bp.o, (2,))))
    r = check_derivation(square)
    assert r.wrong_steps == [5] and r.steps[5].verdict.counterexample is not None


@pytest.mark.parametrize("did", IDS)
def test_to_latex_is_an_align_block(results, did):
    """The LaTeX is one align* block with a row per line and each rule as text."""
    assert_align_block(results[did])


@pytest.mark.slow
def test_derive_prints_each_step_with_its_verdict(capsys):
    """`mathcheck derive backprop_deltas` lists each line with its verdict, and exits 0."""
    assert main(["derive", "backprop_deltas"]) == 0
    out = capsys.readouterr().out
    assert "supports: nn.delta_output, nn.delta_hidden, nn.grad_weights, nn.grad_bias" in out
    assert "8 of 8 steps verified" in out
