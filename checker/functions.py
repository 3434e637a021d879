"""The functions of ML notation that SymPy lacks, as SymPy functions.

Each one knows its definition (`unfold` rewrites it into elementary functions, which is
what the numeric and symbolic checks work on), its derivative, and how it prints in LaTeX.
Keeping them opaque until a check needs them lets derivations and the renderer show
`\\sigma(x)` rather than `1/(1 + e^{-x})`.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction


class sigmoid(sp.Function):  # noqa: N801 - SymPy function classes are lower case
    """The logistic sigmoid σ(z) = 1 / (1 + e^(−z))."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, z: sp.Expr, **kwargs: Any) -> sp.Expr:
        return 1 / (1 + sp.exp(-z))

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_real else None

    def _latex(self, printer: Any, exp: Any = None) -> str:
        arg = printer._print(self.args[0])
        base = rf"\sigma\left({arg}\right)"
        return rf"{base}^{{{exp}}}" if exp else base


class relu(sp.Function):  # noqa: N801
    """The rectified linear unit ReLU(x) = max(0, x)."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.Heaviside(self.args[0], 0)

    def _eval_rewrite_as_Max(self, x: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.Max(0, x)

    def _latex(self, printer: Any, exp: Any = None) -> str:
        arg = printer._print(self.args[0])
        base = rf"\operatorname{{ReLU}}\left({arg}\right)"
        return rf"{base}^{{{exp}}}" if exp else base


#: ML functions and the elementary form each one unfolds to.
_UNFOLD = {
    sigmoid: lambda z: 1 / (1 + sp.exp(-z)),
    relu: lambda x: sp.Max(0, x),
}


def unfold(expr: Any) -> Any:
    """Rewrite the ML functions of `expr` into elementary SymPy functions.

    Examples:
        >>> from sympy import Symbol
        >>> unfold(sigmoid(Symbol('x')))
        1/(1 + exp(-x))
    """
    if not isinstance(expr, sp.Basic) or not expr.has(*_UNFOLD, ElementwiseApplyFunction):
        return expr
    for cls, definition in _UNFOLD.items():
        if expr.has(cls):
            expr = expr.replace(cls, definition)
    if expr.has(ElementwiseApplyFunction):
        expr = expr.replace(lambda a: isinstance(a, ElementwiseApplyFunction), _one_bound_variable)
    return expr


#: The bound variable of every function applied entry by entry, after `unfold`.
_BOUND = sp.Dummy("t")


def _one_bound_variable(f: ElementwiseApplyFunction) -> ElementwiseApplyFunction:
    """`f` with its function written in the shared bound variable.

    SymPy's `applyfunc` wraps the function in a Lambda of a new Dummy at every call, so
    σ(z) − σ(z) built twice would not cancel: the two Lambdas differ in their variable.
    """
    lam = f.function
    if not isinstance(lam, sp.Lambda) or len(lam.variables) != 1 or lam.variables[0] == _BOUND:
        return f
    return ElementwiseApplyFunction(sp.Lambda(_BOUND, lam.expr.xreplace({lam.variables[0]: _BOUND})), f.expr)


__all__ = ["relu", "sigmoid", "unfold"]
