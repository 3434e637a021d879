"""Relations as stated: `Eq`, `Ne`, `Lt`, `Le`, `Gt`, `Ge`, built without being decided.

SymPy's relational constructors try to decide the relation at once, with assumption
queries on both sides; building the catalog spent 40 % of its time there. A statement is
what a document claims, to be decided by the checks, so it is kept as written (unless
`evaluate=True` asks for SymPy's decision).
"""

from __future__ import annotations

import functools

import sympy as sp

Eq = functools.partial(sp.Eq, evaluate=False)
Ne = functools.partial(sp.Ne, evaluate=False)
Lt = functools.partial(sp.Lt, evaluate=False)
Le = functools.partial(sp.Le, evaluate=False)
Gt = functools.partial(sp.Gt, evaluate=False)
Ge = functools.partial(sp.Ge, evaluate=False)

#: The inequalities by the names the notation layer gives them (`checker.notation_rules`).
INEQUALITIES = {"<": sp.StrictLessThan, "<=": sp.LessThan, ">": sp.StrictGreaterThan, ">=": sp.GreaterThan}

__all__ = ["INEQUALITIES", "Eq", "Ge", "Gt", "Le", "Lt", "Ne"]
