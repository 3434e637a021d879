"""Series and optima of ML notation: ellipses, the largest of indexed terms, argmin/argmax, limits.

Text rewrites (before parsing) and the SymPy they become (after parsing), for
`checker.notation`:

- ellipses, ``a_1 + a_2 + \\cdots + a_n`` and ``x_1 x_2 \\cdots x_n``: the sum or product they
  abbreviate, the terms' pattern inferred from the first and the last term (and those between);
- ``\\max_j z_j``, ``\\min_{i=1}^{n} (a_i - b_i)``: the largest (smallest) of the terms, written out
  as ``Max`` at each size a check instantiates;
- ``\\arg\\min_x F = c`` for one scalar variable: c is no worse than the points around it;
- ``\\lim_{h \\rightarrow 0}`` as ``\\lim_{h \\to 0}``, ``\\max\\{a, b\\}`` as ``\\max(a, b)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import sympy as sp

from checker.notation_ops import fresh_index
from checker.notation_rules import ParseError


def limits_and_braces(s: str) -> str:
    """``\\lim_{h \\rightarrow 0}`` is ``\\lim_{h \\to 0}``; ``\\max\\{a, b\\}`` is ``\\max(a, b)``."""
    s = re.sub(r"(\\lim\s*_\s*\{[^{}]*?)\\(?:rightarrow|longrightarrow)(?![A-Za-z])", r"\1\\to", s)
    out, i = [], 0
    for m in re.finditer(r"\\(max|min)\s*(?:\\left\s*)?\\\{", s):
        if m.start() < i:
            continue
        close = re.compile(r"(?:\\right\s*)?\\\}").search(s, m.end())
        if not close or "\\{" in s[m.end():close.start()]:
            continue
        out.append(s[i:m.start()] + rf"\{m.group(1)}(" + s[m.end():close.start()] + ")")
        i = close.end()
    out.append(s[i:])
    return "".join(out)


# --- ellipses --------------------------------------------------------------------------------------

_DOTS = re.compile(r"\\(?:cdots|ldots|dotsb|dotsm|dotsc|dots)(?![A-Za-z])")
_TOKEN = re.compile(r"\\[A-Za-z]+|\d+|[A-Za-z]|\S")
_ATOM = re.compile(r"(?:\\(?!cdot|times|cdots|ldots|dots)[A-Za-z]+|[A-Za-z0-9])"
                   r"(?:\s*[_^]\s*(?:\{(?:[^{}]|\{[^{}]*\})*\}|\\?[A-Za-z0-9]))*"
                   r"(?:\s*\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\))?")
_TIMES = re.compile(r"\s*(?:\\cdot(?![A-Za-z])|\\times(?![A-Za-z]))?\s*")


def ellipses(s: str) -> str:
    """``a_1 + a_2 + \\cdots + a_n`` → ``(\\sum_{k=1}^{n} a_{k})``, ``x_1 x_2 \\cdots x_n`` →
    ``(\\prod_{k=1}^{n} x_{k})``: the terms' pattern inferred from the first and the last term
    (every term given before the ellipsis must follow it). An ellipsis whose pattern cannot be
    inferred is left as it is (and refused)."""
    for _ in range(8):
        done = False
        for m in _DOTS.finditer(s):
            new = _sum_at(s, m) or _product_at(s, m)
            if new is not None:
                s, done = new, True
                break
        if not done:
            break
    if re.search(r",\s*" + _DOTS.pattern, s):
        raise ParseError("a list written with an ellipsis (x_1, \\ldots, x_n) is not a formula that can be checked")
    if re.search(r"\d\s*" + _DOTS.pattern, s):
        raise ParseError("a number cut short with an ellipsis (0.7\\ldots) cannot be checked")
    return s


def _terms_before(s: str, end: int) -> list[tuple[int, int]]:
    """Spans of the terms joined by ``+`` that end at `end`, nearest last (stops at anything else)."""
    spans: list[tuple[int, int]] = []
    k = end
    while True:
        depth, j = 0, k - 1
        while j >= 0:
            c = s[j]
            if c in ")}]":
                depth += 1
            elif c in "({[":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and (c in "+-=<>&," or _relation_ends_at(s, j)):
                break
            j -= 1
        start = j + 1
        if not s[start:k].strip():
            return spans
        spans.append((start, k))
        if j < 0 or s[j] != "+":
            return spans[::-1]
        k = j


def _relation_ends_at(s: str, j: int) -> bool:
    return bool(re.search(r"\\(?:le|leq|ge|geq|ne|neq|approx|quad|qquad)$", s[:j + 1]))


def _term_after(s: str, start: int) -> tuple[int, int] | None:
    depth, j = 0, start
    while j < len(s):
        c = s[j]
        if c in "({[":
            depth += 1
        elif c in ")}]":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and j > start and (c in "+-=<>&," or s.startswith(("\\le", "\\ge", "\\ne", "\\approx"), j)):
            break
        j += 1
    return (start, j) if s[start:j].strip() else None


def _sum_at(s: str, m: re.Match[str]) -> str | None:
    left = s[:m.start()].rstrip()
    right = s[m.end():]
    if not left.endswith("+") or not right.lstrip().startswith("+"):
        return None
    before = _terms_before(s, len(left) - 1)
    after_at = m.end() + right.index("+") + 1
    last = _term_after(s, after_at)
    if not before or last is None:
        return None
    return _replace(s, before, last, "sum")


def _product_at(s: str, m: re.Match[str]) -> str | None:
    atoms: list[tuple[int, int]] = []
    end = m.start()
    while True:
        head = s[:end]
        gap = re.search(r"(?:\s|\\cdot(?![A-Za-z])|\\times(?![A-Za-z]))*$", head)
        stop = gap.start() if gap else end
        found = None
        for a in _ATOM.finditer(s, 0, stop):
            if a.end() == stop and a.start() < stop:
                found = a
                break
        if found is None or (atoms and stop == end):
            break
        atoms.insert(0, (found.start(), found.end()))
        end = found.start()
    after = _TIMES.match(s, m.end())
    nxt = _ATOM.match(s, after.end()) if after else None
    if not atoms or nxt is None or not nxt.group(0).strip():
        return None
    return _replace(s, atoms, (nxt.start(), nxt.end()), "prod")


def _norm(t: str) -> str:
    return re.sub(r"[\s{}]", "", t)


def _replace(s: str, before: list[tuple[int, int]], last: tuple[int, int], kind: str) -> str | None:
    tn = s[last[0]:last[1]].strip()
    for j in range(len(before)):
        first = s[before[j][0]:before[j][1]].strip()
        pattern = _pattern(first, tn)
        if pattern is None:
            continue
        if any(_pattern(s[a:b].strip(), tn) is not None for a, b in before[:j]):
            return None  # x_1 + x_3 + ... + x_n: the terms before do not follow one pattern
        template, start, end = pattern
        k = fresh_index(s, set()).name
        given = [s[a:b].strip() for a, b in before[j:]]
        if any(_norm(template.replace("{@}", str(start + n))) != _norm(t) for n, t in enumerate(given)):
            continue
        op = "\\sum" if kind == "sum" else "\\prod"
        body = re.sub(r"\{\s*\{@\}\s*\}", "{@}", template).replace("{@}", f"{{{k}}}")
        return s[:before[j][0]] + f" ({op}_{{{k}={start}}}^{{{end}}} {body}) " + s[last[1]:]
    return None


def _pattern(first: str, last: str) -> tuple[str, int, str] | None:
    """The template of the terms (``{@}`` where the index goes), its start and its end, or None."""
    a = [(t.group(0), t.start(), t.end()) for t in _TOKEN.finditer(first)]
    b = [t.group(0) for t in _TOKEN.finditer(last)]
    if [x for x, *_ in a] == b:
        return None
    if len(a) == len(b):
        slots = [n for n, (x, y) in enumerate(zip(a, b)) if x[0] != y]
        starts = {a[n][0] for n in slots}
        ends = {b[n] for n in slots}
        if len(starts) != 1 or len(ends) != 1 or not a[slots[0]][0].isdigit() \
                or not re.fullmatch(r"[A-Za-z]|\d+", b[slots[0]]):
            return None
        out, pos = [], 0
        for n in slots:
            out.append(first[pos:a[n][1]] + "{@}")
            pos = a[n][2]
        out.append(first[pos:])
        start, end = int(a[slots[0]][0]), b[slots[0]]
        if end.isdigit() and int(end) <= start:
            return None
        return "".join(out), start, end
    # one slot whose last value is an expression: x_1 ... x_{n-1}
    p = 0
    while p < min(len(a), len(b)) and a[p][0] == b[p]:
        p += 1
    q = 0
    while q < min(len(a), len(b)) - p and a[len(a) - 1 - q][0] == b[len(b) - 1 - q]:
        q += 1
    middle_a = a[p:len(a) - q]
    middle_b = b[p:len(b) - q]
    if len(middle_a) != 1 or not middle_a[0][0].isdigit() or not middle_b \
            or not all(re.fullmatch(r"[A-Za-z]|\d+|[+\-{}]", t) for t in middle_b):
        return None
    end = "".join(middle_b)
    tok = middle_a[0]
    template = first[:tok[1]] + "{@}" + first[tok[2]:]
    if end.startswith("{") and end.endswith("}"):
        end = end[1:-1]
    if "{" in end or "}" in end:
        return None
    return template, int(tok[0]), end



# --- argmin and argmax of a scalar ------------------------------------------------------------------

_ARGOPT = re.compile(
    r"\\arg\s*\\?(?P<a>max|min)(?![A-Za-z])\s*(?:\\limits)?"
    r"|\\(?:operatorname\*?|mathrm|text|mathop\s*\{\s*\\mathrm)\s*\{\s*arg\s*(?:\\[,;: ]\s*)?(?P<b>max|min)\s*\}\s*\}?"
    r"\s*(?:\\limits)?"
    r"|\\(?:argmax|argmin)(?![A-Za-z])")
_UNDERSET = re.compile(r"\\underset\s*\{(?P<var>[^{}]*)\}\s*\{\s*(?P<op>\\arg\s*\\?(?:max|min)|\\operatorname\*?\s*\{\s*arg\s*"
                       r"(?:max|min)\s*\}|\\mathrm\s*\{\s*arg\s*(?:max|min)\s*\}|\\arg(?:max|min))\s*\}")
#: A scalar variable of an argmin: a letter or a Greek letter, perhaps subscripted; not bold, not a capital.
_SCALAR_VARIABLE = re.compile(r"\s*(?:[a-z]|\\(?!mathbf|boldsymbol|bm|vec)[a-zA-Z]+)(?:\s*_\s*(?:\{[A-Za-z0-9]+\}|[A-Za-z0-9]))?\s*")


def argopts(s: str) -> str:
    """``\\arg\\min_x F`` (also ``\\operatorname*{argmin}_x``, ``\\underset{x}{\\arg\\min}``) of a
    scalar variable x → ``\\mathrm{ZZargmin}(F, x)``, F running to the end of its side. A vector or
    matrix variable, or a domain under the operator (``_{x > 0}``), is left as it is (and refused)."""
    m = _UNDERSET.search(s)
    if m:
        kind = "max" if "max" in m.group("op") else "min"
        s = s[:m.start()] + rf"\argopt{kind}_{{{m.group('var')}}}" + s[m.end():]
    s = re.sub(r"\\argopt(max|min)", r"\\arg\\\1", s)
    for m in reversed(list(_ARGOPT.finditer(s))):
        kind = m.group("a") or m.group("b") or ("max" if "max" in m.group(0) else "min")
        k = m.end()
        sub = re.compile(r"\s*_\s*(\{(?:[^{}]|\{[^{}]*\})*\}|\\[A-Za-z]+|[A-Za-z])").match(s, k)
        if not sub:
            continue
        var = sub.group(1)[1:-1] if sub.group(1).startswith("{") else sub.group(1)
        if not _SCALAR_VARIABLE.fullmatch(var):
            continue
        end = _side_end(s, sub.end())
        body = s[sub.end():end].strip().rstrip(".,;")
        if not body or re.search(rf"_\s*\{{?\s*{re.escape(var.strip())}\s*\}}?(?![A-Za-z])", body):
            continue  # empty, or over the index of entries (argmax_j o_j): not a scalar variable
        s = s[:m.start()] + rf"\mathrm{{ZZarg{kind}}}({body}, {var})" + s[end:]
    return s


def _side_end(s: str, start: int) -> int:
    depth, j = 0, start
    while j < len(s):
        c = s[j]
        if c in "({[":
            depth += 1
        elif c in ")}]":
            if depth == 0:
                return j
            depth -= 1
        elif depth == 0 and (c in "=<>&" or s.startswith(("\\le", "\\ge", "\\ne", "\\approx", "\\quad"), j)):
            return j
        j += 1
    return j


class ArgOpt(sp.Function):  # noqa: N801 - a SymPy function class
    """``argmin_x F`` (``ArgOpt(Lambda(x, F), -1)``) or ``argmax_x F`` (``ArgOpt(Lambda(x, F), 1)``):
    the point that optimises F, never evaluated; its claims are checked by `optimum_claim`."""

    nargs = 2


def argopt(kind: str, body: Any, var: Any) -> Any:
    """The ``ZZargmin``/``ZZargmax`` call of `argopts` once parsed."""
    if not isinstance(var, sp.Symbol):
        raise ParseError("an argmin/argmax is read only over one scalar variable")
    if not isinstance(body, sp.Expr) or isinstance(body, (sp.MatrixExpr, sp.MatrixBase)):
        raise ParseError("an argmin/argmax is read only of a scalar function")
    return ArgOpt(sp.Lambda(var, body), sp.Integer(1 if kind == "max" else -1))


#: The name of the variable that moves the claimed optimum (within a tenth of its size).
NEAR = "t_near"


def optimum_claim(optimum: Any, point: Any) -> tuple[Any, tuple[sp.Basic, ...]] | None:
    """``argmin_x F = c`` as a statement to sample, with its assumptions, or None.

    c is no worse than the points around it: F(c) ≤ F(c + t(1 + |c|)/10) for -1 < t < 1
    (≥ for argmax). A strictly better point near c shows that c is not the optimum; the
    derivative at c need not be written, since a point that is not stationary has better
    points on one side.
    """
    if not isinstance(optimum, ArgOpt) or not isinstance(point, sp.Expr) or point.has(ArgOpt):
        return None
    lam, sign = optimum.args
    (x,), f = lam.variables, lam.expr
    if x in point.free_symbols:
        return None
    t = sp.Symbol(NEAR)  # not declared real: SymPy would then decide (and replace) 1 <= 1 + t**2
    near = point + t * (1 + sp.Abs(point)) / 10
    at, around = f.xreplace({x: point}), f.xreplace({x: near})
    statement = sp.LessThan(at, around, evaluate=False) if sign == -1 else sp.GreaterThan(at, around, evaluate=False)
    return statement, (sp.StrictGreaterThan(t, -1), sp.StrictLessThan(t, 1))



def stationary_everywhere(statement: Any, assumptions: tuple[sp.Basic, ...], sizes: Any, *, seed: int = 0) -> bool:
    """Whether the claimed optimum of an `optimum_claim` statement is a stationary point at every
    sampled value of the other names (F'(c) = 0). Then a better point near it shows only that, for
    some values of those names, it is the other kind of optimum (or a saddle): values the notes
    may exclude in words. False when this cannot be shown."""
    import numpy as np

    from checker.numeric import check_identity
    from checker.verdict import Status

    t = next((s for s in statement.free_symbols if isinstance(s, sp.Symbol) and s.name == NEAR), None)
    if t is None:
        return False
    sized = {s for s, _ in sizes}
    if not {s for s in statement.free_symbols if s != t and s not in sized}:
        return False  # no other names: the claimed point is not the optimum, whatever the notes assume
    slope = sp.diff(statement.rhs, t).subs(t, 0)
    others = tuple(a for a in assumptions if t not in a.free_symbols)
    try:
        v = check_identity(slope, sp.Integer(0), assumptions=others, sizes=sizes, rng=np.random.default_rng(seed),
                           seed=seed, n_points=8)
    except Exception:  # noqa: BLE001 - what cannot be evaluated shows nothing
        return False
    return v.status is Status.VERIFIED



# --- the largest or smallest of indexed terms ------------------------------------------------------

class _Over(sp.Function):  # noqa: N801 - a SymPy function class
    """A function of terms over an index: the index (the second argument) is bound."""

    nargs = 4

    @property
    def free_symbols(self) -> set[sp.Basic]:
        term, var, lo, hi = self.args
        return (term.free_symbols - {var}) | lo.free_symbols | hi.free_symbols


class MaxOver(_Over):  # noqa: N801 - a SymPy function class
    """``\\max_j z_j``: ``MaxOver(z[j], j, lo, hi)``, the largest term; written out as ``Max`` once
    the range is concrete (at each size a check instantiates)."""

    @classmethod
    def eval(cls, term: Any, var: Any, lo: Any, hi: Any) -> Any:
        return _written_out(sp.Max, term, var, lo, hi)


class MinOver(_Over):  # noqa: N801 - a SymPy function class
    """``\\min_j z_j``: the smallest term (see `MaxOver`)."""

    @classmethod
    def eval(cls, term: Any, var: Any, lo: Any, hi: Any) -> Any:
        return _written_out(sp.Min, term, var, lo, hi)


def _written_out(op: Any, term: Any, var: Any, lo: Any, hi: Any) -> Any:
    if isinstance(lo, sp.Integer) and isinstance(hi, sp.Integer) and 0 <= hi - lo <= 1000:
        return op(*[term.xreplace({var: sp.Integer(k)}) for k in range(int(lo), int(hi) + 1)])
    return None


_EXTREMUM = re.compile(r"\\(max|min)\s*_\s*(?:\{\s*([a-z])\s*(?:=\s*([^{}]+?)\s*)?\}|([a-z]))(?![A-Za-z])"
                       r"(?:\s*\^\s*(\{[^{}]*\}|[A-Za-z0-9]))?")
_TERM = re.compile(r"\s*(?:\\left\s*)?(\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)"
                   r"|(?:\\[A-Za-z]+|[A-Za-z])(?:\s*[_^]\s*(?:\{(?:[^{}]|\{[^{}]*\})*\}|\\?[A-Za-z0-9]))*)")


def extrema(s: str) -> str:
    """``\\max_j z_j``, ``\\min_{i=1}^{n} (a_i - b_i)`` → ``\\mathrm{ZZmaxover}(TERM, j, lo, hi)``: the
    largest (smallest) of the terms over an index; an index without a range runs over the
    vector it indexes (``\\mathrm{size}_j``, as ``\\sum_j``). The term is the name or the
    parenthesised expression right after the operator."""
    for m in reversed(list(_EXTREMUM.finditer(s))):
        if re.search(r"arg\s*\\?$", s[:m.start() + 1]):
            continue  # \arg\max: an argmax (refused where `argopts` did not read it)
        var = m.group(2) or m.group(4)
        term = _TERM.match(s, m.end())
        if not term:
            continue
        body = term.group(1)
        if not re.search(rf"_\s*\{{?\s*{var}\s*\}}?", body):
            raise ParseError(f"\\{m.group(1)} over a real variable is not read; only the {m.group(1)} of indexed "
                             f"terms (\\{m.group(1)}_j z_j)")
        lo = m.group(3) or "1"
        hi = m.group(5) or rf"\mathrm{{ZZsizeQQ{var}}}"
        hi = hi[1:-1] if hi.startswith("{") else hi
        s = s[:m.start()] + rf"\mathrm{{ZZ{m.group(1)}over}}({body}, {var}, {lo}, {hi})" + s[term.end():]
    return s


def extremum_bounds(e: Any) -> set[Any]:
    """The symbols in the ranges of the maxima and minima over indices of `e` (sizes to instantiate)."""
    if not isinstance(e, sp.Basic) or not e.has(MaxOver, MinOver):
        return set()
    return {b for m in e.atoms(MaxOver, MinOver) for x in m.args[2:] for b in x.free_symbols
            if isinstance(b, sp.Symbol)}


def extremum(kind: str, args: tuple[Any, ...], indexed: Callable[[Any], Any]) -> Any:
    """The ``ZZmaxover``/``ZZminover`` call of `extrema` once parsed; `indexed` makes the term's
    entries at the index ``z[j]`` (as inside a sum)."""
    term, var, lo, hi = args
    if not isinstance(var, sp.Symbol):
        raise ParseError("the index of a max or min over terms is not a name")
    inside = indexed(sp.Sum(term, (var, lo, hi)))
    body = inside.function if isinstance(inside, sp.Sum) else term
    return (MaxOver if kind == "max" else MinOver)(body, var, lo, hi)


__all__ = ["NEAR", "ArgOpt", "MaxOver", "MinOver", "argopt", "argopts", "ellipses", "extrema", "extremum",
           "extremum_bounds", "limits_and_braces", "optimum_claim", "stationary_everywhere"]
