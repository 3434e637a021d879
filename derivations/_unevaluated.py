"""Unevaluated SymPy builders, so that a step shows the operation a textbook line shows.

``sp.Mul(a, b)`` would evaluate (and reorder) at once; these keep the written form, and the
checker decides whether the line equals the one before.
"""

from __future__ import annotations

import sympy as sp


def mul(*args: sp.Expr) -> sp.Expr:
    """a·b·… as written."""
    return sp.Mul(*args, evaluate=False)


def add(*args: sp.Expr) -> sp.Expr:
    """a + b + … as written."""
    return sp.Add(*args, evaluate=False)


def frac(num: sp.Expr, den: sp.Expr) -> sp.Expr:
    """num/den as written."""
    return mul(num, sp.Pow(den, -1, evaluate=False))


def sq(e: sp.Expr) -> sp.Expr:
    """e² as written."""
    return sp.Pow(e, 2, evaluate=False)


def neg(e: sp.Expr) -> sp.Expr:
    """−e as written."""
    return mul(-1, e)


__all__ = ["add", "frac", "mul", "neg", "sq"]
