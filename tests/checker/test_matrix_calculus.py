"""Derivatives with respect to matrix symbols, and explicit matrices built from their operands."""

from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.diagonal import DiagMatrix

from checker.claims import Identity
from checker.engine import check
from checker.evaluate import derivative_done, instantiate
from checker.functions import sigmoid
from checker.verdict import Method, Status

m, n = sp.symbols("m n", integer=True, positive=True)
X, beta, y = sp.MatrixSymbol("X", m, n), sp.MatrixSymbol("beta", n, 1), sp.MatrixSymbol("y", m, 1)
RSS = (X * beta - y).T * (X * beta - y)
SIZES = ((m, (2, 3)), (n, (1, 2)))


def test_a_gradient_at_concrete_sizes_is_taken_entry_by_entry():
    """∇_β‖Xβ − y‖² at m = 3, n = 2 is the column of partial derivatives, equal to 2Xᵀ(Xβ − y)."""
    grad = instantiate(sp.Derivative(RSS, beta), {m: 3, n: 2})
    assert isinstance(grad, sp.MatrixBase) and grad.shape == (2, 1)
    want = instantiate(2 * X.T * (X * beta - y), {m: 3, n: 2})
    assert (grad - want).applyfunc(sp.expand) == sp.zeros(2, 1)


def test_a_gradient_at_symbolic_sizes_uses_matrix_calculus():
    """At symbolic sizes the derivative is SymPy's matrix calculus, not the misshapen `doit`."""
    assert derivative_done(sp.Derivative(RSS, beta)) == 2 * X.T * (X * beta - y)


def test_a_gradient_identity_is_verified_and_a_wrong_one_is_wrong():
    """∇‖Xβ − y‖² = 2Xᵀ(Xβ − y) is verified at several sizes; 2Xᵀ(Xβ + y) is wrong, with a point."""
    good = check(Identity(lhs=sp.Derivative(RSS, beta), rhs=2 * X.T * (X * beta - y), sizes=SIZES))
    assert good.verdict.status is Status.VERIFIED and good.verdict.method is Method.SYMBOLIC
    bad = check(Identity(lhs=sp.Derivative(RSS, beta), rhs=2 * X.T * (X * beta + y), sizes=SIZES))
    assert bad.verdict.status is Status.WRONG and bad.verdict.counterexample is not None


def test_a_scalar_derivative_of_a_sum_is_written_out_first():
    """d/dw Σᵢ (w xᵢ)² with n = 3 is the written-out 2w Σ xᵢ², and a factor slip is wrong."""
    i, w = sp.Symbol("i", integer=True), sp.Symbol("w", real=True)
    xs = sp.IndexedBase("x", real=True)
    lhs = sp.Derivative(sp.Sum((w * xs[i]) ** 2, (i, 1, n)), w)
    assert sp.expand(instantiate(lhs, {n: 3}) - 2 * w * sum(xs[k] ** 2 for k in (1, 2, 3))) == 0
    wrong = check(Identity(lhs=lhs, rhs=w * sp.Sum(xs[i] ** 2, (i, 1, n)), sizes=((n, (1, 2, 3)),)))
    assert wrong.verdict.status is Status.WRONG


def test_explicit_matrices_built_from_operands_agree_with_sympy():
    """Products, transposes, sums, Hadamard products, entrywise σ and diag give SymPy's explicit matrix."""
    h, o = sp.symbols("h o", integer=True, positive=True)
    W, v, u = sp.MatrixSymbol("W", o, h), sp.MatrixSymbol("v", h, 1), sp.MatrixSymbol("u", o, 1)
    s = v.applyfunc(sigmoid)
    e = DiagMatrix(sp.HadamardProduct(s, sp.OneMatrix(h, 1) - s)) * (W.T * u) + 3 * v
    got = instantiate(e, {h: 3, o: 2})
    want = instantiate(e.xreplace({h: sp.Integer(3), o: sp.Integer(2)}).as_explicit(), {})  # SymPy's own
    assert (got - want).applyfunc(sp.simplify) == sp.zeros(3, 1)
    assert instantiate(sp.HadamardProduct(s, s), {h: 2}) != instantiate(sp.HadamardProduct(s, 2 * s), {h: 2})
