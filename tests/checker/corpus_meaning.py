"""Compare our parse of a corpus formula with its intended SymPy (trusted test data).

Only tests use this: the intended forms are the corpus authors' SymPy strings, parsed here
with SymPy's parser because they are test data, never document text.
"""

from __future__ import annotations

import random
import re
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef

from checker.functions import unfold
from checker.notation import Notation, ParseError, parse_latex

#: Names of the intended strings that are SymPy's own (everything else is the formula's).
_SYMPY = {"Eq", "Ne", "Sum", "Integral", "Derivative", "Limit", "Max", "Abs", "Piecewise", "Matrix", "Subs",
          "Determinant", "HadamardProduct", "log", "exp", "sqrt", "sin", "cos", "tanh", "binomial", "factorial",
          "sign", "atan", "True", "oo", "pi", "dir", "root", "Rational", "Integer", "Inverse", "Identity",
          "ImmutableMatrix", "MatrixSymbol"}


def _norm(name: str) -> str:
    m = re.match(r"^([A-Za-z]+)_(hat|bar|tilde)(_.*)?$", name)
    if m:
        name = m.group(2) + m.group(1) + (m.group(3) or "")
    # t-1 and t+1 in a subscript are different names: keep the sign, spelled as a letter
    name = name.replace("-", "m").replace("+", "p")
    return re.sub(r"[_{}\\ ]", "", name).replace("math", "").replace("rm", "")


def _canon(e: Any) -> Any:
    """Names normalised, sigmoid written as sigma, Indexed bases renamed alike."""
    if not isinstance(e, sp.Basic):
        return e
    # The intended strings name a vector x both as x (an argument, d(x, y)) and as x[i]; a bare
    # IndexedBase is the same name as the symbol x, so compare it as one.
    e = e.replace(lambda a: isinstance(a, sp.Indexed),
                  lambda a: sp.Function("IDXQ" + str(a.base.label))(*a.indices))
    e = e.xreplace({b: sp.Symbol(str(b.label)) for b in e.atoms(sp.IndexedBase)})
    e = e.replace(lambda a: isinstance(a, AppliedUndef) and type(a).__name__.startswith("IDXQ"),
                  lambda a: sp.IndexedBase(type(a).__name__[4:])[a.args])
    e = e.replace(lambda a: type(a).__name__ == "sigmoid", lambda a: sp.Function("sigma")(*a.args))
    e = e.replace(lambda a: type(a).__name__ == "relu", lambda a: sp.Function("ReLU")(*a.args))
    e = e.replace(lambda a: isinstance(a, AppliedUndef), lambda a: sp.Function(_norm(type(a).__name__))(*a.args))
    mapping: dict[Any, Any] = {}
    for s in e.atoms(sp.Symbol):
        if s.name not in ("+", "-", "+-"):  # the direction of a Limit is not a name
            mapping[s] = sp.Symbol(_norm(s.name))
    for m in e.atoms(sp.MatrixSymbol):
        mapping[m] = sp.MatrixSymbol(_norm(m.name), *m.shape)
    e = e.xreplace(mapping)
    for b in e.atoms(sp.IndexedBase):
        e = e.xreplace({b: sp.IndexedBase(_norm(str(b.label)))})
    return e


def _values(exprs: list[Any]) -> dict[Any, Any]:
    syms: set[Any] = set()
    for e in exprs:
        syms |= {s for s in e.free_symbols if isinstance(s, sp.Symbol)}
    rng = random.Random(1)
    return {s: sp.Float(rng.uniform(0.3, 1.7)) for s in sorted(syms, key=str)}


def _is_matrix(e: Any) -> bool:
    return isinstance(e, (sp.MatrixBase, sp.MatrixExpr))


def _matrix_close(a: Any, b: Any) -> bool:
    """Matrix sides: the same shape, and equal entries at seeded random matrices (with the
    scalar comparison this helper uses elsewhere); a product is never commuted."""
    if not (_is_matrix(a) and _is_matrix(b)) or a.shape != b.shape:
        return False
    rng = random.Random(2)
    mats = sorted(a.atoms(sp.MatrixSymbol) | b.atoms(sp.MatrixSymbol), key=lambda m: m.name)
    subs: dict[Any, Any] = {m: sp.ImmutableMatrix(*m.shape, lambda i, j: sp.Float(rng.uniform(-2, 2)))
                            for m in mats}
    try:
        da = sp.Matrix(a.xreplace(subs).doit())
        db = sp.Matrix(b.xreplace(subs).doit())
    except Exception:
        return False
    vals = _values([da, db])
    return all(abs(complex(sp.N(x - y, 30, subs=vals))) <= 1e-9 for x, y in zip(da, db))


def _as_written(e: Any) -> Any:
    """`e` with its additions and products in SymPy's canonical order, nothing evaluated."""
    if not isinstance(e, sp.Basic):
        return repr(e)
    return sp.srepr(e.replace(lambda x: isinstance(x, (sp.Add, sp.Mul, sp.Pow)), lambda x: x.func(*x.args)))


def _close(a: Any, b: Any) -> bool:
    # the layer reads a 1×1 product (x^T y) as the number it is
    a, b = (x[0, 0] if _is_matrix(x) and x.shape == (1, 1) else x for x in (a, b))
    if _is_matrix(a) or _is_matrix(b):
        return _matrix_close(a, b)
    # ∂L/∂w of an opaque L evaluates (and simplifies) to 0, as does ∂L/∂z: comparing values would
    # call two different derivatives equal, so those are compared as written only.
    if any(d.doit() == 0 for e in (a, b) if isinstance(e, sp.Basic) for d in e.atoms(sp.Derivative)):
        return _as_written(a) == _as_written(b)
    try:
        d = sp.simplify(unfold(a) - unfold(b))
        if d == 0:
            return True
    except Exception:
        pass
    try:
        if a.has(AppliedUndef, sp.Derivative, sp.Sum, sp.Integral, sp.Limit) or b.has(AppliedUndef, sp.Derivative, sp.Sum, sp.Integral, sp.Limit):
            return sp.srepr(a) == sp.srepr(b) or sp.simplify(a.doit() - b.doit()) == 0
        if a.atoms(sp.MatrixSymbol) or b.atoms(sp.MatrixSymbol):  # det(A) and the like
            mats = sorted(a.atoms(sp.MatrixSymbol) | b.atoms(sp.MatrixSymbol), key=lambda m: m.name)
            rng = random.Random(3)
            subs = {m: sp.ImmutableMatrix(*m.shape, lambda i, j: sp.Float(rng.uniform(-2, 2))) for m in mats}
            a, b = a.xreplace(subs).doit(), b.xreplace(subs).doit()
        vals = _values([a, b])
        va, vb = complex(unfold(a).evalf(30, subs=vals)), complex(unfold(b).evalf(30, subs=vals))
        return abs(va - vb) <= 1e-9 * (1 + abs(va))
    except Exception:
        return False


def _relation(op: str) -> Any:
    # Eq(3, 3) and Ne(A*B, B*A) must stay relations: SymPy would evaluate them to True/False
    return lambda lhs, rhs: (op, [lhs, rhs])


def intended(text: str) -> list[Any]:
    """The intended form as a list of sides (Eq → 2 sides, Chain → n, else 1).

    A name followed by ``(`` is a function of the formula, by ``[`` an indexed object, else a
    symbol (``sigma`` is σ, a symbol, in ``Eq(sigma, sqrt(Var(X)))``, and ``E`` alone is e).
    ``lambda`` is renamed before parsing because it is a Python keyword.
    """
    text = re.sub(r"\blambda\b", "lamda_", text)
    ns: dict[str, Any] = {"Chain": lambda *a: ("=", list(a)), "Eq": _relation("="), "Ne": _relation("!="),
                          "lamda_": sp.Symbol("lambda"), "E": sp.E, "I": sp.Symbol("I")}
    # H(P, Q) = -Sum(P(x[i])*...): P is called and also passed bare; the bare P is the name of the
    # distribution (a symbol), which SymPy cannot take as a function class in one namespace.
    for name in set(re.findall(r"\b([A-Za-z_][A-Za-z0-9_]*)\(", text)) - _SYMPY:
        if re.search(rf"\b{name}\b(?!\s*\()", text):
            text = re.sub(rf"\b{name}\b(?!\s*\()", f"{name}__bare", text)
            ns[f"{name}__bare"] = sp.Symbol(name)
    for name in set(re.findall(r"\b([A-Za-z_][A-Za-z0-9_]*)\[", text)):
        ns[name] = sp.IndexedBase(name)  # pi[k]: an indexed name, even where SymPy has a constant
    for name in set(re.findall(r"\b([A-Za-z_][A-Za-z0-9_]*)\b", text)) - _SYMPY - set(ns):
        if re.search(rf"\b{name}\(", text):
            ns[name] = sp.gamma if name == "gamma" else sp.Function(name)
        elif re.search(rf"\b{name}\[", text):
            ns[name] = sp.IndexedBase(name)
        else:
            ns[name] = sp.Symbol(name)
    if re.search(r"\bE\(", text):
        ns["E"] = sp.Function("E")
    value = sp.parse_expr(text, local_dict=ns, evaluate=False)
    return _sides(value)


def _sides(value: Any) -> list[Any]:
    if isinstance(value, tuple):
        return [value[0], list(value[1])]
    if isinstance(value, sp.Rel):
        return [value.rel_op, [value.lhs, value.rhs]]
    return [None, [value]]


class _F:
    """``F.name`` in the corpus DSL: an undefined function of that name."""

    def __getattr__(self, name: str) -> Any:
        return sp.Function(name)


def intended_dsl(text: str) -> list[Any]:
    """The corpus DSL (``EQ``, ``MS('A',2,2)``, ``S_('m_t-1')``, ``F.f``, ``D``, ``Ix``).

    Used only where the SymPy string cannot state the meaning: matrices, which it writes as
    commuting scalars (``Eq(I, I)`` for AA⁻¹ = I, ``Ne(A*B, B*A)`` evaluates to False), and
    names such as ``m_{t-1}`` that it writes as a difference ``m_t-1``.
    """
    ns: dict[str, Any] = {
        "EQ": _relation("="), "NE": _relation("!="), "LE": _relation("<="), "Chain": lambda *a: ("=", list(a)),
        "MS": lambda n, r, c: sp.MatrixSymbol(n, r, c), "S_": sp.Symbol, "F": _F(), "D": sp.Derivative,
        "Ix": lambda n, *i: sp.IndexedBase(n)[i], "lam": sp.Symbol("lambda"), "eps": sp.Symbol("epsilon"),
        "Inverse": sp.Inverse, "Identity": sp.Identity, "HadamardProduct": sp.HadamardProduct,
        "Determinant": sp.Determinant, "ImmutableMatrix": sp.ImmutableMatrix, "Matrix": sp.ImmutableMatrix,
    }
    for name in set(re.findall(r"(?<![.'\w])([A-Za-z_][A-Za-z0-9_]*)\b", text)) - _SYMPY - set(ns):
        ns[name] = sp.Symbol(name)
    value = sp.parse_expr(text, local_dict=ns, evaluate=False)
    return _sides(value)


def shapes_of(dsl: str | None) -> tuple[tuple[str, tuple[int, int]], ...]:
    """The matrix shapes the DSL declares (``MS('X',3,2)``): the shape table the notes would give."""
    found = re.findall(r"MS\('([A-Za-z]+)',\s*(\d+),\s*(\d+)\)", dsl or "")
    # the DSL writes \hat{\beta} as hatbeta; the notation layer names it beta_hat
    return tuple(sorted({(re.sub(r"^(hat|bar|tilde)(\w+)$", r"\2_\1", n), (int(r), int(c))) for n, r, c in found}))


def _wants_dsl(dsl: str | None) -> bool:
    return bool(dsl) and bool(re.search(r"\bMS\(|\bS_\(", dsl or ""))


def same_meaning(latex: str, intended_text: str, intended_dsl_text: str | None = None) -> bool:
    """Our reading of `latex` has the intended meaning (side by side, same relation count)."""
    try:
        rel, want = intended_dsl(intended_dsl_text) if _wants_dsl(intended_dsl_text) else intended(intended_text)
    except Exception:
        return False
    shapes = shapes_of(intended_dsl_text)
    try:
        got = parse_latex(latex, notation=Notation(shapes=shapes)) if shapes else parse_latex(latex)
    except ParseError:
        return False
    if len(got.sides) != len(want):
        return False
    if rel is not None and got.relations and rel != got.relations[0] and not (rel == "=" and got.relations[0] == "="):
        return False
    return all(_close(_canon(a), _canon(b)) for a, b in zip(got.sides, want))
