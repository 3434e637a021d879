"""Activation functions: the catalog's checks pass the right forms and fail mutated ones."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy as sp

from checker import engine
from checker.claims import CodeGradientClaim, DerivativeClaim, Identity
from checker.functions import sigmoid
from formulas import activations as act

x = act.x


def status(claim) -> str:
    return engine.check(claim).verdict.status.value


def test_sigmoid_symmetry_and_its_sign_flip():
    """σ(−z) = 1 − σ(z) is verified; σ(−z) = σ(z) − 1 is wrong."""
    z = act.z
    assert status(Identity(lhs=sigmoid(-z), rhs=1 - sigmoid(z))) == "verified"
    assert status(Identity(lhs=sigmoid(-z), rhs=sigmoid(z) - 1)) == "wrong"


@pytest.mark.parametrize("claimed,expected", [
    (sigmoid(x) * (1 - sigmoid(x)), "verified"),
    (sigmoid(x) * (1 + sigmoid(x)), "wrong"),      # sign flip
    (sigmoid(x), "wrong"),                          # dropped factor
    (sigmoid(x) ** 2 * (1 - sigmoid(x)), "wrong"),  # wrong exponent
], ids=["true", "sign-flip", "dropped-factor", "wrong-exponent"])
def test_sigmoid_derivative_claims(claimed, expected):
    """The derivative check passes σ(1−σ) and fails its mutations."""
    assert status(DerivativeClaim(function=1 / (1 + sp.exp(-x)), wrt=(x,), claimed=claimed)) == expected


def test_missing_chain_rule_factor_is_caught():
    """d/dx σ(2x) = 2σ(2x)(1 − σ(2x)); without the 2 it is wrong."""
    f = 1 / (1 + sp.exp(-2 * x))
    assert status(DerivativeClaim(function=f, wrt=(x,), claimed=2 * sigmoid(2 * x) * (1 - sigmoid(2 * x)))) == "verified"
    assert status(DerivativeClaim(function=f, wrt=(x,), claimed=sigmoid(2 * x) * (1 - sigmoid(2 * x)))) == "wrong"


def test_sigmoid_derivative_code_as_written_and_a_broken_copy():
    """000's `s * (1 - s)` passes finite differences; a broken `s * (1 + s)` fails."""
    written = act.sigmoid_derivative.as_written[0].claim
    assert status(written) == "verified"
    broken = dataclasses.replace(written, gradient=lambda p: {"x": act._np_sigmoid(p["x"]) * (1 + act._np_sigmoid(p["x"]))})
    assert status(broken) == "wrong"


def test_tanh_derivative_mutation_is_wrong():
    """tanh' = 1 + tanh² is wrong."""
    f = act.tanh_derivative.checks[0].claim
    assert status(dataclasses.replace(f, claimed=1 + sp.tanh(x) ** 2)) == "wrong"


def test_relu_piecewise_mutation_is_wrong():
    """max(0, x) is not {x if x > 0, x if x ≤ 0}."""
    assert status(Identity(lhs=sp.Max(0, x), rhs=sp.Piecewise((x, x > 0), (x, True)))) == "wrong"


def test_leaky_relu_needs_alpha_at_most_one():
    """max(αx, x) equals the piecewise form for α ≤ 1 and not for α > 1."""
    claim = act.leaky_relu.checks[0].claim
    assert status(claim) == "verified"
    assert status(dataclasses.replace(claim, assumptions=(act.alpha > 1, act.alpha < 3))) == "wrong"


def test_softmax_jacobian_mutation_is_wrong():
    """∂sᵢ/∂xⱼ = sᵢ(δᵢⱼ − sᵢ) (sᵢ for sⱼ) is wrong."""
    claim = act.softmax.checks[2].claim
    i, j = act.i, act.j
    bad = sp.FunctionMatrix(act.K, act.K, sp.Lambda((i, j), act._s(i, 0) * (sp.KroneckerDelta(i, j) - act._s(i, 0))))
    assert status(dataclasses.replace(claim, claimed=bad)) == "wrong"


def test_sigmoid_code_claim_catches_a_wrong_program():
    """The code check fails 1/(1 + e^x) against σ."""
    written = act.sigmoid_formula.as_written[0].claim
    assert status(dataclasses.replace(written, program=lambda inp: 1 / (1 + np.exp(np.asarray(inp["x"]))))) == "wrong"
