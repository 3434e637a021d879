"""Are two formulas in LaTeX the same? The engine's verdict on a pair (answers, parse cases).

Answers come with text around them (``Therefore $x \\geq 5$ is the solution.``,
``\\boxed{...}``): the mathematics is taken out first. Two expressions are compared as an
identity by the engine (numeric screen, then a symbolic proof). Two relations are the same
when one is the other scaled: an equation by a nonzero constant, an inequality by a
positive one (``x < 1`` and ``-x > -1``), which is proved symbolically; an inequality scaled
by a negative constant, or with the other strictness, is a different relation. Anything else
is `inconclusive`, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import sympy as sp

from checker.engine import DEFAULT_TIMEOUT
from checker.engine import check as check_claim
from checker.notation import Notation, ParseError, Parsed, parse_latex
from checker.verdict import Method, Status, Verdict

_DELIMITED = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]|\\\((.+?)\\\)|\$(.+?)\$", re.DOTALL)
_SEPARATOR = re.compile(r"\\q?quad|\\text\s*\{\s*(?:and|or|,)\s*\}")


def _boxed(text: str) -> list[str]:
    """The contents of each ``\\boxed{...}`` (braces balanced), in order."""
    out, k = [], 0
    while True:
        k = text.find("\\boxed", k)
        if k < 0:
            return out
        open_at = text.find("{", k)
        depth, end = 0, -1
        for j in range(open_at, len(text)):
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            if depth == 0:
                end = j
                break
        if open_at < 0 or end < 0:
            return out
        out.append(text[open_at + 1:end])
        k = end


def math_items(text: str) -> list[str]:
    """The formulas of an answer: boxed ones if any, else those between math delimiters
    (or the whole text), split at ``\\quad`` and ``\\text{and}``."""
    boxed = _boxed(text)
    if boxed:
        return [b.strip() for b in boxed]
    found = ["".join(g for g in m.groups() if g) for m in _DELIMITED.finditer(text)]
    segments = found or [text]
    items: list[str] = []
    for seg in segments:
        items.extend(p.strip(" ,") for p in _SEPARATOR.split(seg) if p.strip(" ,$"))
    return [i.strip("$ ") for i in items if i.strip("$ ")]


def _listed(item: str) -> list[str]:
    """``y_1 = ..., y_2 = ...``: one formula per top-level comma when each is an equation."""
    parts, depth, start = [], 0, 0
    for k, c in enumerate(item):
        depth += 1 if c in "({[" else -1 if c in ")}]" else 0
        if c == "," and depth == 0:
            parts.append(item[start:k])
            start = k + 1
    parts.append(item[start:])
    if len(parts) > 1 and all("=" in p for p in parts):
        return [p.strip() for p in parts]
    return [item]


def compare_latex(a: str, b: str, *, notation: Notation = Notation(), seed: int = 0,
                  timeout: float = DEFAULT_TIMEOUT) -> Verdict:
    """The verdict on "answer `a` and answer `b` are the same formula(s)"."""
    items_a = [p for i in math_items(a) for p in _listed(i)]
    items_b = [p for i in math_items(b) for p in _listed(i)]
    if len(items_a) != len(items_b):
        return Verdict.inconclusive(f"{len(items_a)} formula(s) against {len(items_b)}")
    verdicts = []
    for x, y in zip(items_a, items_b):
        try:
            pa, pb = parse_latex(x, notation=notation), parse_latex(y, notation=notation)
        except ParseError as exc:
            return Verdict.inconclusive(f"cannot read the formula: {exc}")
        verdicts.append(compare_parsed(pa, pb, seed=seed, timeout=timeout))
    return combine(verdicts)


def combine(verdicts: Sequence[Verdict]) -> Verdict:
    """All verified: verified by the weakest method; any wrong: that one; else inconclusive."""
    for v in verdicts:
        if v.status is Status.WRONG:
            return v
    if verdicts and all(v.status is Status.VERIFIED for v in verdicts):
        methods = {v.method for v in verdicts}
        for weakest in (Method.NUMERIC, Method.FINITE_DIFFERENCE, Method.SYMBOLIC):
            if weakest in methods:
                return Verdict.verified(weakest)
    reasons = [v.reason for v in verdicts if v.status is Status.INCONCLUSIVE and v.reason]
    return Verdict.inconclusive(reasons[0] if reasons else "nothing to compare")


def _values_of(p: Parsed, other: Parsed) -> Parsed:
    """``x_1 = v`` compared with a bare value: compare the values (the name is a label)."""
    if p.relations == ("=",) and not other.relations and isinstance(p.sides[0], sp.Symbol):
        return Parsed(relation=None, sides=(p.sides[1],), relations=())
    return p


def compare_parsed(pa: Parsed, pb: Parsed, *, seed: int = 0, timeout: float = DEFAULT_TIMEOUT) -> Verdict:
    """The verdict on two parsed formulas being the same (see the module docstring)."""
    pa, pb = _values_of(pa, pb), _values_of(pb, pa)
    if not pa.relations and not pb.relations:
        return same_expression(pa.sides[0], pb.sides[0], seed=seed, timeout=timeout)
    if len(pa.relations) != 1 or len(pb.relations) != 1:
        return Verdict.inconclusive("only single relations are compared")
    return _same_relation(pa, pb, seed=seed, timeout=timeout)


def _is_matrix(e: Any) -> bool:
    return isinstance(e, (sp.MatrixBase, sp.MatrixExpr))


def same_expression(x: Any, y: Any, *, seed: int = 0, timeout: float = DEFAULT_TIMEOUT) -> Verdict:
    """The engine's verdict on the identity x = y (explicit matrices entry by entry)."""
    from checker.notes_context import Context, _claim_for

    if _is_matrix(x) or _is_matrix(y):
        try:
            mx, my = sp.ImmutableMatrix(x.doit()), sp.ImmutableMatrix(y.doit())
        except (TypeError, ValueError, AttributeError):
            return Verdict.inconclusive("only explicit matrices are compared")
        if mx.shape != my.shape:
            return Verdict.inconclusive(f"a {mx.shape} matrix against a {my.shape} one")
        return combine([same_expression(a, b, seed=seed, timeout=timeout) for a, b in zip(mx, my)])
    claim = _claim_for(x, y, "=", Context())
    return check_claim(claim, seed=seed, timeout=timeout).verdict


_FLIP = {">": "<", ">=": "<="}


def _normal(p: Parsed) -> tuple[str, Any]:
    """A relation as (op, e) with e op 0 and op one of <, <=, =, !=."""
    lhs, rhs = p.sides
    op = p.relations[0]
    if op in _FLIP:
        return _FLIP[op], rhs - lhs
    return op, lhs - rhs


def _same_relation(pa: Parsed, pb: Parsed, *, seed: int, timeout: float) -> Verdict:
    if pa.relations == pb.relations and pa.relations[0] == "=" and pa.sides[0] == pb.sides[0] \
            and not getattr(pa.sides[0], "is_number", False):
        # f(y) = y against f(y) = y, F_n = Σ... against F_n = Σ...: the same name, so the sides
        # it is set to must agree
        return same_expression(pa.sides[1], pb.sides[1], seed=seed, timeout=timeout)
    (op_a, ea), (op_b, eb) = _normal(pa), _normal(pb)
    if {op_a, op_b} - {"<", "<=", "=", "!="}:
        return Verdict.inconclusive(f"relations {op_a!r} and {op_b!r} are not compared")
    if _is_matrix(ea) or _is_matrix(eb):
        return Verdict.inconclusive("matrix relations are not compared")
    ratio = sp.simplify(ea / eb) if eb != 0 else None
    constant = ratio is not None and ratio.is_number and ratio.is_finite and ratio != 0
    if constant and op_a == op_b and (op_a in ("=", "!=") or ratio.is_positive):
        return Verdict.verified(Method.SYMBOLIC)
    witness = _disagreement(op_a, ea, op_b, eb, seed=seed)
    if witness is not None:
        return witness
    return Verdict.inconclusive("the relations are not constant multiples of each other, and no point "
                                "was found where one holds and the other does not")


_HOLDS = {"<": lambda v: v < 0, "<=": lambda v: v <= 0, "=": lambda v: v == 0, "!=": lambda v: v != 0}


def _disagreement(op_a: str, ea: Any, op_b: str, eb: Any, *, seed: int) -> Verdict | None:
    """A point where one relation holds and the other does not (evaluated at 50 digits)."""
    import random

    symbols = sorted((ea - eb).free_symbols | ea.free_symbols | eb.free_symbols, key=lambda s: s.name)
    if not symbols or not all(isinstance(s, sp.Symbol) for s in symbols):
        return None
    rng = random.Random(seed)
    roots = []  # boundary points of one variable are where strictness matters
    if len(symbols) == 1:
        for e in (ea, eb):
            try:
                roots += [r for r in sp.solve(e, symbols[0]) if r.is_real]
            except (NotImplementedError, ValueError, TypeError):
                pass
    candidates = [{symbols[0]: r} for r in roots[:8]]
    candidates += [{s: sp.Rational(rng.randint(-200, 200), 20) for s in symbols} for _ in range(64)]
    for point in candidates:
        va, vb = sp.N(ea.subs(point), 50), sp.N(eb.subs(point), 50)
        if not (va.is_real and vb.is_real):
            continue
        ha, hb = _HOLDS[op_a](va), _HOLDS[op_b](vb)
        if bool(ha) != bool(hb):
            from checker.verdict import Counterexample

            ce = Counterexample(point=tuple((s.name, point[s]) for s in symbols if s in point), lhs=bool(ha),
                                rhs=bool(hb), note="whether each relation holds at the point")
            return Verdict.wrong(Method.NUMERIC, ce, reason="one relation holds and the other does not")
    return None


__all__ = ["combine", "compare_latex", "compare_parsed", "math_items", "same_expression"]
