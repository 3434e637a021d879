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
from sympy.matrices.expressions.matexpr import MatrixElement

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
    #: the indices of a family of several (``A_{ij} = ...``); () for one index
    indices: tuple[sp.Symbol, ...] = ()


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


#: ``A_{ij}``, ``A_{i,j}``: an entry at two letter indices (letters that notes use as indices).
_PAIR = re.compile(r"^\s*(?P<a>[i-np-v])\s*,?\s*(?P<b>[i-np-v])\s*$")


def pair_of(name: str, spelling: dict[str, str]) -> tuple[str, tuple[sp.Symbol, sp.Symbol]] | None:
    """``(label, (i, j))`` of a name written as an entry at two letter indices (``S_{ij}``)."""
    shown = spelling.get(name, name)
    m = _SUBSCRIPTED.match(shown)
    if not m or "_" not in name or not m.group("braced"):
        return None
    p = _PAIR.match(m.group("braced"))
    label = name.rsplit("_", 1)[0]
    if not p or p.group("a") == p.group("b") or not re.match(r"^[A-Za-z][A-Za-z0-9_]*$", label):
        return None
    return label, (sp.Symbol(p.group("a"), integer=True), sp.Symbol(p.group("b"), integer=True))


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
        pair = pair_of(s.name, spelling) if not found else None
        if pair and pair[0] in labels:
            mapping[s] = base(pair[0])[pair[1]]
    e = e.xreplace(mapping) if mapping else e
    # entries of one vector share one label symbol (real), whatever the parser gave them
    relabel = {b: base(str(b.label)) for b in e.atoms(sp.IndexedBase) if str(b.label) in labels}
    return e.xreplace(relabel) if relabel else e


def family_of(name: str, body: Any, spelling: dict[str, str], line: int) -> Family | None:
    """The family that ``name = body`` defines, when `name` is a subscripted name with a letter
    index (``v_t``, ``p_j``)."""
    pair = pair_of(name, spelling)
    if pair is not None and isinstance(body, sp.Basic):  # A_{ij} = e^{S_{ij}} / Σ_k e^{S_{ik}}
        label = pair[0]
        indexed = {label} | {q[0] for s in body.free_symbols if (q := pair_of(getattr(s, "name", ""), spelling))}
        terms = as_terms(body, spelling, indexed)
        if any(str(x.base.label) == label for x in terms.atoms(sp.Indexed)) or sp.Symbol(label) in terms.free_symbols:
            return None
        return Family(label=sp.Symbol(label, real=True), var=pair[1][0], body=terms, recursive=False, line=line,
                      indices=pair[1])
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
        if fam is not None and fam.indices and len(x.indices) == len(fam.indices):
            mapping[x] = _fresh_dummies(fam.body).xreplace(dict(zip(fam.indices, x.indices)))
            continue
        if fam is None or len(x.indices) != 1 or fam.indices:
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


def _fresh_dummies(e: Any) -> Any:
    """`e` with the indices of its sums renamed apart, so that an entry's indices put in its place
    are not captured by them (A_{kj} in a body that sums over k)."""
    if not isinstance(e, sp.Basic):
        return e

    def rename(s: Any) -> Any:
        mapping = {lim[0]: sp.Symbol(f"{lim[0].name}'", **lim[0].assumptions0) for lim in s.limits}
        limits = [(mapping[lim[0]], *lim[1:]) for lim in s.limits]
        return type(s)(s.function.xreplace(mapping), *limits)

    return e.replace(lambda x: isinstance(x, (sp.Sum, sp.Product)), rename)


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


# --- entries at free indices -------------------------------------------------------------------

#: Values of a free index (the j of ∂Ω/∂w_j, the i of Σ_j A_ij) and of the sizes that bound it:
#: every combination (i = j and i ≠ j, an index at the end of its range and inside it) fits in
#: the size combinations the engine tries.
INDEX_AT = (1, 2)
BOUND_AT = (2, 3)


def entry_products(e: Any, spelling: dict[str, str], labels: set[str]) -> Any:
    """`e` with a term of a family written before parentheses (``s_i (1 - s_j)``, read as a call
    of a function ``s_i``) as the product of the entry and what the parentheses hold."""
    if not isinstance(e, sp.Basic):
        return e
    from sympy.core.function import AppliedUndef

    mapping = {}
    for call in e.atoms(AppliedUndef):
        found = term_of(type(call).__name__, spelling)
        if found and found[0] in labels and len(call.args) == 1:
            mapping[call] = base(found[0])[found[1]] * call.args[0]
    return e.xreplace(mapping) if mapping else e


def entry_variables(a: Any, b: Any, spelling: dict[str, str]) -> tuple[Any, Any]:
    """Both sides with the variables of their derivatives that name entries of a vector the
    differentiated expression contains (``∂/∂w_j`` of ``Σ_k w_k^2``) written as entries ``w[j]``,
    and every other name of those entries (the ``λ w_j`` of the other side) alike."""
    labels: set[str] = set()
    variables: dict[Any, Any] = {}
    vectors: dict[str, Any] = {}
    for e in (a, b):
        if not isinstance(e, sp.Basic):
            continue
        for d in e.atoms(sp.Derivative):
            inside = {str(x.label) for x in d.expr.atoms(sp.IndexedBase)}
            columns = {m.name: m for m in d.expr.atoms(sp.MatrixSymbol) if m.shape[1] == 1}
            for v in d.variables:
                found = term_of(getattr(v, "name", ""), spelling)
                if found and found[0] in inside:
                    labels.add(found[0])
                    variables[v] = base(found[0])[found[1]]
                elif found and found[0] in columns:  # ∂/∂w_j of ‖w‖²: the entry w[j - 1, 0] of the vector w
                    vectors[found[0]] = columns[found[0]]
    for e in (a, b):  # w_j on either side, as that entry
        for s in (e.free_symbols if isinstance(e, sp.Basic) else ()):
            found = term_of(getattr(s, "name", ""), spelling)
            if found and found[0] in vectors:
                variables[s] = vectors[found[0]][found[1] - 1, 0]
    if not variables:
        return a, b
    # a variable is not a free symbol of a derivative that does not contain it by that name
    a, b = (e.xreplace(variables) if isinstance(e, sp.Basic) else e for e in (a, b))
    if not labels:
        return a, b
    return as_terms(a, spelling, labels), as_terms(b, spelling, labels)


def _ranges(sides: tuple[Any, ...]) -> dict[tuple[str, int], set[tuple[Any, Any]]]:
    """For each position of each vector summed over, the ranges of the sums over it."""
    out: dict[tuple[str, int], set[tuple[Any, Any]]] = {}
    for e in sides:
        if not isinstance(e, sp.Basic):
            continue
        for s in e.atoms(sp.Sum):
            for k, lo, hi in s.limits:
                for x in s.function.atoms(sp.Indexed):
                    for p, index in enumerate(x.indices):
                        if index == k:
                            out.setdefault((str(x.base.label), p), set()).add((lo, hi))
    return out


def _occurrences(e: Any, bound: frozenset[sp.Symbol], out: dict[sp.Symbol, list[tuple[Any, int]]],
                 dummies: set[sp.Symbol]) -> None:
    """The letter indices of the entries of `e` that no sum around them binds, each with the
    entries (and positions) it indexes; the indices that sums bind, in `dummies`."""
    if isinstance(e, (sp.Sum, sp.Product)):
        names = frozenset(lim[0] for lim in e.limits)
        dummies |= names
        _occurrences(e.function, bound | names, out, dummies)
        for lim in e.limits:
            for x in lim[1:]:
                _occurrences(x, bound, out, dummies)
        return
    if isinstance(e, (sp.Indexed, MatrixElement)):
        for p, index in enumerate(e.indices if isinstance(e, sp.Indexed) else e.args[1:]):
            for s in index.free_symbols:
                if isinstance(s, sp.Symbol) and s.is_integer and s not in bound:
                    out.setdefault(s, []).append((e, p))
        return
    if isinstance(e, sp.Basic):
        for a in e.args:
            _occurrences(a, bound, out, dummies)


def _renamed_dummies(e: Any, clash: set[sp.Symbol]) -> Any:
    """`e` with the indices of its sums that are also free indices of the claim renamed
    (``∂/∂w_j Σ_j w_j^2``: the summed j is not the free j)."""
    if not isinstance(e, sp.Basic) or not clash:
        return e

    def rename(s: Any) -> Any:
        mapping = {lim[0]: sp.Symbol(f"{lim[0].name}_", **lim[0].assumptions0)
                   for lim in s.limits if lim[0] in clash}
        limits = [(mapping.get(lim[0], lim[0]), *lim[1:]) for lim in s.limits]
        return type(s)(s.function.xreplace(mapping), *limits)

    return e.replace(lambda x: isinstance(x, (sp.Sum, sp.Product)) and any(lim[0] in clash for lim in x.limits),
                     rename)


def free_indices(sides: tuple[Any, ...]) -> dict[sp.Symbol, Any] | None:
    """The letter indices of entries that no sum binds, each with the size that bounds it (the n
    of ``Σ_{k=1}^{n} z_k`` for the j of ``z_j``, the n of a vector w of n entries for the j of
    ``w[j - 1, 0]``), or None where no sum ranges over its position (any entry: its first ones
    exist); {} when there are none, None when a range is not one from 1 to a size, or two ranges
    differ (the claim is then not instantiated). The sums' indices must differ from them."""
    ranges = _ranges(sides)
    found: dict[sp.Symbol, list[tuple[Any, int]]] = {}
    for e in sides:
        _occurrences(e, frozenset(), found, set())
    out: dict[sp.Symbol, Any] = {}
    for index, places in found.items():
        for x, p in places:
            if isinstance(x, MatrixElement):  # w[j - 1, 0]: the entry j of a vector of n entries
                if x.args[1 + p] != index - 1:
                    return None
                his = {x.args[0].shape[p]}
            else:
                if x.indices[p] != index:
                    return None
                spans = ranges.get((str(x.base.label), p), set())
                his = {hi for lo, hi in spans if lo == 1}
                if len(his) < len(spans):
                    return None
            if len(his) > 1 or (his and out.get(index) not in (None, *his)):
                return None
            if his:
                out[index] = next(iter(his))
            else:
                out.setdefault(index, None)
    if any(hi is not None and not (hi.is_Integer or (isinstance(hi, sp.Symbol) and hi.is_integer and hi.is_positive))
           for hi in out.values()):
        return None
    return out


_NAMED_ENTRY = re.compile(r"^(?P<base>.+?)_\{?(?P<sub>[A-Za-z0-9, ]+)\}?$")


def named_entry(sides: tuple[Any, ...], spelling: dict[str, str]) -> str:
    """A name written like an entry of a vector or matrix that the claim also holds as entries
    (``y_{ij}`` beside ``y[i, j]``), which the reading does not relate to them; "" when none."""
    labels: set[str] = set()
    names: set[sp.Symbol] = set()
    for e in sides:
        if isinstance(e, sp.Basic):
            labels |= {str(b.label) for b in e.atoms(sp.IndexedBase)} | {m.name for m in e.atoms(sp.MatrixSymbol)}
            names |= {s for s in e.atoms(sp.Symbol)}
    for s in sorted(names, key=lambda s: s.name):
        shown = spelling.get(s.name, s.name)
        m = _NAMED_ENTRY.match(shown)
        if m and (m.group("base") in labels or ("_" in s.name and s.name.rsplit("_", 1)[0] in labels)):
            return shown
    return ""


def at_indices(claim: Any) -> Any:
    """The claim checked at concrete sizes and concrete values of its free indices (each kept in
    the range of the sums over its vector): ``∂s_i/∂z_j`` at n = 2, 3 with i, j = 1, 2. The claim
    unchanged when it has no free index; None when an index has no known range."""
    from dataclasses import replace

    sides = tuple(getattr(claim, name) for name in ("lhs", "rhs") if hasattr(claim, name))
    if len(sides) != 2:
        return claim
    found: dict[sp.Symbol, list[tuple[Any, int]]] = {}
    dummies: set[sp.Symbol] = set()
    for e in sides:
        _occurrences(e, frozenset(), found, dummies)
    if not found:
        return claim
    sides = tuple(_renamed_dummies(e, dummies & set(found)) for e in sides)
    indices = free_indices(sides)
    if indices is None:
        return None
    mapping = {i: sp.Symbol(i.name, integer=True, positive=True) for i in indices}
    lhs, rhs = (e.xreplace(mapping) if isinstance(e, sp.Basic) else e for e in sides)
    his = {hi for hi in indices.values() if isinstance(hi, sp.Symbol)}
    sizes = tuple((s, BOUND_AT if s in his else values) for s, values in claim.sizes)
    known = {s for s, _ in sizes}
    if not his <= known:
        return None
    sizes += tuple((mapping[i], INDEX_AT) for i in sorted(indices, key=sp.default_sort_key))
    within = tuple(sp.LessThan(mapping[i], indices[i]) for i in sorted(indices, key=sp.default_sort_key)
                   if indices[i] is not None)
    return replace(claim, lhs=lhs, rhs=rhs, sizes=sizes, assumptions=tuple(claim.assumptions) + within)


__all__ = ["Family", "UNROLL_AT", "as_terms", "at_indices", "entry_products", "entry_variables", "expand",
           "family_of", "free_indices", "index_symbols", "instances", "named_entry", "says_zero_start",
           "term_of"]
