"""Losses: the catalog's checks pass the right gradients and fail mutated ones."""

from __future__ import annotations

import dataclasses

import numpy as np
import sympy as sp

from checker import engine
from formulas import losses as L


def status(claim) -> str:
    return engine.check(claim).verdict.status.value


def test_mse_gradient_sign_flip_is_wrong():
    """∂MSE/∂ŷ = +(2/n)(y − ŷ) (sign flipped) is wrong at every size."""
    claim = L.mse.checks[1].claim
    bad = L._column(2 * (L.Y[L.i, 0] - L.Yh[L.i, 0]) / L.n)
    assert status(dataclasses.replace(claim, claimed=bad)) == "wrong"


def test_mse_gradient_dropped_factor_is_wrong():
    """∂MSE/∂ŷ without the factor 2 is wrong."""
    claim = L.mse.checks[1].claim
    bad = L._column(-(L.Y[L.i, 0] - L.Yh[L.i, 0]) / L.n)
    assert status(dataclasses.replace(claim, claimed=bad)) == "wrong"


def test_bce_through_sigmoid_missing_factor_is_wrong():
    """∂L(σ(z))/∂z = (σ − y)/(σ(1−σ)) (the sigmoid's factor not cancelled) is wrong."""
    claim = L.bce.checks[1].claim
    s = 1 / (1 + sp.exp(-L.z))
    assert status(dataclasses.replace(claim, claimed=(s - L.y) / (s * (1 - s)))) == "wrong"


def test_cce_softmax_gradient_mutation_is_wrong():
    """With softmax, ∂L/∂z = y − ŷ (sign flipped) is wrong."""
    claim = L.cce.checks[1].claim
    bad = L._column(L._y_i(L.i) - L._s_i(L.i))
    assert status(dataclasses.replace(claim, claimed=bad)) == "wrong"


def test_hinge_subgradient_wrong_sign_is_wrong():
    """∂hinge/∂b = +y inside the margin is wrong."""
    claim = L.hinge.checks[1].claim
    s = sp.Symbol("s", real=True)
    bad = sp.Piecewise((L.y_pm, L.y_pm * (s + L.b) < 1), (0, True))
    assert status(dataclasses.replace(claim, claimed=bad)) == "wrong"


def test_log_likelihood_code_without_the_one_minus_term_is_wrong():
    """001's log-likelihood code with (1 − y) log ŷ in place of (1 − y) log(1 − ŷ) is wrong."""
    written = L.binary_log_likelihood.as_written[0].claim

    def broken(inputs):
        y, p = np.asarray(inputs["y"]), np.clip(np.asarray(inputs["y_hat"]), 1e-15, 1 - 1e-15)
        return float(np.sum(y * np.log(p) + (1 - y) * np.log(p)))

    assert status(written) == "verified"
    assert status(dataclasses.replace(written, program=broken)) == "wrong"


def test_bce_log_for_large_logits_is_not_called_wrong():
    """BCE through the sigmoid at z in (30, 40) is round-off in doubles, not an error."""
    claim = L.bce.checks[1].claim
    far = dataclasses.replace(claim, assumptions=(L.z > 30, L.z < 40, L.y >= 0, L.y <= 1))
    assert status(far) == "verified"
