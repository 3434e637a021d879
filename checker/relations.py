"""Relations as stated: `Eq`, `Ne`, `Lt`, `Le`, `Gt`, `Ge`, built without being decided.

SymPy's relational constructors try to decide the relation at once, with assumption
queries on both sides; building the catalog spent 40 % of its time there. A statement is
what a document claims, to be decided by the checks, so it is kept as written (unless
`evaluate=True` asks for SymPy's decision).
"""

from __future__ import annotations

from typing import Any

import sympy as sp


def Eq(lhs: Any, rhs: Any, *, evaluate: bool = False) -> sp.Equality:  # noqa: N802 (SymPy's names)
    return sp.Eq(lhs, rhs, evaluate=evaluate)


def Ne(lhs: Any, rhs: Any, *, evaluate: bool = False) -> sp.Unequality:  # noqa: N802
    return sp.Ne(lhs, rhs, evaluate=evaluate)


def Lt(lhs: Any, rhs: Any, *, evaluate: bool = False) -> sp.StrictLessThan:  # noqa: N802
    return sp.Lt(lhs, rhs, evaluate=evaluate)


def Le(lhs: Any, rhs: Any, *, evaluate: bool = False) -> sp.LessThan:  # noqa: N802
    return sp.Le(lhs, rhs, evaluate=evaluate)


def Gt(lhs: Any, rhs: Any, *, evaluate: bool = False) -> sp.StrictGreaterThan:  # noqa: N802
    return sp.Gt(lhs, rhs, evaluate=evaluate)


def Ge(lhs: Any, rhs: Any, *, evaluate: bool = False) -> sp.GreaterThan:  # noqa: N802
    return sp.Ge(lhs, rhs, evaluate=evaluate)


__all__ = ["Eq", "Ge", "Gt", "Le", "Lt", "Ne"]
