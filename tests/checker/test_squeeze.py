"""SqueezeClaim: a limit justified by bounds; every hypothesis of the squeeze theorem is checked."""

from __future__ import annotations

import pytest
import sympy as sp

from checker.claims import SqueezeClaim
from checker.engine import check
from checker.verdict import Status

p = sp.Symbol("p", positive=True)
F = 1 + 1 / p  # tends to 1 as p → ∞


def squeeze(lower: sp.Expr, upper: sp.Expr, limit: sp.Expr = sp.Integer(1)) -> SqueezeClaim:
    return SqueezeClaim(function=F, lower=lower, upper=upper, var=p, point=sp.oo, limit=limit,
                        assumptions=(p >= 1,))


def test_true_bounds_with_the_same_limit_are_verified_symbolically():
    """1 ≤ 1 + 1/p ≤ 1 + 2/p, both bounds → 1: verified, and every part proved, so symbolic."""
    v = check(squeeze(sp.Integer(1), 1 + 2 / p)).verdict
    assert v.status is Status.VERIFIED and v.method.value == "symbolic"
    assert "squeeze theorem" in v.evidence.detail


def test_a_lower_bound_above_the_function_is_wrong():
    """A lower bound 1 + 2/p lies above 1 + 1/p: wrong, with a counterexample, naming the bound."""
    v = check(squeeze(1 + 2 / p, 1 + 3 / p)).verdict
    assert v.status is Status.WRONG and v.counterexample is not None
    assert v.reason.startswith("lower bound")


def test_a_bound_that_fails_only_far_out_is_wrong():
    """1 + 1/p + (6 − p)/p² holds for p ≤ 6 but not beyond: the far-out samples catch it."""
    v = check(squeeze(sp.Integer(1), 1 + 1 / p + (6 - p) / p**2)).verdict
    assert v.status is Status.WRONG and v.counterexample is not None
    assert v.reason.startswith("upper bound at p = 10")


def test_a_bound_with_another_limit_is_wrong():
    """An upper bound 2 + 1/p is a bound, but it tends to 2, not to the claimed 1."""
    v = check(squeeze(sp.Integer(1), 2 + 1 / p)).verdict
    assert v.status is Status.WRONG
    assert v.reason.startswith("limit of the upper bound")


def test_the_variable_must_be_a_symbol():
    """A squeeze over a number is refused with the field named."""
    with pytest.raises(ValueError, match="var="):
        SqueezeClaim(function=F, lower=1, upper=F, var=sp.Integer(2), point=sp.oo, limit=1)
