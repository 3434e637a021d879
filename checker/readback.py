"""Reading the renderer's LaTeX back, to show that what the sheet prints is what was checked.

The notes reader (`checker.notation.parse_latex`) refuses, on purpose, notation whose meaning
notes do not pin down: ``𝔼`` over an unnamed distribution, conditional bars, norms, ``∇``,
and matrices without a shape table. A rendered catalog formula does pin them down: its
statement is at hand, with every matrix. So this module rewrites those few constructs into
calls the notes reader reads (``\\mathbb{E}[X]`` → ``\\mathrm{E}(X)``, ``P(A \\mid B)`` →
``P(A, given, B)``), replaces each printed matrix of the statement by a tag that remembers
where it stood, lets `parse_latex` read the rest, and rebuilds the matrix products in the
order they were written (the parser's products commute, and a parenthesised group is
flattened, so the order must come from the text).

`normalise` puts a statement and what was read back in one form (plain names, operators as
their heads, entries ``x[i]`` as names ``x_i``), so that a round trip is a structural
comparison.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement, MatrixExpr

from checker.notation import Parsed, parse_latex

_GIVEN = sp.Symbol("given")
_EVENT_NAMES = {sp.Eq: "eq", sp.Le: "le", sp.Ge: "ge", sp.Lt: "lt", sp.Gt: "gt"}


@dataclass(frozen=True, slots=True)
class _Tag:
    matrix: Any
    transposed: bool
    position: int
    hadamard: bool = False


def _matching_right(s: str, left_at: int) -> int:
    """Offset of the ``\\right`` that closes the ``\\left`` at `left_at`, or -1."""
    depth = 0
    for m in re.finditer(r"\\(left|right)(?![A-Za-z])", s[left_at:]):
        depth += 1 if m.group(1) == "left" else -1
        if depth == 0:
            return left_at + m.start()
    return -1


def _rewrite_call(s: str, opener: str, new_head: str, close_len: int, subscript_argument: bool = False) -> str:
    """``opener ... \\right<delim>`` → ``new_head\\left( ... \\right)``; `opener` ends in ``\\left<delim>``.

    With `subscript_argument`, a subscript after the call becomes its last argument
    (``softmax(z)_i`` → ``softmax(z, i)``).
    """
    while True:
        k = s.find(opener)
        if k < 0:
            return s
        close = _matching_right(s, k + len(opener) - len(r"\left("))
        if close < 0:
            return s
        inner = s[k + len(opener):close]
        tail = s[close + close_len:]
        m = re.match(r"_\{([^{}]*)\}", tail) if subscript_argument else None
        if m:
            inner, tail = f"{inner}, {m.group(1)}", tail[m.end():]
        s = s[:k] + new_head + r"\left(" + inner + r"\right)" + tail


_EVENT_RELATIONS = {"=": "eq", r"\leq": "le", r"\geq": "ge", "<": "lt", ">": "gt"}


def _rewrite_events(s: str) -> str:
    """``P\\left(X = k\\right)`` → ``P\\left(X, \\mathrm{eq}, k\\right)``: an event, not an equation."""
    start = 0
    while True:
        k = s.find(r"P\left(", start)
        if k < 0:
            return s
        open_at = k + 1
        close = _matching_right(s, open_at)
        if close < 0:
            return s
        inner = s[open_at + len(r"\left("):close]
        for rel, name in _EVENT_RELATIONS.items():
            inner = inner.replace(f" {rel} ", rf", \mathrm{{{name}}}, ")
        s = s[:open_at + len(r"\left(")] + inner + s[close:]
        start = k + 1


def _rewrite_operators(s: str) -> str:
    s = _rewrite_events(s)
    s = _rewrite_call(s, r"\mathbb{E}\left[", r"\mathrm{E}", len(r"\right]"))
    s = _rewrite_call(s, r"\operatorname{softmax}\left(", r"\mathrm{softmax}", len(r"\right)"), subscript_argument=True)
    s = re.sub(r"\\left\\lVert (.*?) \\right\\rVert_\{([^{}]*)\}", r"\\mathrm{norm}\\left(\1, \2\\right)", s)
    s = s.replace(r"D_{\mathrm{KL}}\left(", r"\mathrm{KL}\left(").replace(r"\parallel", ",")
    s = re.sub(r"(?<![A-Za-z\\{])I\\left\(", r"\\mathrm{MI}\\left(", s)
    s = re.sub(r"(?<!\\);", ",", s)
    s = s.replace(r"\mid", r", \mathrm{given},").replace(r"\cap", ",")
    s = s.replace(r"\det\left(", r"\mathrm{Det}\left(").replace(r"\Gamma\left(", r"\mathrm{Gamma}\left(")
    s = re.sub(r"(?<![A-Za-z\\])([A-Za-z])'\\left\(", r"\\mathrm{prime}\\left(\1, ", s)
    s = re.sub(_DOT, r"\\mathrm{dot}\\left(\1, \2\\right)", s)
    s = _rewrite_entries(s)
    s = _rewrite_operand(s, re.compile(r"\\lim_\{(\S+) \\to (\S+)\}\s*"), lambda m, body: (
        rf"\mathrm{{lim}}\left({body}, {m.group(1)}, {m.group(2)}\right)"))
    s = _rewrite_operand(s, re.compile(r"\\max_\{([^{}]*)\}\s*"), lambda m, body: (
        rf"\mathrm{{maxover}}\left({body}, {m.group(1)}\right)"))
    s = re.sub(r"\\begin\{pmatrix\}(.*?)\\end\{pmatrix\}",
               lambda m: r"\mathrm{vec}\left(" + ", ".join(m.group(1).split(r"\\")) + r"\right)" if "&" not in m.group(1)
               else m.group(0), s)
    return _rewrite_nabla(s)


_NAME = r"(?!\\(?:geq|leq|neq|le|ge|ne|cdot|to|quad)(?![A-Za-z]))\\?[A-Za-z]+(?:_\{[^{}]*\})?"
#: w^{\top} x, x^{\top} A x: an inner product (matrices were tagged before this runs)
_DOT = re.compile(rf"({_NAME})\^\{{\\top\}} ({_NAME}(?: {_NAME})*)")


def _rewrite_entries(s: str) -> str:
    """``\\left(u + v\\right)_{i}`` → ``\\mathrm{entry}\\left(u + v, \\mathrm{i}\\right)``."""
    start = 0
    while True:
        k = s.find(r"\left(", start)
        if k < 0:
            return s
        close = _matching_right(s, k)
        m = re.match(r"\\right\)_\{([A-Za-z0-9]+)\}", s[close:]) if close >= 0 else None
        if not m:
            start = k + 1
            continue
        s = (s[:k] + r"\mathrm{entry}\left(" + s[k + len(r"\left("):close] + rf", \mathrm{{{m.group(1)}}}\right)"
             + s[close + m.end():])
        start = k + 1


def _rewrite_operand(s: str, head: re.Pattern[str], build: Any) -> str:
    """`head` followed by one operand (``\\left...\\right`` group or ``\\frac{..}{..}``) → ``build(m, operand)``."""
    while True:
        m = head.search(s)
        if not m:
            return s
        rest = s[m.end():]
        if rest.startswith(r"\left"):
            close = _matching_right(s, m.end())
            if close < 0:
                return s
            end = close + len(r"\right") + 1
        elif rest.startswith(r"\frac"):
            end = _after_groups(s, m.end() + len(r"\frac"), 2)
        else:
            a = _ATOM.match(s, m.end())
            end = a.end() if a else m.end()
        s = s[:m.start()] + build(m, s[m.end():end]) + s[end:]


def _after_groups(s: str, at: int, count: int) -> int:
    """Offset after `count` brace groups starting at `at`."""
    for _ in range(count):
        depth = 0
        for k in range(at, len(s)):
            depth += {"{": 1, "}": -1}.get(s[k], 0)
            if depth == 0:
                at = k + 1
                break
    return at


_NABLA = re.compile(r"\\nabla(?:_\{([^{}]*)\})?\s*")
_ATOM = re.compile(r"(\\mathrm\{[A-Za-z]+\}|\\?[A-Za-z]+(?:_\{[^{}]*\}|_[A-Za-z0-9])?(?:\^\{[^{}]*\})?)")


def _rewrite_nabla(s: str) -> str:
    """``\\nabla_{w} J\\left(w\\right)`` → ``\\mathrm{grad}\\left(J\\left(w\\right), w\\right)``."""
    while True:
        m = _NABLA.search(s)
        if not m:
            return s
        a = _ATOM.match(s, m.end())
        if not a:
            return s
        end = a.end()
        if s.startswith(r"\left(", end):
            close = _matching_right(s, end)
            end = close + len(r"\right)") if close >= 0 else end
        power = re.match(r"\^\{[^{}]*\}", s[end:])
        end += power.end() if power else 0
        wrt = f", {m.group(1)}" if m.group(1) else ""
        s = s[:m.start()] + r"\mathrm{grad}\left(" + s[m.end():end] + wrt + r"\right)" + s[end:]


def _tag_matrices(s: str, matrices: Iterable[Any], latex_of: Any) -> tuple[str, dict[str, _Tag]]:
    """Each printed matrix (and ``M^{\\top}``, ``\\odot``) becomes ``\\mathrm{MtagK}``, K its position."""
    tags: dict[str, _Tag] = {}
    printed = sorted(((latex_of(m), m) for m in matrices), key=lambda p: -len(p[0]))
    pattern = "|".join(r"\{" + re.escape(p) + r"\}\^\{\\top\}|" + re.escape(p) + r"(?:\^\{\\top\})?" for p, _ in printed)
    by_text = dict(printed)
    out, i = [], 0
    for m in re.finditer(r"\\odot" + ("|" + pattern if pattern else ""), s):
        before, after = s[m.start() - 1:m.start()], s[m.end():m.end() + 1]
        text = m.group(0)
        if text != r"\odot" and (before.isalpha() or after == "_" or (after.isalnum() and not text.endswith("}"))):
            continue  # part of a longer name
        name = f"Mtag{len(tags)}"
        if text == r"\odot":
            tags[name] = _Tag(matrix=None, transposed=False, position=len(tags), hadamard=True)
        else:
            base = text[: -len(r"^{\top}")] if text.endswith(r"^{\top}") else text
            if base.startswith("{") and base[1:-1] in by_text:
                base = base[1:-1]
            tags[name] = _Tag(matrix=by_text[base], transposed=base != text, position=len(tags))
        out.append(s[i:m.start()] + rf" \mathrm{{{name}}} ")
        i = m.end()
    out.append(s[i:])
    return _group_inverses("".join(out), tags), tags


_INVERSE_GROUP = re.compile(r"\\left\(((?:\s*\\mathrm\{Mtag\d+\}\s*)+)\\right\)\^\{-1\}")


def _group_inverses(s: str, tags: dict[str, _Tag]) -> str:
    """``(A B)^{-1}``: one tag for the inverse of the product, whose order the parser would lose."""
    def one(m: re.Match[str]) -> str:
        factors = [tags[t] for t in re.findall(r"Mtag\d+", m.group(1))]
        product = sp.MatMul(*((t.matrix.T if t.transposed else t.matrix) for t in factors)).doit()
        name = f"Mtag{len(tags)}"
        tags[name] = _Tag(matrix=sp.Inverse(product), transposed=False, position=factors[0].position)
        return rf" \mathrm{{{name}}} "
    return _INVERSE_GROUP.sub(one, s)


def read_back(latex: str, *, matrices: Iterable[Any] = (), latex_of: Any = None) -> Parsed:
    """Parse rendered `latex` with the notes reader, matrices and ML operators included.

    `matrices` are the statement's matrix atoms (`MatrixSymbol`, `Identity`) and `latex_of`
    the printer that rendered them, so that their printed forms can be recognised.
    """
    from checker.render import latex_of as default_printer

    objective, sep, constraints = latex.partition(r" \quad \text{s.t.} \quad ")
    if sep:  # an objective and its constraints: each one a relation of its own
        read = [read_back(p, matrices=matrices, latex_of=latex_of) for p in [objective, *constraints.split(r", \; ")]]
        return Parsed(relation="subject to", sides=tuple(_relation(r) for r in read), relations=("subject to",), names={})
    parts = latex.split(r" \Rightarrow ")
    if len(parts) == 2:  # an implication: each side is an equation of its own
        read = [read_back(p, matrices=matrices, latex_of=latex_of) for p in parts]
        return Parsed(relation="implies", sides=tuple(_relation(r) for r in read), relations=("implies",), names={})
    text, tags = _tag_matrices(latex, matrices, latex_of or default_printer)
    text = _rewrite_operators(text)
    parsed = parse_latex(text, max_length=8000, timeout=10.0)
    if not tags:
        return parsed
    sides = tuple(_rebuild(side, tags)[0] for side in parsed.sides)
    return Parsed(relation=parsed.relation, sides=sides, relations=parsed.relations, names=parsed.names)


_RELATION_OF = {"=": sp.Eq, "<=": sp.Le, ">=": sp.Ge, "<": sp.Lt, ">": sp.Gt, "!=": sp.Ne}


def _relation(parsed: Parsed) -> Any:
    """One parsed relation as a SymPy relational (unevaluated), or the expression if there is none."""
    if parsed.relation in _RELATION_OF and len(parsed.sides) == 2:
        return _RELATION_OF[parsed.relation](*parsed.sides, evaluate=False)
    return parsed.sides[0]


def _rebuild(e: Any, tags: dict[str, _Tag]) -> tuple[Any, float]:
    """`e` with tags turned back into matrices, products in written order; and its position."""
    if isinstance(e, sp.Symbol) and e.name in tags:
        t = tags[e.name]
        if t.hadamard:
            return e, t.position
        return (t.matrix.T if t.transposed else t.matrix), t.position
    if not isinstance(e, sp.Basic) or not e.args:
        return e, float("inf")
    parts = [_rebuild(a, tags) for a in e.args]
    position = min((p for _, p in parts), default=float("inf"))
    exprs = [x for x, _ in parts]
    if isinstance(e, sp.Mul) and any(_is_matrix(x) or _is_hadamard(x, tags) for x in exprs):
        scalars = [x for x in exprs if not (_is_matrix(x) or _is_hadamard(x, tags))]
        ordered = [x for x, _ in sorted((p for p in parts if _is_matrix(p[0]) or _is_hadamard(p[0], tags)),
                                        key=lambda p: p[1])]
        groups: list[list[Any]] = [[]]
        for x in ordered:
            if _is_hadamard(x, tags):
                groups.append([])
            else:
                groups[-1].append(x)
        factors = [sp.MatMul(*g).doit() if len(g) > 1 else g[0] for g in groups if g]
        product = sp.HadamardProduct(*factors) if len(factors) > 1 else factors[0]
        coefficient = sp.Mul(*scalars)
        return (product if coefficient == 1 else sp.MatMul(coefficient, product).doit()), position
    if isinstance(e, sp.Add) and any(_is_matrix(x) for x in exprs):
        return sp.MatAdd(*exprs).doit(), position
    if isinstance(e, sp.Pow) and _is_matrix(exprs[0]) and exprs[1] == -1:
        return sp.Inverse(exprs[0]), position
    return e.func(*exprs), position


def _is_matrix(x: Any) -> bool:
    return isinstance(x, MatrixExpr)


def _is_hadamard(x: Any, tags: dict[str, _Tag]) -> bool:
    return isinstance(x, sp.Symbol) and x.name in tags and tags[x.name].hadamard


# --- one form for comparison ------------------------------------------------------------------

def plain_name(name: str) -> str:
    """A name as the notes reader spells it, then only letters and digits (``W^[l]`` ~ ``W_Ll``)."""
    name = re.sub(r"\^\[([^\]]*)\]", r"_L\1", name)
    name = re.sub(r"\^\(([^)]*)\)", r"_S\1", name)
    name = name.replace("-", "m")  # the reader spells t - 1 as t_m1
    return re.sub(r"[^A-Za-z0-9]", "", name)


def normalise(expr: Any) -> Any:
    """`expr` with plain names, no assumptions, operators as their heads and entries as names."""
    from checker.operators import Entry, LogBase, Named, PartialRatio, _Operator

    if isinstance(expr, (sp.Indexed,)):
        idx = "".join(plain_name(str(i)) for i in expr.indices)
        return sp.Symbol(plain_name(str(expr.base)) + idx)
    if isinstance(expr, MatrixElement):
        parent = plain_name(str(expr.parent))
        return sp.Symbol(parent + plain_name(str(expr.i)) + ("" if expr.parent.shape[1] == 1 else plain_name(str(expr.j))))
    if isinstance(expr, sp.Symbol):
        return sp.Symbol(plain_name(expr.name))
    if isinstance(expr, sp.MatrixSymbol):
        return sp.MatrixSymbol(plain_name(expr.name), *(normalise(d) for d in expr.shape))
    if isinstance(expr, sp.MatrixBase) and expr.shape[1] == 1:
        return sp.Function("vec")(*(normalise(a) for a in expr))
    if not isinstance(expr, sp.Basic) or not expr.args:
        return expr
    args = [normalise(a) for a in expr.args]
    if isinstance(expr, Named):
        head = plain_name(str(expr.args[0]))
        return sp.Symbol(head) if len(args) == 1 else sp.Function(head)(*args[1:])
    if isinstance(expr, PartialRatio):
        return sp.Derivative(*args)
    if isinstance(expr, sp.Sum):  # Σ_i Σ_j f and Σ_{i,j} f are one form: limits innermost first
        body, limits = expr.function, list(expr.limits)
        while isinstance(body, sp.Sum):
            limits = list(body.limits) + limits
            body = body.function
        return sp.Sum(normalise(body), *(tuple(normalise(x) for x in lim) for lim in limits))
    if isinstance(expr, sp.MatMul):
        return sp.MatMul(*args).doit()  # products are associative; reading flattens them
    if isinstance(expr, sp.gamma):
        return sp.Function("Gamma")(*args)
    if isinstance(expr, LogBase):
        return sp.log(args[0]) / sp.log(args[1])
    if isinstance(expr, Entry):
        return sp.Function("entry")(args[0], sp.Symbol("".join(plain_name(str(a)) for a in expr.args[1:])))
    if isinstance(expr, _Operator):
        # an event X = k inside P(...) is its sides and the relation's name, as read back
        args = [x for a, arg in zip(expr.args, args) for x in (
            (arg.lhs, sp.Symbol(_EVENT_NAMES[type(a)]), arg.rhs) if type(a) in _EVENT_NAMES else (arg,))]
        if expr.conditional:
            args = args[:-1] + [_GIVEN] + args[-1:]
        return sp.Function(expr.head)(*args)
    if isinstance(expr, sp.core.function.AppliedUndef):
        return sp.Function(plain_name(type(expr).__name__))(*args)
    if isinstance(expr, sp.Limit):
        return sp.Function("lim")(*args[:3])
    if isinstance(expr, sp.Determinant):
        return sp.Function("Det")(*args)
    if isinstance(expr, sp.beta):
        return sp.Function("B")(*args)
    if isinstance(expr, sp.MatrixBase) and expr.shape[1] == 1:
        return sp.Function("vec")(*(normalise(a) for a in expr))
    if isinstance(expr, sp.log) and len(args) == 1:
        return sp.log(args[0])
    return expr.func(*args)


__all__ = ["normalise", "plain_name", "read_back"]
