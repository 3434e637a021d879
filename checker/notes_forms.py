"""Forms of notes that the planner recognises: shape declarations, restated names, matrix
sides, rows with several equations. Pure functions of parsed sides and text.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef

from checker.notation import Notation, ParseError
from checker.notation_text import arguments

_BLOCK = re.compile(r"\\begin\{(cases|pmatrix|bmatrix|matrix|Bmatrix|vmatrix)\}.*?\\end\{\1\}", re.DOTALL)


def drop_alignment(text: str) -> str:
    """Alignment marks ``&`` become spaces, except inside cases and matrices, where they
    separate cells."""
    out, i = [], 0
    for m in _BLOCK.finditer(text):
        out.append(text[i:m.start()].replace("&", " "))
        out.append(m.group(0))
        i = m.end()
    out.append(text[i:].replace("&", " "))
    return "".join(out)


def trim(text: str) -> str:
    """Spacing and separating punctuation around an equation (``\\;``, ``,``), not its commands."""
    return re.sub(r"^(\s|\\[,;:! ]|[,;])+|(\s|\\[,;:! ]|[,;.])+$", "", text)


def top_level_commas(text: str) -> list[str]:
    """The parts of `text` between commas outside brackets, stripped, empty ones left out."""
    return [part.strip() for part in arguments(text)]


# --- turning parsed sides into checkable expressions ---------------------------------------------

def is_matrix(e: Any) -> bool:
    return isinstance(e, (sp.MatrixBase, sp.MatrixExpr)) or (isinstance(e, sp.Basic) and e.has(sp.MatrixSymbol))


def shape_of(e: Any) -> Any:
    """The shape of a matrix-valued side; None for a scalar (det(A) is a scalar)."""
    return e.shape if isinstance(e, (sp.MatrixBase, sp.MatrixExpr)) else None


_DECLARATION = re.compile(r"^\s*(?P<name>[^=<>]+?)\s*\\in\s*\\mathbb\s*\{\s*R\s*\}\s*"
                          r"(?:\^\s*(?P<dims>\{[^{}]*\}|[A-Za-z0-9]))?\s*[.,;]?\s*$")
_DIM = re.compile(r"^\s*([0-9]+|[A-Za-z](?:_[A-Za-z0-9])?)\s*$")


def declaration(latex: str, notation: Notation, parse: Any) -> tuple[str, Notation] | None:
    """``x \\in \\mathbb{R}^d``, ``W \\in \\mathbb{R}^{h \\times d}``: the shape of a name.

    The shape goes into the notation's shape table, so that later ``W^\\top`` and ``Wx`` are
    read as matrix notation. Returns the message of the declaration and the notation with
    the shape, or None when the row is not one.
    """
    m = _DECLARATION.match(latex)
    if not m:
        return None
    dims_text = (m.group("dims") or "").strip("{} ")
    dims = [d for d in re.split(r"\\times|\\cdot|×", dims_text)] if dims_text else []
    if any(not _DIM.match(d) for d in dims) or len(dims) > 2:
        return None
    try:
        parsed = parse(m.group("name"), notation=Notation(log_base=notation.log_base, infer=False))
    except ParseError:
        return None
    if parsed.relations or len(parsed.sides) != 1 or not isinstance(parsed.sides[0], sp.Symbol):
        return None
    name = parsed.sides[0].name
    if not dims:
        return f"declares {name} a real number", notation
    shape = tuple(int(d) if d.strip().isdigit() else d.strip().replace("_", "") for d in dims)
    if len(shape) == 1:
        shape = (shape[0], 1)
    if shape == (1, 1):
        return f"declares {name} a real number", notation
    table = tuple((n, s) for n, s in notation.shapes if n != name) + ((name, shape),)
    kind = "vector" if shape[1] == 1 else "matrix"
    return f"declares {name} a {shape[0]}×{shape[1]} {kind}", replace(notation, shapes=table)


def same_form(a: Any, b: Any) -> bool:
    """The same expression up to SymPy's canonical order (the parser keeps a + b unevaluated)."""
    try:
        return bool(sp.expand(a - b) == 0)
    except (TypeError, ValueError, AttributeError):
        return False


def redefined(sides: Sequence[Any], relations: Sequence[str], defined: Collection[str]) -> str:
    """The name, when a display equation ``NAME = ...`` gives a defined name another form.

    Notes do this both to restate a definition (a claim to check) and to introduce another
    loss under the same name (cs231n's L_i): which one is meant, the notes do not say.
    """
    if list(relations) != ["="] or len(sides) != 2:
        return ""
    lhs, rhs = sides
    if isinstance(lhs, sp.Symbol):
        name = lhs.name
    elif isinstance(lhs, AppliedUndef) and all(isinstance(a, sp.Symbol) for a in lhs.args):
        name = lhs.func.__name__
    else:
        return ""
    if name not in defined or (isinstance(rhs, sp.Basic) and name in {str(s) for s in rhs.free_symbols}):
        return ""
    return name


def plain_symbols(e: Any) -> set[Any]:
    """Free symbols of `e`, without the labels of its indexed objects (L in L[i])."""
    if not isinstance(e, sp.Basic):
        return set()
    labels = {b.label for b in e.atoms(sp.IndexedBase)}
    if not labels:
        return set(e.free_symbols)
    # entries hidden behind placeholders (not 0: a derivative with respect to an entry must stay one)
    placeholders = {x: sp.Dummy() for x in e.atoms(sp.Indexed)}
    hidden = e.xreplace(placeholders)
    free = set(hidden.free_symbols) - set(placeholders.values())
    return free - (labels - free)


def entry_derivative(e: Any) -> str | None:
    """A derivative with respect to ``f_j`` of an expression that sums over the entries f[j].

    ``∂/∂f_j Σ_j g(f_j)`` means the derivative with respect to one entry; as parsed, f_j is a
    name unrelated to the summed entries, so the derivative would come out wrong.
    """
    if not isinstance(e, sp.Basic):
        return None
    for d in e.atoms(sp.Derivative):
        bases = {str(b.label) for b in d.expr.atoms(sp.IndexedBase)}
        for v in d.variables:
            if isinstance(v, sp.Symbol) and "_" in v.name and v.name.rpartition("_")[0] in bases:
                return str(d.variables[0])
    return None


__all__ = ["declaration", "drop_alignment", "entry_derivative", "is_matrix", "plain_symbols", "redefined",
           "same_form", "shape_of", "top_level_commas", "trim"]
