"""Compare our parse of a corpus formula with its intended SymPy (trusted test data).

Only tests use this: the intended forms are the corpus authors' SymPy strings, parsed here
with SymPy's parser because they are test data, never document text.
"""

from __future__ import annotations

import random
import re

import sympy as sp
from sympy.core.function import AppliedUndef

from checker.functions import unfold
from checker.notation import ParseError, parse_latex


def _norm(name: str) -> str:
    m = re.match(r"^([A-Za-z]+)_(hat|bar|tilde)(_.*)?$", name)
    if m:
        name = m.group(2) + m.group(1) + (m.group(3) or "")
    return re.sub(r"[_{}\\ ]", "", name).replace("math", "").replace("rm", "")


def _canon(e):
    """Names normalised, sigmoid written as sigma, Indexed bases renamed alike."""
    if not isinstance(e, sp.Basic):
        return e
    e = e.replace(lambda a: type(a).__name__ == "sigmoid", lambda a: sp.Function("sigma")(*a.args))
    e = e.replace(lambda a: type(a).__name__ == "relu", lambda a: sp.Function("ReLU")(*a.args))
    e = e.replace(lambda a: isinstance(a, AppliedUndef), lambda a: sp.Function(_norm(type(a).__name__))(*a.args))
    mapping = {}
    for s in e.atoms(sp.Symbol):
        mapping[s] = sp.Symbol(_norm(s.name))
    e = e.xreplace(mapping)
    for b in e.atoms(sp.IndexedBase):
        e = e.xreplace({b: sp.IndexedBase(_norm(str(b.label)))})
    return e


def _values(exprs):
    syms = set()
    for e in exprs:
        syms |= e.free_symbols
    rng = random.Random(1)
    return {s: sp.Float(rng.uniform(0.3, 1.7)) for s in syms}


def _close(a, b) -> bool:
    try:
        d = sp.simplify(unfold(a) - unfold(b))
        if d == 0:
            return True
    except Exception:
        pass
    try:
        if a.has(AppliedUndef, sp.Derivative, sp.Sum, sp.Integral, sp.Limit) or b.has(AppliedUndef, sp.Derivative, sp.Sum, sp.Integral, sp.Limit):
            return sp.srepr(a) == sp.srepr(b) or sp.simplify(a.doit() - b.doit()) == 0
        vals = _values([a, b])
        va, vb = complex(unfold(a).evalf(30, subs=vals)), complex(unfold(b).evalf(30, subs=vals))
        return abs(va - vb) <= 1e-9 * (1 + abs(va))
    except Exception:
        return False


def intended(text: str):
    """The intended form as a list of sides (Eq → 2 sides, Chain → n, else 1)."""
    ns = {"Chain": lambda *a: ("chain", a), "E": sp.Function("E"), "P": sp.Function("P"), "I": sp.Symbol("I"),
          "lambda": sp.Symbol("lambda"), "gamma": sp.gamma, "beta": sp.Symbol("beta"), "sigma": sp.Function("sigma"),
          "pi": sp.pi, "Q": sp.Symbol("Q"), "S": sp.Symbol("S"), "N": sp.Symbol("N"), "O": sp.Symbol("O")}
    for name in set(re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\[", text)):
        ns[name] = sp.IndexedBase(name)
    for name in set(re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\(", text)) - set(ns) - {"Eq", "Ne", "Sum", "Integral",
            "Derivative", "Limit", "Max", "Abs", "Piecewise", "Matrix", "Subs", "Determinant", "HadamardProduct",
            "log", "exp", "sqrt", "sin", "cos", "tanh", "binomial", "factorial", "sign", "atan", "gamma", "Chain"}:
        ns[name] = sp.Function(name)
    value = sp.parse_expr(text, local_dict=ns, evaluate=False)
    if isinstance(value, tuple) and value[0] == "chain":
        return ["=", list(value[1])]
    if isinstance(value, sp.Equality):
        return ["=", [value.lhs, value.rhs]]
    if isinstance(value, sp.Rel):
        return [value.rel_op, [value.lhs, value.rhs]]
    return [None, [value]]


def same_meaning(latex: str, intended_text: str) -> bool:
    try:
        rel, want = intended(intended_text)
    except Exception:
        return False
    try:
        got = parse_latex(latex)
    except ParseError:
        return False
    if len(got.sides) != len(want):
        return False
    return all(_close(_canon(a), _canon(b)) for a, b in zip(got.sides, want))
