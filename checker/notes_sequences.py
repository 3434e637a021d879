"""Indexed families of notes: ``p_j = ...`` for every j, and sequences defined from their
previous term (``v_t = \\mu v_{t-1} + g_t``, with ``v_0``).

A name written with a subscript (``v_t``, ``v_{t-1}``, ``g_k``, ``v_2``) is a *term* of a family
when its base is the base of an indexed definition, or of a vector summed over in the same
claim; terms are rewritten as entries ``v[t - 1]`` so that one vector has one representation.

A claim about a sequence is checked by unrolling it: its index takes the values 1, ..., 4 (a
column of instances, each compared), and every term is replaced by its definition down to the
start values (``v_0 = 0`` in the notes, or "every state variable starts at zero").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sympy as sp

#: Values of the index at which a claim about a sequence is unrolled.
UNROLL_AT = (1, 2, 3, 4)
#: The deepest unrolling (a term far from the start is not written out).
MAX_DEPTH = 12

_SUBSCRIPTED = re.compile(r"^(?P<base>.+?)_(?:\{(?P<braced>[^{}]+)\}|(?P<plain>[A-Za-z0-9]))$")
#: ``w^{(k)}``, ``w^{(k+1)}``: an iteration written as a superscript in parentheses.
_SAMPLE = re.compile(r"^(?P<base>[^^]+?)\^\{\((?P<braced>[^()]+)\)\}(?P<plain>)$")
_INDEX = re.compile(r"^\s*(?:(?P<var>[A-Za-z])\s*(?:(?P<sign>[+-])\s*(?P<off>\d+))?|(?P<num>\d+))\s*$")


@dataclass(frozen=True)
class Family:
    """``label_var = body`` for every value of `var` (the body's terms written as entries)."""

    label: sp.Symbol
    var: sp.Symbol
    body: Any
    recursive: bool
    line: int


def term_of(name: str, spelling: dict[str, str]) -> tuple[str, Any] | None:
    """``(label, index)`` of a subscripted name (``m_tm1`` spelled ``m_{t-1}`` → ``("m", t - 1)``)."""
    shown = spelling.get(name, name)
    m = _SUBSCRIPTED.match(shown) or _SAMPLE.match(shown)
    if not m or "_" not in name:
        return None
    sub = m.group("braced") or m.group("plain") or ""
    i = _INDEX.match(sub)
    if not i:
        return None
    label = name.rsplit("_", 1)[0]
    if not label or not re.match(r"^[A-Za-z][A-Za-z0-9_]*$", label):
        return None
    if i.group("num") is not None:
        return label, sp.Integer(int(i.group("num")))
    var = sp.Symbol(i.group("var"), integer=True)
    off = int(i.group("off") or 0) * (-1 if i.group("sign") == "-" else 1)
    return label, var + off


def base(label: str) -> sp.IndexedBase:
    return sp.IndexedBase(sp.Symbol(label, real=True))


def as_terms(e: Any, spelling: dict[str, str], labels: set[str]) -> Any:
    """`e` with the subscripted names of the given labels (and of the vectors it sums over)
    written as entries ``label[index]``."""
    if not isinstance(e, sp.Basic):
        return e
    labels = set(labels) | {str(b.label) for b in e.atoms(sp.IndexedBase)}
    mapping = {}
    for s in e.free_symbols:
        if not isinstance(s, sp.Symbol):
            continue
        found = term_of(s.name, spelling)
        if found and found[0] in labels:
            mapping[s] = base(found[0])[found[1]]
    e = e.xreplace(mapping) if mapping else e
    # entries of one vector share one label symbol (real), whatever the parser gave them
    relabel = {b: base(str(b.label)) for b in e.atoms(sp.IndexedBase) if str(b.label) in labels}
    return e.xreplace(relabel) if relabel else e


def family_of(name: str, body: Any, spelling: dict[str, str], line: int) -> Family | None:
    """The family that ``name = body`` defines, when `name` is a subscripted name with a letter
    index (``v_t``, ``p_j``)."""
    found = term_of(name, spelling)
    if not found or not found[1].free_symbols or len(found[1].free_symbols) != 1:
        return None
    label, index = found
    [var] = index.free_symbols
    if not var.name.islower():
        return None  # μ_X, σ_Y: the subscript names a random variable, not an index
    if index != var:  # θ_{t+1} = F(θ_t) is θ_t = F(θ_{t-1})
        shift = index - var
        body = body.xreplace({s: _shifted(s, var, -shift, spelling) for s in body.free_symbols
                              if _shifted(s, var, -shift, spelling) is not None}) if isinstance(body, sp.Basic) else body
    # every name subscripted by the family's index is an entry of a vector (g_t in v_t = μ v_{t-1} + g_t)
    indexed = {label}
    if isinstance(body, sp.Basic):
        for s in body.free_symbols:
            t = term_of(getattr(s, "name", ""), spelling)
            if t and var in t[1].free_symbols:
                indexed.add(t[0])
    terms = as_terms(body, spelling, indexed)
    recursive = any(isinstance(x, sp.Indexed) and str(x.base.label) == label and (x.indices[0] - var).is_negative
                    for x in (terms.atoms(sp.Indexed) if isinstance(terms, sp.Basic) else ()))
    return Family(label=sp.Symbol(label, real=True), var=var, body=terms, recursive=recursive, line=line)


def _shifted(s: Any, var: sp.Symbol, by: Any, spelling: dict[str, str]) -> Any:
    """The subscripted name `s` with its index moved by `by` (θ_t → θ_{t-1}), as an entry."""
    found = term_of(getattr(s, "name", ""), spelling)
    if not found or var not in found[1].free_symbols:
        return None
    return base(found[0])[found[1] + by]


def index_symbols(e: Any, families: dict[str, Family]) -> set[sp.Symbol]:
    """The letter indices of terms of recursive families in `e` (the t of ``v_t``)."""
    out: set[sp.Symbol] = set()
    if not isinstance(e, sp.Basic):
        return out
    for x in e.atoms(sp.Indexed):
        fam = families.get(str(x.base.label))
        if fam is not None and fam.recursive:
            out |= {s for s in x.indices[0].free_symbols}
    return out


def expand(e: Any, families: dict[str, Family], starts: dict[str, Any], depth: int = 0,
           spelling: dict[str, str] | None = None) -> Any:
    """Every term of a family replaced by its definition; terms of a recursive family at a
    number are unrolled down to the start values (`starts`: ``{"v_0": 0}``)."""
    if not isinstance(e, sp.Basic) or depth > MAX_DEPTH:
        return e
    if spelling is not None:  # a definition written before a family it uses was defined (g_t in v_t)
        e = as_terms(e, spelling, set(families))
    mapping = {}
    for x in e.atoms(sp.Indexed):
        fam = families.get(str(x.base.label))
        if fam is None or len(x.indices) != 1:
            continue
        index = x.indices[0]
        if fam.recursive:
            if not index.is_Integer:
                continue  # unrolled once the claim's index has a value
            key = f"{fam.label}_{int(index)}"
            if key in starts:
                mapping[x] = starts[key]
                continue
            if index <= 0:
                mapping[x] = sp.Symbol(key, real=True)  # a start value the notes do not give
                continue
        mapping[x] = fam.body.xreplace({fam.var: index})
    if not mapping:
        return e
    return expand(e.xreplace(mapping), families, starts, depth + 1, spelling)


def instances(lhs: Any, rhs: Any, families: dict[str, Family], starts: dict[str, Any],
              spelling: dict[str, str] | None = None) -> tuple[Any, Any] | None:
    """The claim at each index of `UNROLL_AT`, unrolled, as two columns; None when it has no
    term of a recursive family at a letter index."""
    index = index_symbols(lhs, families) | index_symbols(rhs, families)
    if len(index) != 1:
        return None
    [t] = index
    names = {t.name}
    if any(isinstance(side, sp.Basic) and any(v.name in names for lim in side.atoms(sp.Limit)
                                               for v in lim.free_symbols ^ lim.args[0].free_symbols)
           for side in (lhs, rhs)):
        return None  # a limit in the index (t → ∞) is not a value of it
    cols: tuple[list[Any], list[Any]] = ([], [])
    for value in UNROLL_AT:
        for side, col in ((lhs, cols[0]), (rhs, cols[1])):
            at = side.xreplace({s: sp.Integer(value) for s in side.free_symbols if s.name in names}) \
                if isinstance(side, sp.Basic) else side
            at = at.doit() if isinstance(at, sp.Basic) and at.has(sp.Sum, sp.Product) else at
            col.append(expand(at, families, starts, spelling=spelling))
    return sp.ImmutableMatrix(cols[0]), sp.ImmutableMatrix(cols[1])


_ZERO_START = re.compile(r"\b(?:start|starts|started|initiali[sz]ed?|begins?)\b[^.]{0,40}?\b(?:at|to|from|with)\s+"
                         r"(?:zero|0)\b", re.IGNORECASE)


def says_zero_start(text: str) -> bool:
    """Whether prose says the sequences start at zero ("every state variable starts at zero")."""
    return bool(_ZERO_START.search(text))


__all__ = ["Family", "UNROLL_AT", "as_terms", "expand", "family_of", "index_symbols", "instances",
           "says_zero_start", "term_of"]
