"""Equivalence and parse cases from public test suites: our verdicts against their answers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import sympy as sp

from checker.equivalence import compare_latex, compare_parsed, math_items, same_expression
from checker.notation import ParseError, Parsed, parse_latex
from checker.verdict import Status
from tests.checker.corpus_meaning import _canon

CASES = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "equivalence_cases.jsonl"

#: Pairs where our verdict differs from the upstream answer, each with the reason.
KNOWN = {
    # latex2sympy2 reads a bare \log as base 10; in ML notes (and in mathcheck, unless the notes
    # say otherwise with `notation \log = 10`) it is the natural log.
    ("\\log x", "_log(x, 10)"): "natural log by design",
    ("\\log xy", "_log(x * y, 10)"): "natural log by design",
    # OrangeX4's parser reads f(x) as the product f·x; we read an applied function, which is the
    # extended fork's expected answer for the same input (that case agrees).
    ("1-f(x)", "1 - f * x"): "f(x) is a function call",
    # ||x|| is a norm in ML notes, which we refuse; upstream reads nested absolute values.
    ("||x||", "_Abs(Abs(x))"): "norms are refused",
    # A limit of the norm refusal: the bars of |x||y| are two absolute values side by side,
    # but "||" is refused as the start of a norm.
    ("|x||y|", "_Abs(x) * _Abs(y)"): "|| refused as a norm",
}


def _expected(source: str) -> Any:
    """The upstream expected parse (trusted test data), in its test module's namespace."""
    ns: dict[str, Any] = {name: getattr(sp, name) for name in dir(sp) if not name.startswith("_")}
    ns.update({n: sp.Symbol(n) for n in "x y z a b c f t k n theta i".split()})
    ns.update(gamma=sp.Symbol("gamma"), epsilon_lower=sp.Symbol("epsilon"), varepsilon=sp.Symbol("varepsilon"),
              _Add=lambda *a: sp.Add(*a, evaluate=False), _Mul=lambda *a: sp.Mul(*a, evaluate=False),
              _Pow=lambda *a: sp.Pow(*a, evaluate=False), _Abs=lambda a: sp.Abs(a, evaluate=False),
              _factorial=lambda a: sp.factorial(a, evaluate=False),
              _log=lambda a, b: sp.log(a, b, evaluate=False))
    return sp.parse_expr(source, local_dict=ns)


def _our_names(e: Any) -> Any:
    """Upstream spells an accented name ``xbar`` or ``bar{x}``; the notation layer ``x_bar``."""
    if not isinstance(e, sp.Basic):
        return e
    mapping = {}
    for s in e.atoms(sp.Symbol):
        m = re.fullmatch(r"([A-Za-z]+)(bar|hat)|(bar|hat)\{([A-Za-z]+)\}", s.name)
        if m:
            mapping[s] = sp.Symbol(f"{m.group(1)}_{m.group(2)}" if m.group(1) else f"{m.group(4)}_{m.group(3)}")
    return e.xreplace(mapping)


_OPS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "!=": "!=", "==": "="}


def verdict_of(case: dict[str, Any]) -> str:
    """Our verdict on one case: verified, wrong, inconclusive or unparsed."""
    if case["b_format"] == "latex":
        return compare_latex(case["a"], case["b"], timeout=3).status.value
    want = _canon(_our_names(_expected(case["b"])))
    try:
        got = parse_latex(case["a"])
    except ParseError:
        return Status.UNPARSED.value
    if isinstance(want, sp.Rel):
        op = _OPS[want.rel_op]
        other = Parsed(relation=op, sides=(want.lhs, want.rhs), relations=(op,))
        mine = Parsed(relation=got.relation, sides=tuple(_canon(s) for s in got.sides), relations=got.relations)
        return compare_parsed(mine, other, timeout=3).status.value
    if got.relations:
        return Status.INCONCLUSIVE.value
    return same_expression(_canon(got.sides[0]), want, timeout=3).status.value


def test_answers_are_taken_out_of_their_text():
    """Boxed answers, math between delimiters, and lists split at \\quad and "and" are found."""
    assert math_items(r"Therefore $x \geq 5$ is the solution.") == [r"x \geq 5"]
    assert math_items(r"$\boxed{1} \quad \text{and} \quad \boxed{2}$") == ["1", "2"]
    assert math_items(r"$a = 1,\quad b = 2$") == ["a = 1", "b = 2"]


def test_relations_scaled_by_a_negative_number_are_different():
    """x < 1 and -x > -1 are the same; x > 5 and x < 5 are not, with a point that tells them apart."""
    assert compare_latex("$x < 1$", "$-x > -1$").status is Status.VERIFIED
    v = compare_latex("$x > 5$", "$x < 5$")
    assert v.status is Status.WRONG and v.counterexample is not None
    assert compare_latex("$x < 1$", "$x <= 1$").status is Status.WRONG


@pytest.mark.slow
@pytest.mark.skipif(not CASES.is_file(), reason="needs ../shared/corpus")
def test_equivalence_corpus_agreement():
    """Our verdicts agree with the upstream answers except the listed cases; nothing expected different is verified."""
    cases = [json.loads(line) for line in CASES.read_text().splitlines() if line.strip()]
    disagree, false_verified = {}, []
    for case in cases:
        verdict = verdict_of(case)
        agrees = verdict == ("verified" if case["expected"] else "wrong")
        if not case["expected"] and verdict == "verified":
            false_verified.append((case["a"], case["b"]))
        if not agrees:
            disagree[(case["a"], case["b"])] = verdict
    agreed = len(cases) - len(disagree)
    print(f"equivalence corpus: {agreed}/{len(cases)} = {agreed / len(cases):.1%} agree with the expected answer")
    assert len(cases) == 174
    assert not false_verified
    assert set(disagree) == set(KNOWN), {k: v for k, v in disagree.items() if k not in KNOWN}
