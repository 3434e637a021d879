"""Operators of ML notation that are not plain calls: entries of a function's value, indicators.

Text rewrites (before parsing) and the SymPy they become (after parsing), for
`checker.notation`:

- an entry of a function's value, ``\\operatorname{softmax}(\\mathbf{z})_i``, ``\\sigma(\\mathbf{z})_k``,
  ``f(\\mathbf{x})_j``: softmax of a vector is the entry e^{z_i} / Σ_k e^{z_k} over the vector's
  entries (its size from the notes' declaration, or a size symbol checked at several sizes); an
  elementwise function (σ, ReLU, tanh, exp) of a vector at entry i is the function of the
  entry; any other function gives its component function ``f_j(x)``. ``softmax_T(z)`` is
  softmax(z / T). Which names of the argument are vectors: bold names, names the notes declare
  as vectors, or the argument itself when it is a single name; an argument that multiplies
  two vectors (a product or a power that could be a dot product) is refused;
- indicators (Iverson brackets) ``\\mathbb{1}[i = j]``, ``\\mathbb{1}\\{k = i\\}``,
  ``\\mathbf{1}(z_k > 0)``, ``[\\![ \\cdot ]\\!]``: an equality of two indices is a Kronecker delta
  (inside a sum over one of them it selects that term), any other condition a piecewise 0/1.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import sympy as sp

from checker.functions import relu, sigmoid
from checker.notation_rules import ParseError, code, matching
from checker.relations import INEQUALITIES


# --- indicators --------------------------------------------------------------------------------

_ONE = r"(?:\\mathbb\s*\{\s*1\s*\}|\\mathbb\s+1|\\mathds\s*\{\s*1\s*\}|\\mathbf\s*\{\s*1\s*\}|\\boldsymbol\s*\{\s*1\s*\}" \
       r"|\\bm\s*\{\s*1\s*\}|\\one(?![A-Za-z]))"
_INDICATOR = re.compile(_ONE + r"\s*(\\left\s*)?(\[|\\\{|\(|_)")
_IVERSON = re.compile(r"\[\s*\\!\s*\[|\\llbracket")
_HAS_RELATION = re.compile(r"=|<|>|\\le|\\ge|\\ne|\\lt|\\gt|\\in(?![A-Za-z])")


def indicators(s: str, store: list[str]) -> str:
    """Indicators → placeholders ``\\mathrm{INDaaa}``; `store` gets each condition's LaTeX.

    ``\\mathbb{1}[c]``, ``\\mathbb{1}\\{c\\}``, ``\\mathbb{1}(c)``, ``\\mathbb{1}_{c}``, ``\\mathbf{1}[c]``
    and Iverson brackets ``[\\![ c ]\\!]`` / ``\\llbracket c \\rrbracket`` with a relation in c. A bold
    1 without a condition is the vector of ones, and is left alone.
    """
    out, i = [], 0
    for m in _INDICATOR.finditer(s):
        if m.start() < i:
            continue
        found = _condition_at(s, m.end(2) - len(m.group(2)), m.group(2))
        if found is None:
            continue
        cond, end = found
        if not _HAS_RELATION.search(cond):
            continue
        store.append(cond)
        out.append(s[i:m.start()] + _placeholder(code(len(store) - 1), s[end:]))
        i = end
    out.append(s[i:])
    s = "".join(out)
    for m in list(_IVERSON.finditer(s))[::-1]:
        close = re.compile(r"\]\s*\\!\s*\]" if m.group(0).startswith("[") else r"\\rrbracket").search(s, m.end())
        if not close or not _HAS_RELATION.search(s[m.end():close.start()]):
            continue
        store.append(s[m.end():close.start()])
        s = s[:m.start()] + _placeholder(code(len(store) - 1), s[close.end():]) + s[close.end():]
    return s


def _placeholder(code: str, after: str) -> str:
    """The placeholder of an indicator; a product sign before a parenthesis (``\\mathbb{1}(c) (x)``),
    which would otherwise make the indicator a function called with x."""
    times = r" \cdot" if after.lstrip().startswith(("(", "\\left(")) else ""
    return rf" \mathrm{{IND{code}}}{times} "


def _condition_at(s: str, k: int, opener: str) -> tuple[str, int] | None:
    """The condition of an indicator whose bracket (or subscript) starts at offset `k`."""
    if opener == "_":
        j = k + 1
        while j < len(s) and s[j] == " ":
            j += 1
        if j >= len(s) or s[j] != "{":
            return None
        close = matching(s, j, "{", "}")
        if close < 0:
            return None
        inner = s[j + 1:close].strip()
        if inner.startswith("\\{") and inner.endswith("\\}"):
            inner = inner[2:-2]
        return inner, close + 1
    if opener == "\\{":
        close = s.find("\\}", k + 2)
        if close < 0:
            return None
        inner = s[k + 2:close]
        return re.sub(r"\\right\s*$", "", inner), close + 2
    closer = {"[": "]", "(": ")"}[opener]
    close = matching(s, k, opener, closer)
    if close < 0:
        return None
    inner = re.sub(r"\\right\s*$", "", s[k + 1:close])
    return inner, close + 1


_INDICATOR_RELATIONS: dict[str, Callable[[Any, Any], Any]] = {**INEQUALITIES, "=": sp.Eq, "!=": sp.Ne}


def _is_index(e: Any) -> bool:
    """A name that reads as an index (one letter, ``i``, ``k``) or an integer."""
    return (isinstance(e, sp.Symbol) and len(e.name) == 1) or (isinstance(e, sp.Integer))


def indicator(sides: tuple[Any, ...], relations: tuple[str, ...]) -> Any:
    """The value of an indicator of a parsed condition: a Kronecker delta for ``i = j`` between
    indices, ``1 - δ`` for ``i \\ne j``, otherwise a piecewise 0/1."""
    if not relations or any(r not in _INDICATOR_RELATIONS for r in relations):
        raise ParseError("the condition of an indicator is not a relation that can be read")
    if any(not isinstance(x, sp.Expr) or isinstance(x, sp.MatrixExpr) or isinstance(x, sp.MatrixBase) for x in sides):
        raise ParseError("an indicator of a vector condition (entry by entry) is not supported")
    if len(relations) == 1 and relations[0] in ("=", "!=") and all(_is_index(x) for x in sides):
        delta = sp.KroneckerDelta(*sides)
        return delta if relations[0] == "=" else 1 - delta
    cond = sp.And(*[_INDICATOR_RELATIONS[r](a, b) for a, b, r in zip(sides, sides[1:], relations)])
    return sp.Piecewise((sp.Integer(1), cond), (sp.Integer(0), True))


def select_deltas(s: sp.Sum, entry_name: Callable[[str, Any], sp.Symbol]) -> Any:
    """Inside ``Σ_k``, a term with the factor δ(k, i) is the term at k = i: ``Σ_k y_k δ(k, i)`` is
    y_i (an index i of the range, as notes mean it). `entry_name` names the entry of a vector
    at an index outside sums (``y``, ``i`` → the symbol ``y_i``)."""
    if len(s.limits) != 1:
        return s
    k = s.limits[0][0]
    terms = sp.Add.make_args(sp.expand(s.function))
    picked, rest = [], []
    for t in terms:
        deltas = [d for d in t.atoms(sp.KroneckerDelta) if k in d.args]
        if len(deltas) != 1 or sp.Mul.make_args(t).count(deltas[0]) != 1 or t.has(sp.Sum):
            rest.append(t)
            continue
        d = deltas[0]
        other = d.args[0] if d.args[1] == k else d.args[1]
        if k in other.free_symbols or not isinstance(other, sp.Symbol):
            rest.append(t)
            continue
        body = t.xreplace({d: sp.Integer(1)})
        body = body.replace(lambda a: isinstance(a, sp.Indexed) and a.indices == (k,),
                            lambda a: entry_name(str(a.base.label), other))
        if k in body.free_symbols:
            rest.append(t)
            continue
        picked.append(body)
    if not picked:
        return s
    remaining = sp.Sum(sp.Add(*rest), *s.limits) if rest else sp.Integer(0)
    return sp.Add(*picked) + remaining


# --- entries of a function's value ------------------------------------------------------------

#: An entry subscript after a call: ``)_i``, ``)_{k}``, ``)_1``.
ENTRY = re.compile(r"\s*_\s*(?:\{\s*([A-Za-z]|\d{1,2})\s*\}|([A-Za-z]|\d))(?![A-Za-z0-9])")
_TEMPERATURE = re.compile(r"\\mathrm\{softmax\}\s*_\s*(\{[^{}]*\}|\\?[A-Za-z0-9]+)\s*\(")
_BUILTIN_ENTRY = re.compile(r"\\(exp|tanh)\s*(?=\((?:[^()]|\([^()]*\))*\)\s*_)")


def entry_calls(s: str) -> str:
    """``\\mathrm{softmax}_T(z)`` → ``\\mathrm{softmax}(\\frac{z}{T})``; ``\\exp(z)_i`` and
    ``\\tanh(z)_i`` as calls (``\\mathrm{exp}``) so that their entry is read like any other."""
    while True:
        m = _TEMPERATURE.search(s)
        if not m:
            break
        close = matching(s, m.end() - 1)
        if close < 0:
            break
        t = m.group(1)
        t = t[1:-1] if t.startswith("{") else t
        s = s[:m.start()] + rf"\mathrm{{softmax}}(\frac{{{s[m.end():close]}}}{{{t}}})" + s[close + 1:]
    return _BUILTIN_ENTRY.sub(lambda m: rf"\mathrm{{{m.group(1)}}}", s)


_BOLD = re.compile(r"\\(?:mathbf|boldsymbol|bm|vec)\s*(?:\{\s*(\\(?:hat|bar|tilde)\s*\{\s*\\?[A-Za-z]+\s*\}|\\?[A-Za-z]+)\s*\}"
                   r"|([A-Za-z]))")


def bold_names(s: str) -> set[str]:
    """The identifiers of the bold names of `s` (``\\mathbf{z}`` → z, ``\\boldsymbol{\\mu}`` → mu,
    ``\\mathbf{\\hat{y}}`` → y_hat): vectors, in ML notes."""
    out = set()
    for m in _BOLD.finditer(s):
        raw = m.group(1) or m.group(2)
        acc = re.fullmatch(r"\\(hat|bar|tilde)\s*\{\s*\\?([A-Za-z]+)\s*\}", raw)
        out.add(f"{acc.group(2)}_{acc.group(1)}" if acc else raw.lstrip("\\"))
    return out


#: Functions applied entry by entry, and what an entry of their value is.
ELEMENTWISE: dict[str, Callable[[Any], Any]] = {
    "sigma": sigmoid, "sigmoid": sigmoid, "relu": relu, "ReLU": relu, "tanh": sp.tanh, "exp": sp.exp,
}


def _vector_symbols(arg: Any, vectors: Mapping[str, Any]) -> list[sp.Symbol]:
    syms = sorted((s for s in arg.free_symbols if isinstance(s, sp.Symbol)), key=lambda s: s.name)
    found = [s for s in syms if s.name in vectors]
    if not found and isinstance(arg, sp.Symbol):
        found = [arg]
    return found


def _check_entrywise(arg: Any, vecs: list[sp.Symbol], fname: str) -> None:
    """An argument read entry by entry: vectors only added, scaled and passed to scalar functions."""
    vs = set(vecs)
    for node in sp.preorder_traversal(arg):
        if isinstance(node, sp.Mul) and sum(1 for a in node.args if a.free_symbols & vs) > 1:
            raise ParseError(f"the argument of {fname} multiplies vectors (a product or a dot product?), "
                             "so its entries cannot be read")
        if isinstance(node, sp.Mul) and any(a.free_symbols & vs for a in node.args) \
                and any(_capital(a) for a in node.args if not a.free_symbols & vs):
            raise ParseError(f"the argument of {fname} multiplies a vector by a capital letter (a matrix?), "
                             "so its entries cannot be read")
        if isinstance(node, sp.Pow) and node.base.free_symbols & vs:
            raise ParseError(f"the argument of {fname} has a power of a vector, so its entries cannot be read")
        if isinstance(node, (sp.Sum, sp.Product, sp.Derivative, sp.Integral)) and node.free_symbols & vs:
            raise ParseError(f"the argument of {fname} is not a vector given entry by entry")


def _capital(factor: Any) -> bool:
    """A factor that is a capital name (W, X: a matrix in ML notes), not divided by (z / T is a scaling)."""
    base = factor.base if isinstance(factor, sp.Pow) and factor.exp.is_positive else factor
    return isinstance(base, sp.Symbol) and base.name[:1].isupper()


def entry_of(arg: Any, vecs: list[sp.Symbol], index: Any, name: Callable[[str, Any], sp.Basic]) -> Any:
    """`arg` at entry `index`: each vector replaced by its entry (``name(v, index)``)."""
    return arg.xreplace({v: name(v.name, index) for v in vecs})


def softmax_entry(components: list[Any] | None, arg: Any, index: Any, *, vectors: Mapping[str, Any],
                  size_of: Callable[[str], Any], entry_name: Callable[[str, Any], sp.Basic],
                  fresh: sp.Symbol) -> Any:
    """Entry `index` of softmax: of explicit `components` (``softmax((z, 0))_1``), or of the vector
    expression `arg` (``softmax(z + c1)_i`` = e^{z_i + c} / Σ_k e^{z_k + c})."""
    if components is not None:
        if not (isinstance(index, sp.Integer) and 1 <= int(index) <= len(components)):
            raise ParseError(f"softmax of {len(components)} values has no entry {index}")
        return sp.exp(components[int(index) - 1]) / sp.Add(*[sp.exp(c) for c in components])
    vecs = _vector_symbols(arg, vectors)
    if not vecs:
        raise ParseError("which names in the argument of softmax are vectors is not known; write them bold or "
                         "declare them (z ∈ ℝ^n)")
    _check_entrywise(arg, vecs, "softmax")
    sizes = {str(vectors.get(v.name)) for v in vecs if vectors.get(v.name) is not None}
    if len(sizes) > 1:
        raise ParseError("the vectors in the argument of softmax have different sizes")
    known = next((vectors[v.name] for v in vecs if vectors.get(v.name) is not None), None)
    size = known if known is not None else size_of(vecs[0].name)
    term = entry_of(arg, vecs, index, entry_name)
    summed = arg.xreplace({v: sp.IndexedBase(v.name)[fresh] for v in vecs})
    return sp.exp(term) / sp.Sum(sp.exp(summed), (fresh, 1, size))


def elementwise_entry(fname: str, arg: Any, index: Any, *, vectors: Mapping[str, Any],
                      entry_name: Callable[[str, Any], sp.Basic]) -> Any:
    """Entry `index` of an elementwise function of a vector: the function of the entry."""
    vecs = _vector_symbols(arg, vectors)
    if not vecs:
        raise ParseError(f"which names in the argument of {fname} are vectors is not known; write them bold or "
                         "declare them")
    _check_entrywise(arg, vecs, fname)
    return ELEMENTWISE[fname](entry_of(arg, vecs, index, entry_name))


def fresh_index(text: str, taken: set[str]) -> sp.Symbol:
    """An index letter that the equation does not use."""
    for letter in "kjlmrsqpuv":
        if letter not in taken and not re.search(rf"(?<![A-Za-z\\]){letter}(?![A-Za-z])", text):
            return sp.Symbol(letter)
    raise ParseError("no free letter for the index of a sum")




# --- sizes ---------------------------------------------------------------------------------------

def is_layer_size(s: Any) -> bool:
    """A size the notation layer made for a range the notes leave open (``\\sum_j``: ``size_j``;
    softmax of an undeclared vector z: ``size_z``)."""
    return isinstance(s, sp.Symbol) and s.name.startswith("size_")


def unify_sizes(*exprs: Any) -> tuple[Any, ...]:
    """The open ranges of sums over a vector's entries set to the range the same claim gives that
    vector elsewhere: ``\\sum_j e^{z_j}`` next to ``\\sum_{j=1}^n e^{z_j}`` runs to n too. An open
    range over the entries of vectors given one range elsewhere takes it; open ranges over the
    same vector are one range."""
    from checker.notation_series import MaxOver, MinOver

    bounds: dict[str, set[Any]] = {}
    for e in exprs:
        if not isinstance(e, sp.Basic):
            continue
        ranges = [(s.function, s.limits) for s in e.atoms(sp.Sum, sp.Product)]
        ranges += [(m.args[0], [m.args[1:]]) for m in e.atoms(MaxOver, MinOver)]
        for function, limits in ranges:
            for var, lo, hi in limits:
                if lo != 1:
                    continue
                for x in function.atoms(sp.Indexed):
                    if var in x.indices:
                        bounds.setdefault(str(x.base.label), set()).add(hi)
    mapping: dict[sp.Symbol, Any] = {}
    opens = {h for his in bounds.values() for h in his if is_layer_size(h)}
    for h in sorted(opens, key=lambda x: x.name):
        over = [his for his in bounds.values() if h in his]
        named = {x for his in over for x in his if not is_layer_size(x)}
        others = sorted({x for his in over for x in his if is_layer_size(x)}, key=lambda x: x.name)
        target = next(iter(named)) if len(named) == 1 else (others[0] if not named else h)
        if target != h:
            mapping[h] = target
    if not mapping:
        return exprs
    return tuple(e.xreplace(mapping) if isinstance(e, sp.Basic) else e for e in exprs)


def loose_entry(e: Any) -> str:
    """The label of an entry ``z[i]`` at a free index of a vector that `e` also sums over, or "".

    Checks take such an entry as a value of its own, not as one of the entries summed over: an
    identity that holds so holds for the entries too, but an inequality (softmax(z)_i ≤ 1) may
    need the entry to be one of them.
    """
    if not isinstance(e, sp.Basic) or not e.has(sp.Sum, sp.Product):
        return ""
    summed = {str(x.base.label) for s in e.atoms(sp.Sum, sp.Product) for x in s.function.atoms(sp.Indexed)
              if any(v in x.indices for v, *_ in s.limits)}
    bound = {v for s in e.atoms(sp.Sum, sp.Product) for v, *_ in s.limits}
    for x in e.atoms(sp.Indexed):
        if str(x.base.label) in summed and any(isinstance(i, sp.Symbol) and i not in bound for i in x.indices):
            return str(x.base.label)
    return ""


__all__ = ["ELEMENTWISE", "ENTRY", "bold_names", "elementwise_entry", "entry_calls", "entry_of", "fresh_index",
           "indicator", "indicators", "is_layer_size", "loose_entry", "select_deltas", "softmax_entry",
           "unify_sizes"]
