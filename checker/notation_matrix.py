"""Matrices in notes: explicit ``pmatrix``/``bmatrix`` blocks, ``cases``, and names with a shape.

The parser reads every product as a product of commuting scalars, so ``AB`` and ``BA`` come
back equal. Before parsing, each matrix occurrence (a name from the shape table, ``I``, a
transpose ``A^T``, an explicit block, the operator ``\\odot``) becomes a placeholder whose name
encodes its position in the text (``MXaaa``, ``MXaab``, ...). After parsing, the products are
rebuilt in that order as SymPy matrix expressions, so the order of the notes is kept even
though the parser sorted the factors.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from checker.notation_rules import code, matching
from checker.shapes import Reshape, is_flexible, unify

_ENV = re.compile(r"\\begin\s*\{(cases|pmatrix|bmatrix|matrix|Bmatrix|array)\}(?:\s*\{[lcr|\s]*\})?")
_CODE = re.compile(r"MX[a-z]{3}")
_TRANSPOSE = re.compile(r"\s*\^\s*(?:\{\s*(?:T|\\top|\\intercal)\s*\}|T|\\top(?![A-Za-z])"
                        r"|\\intercal(?![A-Za-z]))")
_SUBSCRIPT = re.compile(r"_\s*(?:\{\s*([A-Za-z0-9]+)\s*\}|([A-Za-z0-9]))")
_TOKEN = re.compile(r"\\mathrm\{([A-Za-z0-9]+)\}|\\([A-Za-z]+)|(?<!\\)([A-Za-z])")


class MatrixError(ValueError):
    """The matrix notation cannot be read with confidence."""


@dataclass
class Blocks:
    """``\\begin{...}`` blocks cut out of an equation, in order: (environment, body)."""

    items: list[tuple[str, str]] = field(default_factory=list)


def extract_blocks(text: str, blocks: Blocks) -> str:
    """Replace each cases/matrix block by ``\\mathrm{BLKaaa}`` and keep its body in `blocks`."""
    out, i = [], 0
    for m in _ENV.finditer(text):
        if m.start() < i:
            continue
        env = m.group(1)
        end = text.find(rf"\end{{{env}}}", m.end())
        if end < 0:
            raise MatrixError(f"\\begin{{{env}}} has no \\end{{{env}}}")
        body = text[m.end():end]
        if _ENV.search(body):
            raise MatrixError("nested matrices and cases are not supported")
        blocks.items.append((env, body))
        out.append(text[i:m.start()] + rf" \mathrm{{BLK{code(len(blocks.items) - 1)}}} ")
        i = end + len(rf"\end{{{env}}}")
    out.append(text[i:])
    s = "".join(out)
    # \det\begin{pmatrix}..\end{pmatrix}: a call, so that the determinant applies to the block
    s = re.sub(r"\\(?:operatorname\*?|mathrm|text)\s*\{\s*(tr|Tr|trace)\s*\}\s*\\mathrm\{(BLK[a-z]{3})\}",
               r"\\mathrm{\1}(\\mathrm{\2})", s)  # a trace of a block, as a call
    return re.sub(r"\\det\s*\\mathrm\{(BLK[a-z]{3})\}", r"\\det(\\mathrm{\1})", s)


def cells(body: str) -> list[list[str]]:
    """Rows (split at ``\\\\``) and cells (split at ``&``), outside braces."""
    rows, row, cell, depth, k = [], [], [], 0, 0
    while k < len(body):
        c = body[k]
        if c in "{([":
            depth += 1
        elif c in "})]":
            depth -= 1
        if depth == 0 and body.startswith("\\\\", k):
            row.append("".join(cell))
            rows.append(row)
            row, cell = [], []
            k += 2
            continue
        if depth == 0 and c == "&":
            row.append("".join(cell))
            cell = []
        else:
            cell.append(c)
        k += 1
    row.append("".join(cell))
    rows.append(row)
    return [r for r in rows if any(x.strip() for x in r)]


@dataclass
class Table:
    """The matrix placeholders of one equation: code → (kind, payload).

    `parse` reads the text of a parenthesised group (``(X^T X)^{-1}``), which is cut out
    before parsing because SymPy would distribute the power over a scalar product.
    """

    entries: dict[str, tuple[str, Any]] = field(default_factory=dict)
    parse: Any = None

    def add(self, kind: str, payload: Any) -> str:
        key = "MX" + code(len(self.entries))
        self.entries[key] = (kind, payload)
        return rf"\mathrm{{{key}}}"


def _plain(name: str) -> str:
    return name.replace("QQ", "_")


_GROUP_POWER = re.compile(r"\s*\^\s*(\{\s*-\s*1\s*\}|-1|\{\s*(?:T|\\top|\\intercal)\s*\}|T"
                          r"|\\top(?![A-Za-z])|\{\s*\d\s*\}|\d)")


def _has_matrix(text: str, shapes: Mapping[str, tuple[Any, Any]]) -> bool:
    """Whether `text` names a matrix of the table (``x`` in ``x_1`` is not the vector x)."""
    for t in _TOKEN.finditer(text):
        name = _plain(t.group(1) or t.group(2) or t.group(3))
        sub = _SUBSCRIPT.match(text, t.end())
        if sub:
            name = f"{name}_{sub.group(1) or sub.group(2)}"
        if name in shapes:
            return True
    return False


def _groups(text: str, shapes: Mapping[str, tuple[Any, Any]], found: list[tuple[str, str]]) -> str:
    """``( ... )^{-1}``, ``( ... )^T``, ``( ... )^2`` around matrices → ``\\mathrm{GRPk}``."""
    k = 0
    while True:
        k = text.find("(", k)
        if k < 0:
            return text
        close = matching(text, k)
        power = _GROUP_POWER.match(text, close + 1) if close > 0 else None
        inner = text[k + 1:close] if close > 0 else ""
        if power and _has_matrix(inner, shapes):
            op = re.sub(r"[\s{}^]", "", power.group(1)).replace("\\top", "T").replace("\\intercal", "T")
            found.append((op, inner))
            marker = rf"\mathrm{{GRP{len(found) - 1}}}"
            text = text[:k] + marker + text[power.end():]
            k += len(marker)
        else:
            k += 1


def mark(text: str, shapes: Mapping[str, tuple[Any, Any]], matrix_blocks: set[str], table: Table) -> str:
    """Matrix occurrences → position-ordered placeholders (see the module docstring)."""
    groups: list[tuple[str, str]] = []
    if shapes:
        text = _groups(text, shapes, groups)
    out, i = [], 0
    for m in _TOKEN.finditer(text):
        if m.start() < i:
            continue
        raw = m.group(1) or m.group(2) or m.group(3)
        after = text[m.end():m.end() + 1]
        if m.group(1) and raw in matrix_blocks:
            out.append(text[i:m.start()] + table.add("value", raw))
            i = m.end()
            continue
        if m.group(1) and re.fullmatch(r"GRP\d+", raw):
            out.append(text[i:m.start()] + table.add("grp", groups[int(raw[3:])]))
            i = m.end()
            continue
        if m.group(2) == "odot" and (shapes or matrix_blocks):
            out.append(text[i:m.start()] + " " + table.add("H", None) + " ")
            i = m.end()
            continue
        name = _plain(raw)
        end = m.end()
        if after == "_" and shapes:
            sub = _SUBSCRIPT.match(text, m.end())
            full = f"{name}_{sub.group(1) or sub.group(2)}".replace("ZZ", "") if sub else ""
            if not sub or full not in shapes:
                continue
            name, end = full, sub.end()
        if not shapes or (m.group(2) and name not in shapes):
            continue
        if m.group(3) == "I" and "I" not in shapes:
            out.append(text[i:m.start()] + table.add("I", None))
            i = m.end()
            continue
        if name not in shapes:
            continue
        t = _TRANSPOSE.match(text, end)
        if t:
            out.append(text[i:m.start()] + table.add("T", name))
            i = t.end()
        else:
            out.append(text[i:m.start()] + table.add("sym", name))
            i = end
    out.append(text[i:])
    return "".join(out)


#: The names of the trace as the notation layer spells them (``\\operatorname{tr}``, ``\\mathrm{Tr}``).
TRACE_NAMES = frozenset({"tr", "Tr", "trace", "math{tr}", "math{Tr}", "math{trace}"})
_IDENTITY = sp.Symbol("MXidentity")
_HADAMARD = sp.Symbol("MXhadamard")


def is_matrix(e: Any) -> bool:
    return isinstance(e, (sp.MatrixBase, sp.MatrixExpr))


def _has_code(e: Any) -> bool:
    return isinstance(e, sp.Basic) and any(_CODE.fullmatch(s.name) for s in e.free_symbols
                                           if isinstance(s, sp.Symbol))


def _position(e: Any) -> str:
    codes = [s.name for s in e.free_symbols if isinstance(s, sp.Symbol) and _CODE.fullmatch(s.name)]
    return min(codes) if codes else ""


def rebuild(e: Any, table: Table, values: Mapping[str, Any], shapes: Mapping[str, tuple[Any, Any]],
            hint: tuple[Any, Any] | None = None) -> Any:
    """The expression with its placeholders turned back into matrices, products in order."""
    if isinstance(e, sp.Symbol) and _CODE.fullmatch(e.name):
        kind, payload = table.entries[e.name]
        if kind == "sym":
            if payload.startswith("MXzeros"):
                return sp.ZeroMatrix(*shapes[payload])
            if payload.startswith("MXones"):
                return sp.OneMatrix(*shapes[payload])
            return sp.MatrixSymbol(payload, *shapes[payload])
        if kind == "T":
            return sp.Transpose(sp.MatrixSymbol(payload, *shapes[payload]))
        if kind == "value":
            return values[payload]
        if kind == "grp":
            op, inner = payload
            value = table.parse(inner)
            if not is_matrix(value) and value is not _IDENTITY:  # (w^T x)^2: a number
                return value if op == "T" else value ** int(op)
            if not is_matrix(value):
                raise MatrixError(f"({inner.strip()[:40]}) is not a matrix")
            if op == "T":
                return sp.Transpose(value)
            if op == "-1":
                return sp.Inverse(value)
            return sp.MatPow(value, int(op))
        if kind == "I":
            return sp.Identity(hint[0]) if hint and hint[0] == hint[1] else _IDENTITY
        return _HADAMARD
    if not _has_code(e):
        return e
    if isinstance(e, sp.Mul):
        return _product(e, table, values, shapes, hint)
    if isinstance(e, sp.Add):
        terms = [rebuild(t, table, values, shapes, hint) for t in e.args]
        mats = [t for t in terms if is_matrix(t)]
        if not mats:
            return sp.Add(*terms)
        if len(mats) != len(terms):
            _promote([t for t in terms if not is_matrix(t) and t is not _IDENTITY], mats[0].shape)
            raise MatrixError("a matrix plus a scalar is not defined")
        shape = mats[0].shape
        for m in mats[1:]:
            if m is not _IDENTITY and m.shape != shape:
                for x, y in zip(shape, m.shape):
                    unify(x, y)
                raise MatrixError(f"a {shape[0]}×{shape[1]} matrix plus a {m.shape[0]}×{m.shape[1]} one is not defined")
        return sp.MatAdd(*[sp.Identity(shape[0]) if t is _IDENTITY else t for t in terms])
    if isinstance(e, sp.Pow):
        base = rebuild(e.base, table, values, shapes, hint)
        if not is_matrix(base):
            if base is _IDENTITY:
                raise MatrixError("the size of I is not known")
            return sp.Pow(base, e.exp)
        if e.exp == -1:
            return sp.Inverse(base)
        if e.exp.is_Integer and e.exp > 0:
            return sp.MatPow(base, e.exp)
        raise MatrixError(f"a matrix to the power {e.exp} is not defined")
    args = [rebuild(a, table, values, shapes) for a in e.args]
    if type(e).__name__ in ("det", "math{det}") or getattr(e.func, "__name__", "") == "det":
        if len(args) == 1 and is_matrix(args[0]):
            return sp.Determinant(args[0])
        raise MatrixError("det needs a square matrix")
    if type(e).__name__ in TRACE_NAMES:
        if len(args) == 1 and is_matrix(args[0]) and args[0].shape[0] == args[0].shape[1]:
            return sp.Trace(args[0])
        raise MatrixError("a trace needs a square matrix")
    if isinstance(e, sp.core.function.AppliedUndef) and not any(a is _IDENTITY or a is _HADAMARD for a in args):
        return e.func(*args)  # J(w): a function of a vector, which the notes may define
    if any(is_matrix(a) or a is _IDENTITY or a is _HADAMARD for a in args):
        raise MatrixError(f"{type(e).__name__} of a matrix is not supported")
    return e.func(*args)


def _product(e: sp.Mul, table: Table, values: Mapping[str, Any], shapes: Mapping[str, tuple[Any, Any]],
             hint: tuple[Any, Any] | None) -> Any:
    scalars = [a for a in e.args if not _has_code(a)]
    ordered = sorted((a for a in e.args if _has_code(a)), key=_position)
    parts = [rebuild(a, table, values, shapes) for a in ordered]
    groups: list[list[Any]] = [[]]
    for p in parts:
        if p is _HADAMARD:
            groups.append([])
        elif is_matrix(p) or p is _IDENTITY:
            groups[-1].append(p)
        else:
            scalars.append(p)
    if len(groups) == 1 and not groups[0]:
        return sp.Mul(*scalars)  # (1/m)(w^T x + b): numbers only, once 1×1 products are numbers
    if any(not g for g in groups):
        raise MatrixError("\\odot needs a matrix on each side")
    factors = [_matmul(g, hint if len(groups) == 1 else None) for g in groups]
    if any(f is _IDENTITY for f in factors):
        return _IDENTITY if not scalars and len(factors) == 1 else _fail_identity()
    if len(factors) > 1:
        for f in factors[1:]:
            if f.shape != factors[0].shape:
                for x, y in zip(factors[0].shape, f.shape):
                    unify(x, y)
                raise MatrixError("\\odot needs two matrices of one shape")
    value = factors[0] if len(factors) == 1 else sp.HadamardProduct(*factors)
    if isinstance(value, sp.MatrixExpr) and value.shape == (1, 1) and not isinstance(value, sp.MatrixSymbol):
        value = MatrixElement(value, 0, 0)  # w^T x: a number
    scalar = sp.Mul(*scalars)
    return value if scalar == 1 else sp.MatMul(scalar, value)


def _fail_identity() -> Any:
    raise MatrixError("the size of I is not known")


def _matmul(group: list[Any], hint: tuple[Any, Any] | None) -> Any:
    known = [g for g in group if g is not _IDENTITY]
    if not known:
        if hint and hint[0] == hint[1]:
            return sp.Identity(hint[0])
        return _IDENTITY
    resolved = []
    for k, g in enumerate(group):
        if g is _IDENTITY:
            nxt = next((x for x in group[k + 1:] if x is not _IDENTITY), None)
            resolved.append(sp.Identity(nxt.shape[0] if nxt is not None else resolved[-1].shape[1]))
        else:
            resolved.append(g)
    if len(resolved) == 1:
        return resolved[0]
    for a, b in zip(resolved, resolved[1:]):
        if a.shape[1] != b.shape[0]:
            unify(a.shape[1], b.shape[0])
            raise MatrixError(f"a {a.shape[0]}×{a.shape[1]} matrix times a {b.shape[0]}×{b.shape[1]} one "
                              "is not defined")
    return sp.MatMul(*resolved)


def _promote(terms: list[Any], shape: tuple[Any, Any]) -> None:
    """Scalar names added to a vector of inferred size (``W h + b``) are vectors of its shape."""
    if not any(is_flexible(d) for d in shape):
        return
    names = []
    for t in terms:
        coeff, rest = t.as_coeff_Mul() if isinstance(t, sp.Expr) else (None, None)
        if isinstance(rest, sp.Symbol) and not rest.name.startswith("MX"):
            names.append((rest.name, shape))
        else:
            return
    if names:
        raise Reshape(promote=tuple(names))


def unify_sides(sides: list[Any]) -> None:
    """The sides of a relation have one shape: raise `Reshape` where inferred sizes must agree."""
    from checker.shapes import value_shape

    shapes = [value_shape(x) for x in sides]
    shapes = [s for s in shapes if s is not None]
    for shape in shapes[1:]:
        if shape != shapes[0]:
            for x, y in zip(shapes[0], shape):
                unify(x, y)


def norm(which: str, args: list[Any]) -> Any:
    """A norm of a vector or a matrix (``normtwo``, ``normone``, ``normfro``), built from matrix
    operations that are written out at concrete sizes. A plain name inside a norm is a vector."""
    if len(args) != 1:
        raise MatrixError("a norm takes one vector or matrix")
    x = args[0]
    if isinstance(x, sp.Symbol) and not x.name.startswith("MX"):
        shape = (f"rows_{x.name}", f"cols_{x.name}") if which == "normfro" else (f"size_{x.name}", 1)
        raise Reshape(promote=((x.name, shape),))
    if not is_matrix(x):
        raise MatrixError("the norm of a number is not read (write |x| for an absolute value)")
    rows, cols = x.shape
    vector = cols == 1 or rows == 1
    column = x if cols == 1 else x.T
    if which == "normtwo" and vector:
        return sp.sqrt(MatrixElement(sp.MatMul(column.T, column), 0, 0))
    if which == "normone" and vector:
        k = sp.Symbol("norm_k", integer=True)
        return sp.Sum(sp.Abs(column[k, 0]), (k, 0, column.shape[0] - 1))
    if which == "normfro":
        return sp.sqrt(sp.Trace(sp.MatMul(x.T, x)))
    if which == "normtwo":
        raise MatrixError("the 2-norm of a matrix (its largest singular value) is not read; ‖A‖_F is")
    raise MatrixError("this norm (‖x‖_∞, or of a matrix) is not read")


def relate_entries(e: Any, shapes: Mapping[str, tuple[Any, Any]]) -> Any:
    """Inside ``\\sum_{j=1}^{n}``, the entry ``w_j`` of a vector w of the table is its j-th entry
    (1-based): w's inferred size becomes n. Where the sizes differ, the entry is left alone."""
    if not isinstance(e, sp.Basic) or not e.has(sp.Sum):
        return e

    def one(s: sp.Sum) -> Any:
        mapping = {}
        for x in s.function.atoms(sp.Indexed):
            name = str(x.base.label)
            shape = shapes.get(name)
            if shape is None or shape[1] != 1 or len(x.indices) != 1:
                continue
            limit = next((lim for lim in s.limits if lim[0] == x.indices[0]), None)
            if limit is None or limit[1] != 1 or not isinstance(limit[2], (sp.Symbol, sp.Integer)):
                continue
            if str(shape[0]) != str(limit[2]):
                unify(shape[0], str(limit[2]) if isinstance(limit[2], sp.Symbol) else int(limit[2]))
                continue
            mapping[x] = MatrixElement(sp.MatrixSymbol(name, *shape), x.indices[0] - 1, 0)
        return s.xreplace(mapping) if mapping else s

    return e.replace(lambda a: isinstance(a, sp.Sum), one)


def identity_marker(e: Any) -> bool:
    return e is _IDENTITY


__all__ = ["Blocks", "MatrixError", "Table", "cells", "extract_blocks", "identity_marker", "is_matrix", "mark",
           "norm", "rebuild", "relate_entries", "unify_sides"]
