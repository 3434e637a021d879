"""Cache keys: claims that differ in any field never share a key."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from checker.cache import claim_key
from checker.claims import DerivativeClaim, Identity, Property, SqueezeClaim

p, n, x = sp.Symbol("p", positive=True), sp.Symbol("n", positive=True), sp.Symbol("x", real=True)

CLAIMS = [
    (Identity(lhs=x**2, rhs=x * x), "rhs", x + x),
    (Identity(lhs=x**2, rhs=x * x, assumptions=(x > 0,)), "assumptions", (x < 0,)),
    (DerivativeClaim(function=x**3, wrt=(x,), claimed=3 * x**2), "claimed", 3 * x),
    (Property(statement=sp.Ge(x**2, x)), "quantifier", "exists"),
    (SqueezeClaim(function=n ** (1 / p), lower=sp.Integer(1), upper=n ** (1 / p), var=p, point=sp.oo,
                  limit=sp.Integer(1)), "lower", sp.Integer(0)),
    (SqueezeClaim(function=n ** (1 / p), lower=sp.Integer(1), upper=n ** (1 / p), var=p, point=sp.oo,
                  limit=sp.Integer(1)), "point", sp.Integer(0)),
]


@pytest.mark.parametrize("claim,field,other", CLAIMS, ids=[f"{type(c).__name__}.{f}" for c, f, _ in CLAIMS])
def test_a_changed_field_changes_the_key(claim, field, other):
    """Changing one field of a claim gives another key; the same claim gives the same key."""
    changed = dataclasses.replace(claim, **{field: other})
    assert claim_key(claim, seed=0, timeout=5) == claim_key(dataclasses.replace(claim), seed=0, timeout=5)
    assert claim_key(claim, seed=0, timeout=5) != claim_key(changed, seed=0, timeout=5)
