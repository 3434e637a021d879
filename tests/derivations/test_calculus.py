"""Derivations of calculus: the quadratic-form gradient and Minkowski → Chebyshev, step by step."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import sympy as sp

from checker.claims import Property
from checker.cli import main
from checker.derivation import DerivationResult, check_derivation
from derivations import calculus as C
from tests.derivations._breaking import assert_align_block, assert_all_verified, assert_only_wrong, check_all

IDS = [d.id for d in C.DERIVATIONS]


@pytest.fixture(scope="module")
def results() -> dict[str, DerivationResult]:
    return check_all(C.DERIVATIONS)


def broken(derivation: Any, index: int, **changes: Any) -> Any:
    """The derivation with fields of one line replaced."""
    steps = list(derivation.steps)
    steps[index] = dataclasses.replace(steps[index], **changes)
    return dataclasses.replace(derivation, steps=tuple(steps))


A, x, b, k = C.A, C.xv, C.bv, C.k
_wrong_bound = sp.Le(C.POWER_SUM, (C.n - 1) * C.M ** C.p)  # fails when the terms are close to M^p
BREAKS = {
    # the transposed term with the wrong sign
    "quadratic_form_gradient": (C.quadratic_form_gradient, 3,
                                {"expr": C._column((A * x)[k, 0] - (A.T * x)[k, 0] + b[k, 0])}),
    "minkowski_chebyshev_limit": (C.minkowski_chebyshev_limit, 2,
                                  {"expr": _wrong_bound, "claim": C._prop(_wrong_bound)}),
}


def test_the_module_has_its_derivations():
    """The module declares both derivations, supporting their catalog ids."""
    assert {d.id: d.supports for d in C.DERIVATIONS} == {
        "quadratic_form_gradient": ("opt.quadratic_form",),
        "minkowski_chebyshev_limit": ("distance.minkowski",)}
    assert all(len(d.steps) >= 5 for d in C.DERIVATIONS)


@pytest.mark.parametrize("did", IDS)
def test_every_step_is_verified_with_its_method(results, did):
    """Every line after the first is verified, and the verdict names its method."""
    assert_all_verified(results[did])


def test_quadratic_form_index_lines_at_several_sizes_and_matrix_line_for_all(results):
    """The index lines are proved at more than one size; the last line by matrix algebra for every size."""
    steps = results["quadratic_form_gradient"].steps
    index_proof = steps[1].result.checks[0].verdict
    assert index_proof.evidence.sizes is not None and len(index_proof.evidence.sizes) >= 2
    assert "for all sizes" in steps[-1].verdict.evidence.detail


def test_minkowski_bounds_are_numeric_and_the_limits_symbolic(results):
    """The sampled bounds say numeric, the limit of n^(1/p) says symbolic: neither is overstated."""
    steps = results["minkowski_chebyshev_limit"].steps
    assert [s.verdict.method.value for s in steps[1:5]] == ["numeric"] * 4
    assert steps[5].verdict.method.value == "symbolic"
    assert steps[6].verdict.method.value == "numeric"
    assert "squeeze theorem" in steps[6].verdict.evidence.detail


@pytest.mark.parametrize("did", IDS)
def test_a_broken_middle_step_is_reported_alone(did):
    """A slip in one middle line makes that line, and only that line, wrong with a counterexample."""
    derivation, index, changes = BREAKS[did]
    r = check_derivation(broken(derivation, index, **changes))
    assert_only_wrong(r, index)


def test_the_squeeze_fails_when_a_bound_is_wrong():
    """A squeeze with the upper bound M (below the p-norm) is wrong at a sampled point."""
    last = C.minkowski_chebyshev_limit.steps[-1]
    claim = dataclasses.replace(last.claim, upper=C.M)
    r = check_derivation(broken(C.minkowski_chebyshev_limit, 6, claim=claim))
    assert r.wrong_steps == [6]
    assert "upper bound" in r.steps[6].verdict.reason


def test_index_max_is_written_out_at_concrete_sizes():
    """max over i = 1..n stays symbolic for symbolic n and is SymPy's Max once n is a number."""
    assert isinstance(C.M, C.IndexMax)
    d = C.dv
    assert C.M.xreplace({C.n: 3}) == sp.Max(sp.Abs(d[1]), sp.Abs(d[2]), sp.Abs(d[3]))
    assert Property(statement=sp.Le(C.M, C.MINKOWSKI)).kind == "property"


@pytest.mark.parametrize("did", IDS)
def test_to_latex_is_an_align_block(results, did):
    """The LaTeX is one align* block with a row per line and each rule as text."""
    assert_align_block(results[did])


def test_derive_cli_prints_each_step_and_the_latex(capsys):
    """`mathcheck derive minkowski_chebyshev_limit` lists verified steps; `--latex` prints align*."""
    assert main(["derive", "minkowski_chebyshev_limit"]) == 0
    out = capsys.readouterr().out
    assert "by squeeze theorem" in out and "6 of 6 steps verified" in out
    assert main(["derive", "quadratic_form_gradient", "--latex"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\\begin{align*}") and "(A + A^\\top)\\,x + b" in out
